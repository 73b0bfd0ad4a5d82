//! What machines read: RSS, Atom and JSON feeds (for the whole site and for each section, tag and author),
//! sitemaps (an index, article sitemaps of at most 50,000 URLs with images, a page sitemap and a Google News
//! sitemap) and robots.txt. Responses go through the page cache like pages do, so they carry ETags, answer
//! conditional requests and cost a render only once per few seconds.

mod sitemap;
mod syndication;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use crate::config::FeedContent;
use crate::media::media_url;
use crate::site::SiteState;
use crate::site::edition::article_path;
use crate::site::view::{absolute_url, author_url, section_url, tag_url};
use crate::site::{Edition, SiteError};
use crate::store::{CardQuery, ListFilter};
pub use sitemap::{robots, sitemap_file, sitemap_index};

/// Articles in every feed.
const FEED_LENGTH: i64 = 50;

/// The three feed formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RSS 2.0, `feed.xml`.
    Rss,
    /// Atom 1.0, `atom.xml`.
    Atom,
    /// JSON Feed 1.1, `feed.json`.
    Json,
}

impl Format {
    /// The format served under `file`, if any.
    pub fn from_file(file: &str) -> Option<Format> {
        match file {
            "feed.xml" => Some(Format::Rss),
            "atom.xml" => Some(Format::Atom),
            "feed.json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The file name under which this format is served.
    pub fn file(self) -> &'static str {
        match self {
            Format::Rss => "feed.xml",
            Format::Atom => "atom.xml",
            Format::Json => "feed.json",
        }
    }

    /// The MIME type announced in `<link rel="alternate">` and sent as Content-Type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml",
            Format::Atom => "application/atom+xml",
            Format::Json => "application/feed+json",
        }
    }
}

/// One article in a feed, whatever the format.
#[derive(Debug)]
pub struct Entry {
    /// Absolute URL, also the stable identifier.
    pub url: String,
    /// Headline.
    pub title: String,
    /// Standfirst.
    pub summary: String,
    /// Full body HTML, when feeds carry full content.
    pub content_html: Option<String>,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// Last visible change.
    pub updated: DateTime<Utc>,
    /// Authors' names and absolute page URLs.
    pub authors: Vec<(String, String)>,
    /// Section name first, then tag names.
    pub categories: Vec<String>,
    /// Absolute lead image URL.
    pub image: Option<String>,
}

/// A whole feed, whatever the format.
#[derive(Debug)]
pub struct Feed {
    /// Feed title (site name, with the section, tag or author).
    pub title: String,
    /// Feed description.
    pub description: String,
    /// Absolute URL of the page the feed follows.
    pub home_url: String,
    /// Absolute URL of this feed.
    pub self_url: String,
    /// Newest change among the entries (or now, for an empty feed).
    pub updated: DateTime<Utc>,
    /// Newest first.
    pub entries: Vec<Entry>,
}

/// The feed links (`<link rel="alternate">`) of a page showing `path` (`/`, `/{section}/`, …).
pub fn alternates(path: &str, title: &str) -> Vec<(String, String, &'static str)> {
    [Format::Rss, Format::Atom, Format::Json]
        .into_iter()
        .map(|format| {
            let url = if path.ends_with('/') {
                format!("{path}{}", format.file())
            } else {
                format!("{path}/{}", format.file())
            };
            (format!("{title} ({})", format_name(format)), url, format.mime())
        })
        .collect()
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Rss => "RSS",
        Format::Atom => "Atom",
        Format::Json => "JSON Feed",
    }
}

/// `GET /{file}` at the root: the site's feeds.
pub async fn site_feed(
    State(state): State<SiteState>,
    edition: Edition,
    file: Result<Path<String>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path(file) = file.map_err(|_| SiteError::NotFound)?;
    let format = Format::from_file(&file).ok_or(SiteError::NotFound)?;
    serve(&state, &edition, ListFilter::All, None, "/", format).await
}

/// `GET /{section}/{file}` where file is a feed name.
pub async fn section_feed(
    state: &SiteState,
    edition: &Edition,
    section: &str,
    format: Format,
) -> Result<Response, SiteError> {
    let found = state.store.section(section).await?.ok_or(SiteError::NotFound)?;
    // The section's name in the edition's language, from the frame every page already keeps in memory.
    let presenter = crate::site::view::Presenter::load(state, edition).await?;
    let name = presenter.section_text(&found.slug, &found.name, "").0;
    serve(state, edition, ListFilter::Section(found.id), Some(name), &section_url(&found.slug), format).await
}

/// `GET /author/{slug}/{file}`: an author's feeds.
pub async fn author_feed(
    State(state): State<SiteState>,
    edition: Edition,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path((slug, file)) = path.map_err(|_| SiteError::NotFound)?;
    let format = Format::from_file(&file).ok_or(SiteError::NotFound)?;
    let author = state.store.author(&slug).await?.ok_or(SiteError::NotFound)?;
    let path = author_url(&author.slug);
    serve(&state, &edition, ListFilter::Author(author.id), Some(author.name), &path, format).await
}

/// `GET /tag/{slug}/{file}`: a tag's feeds.
pub async fn tag_feed(
    State(state): State<SiteState>,
    edition: Edition,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path((slug, file)) = path.map_err(|_| SiteError::NotFound)?;
    let format = Format::from_file(&file).ok_or(SiteError::NotFound)?;
    let tag = state.store.tag(&slug).await?.ok_or(SiteError::NotFound)?;
    serve(&state, &edition, ListFilter::Tag(tag.id), Some(tag.name), &tag_url(&tag.slug), format).await
}

/// Renders the feed of the list at `page_path` (within `edition`) in `format`.
async fn serve(
    state: &SiteState,
    edition: &Edition,
    filter: ListFilter,
    scope: Option<String>,
    page_path: &str,
    format: Format,
) -> Result<Response, SiteError> {
    let feed = load(state, edition, filter, scope, &edition.path(page_path), format).await?;
    let body = match format {
        Format::Rss => syndication::rss(&feed),
        Format::Atom => syndication::atom(&feed),
        Format::Json => syndication::json(&feed),
    };
    Ok(xml_response(format.mime(), body, Some(feed.updated)))
}

async fn load(
    state: &SiteState,
    edition: &Edition,
    filter: ListFilter,
    scope: Option<String>,
    page_path: &str,
    format: Format,
) -> Result<Feed, SiteError> {
    let now = Utc::now();
    let store = &state.store;
    let site = state.site();
    let base = &site.base_url;
    let cards = store.cards(&CardQuery::newest(filter, FEED_LENGTH).in_language(edition.list_language()), now).await?;
    if cards.is_empty() && crate::site::exists_only_with_articles(filter) {
        return Err(SiteError::NotFound);
    }
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let mut details = store.feed_details(&ids).await?;
    let site_name = site.name_in(&edition.language).to_owned();
    let description = site.description_in(&edition.language).to_owned();
    let entries: Vec<Entry> = cards
        .into_iter()
        .map(|card| {
            let detail = details.remove(&card.id).unwrap_or_default();
            let mut categories = vec![card.section.name.clone()];
            categories.extend(detail.tags.into_iter().map(|t| t.name));
            Entry {
                url: format!("{base}{}", article_path(&site, &card.language, &card.section.slug, &card.slug)),
                title: card.headline,
                summary: card.standfirst,
                content_html: (state.config.feed_content == FeedContent::Full).then_some(detail.body_html),
                published: card.published_at,
                updated: card.updated_at.unwrap_or(card.published_at),
                authors: card
                    .authors
                    .into_iter()
                    .map(|a| (a.name, format!("{base}{}", edition.path(&author_url(&a.slug)))))
                    .collect(),
                categories,
                image: card.image.map(|image| absolute_url(base, &media_url(&image.path))),
            }
        })
        .collect();
    let updated = entries.iter().map(|e| e.updated).max().unwrap_or(now);
    let path_prefix = if page_path.ends_with('/') { page_path.to_owned() } else { format!("{page_path}/") };
    Ok(Feed {
        title: match scope {
            Some(scope) => format!("{scope} | {site_name}"),
            None => site_name,
        },
        description,
        home_url: format!("{base}{page_path}"),
        self_url: format!("{base}{path_prefix}{}", format.file()),
        updated,
        entries,
    })
}

/// A machine-readable response with a short shared cache lifetime and, when known, Last-Modified.
fn xml_response(mime: &'static str, body: String, modified: Option<DateTime<Utc>>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&format!("{mime}; charset=utf-8")).unwrap_or(HeaderValue::from_static("application/xml")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60, stale-while-revalidate=300"));
    if let Some(modified) = modified
        && let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(modified.into()))
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    response
}
