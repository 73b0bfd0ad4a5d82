//! Sitemaps (sitemaps.org 0.9 with Google's image and news extensions) and robots.txt.

use std::io;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::xml_response;
use crate::app::AppState;
use crate::site::SiteError;
use crate::site::view::{absolute_url, article_url, author_url, media_url, section_url, tag_url};
use crate::store::{ListFilter, ListedKind, SitemapEntry};

/// URLs per article sitemap: the protocol's limit.
pub const URLS_PER_SITEMAP: i64 = 50_000;
/// Google News lists articles of the last two days.
const NEWS_WINDOW: Duration = Duration::days(2);
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const IMAGE_NS: &str = "http://www.google.com/schemas/sitemap-image/1.1";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

fn w3c(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Writes `<name>text</name>`.
fn text_element(writer: &mut Writer<Vec<u8>>, name: &str, text: &str) -> io::Result<()> {
    writer.create_element(name).write_text_content(BytesText::new(text))?;
    Ok(())
}

fn document(
    root: &str,
    namespaces: &[(&str, &str)],
    body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>,
) -> io::Result<String> {
    let mut writer = Writer::new(Vec::with_capacity(64 * 1024));
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer.create_element(root).with_attributes(namespaces.iter().copied()).write_inner_content(body)?;
    String::from_utf8(writer.into_inner()).map_err(io::Error::other)
}

fn to_site_error(error: io::Error) -> SiteError {
    SiteError::Internal(error.to_string())
}

/// `GET /sitemap.xml`: the index of every sitemap, each with the newest change it covers.
pub async fn sitemap_index(State(state): State<AppState>) -> Result<Response, SiteError> {
    let now = Utc::now();
    let site = state.site();
    let base = &site.base_url;
    let total = state.store.count(ListFilter::All, now).await?;
    let newest = state.store.last_modified(now).await?.unwrap_or(now);
    let chunks = (total + URLS_PER_SITEMAP - 1) / URLS_PER_SITEMAP;
    let body = document("sitemapindex", &[("xmlns", SITEMAP_NS)], |w| {
        let entry = |w: &mut Writer<Vec<u8>>, file: String| {
            w.create_element("sitemap").write_inner_content(|w| {
                text_element(w, "loc", &format!("{base}/sitemaps/{file}"))?;
                text_element(w, "lastmod", &w3c(newest))
            })?;
            Ok::<(), io::Error>(())
        };
        entry(w, "pages.xml".to_owned())?;
        entry(w, "news.xml".to_owned())?;
        for chunk in 1..=chunks {
            entry(w, format!("articles-{chunk}.xml"))?;
        }
        Ok(())
    })
    .map_err(to_site_error)?;
    Ok(xml_response("application/xml", body, Some(newest)))
}

/// `GET /sitemaps/{file}`: `pages.xml`, `news.xml` or `articles-N.xml`.
pub async fn sitemap_file(
    State(state): State<AppState>,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path(file) = file.map_err(|_| SiteError::NotFound)?;
    match file.as_str() {
        "pages.xml" => pages(&state).await,
        "news.xml" => news(&state).await,
        other => {
            let chunk = other
                .strip_prefix("articles-")
                .and_then(|rest| rest.strip_suffix(".xml"))
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n >= 1)
                .ok_or(SiteError::NotFound)?;
            articles(&state, i64::from(chunk)).await
        }
    }
}

async fn articles(state: &AppState, chunk: i64) -> Result<Response, SiteError> {
    let now = Utc::now();
    let entries = state.store.sitemap_entries(now, (chunk - 1) * URLS_PER_SITEMAP, URLS_PER_SITEMAP).await?;
    if entries.is_empty() && chunk > 1 {
        return Err(SiteError::NotFound);
    }
    let site = state.site();
    let base = &site.base_url;
    let newest = entries.iter().map(|e| e.modified).max();
    let body = document("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:image", IMAGE_NS)], |w| {
        for entry in &entries {
            w.create_element("url").write_inner_content(|w| {
                text_element(w, "loc", &format!("{base}{}", article_url(&entry.section, &entry.slug)))?;
                text_element(w, "lastmod", &w3c(entry.modified))?;
                if let Some(image) = &entry.image {
                    w.create_element("image:image").write_inner_content(|w| {
                        text_element(w, "image:loc", &absolute_url(base, &media_url(image)))
                    })?;
                }
                Ok(())
            })?;
        }
        Ok(())
    })
    .map_err(to_site_error)?;
    Ok(xml_response("application/xml", body, newest))
}

async fn news(state: &AppState) -> Result<Response, SiteError> {
    let now = Utc::now();
    let site = state.site();
    let base = &site.base_url;
    let publication = &site.name;
    let recent = state.store.recent_sitemap_entries(now, now - NEWS_WINDOW, 1_000).await?;
    let body = document("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)], |w| {
        for entry in &recent {
            news_url(w, base, publication, entry)?;
        }
        Ok(())
    })
    .map_err(to_site_error)?;
    Ok(xml_response("application/xml", body, recent.iter().map(|e| e.modified).max()))
}

fn news_url(w: &mut Writer<Vec<u8>>, base: &str, publication: &str, entry: &SitemapEntry) -> io::Result<()> {
    w.create_element("url").write_inner_content(|w| {
        text_element(w, "loc", &format!("{base}{}", article_url(&entry.section, &entry.slug)))?;
        w.create_element("news:news").write_inner_content(|w| {
            w.create_element("news:publication").write_inner_content(|w| {
                text_element(w, "news:name", publication)?;
                text_element(w, "news:language", &entry.language)
            })?;
            text_element(w, "news:publication_date", &w3c(entry.published))?;
            text_element(w, "news:title", &entry.headline)
        })?;
        Ok(())
    })?;
    Ok(())
}

async fn pages(state: &AppState) -> Result<Response, SiteError> {
    let now = Utc::now();
    let site = state.site();
    let base = &site.base_url;
    let mut paths = vec!["/".to_owned()];
    paths.extend(state.store.sections().await?.iter().map(|s| section_url(&s.slug)));
    paths.extend(state.store.listed_slugs(ListedKind::Author, now).await?.iter().map(|s| author_url(s)));
    paths.extend(state.store.listed_slugs(ListedKind::Tag, now).await?.iter().map(|s| tag_url(s)));
    let body = document("urlset", &[("xmlns", SITEMAP_NS)], |w| {
        for path in &paths {
            w.create_element("url").write_inner_content(|w| text_element(w, "loc", &format!("{base}{path}")))?;
        }
        Ok(())
    })
    .map_err(to_site_error)?;
    Ok(xml_response("application/xml", body, None))
}

/// `GET /robots.txt`: everything public may be crawled; the sitemap index says where.
pub async fn robots(State(state): State<AppState>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /admin/\nDisallow: /views/\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        state.site().base_url
    );
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))], body).into_response()
}
