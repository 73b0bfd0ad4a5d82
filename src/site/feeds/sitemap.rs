//! Sitemaps (sitemaps.org 0.9 with Google's image and news extensions) and robots.txt.

use std::collections::HashMap;
use std::io;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::xml_response;
use crate::media::media_url;
use crate::settings::SiteSettings;
use crate::site::SiteState;
use crate::site::edition::article_path;
use crate::site::view::{absolute_url, author_url, locale_of, section_url, tag_url};
use crate::site::{Edition, SiteError};
use crate::store::{ListFilter, ListedKind, SitemapEntry};

/// URLs per article sitemap: the protocol's limit.
pub const URLS_PER_SITEMAP: i64 = 50_000;
/// Google News lists articles of the last two days.
const NEWS_WINDOW: Duration = Duration::days(2);
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const IMAGE_NS: &str = "http://www.google.com/schemas/sitemap-image/1.1";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

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

/// `GET /sitemap.xml`: the index of every sitemap of every language edition (each edition's live under its
/// prefix, `/zh/sitemaps/…`), each with the newest change it covers.
pub async fn sitemap_index(State(state): State<SiteState>) -> Result<Response, SiteError> {
    let now = Utc::now();
    let site = state.site();
    let base = &site.base_url;
    let newest = state.store.last_modified(now).await?.unwrap_or(now);
    let mut files = Vec::new();
    for language in &site.languages {
        let edition = Edition::of(&site, language);
        let total = state.store.count(ListFilter::All, edition.list_language(), now).await?;
        let chunks = (total + URLS_PER_SITEMAP - 1) / URLS_PER_SITEMAP;
        files.push(edition.path("/sitemaps/pages.xml"));
        files.push(edition.path("/sitemaps/news.xml"));
        files.extend((1..=chunks).map(|chunk| edition.path(&format!("/sitemaps/articles-{chunk}.xml"))));
    }
    let body = document("sitemapindex", &[("xmlns", SITEMAP_NS)], |w| {
        for file in &files {
            w.create_element("sitemap").write_inner_content(|w| {
                text_element(w, "loc", &format!("{base}{file}"))?;
                text_element(w, "lastmod", &w3c(newest))
            })?;
        }
        Ok(())
    })
    .map_err(to_site_error)?;
    Ok(xml_response("application/xml", body, Some(newest)))
}

/// `GET /sitemaps/{file}`: `pages.xml`, `news.xml` or `articles-N.xml` of an edition.
pub async fn sitemap_file(
    State(state): State<SiteState>,
    edition: Edition,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path(file) = file.map_err(|_| SiteError::NotFound)?;
    match file.as_str() {
        "pages.xml" => pages(&state, &edition).await,
        "news.xml" => news(&state, &edition).await,
        other => {
            let chunk = other
                .strip_prefix("articles-")
                .and_then(|rest| rest.strip_suffix(".xml"))
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|&n| n >= 1)
                .ok_or(SiteError::NotFound)?;
            articles(&state, &edition, i64::from(chunk)).await
        }
    }
}

/// The absolute addresses of each published edition of the entries' translation groups, as (language tag,
/// URL), by group.
async fn group_alternates(
    state: &SiteState,
    site: &SiteSettings,
    entries: &[SitemapEntry],
    now: DateTime<Utc>,
) -> Result<HashMap<i64, Vec<(String, String)>>, SiteError> {
    let groups: Vec<i64> = entries.iter().filter_map(|e| e.translation_group).collect();
    let editions = state.store.editions_in_groups(&groups, now).await?;
    Ok(editions
        .into_iter()
        .map(|(group, editions)| {
            let links: Vec<(String, String)> = editions
                .iter()
                .filter(|e| site.publishes_in(&e.language))
                .map(|e| {
                    let path = article_path(site, &e.language, &e.section, &e.slug);
                    (locale_of(state, &e.language).tag().to_owned(), absolute_url(&site.base_url, &path))
                })
                .collect();
            (group, links)
        })
        .filter(|(_, links)| links.len() > 1)
        .collect())
}

/// Writes `<xhtml:link rel="alternate">` for each edition of a page (none when it has only one).
fn alternate_links(w: &mut Writer<Vec<u8>>, links: &[(String, String)]) -> io::Result<()> {
    for (hreflang, href) in links {
        w.create_element("xhtml:link")
            .with_attributes([("rel", "alternate"), ("hreflang", hreflang.as_str()), ("href", href.as_str())])
            .write_empty()?;
    }
    Ok(())
}

async fn articles(state: &SiteState, edition: &Edition, chunk: i64) -> Result<Response, SiteError> {
    let now = Utc::now();
    let language = edition.list_language();
    let entries = state.store.sitemap_entries(language, now, (chunk - 1) * URLS_PER_SITEMAP, URLS_PER_SITEMAP).await?;
    if entries.is_empty() && chunk > 1 {
        return Err(SiteError::NotFound);
    }
    let site = state.site();
    let base = &site.base_url;
    let alternates = group_alternates(state, &site, &entries, now).await?;
    let newest = entries.iter().map(|e| e.modified).max();
    let namespaces = [("xmlns", SITEMAP_NS), ("xmlns:image", IMAGE_NS), ("xmlns:xhtml", XHTML_NS)];
    let body = document("urlset", &namespaces, |w| {
        for entry in &entries {
            w.create_element("url").write_inner_content(|w| {
                text_element(w, "loc", &format!("{base}{}", entry_path(&site, entry)))?;
                text_element(w, "lastmod", &w3c(entry.modified))?;
                if let Some(links) = entry.translation_group.and_then(|group| alternates.get(&group)) {
                    alternate_links(w, links)?;
                }
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

/// Where a sitemap entry's article lives.
fn entry_path(site: &SiteSettings, entry: &SitemapEntry) -> String {
    article_path(site, &entry.language, &entry.section, &entry.slug)
}

async fn news(state: &SiteState, edition: &Edition) -> Result<Response, SiteError> {
    let now = Utc::now();
    let site = state.site();
    let recent = state.store.recent_sitemap_entries(edition.list_language(), now, now - NEWS_WINDOW, 1_000).await?;
    let body = document("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)], |w| {
        for entry in &recent {
            news_url(w, &site, entry)?;
        }
        Ok(())
    })
    .map_err(to_site_error)?;
    Ok(xml_response("application/xml", body, recent.iter().map(|e| e.modified).max()))
}

fn news_url(w: &mut Writer<Vec<u8>>, site: &SiteSettings, entry: &SitemapEntry) -> io::Result<()> {
    w.create_element("url").write_inner_content(|w| {
        text_element(w, "loc", &format!("{}{}", site.base_url, entry_path(site, entry)))?;
        w.create_element("news:news").write_inner_content(|w| {
            w.create_element("news:publication").write_inner_content(|w| {
                text_element(w, "news:name", &site.name)?;
                text_element(w, "news:language", &entry.language)
            })?;
            text_element(w, "news:publication_date", &w3c(entry.published))?;
            text_element(w, "news:title", &entry.headline)
        })?;
        Ok(())
    })?;
    Ok(())
}

/// An edition's list pages: its home and the sections with articles in its language (each with its
/// editions in the other languages that have some), then its authors and tags.
async fn pages(state: &SiteState, edition: &Edition) -> Result<Response, SiteError> {
    let now = Utc::now();
    let site = state.site();
    let base = &site.base_url;
    let language = edition.list_language();
    // Which sections each edition has articles in, for the page list and the alternates.
    let mut filled: Vec<(String, Vec<String>)> = Vec::new();
    for other in &site.languages {
        let edition = Edition::of(&site, other);
        filled.push((other.clone(), state.store.sections_with_articles(edition.list_language(), now).await?));
    }
    let own_sections = filled.iter().find(|(l, _)| *l == edition.language).map(|(_, s)| s.clone()).unwrap_or_default();
    let mut shared = vec![("/".to_owned(), None)];
    shared.extend(own_sections.iter().map(|slug| (section_url(slug), Some(slug.as_str()))));
    let mut own: Vec<String> = Vec::new();
    own.extend(state.store.listed_slugs(ListedKind::Author, language, now).await?.iter().map(|s| author_url(s)));
    own.extend(state.store.listed_slugs(ListedKind::Tag, language, now).await?.iter().map(|s| tag_url(s)));
    // The editions of a page: every language's home, or the languages with articles in a section.
    let editions_of = |path: &str, section: Option<&str>| -> Vec<(String, String)> {
        if site.languages.len() < 2 {
            return Vec::new();
        }
        let links: Vec<(String, String)> = filled
            .iter()
            .filter(|(_, sections)| section.is_none_or(|slug| sections.iter().any(|s| s == slug)))
            .map(|(l, _)| {
                let url = absolute_url(base, &Edition::of(&site, l).path(path));
                (locale_of(state, l).tag().to_owned(), url)
            })
            .collect();
        if links.len() > 1 { links } else { Vec::new() }
    };
    let body = document("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:xhtml", XHTML_NS)], |w| {
        for (path, section) in &shared {
            w.create_element("url").write_inner_content(|w| {
                text_element(w, "loc", &format!("{base}{}", edition.path(path)))?;
                alternate_links(w, &editions_of(path, *section))
            })?;
        }
        for path in &own {
            w.create_element("url")
                .write_inner_content(|w| text_element(w, "loc", &format!("{base}{}", edition.path(path))))?;
        }
        Ok(())
    })
    .map_err(to_site_error)?;
    Ok(xml_response("application/xml", body, None))
}

/// `GET /robots.txt`: everything public may be crawled; the sitemap index says where.
pub async fn robots(State(state): State<SiteState>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /admin/\nDisallow: /views/\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        state.site().base_url
    );
    ([(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))], body).into_response()
}
