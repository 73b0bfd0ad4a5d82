//! What templates see: domain values turned into display-ready shapes (URLs, formatted times, grouped
//! numbers). The template contract is documented in `docs/theme.md`.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use std::sync::Arc;

use super::format::group_digits;
use crate::app::AppState;
use crate::content::{ArticleCard, LeadImage, SectionRef};
use crate::settings::{Logo, SiteSettings};
use crate::store::StoreError;

/// A link: display name and address.
#[derive(Debug, Serialize)]
pub struct LinkView {
    /// Display text.
    pub name: String,
    /// Address.
    pub url: String,
}

/// A moment, machine-readable and as readers see it.
#[derive(Debug, Serialize)]
pub struct TimeView {
    /// RFC 3339, for `<time datetime>`.
    pub iso: String,
    /// AP style in the site's time zone.
    pub display: String,
}

/// An image with its address and, where the page shows them, caption and credit.
#[derive(Debug, Serialize)]
pub struct ImageView {
    /// Address of the file.
    pub url: String,
    /// Text alternative.
    pub alt: String,
    /// Caption.
    pub caption: String,
    /// Credit.
    pub credit: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resized copies in the original's format and the original, for `srcset` (empty when there are none).
    pub srcset: String,
    /// WebP copies for a `<picture>` source, when the original is not WebP (empty when there are none).
    pub webp_srcset: String,
}

/// An article as lists show it.
#[derive(Debug, Serialize)]
pub struct CardView {
    /// Headline.
    pub headline: String,
    /// Address of the article page.
    pub url: String,
    /// Summary.
    pub standfirst: String,
    /// Section link.
    pub section: LinkView,
    /// Author links in byline order.
    pub authors: Vec<LinkView>,
    /// Publication time.
    pub published: TimeView,
    /// View count with grouped digits.
    pub views: String,
    /// Lead image.
    pub image: Option<ImageView>,
}

/// One entry of the main navigation.
#[derive(Debug, Serialize)]
pub struct NavItem {
    /// Section name.
    pub name: String,
    /// Section page address.
    pub url: String,
    /// Whether the page being shown belongs to this section.
    pub current: bool,
}

/// The site-wide values every template uses.
#[derive(Debug, Serialize)]
pub struct SiteView {
    /// Site name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Language of the pages.
    pub lang: String,
    /// The masthead's logo, when the site has one.
    pub logo: Option<Logo>,
}

/// Head metadata of a page.
#[derive(Debug, Serialize)]
pub struct PageMeta {
    /// Full `<title>`.
    pub title: String,
    /// `<meta name="description">`.
    pub description: String,
    /// Absolute canonical URL.
    pub canonical: String,
    /// Open Graph type: `website` or `article`.
    pub og_type: &'static str,
    /// The image social cards show (absolute URL).
    pub image: Option<ImageView>,
    /// Feeds announced with `<link rel="alternate">`.
    pub feeds: Vec<FeedLink>,
    /// JSON-LD structured data, already serialised and safe inside `<script>`.
    pub json_ld: Option<String>,
}

/// A feed announced by a page.
#[derive(Debug, Serialize)]
pub struct FeedLink {
    /// Human-readable title.
    pub title: String,
    /// Address.
    pub url: String,
    /// MIME type.
    pub mime: &'static str,
}

/// The frame around every page: site, navigation, footer year.
#[derive(Debug, Serialize)]
pub struct Chrome {
    /// Site name, description, language.
    pub site: SiteView,
    /// Main navigation.
    pub nav: Vec<NavItem>,
    /// For the footer copyright.
    pub year: i32,
}

/// What every page's frame is made of, loaded once per content generation.
#[derive(Debug)]
pub struct SiteFrame {
    /// Sections in navigation order.
    pub sections: Vec<crate::content::Section>,
}

/// Turns domain values into views using the site's settings (time zone, date format, base URL).
#[derive(Debug, Clone)]
pub struct Presenter<'a> {
    state: &'a AppState,
    /// The settings in force when the request began, so one page never mixes two.
    site: Arc<SiteSettings>,
}

impl<'a> Presenter<'a> {
    /// A presenter for this request's state.
    pub fn new(state: &'a AppState) -> Presenter<'a> {
        Presenter { state, site: state.site() }
    }

    /// The site settings this presenter uses.
    pub fn site(&self) -> &SiteSettings {
        &self.site
    }

    /// The site's sections, kept in memory until content next changes.
    pub async fn frame(&self) -> Result<Arc<SiteFrame>, StoreError> {
        let store = &self.state.store;
        self.state
            .frame
            .get_or_load(self.state.cache.generation(), || async {
                Ok::<_, StoreError>(SiteFrame { sections: store.sections().await? })
            })
            .await
    }

    /// Loads the frame: settings and sections, with `current` marking the section being shown.
    pub async fn chrome(&self, current: Option<&str>) -> Result<Chrome, StoreError> {
        let frame = self.frame().await?;
        let nav = frame
            .sections
            .iter()
            .map(|s| NavItem {
                current: current == Some(s.slug.as_str()),
                url: section_url(&s.slug),
                name: s.name.clone(),
            })
            .collect();
        Ok(Chrome {
            site: SiteView {
                name: self.site.name.clone(),
                description: self.site.description.clone(),
                lang: "en".to_owned(),
                logo: self.site.logo.clone(),
            },
            nav,
            year: Utc::now().with_timezone(&self.site.timezone).year(),
        })
    }

    /// Head metadata for a page at `path`, titled `title` (the site name is appended).
    pub fn meta(&self, chrome: &Chrome, title: Option<&str>, description: &str, path: &str) -> PageMeta {
        let title = match title {
            Some(title) => format!("{title} | {}", chrome.site.name),
            None => chrome.site.name.clone(),
        };
        let description = if description.is_empty() { chrome.site.description.clone() } else { description.to_owned() };
        PageMeta {
            title,
            description,
            canonical: format!("{}{path}", self.site.base_url),
            og_type: "website",
            image: None,
            feeds: self.feeds("/", &chrome.site.name),
            json_ld: None,
        }
    }

    /// The feed links of the page at `path` (`/`, `/{section}/`, `/author/{slug}`, …), titled `title`.
    pub fn feeds(&self, path: &str, title: &str) -> Vec<FeedLink> {
        crate::feeds::alternates(path, title)
            .into_iter()
            .map(|(title, url, mime)| FeedLink { title, url, mime })
            .collect()
    }

    /// The publisher's logo for structured data (absolute): the site's own, else the theme's.
    pub fn publisher_logo(&self) -> Option<String> {
        match &self.site.logo {
            Some(logo) => Some(self.absolute(&logo.url)),
            None => self.state.theme.asset_url("logo.svg").map(|url| self.absolute(url)),
        }
    }

    /// An absolute URL for a site path.
    pub fn absolute(&self, path: &str) -> String {
        absolute_url(&self.site.base_url, path)
    }

    /// A moment in the site's time zone.
    pub fn time(&self, instant: DateTime<Utc>) -> TimeView {
        TimeView { iso: instant.with_timezone(&self.site.timezone).to_rfc3339(), display: self.site.show_time(instant) }
    }

    /// A card for lists.
    pub fn card(&self, card: &ArticleCard) -> CardView {
        CardView {
            headline: card.headline.clone(),
            url: article_url(&card.section.slug, &card.slug),
            standfirst: card.standfirst.clone(),
            section: section_link(&card.section),
            authors: card.authors.iter().map(author_link).collect(),
            published: self.time(card.published_at),
            views: group_digits(card.view_count),
            image: card.image.as_ref().map(image),
        }
    }

    /// Cards for a whole list.
    pub fn cards(&self, cards: &[ArticleCard]) -> Vec<CardView> {
        cards.iter().map(|c| self.card(c)).collect()
    }
}

/// An image's view, with its address resolved.
pub fn image(image: &LeadImage) -> ImageView {
    ImageView {
        url: media_url(&image.path),
        alt: image.alt.clone(),
        caption: image.caption.clone(),
        credit: image.credit.clone(),
        width: image.width,
        height: image.height,
        srcset: srcset(image),
        webp_srcset: webp_srcset(image),
    }
}

fn original_mime(image: &LeadImage) -> &'static str {
    mime_guess::from_path(&image.path).first_raw().unwrap_or_default()
}

/// The resized copies of `image` in `mime`, as `srcset` candidates.
fn candidates(image: &LeadImage, mime: &str) -> Vec<String> {
    image
        .variants
        .iter()
        .filter(|v| v.mime == mime && v.width < image.width)
        .map(|v| format!("{} {}w", media_url(&v.path), v.width))
        .collect()
}

/// `srcset` for an image with resized copies: those in the original's format, then the original itself.
fn srcset(image: &LeadImage) -> String {
    let copies = candidates(image, original_mime(image));
    if copies.is_empty() {
        return String::new();
    }
    format!("{}, {} {}w", copies.join(", "), media_url(&image.path), image.width)
}

/// `srcset` of the WebP copies, which browsers that read WebP prefer (they are usually a third smaller). Only
/// for JPEG and PNG originals: a WebP original needs no second source, and a GIF's copies hold only its first
/// frame.
fn webp_srcset(image: &LeadImage) -> String {
    if !matches!(original_mime(image), "image/jpeg" | "image/png") {
        return String::new();
    }
    candidates(image, "image/webp").join(", ")
}

/// `path` on the site at `base`, unless it already is an absolute URL (an imported image, say).
pub fn absolute_url(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") { path.to_owned() } else { format!("{base}{path}") }
}

/// Media paths are relative to the media root unless they are already absolute URLs (imported sites).
pub fn media_url(path: &str) -> String {
    if path.starts_with("https://") || path.starts_with("http://") { path.to_owned() } else { format!("/media/{path}") }
}

/// `/{section}/{slug}`.
pub fn article_url(section: &str, slug: &str) -> String {
    format!("/{section}/{slug}")
}

/// `/{section}/`.
pub fn section_url(section: &str) -> String {
    format!("/{section}/")
}

/// `/author/{slug}`.
pub fn author_url(slug: &str) -> String {
    format!("/author/{slug}")
}

/// `/tag/{slug}`.
pub fn tag_url(slug: &str) -> String {
    format!("/tag/{slug}")
}

/// A section's link.
pub fn section_link(section: &SectionRef) -> LinkView {
    LinkView { name: section.name.clone(), url: section_url(&section.slug) }
}

/// An author's link.
pub fn author_link(author: &SectionRef) -> LinkView {
    LinkView { name: author.name.clone(), url: author_url(&author.slug) }
}

/// A tag's link.
pub fn tag_link(tag: &SectionRef) -> LinkView {
    LinkView { name: tag.name.clone(), url: tag_url(&tag.slug) }
}
