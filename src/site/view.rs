//! What templates see: domain values turned into display-ready shapes (URLs, formatted times, grouped
//! numbers). The template contract is documented in `docs/theme.md`.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use std::sync::Arc;

use super::SiteState;
use super::edition::Edition;
use crate::content::{ArticleCard, CARD_CROP, LeadImage, SHARE_CROP, SectionRef};
use crate::i18n::Locale;
use crate::media::media_url;
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
    /// View count as a number, for the plural of its label.
    pub view_count: i64,
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
    /// Language of the pages, as a BCP 47 tag for `<html lang>`.
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
    /// The same page in other languages (and `x-default`), for `<link rel="alternate" hreflang>`.
    pub alternates: Vec<Alternate>,
}

/// The address of one language's edition of a page, as search engines read it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Alternate {
    /// BCP 47 tag, or `x-default` for the page readers get when none of the languages fits.
    pub hreflang: String,
    /// Absolute URL.
    pub url: String,
}

/// One entry of the language switcher.
#[derive(Debug, Clone, Serialize)]
pub struct EditionLink {
    /// The language's own name (`中文`).
    pub name: String,
    /// BCP 47 tag.
    pub lang: String,
    /// Address of this page in that language.
    pub url: String,
    /// Whether this is the language being read.
    pub current: bool,
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

/// The frame around every page: site, navigation, language switcher, footer year.
#[derive(Debug, Serialize)]
pub struct Chrome {
    /// Site name, description, language.
    pub site: SiteView,
    /// The language code of the page, which picks the translation file its interface text comes from.
    pub locale: String,
    /// This edition's home page.
    pub home_url: String,
    /// This edition's search page.
    pub search_url: String,
    /// Main navigation.
    pub nav: Vec<NavItem>,
    /// This page in each language it exists in; empty on a site with one language.
    pub editions: Vec<EditionLink>,
    /// For the footer copyright.
    pub year: i32,
}

/// What every page's frame is made of, loaded once per content generation.
#[derive(Debug)]
pub struct SiteFrame {
    /// Sections in navigation order.
    pub sections: Vec<crate::content::Section>,
    /// Sections' names in the languages other than the default.
    pub names: Vec<crate::store::SectionName>,
}

/// Turns domain values into views for one edition, using the site's settings (time zone, date format, base
/// URL) and the edition's language (interface text, dates, numbers, addresses).
#[derive(Debug, Clone)]
pub struct Presenter<'a> {
    state: &'a SiteState,
    /// The settings in force when the request began, so one page never mixes two.
    site: Arc<SiteSettings>,
    edition: Edition,
    frame: Arc<SiteFrame>,
}

impl<'a> Presenter<'a> {
    /// A presenter for a page of `edition`, with the site's sections (kept in memory until content next
    /// changes).
    pub async fn load(state: &'a SiteState, edition: &Edition) -> Result<Presenter<'a>, StoreError> {
        let store = &state.store;
        let frame = state
            .frame
            .get_or_load(state.cache.generation(), || async {
                Ok::<_, StoreError>(SiteFrame {
                    sections: store.sections().await?,
                    names: store.section_names().await?,
                })
            })
            .await?;
        Ok(Presenter { state, site: state.site(), edition: edition.clone(), frame })
    }

    /// The settings and sections this presenter renders with (a kept page's fingerprint covers both).
    pub fn inputs(&self) -> (&Arc<SiteSettings>, &Arc<SiteFrame>) {
        (&self.site, &self.frame)
    }

    /// The site's sections.
    pub fn frame(&self) -> &SiteFrame {
        &self.frame
    }

    /// A section's name and description in the edition's language (the section's own where it has no
    /// translation).
    pub fn section_text(&self, slug: &str, name: &str, description: &str) -> (String, String) {
        match self.frame.names.iter().find(|n| n.section == slug && n.language == self.edition.language) {
            Some(translated) => (translated.name.clone(), translated.description.clone()),
            None => (name.to_owned(), description.to_owned()),
        }
    }

    /// The site's name in the edition's language.
    pub fn site_name(&self) -> &str {
        self.site.name_in(&self.edition.language)
    }

    /// The site settings this presenter uses.
    pub fn site(&self) -> &SiteSettings {
        &self.site
    }

    /// The edition being shown.
    pub fn edition(&self) -> &Edition {
        &self.edition
    }

    /// The translation of the edition's language (English when the theme has none for it).
    pub fn locale(&self) -> &'a Locale {
        locale_of(self.state, &self.edition.language)
    }

    /// The interface text `key` in the edition's language.
    pub fn text(&self, key: &str) -> String {
        self.locale().text(key, &[])
    }

    /// A site path in this edition (`/columns/` becomes `/zh/columns/` in Chinese).
    pub fn path(&self, path: &str) -> String {
        self.edition.path(path)
    }

    /// Where an article lives: under its own language's prefix, whichever edition links to it.
    pub fn article_path(&self, language: &str, section: &str, slug: &str) -> String {
        super::edition::article_path(&self.site, language, section, slug)
    }

    /// The addresses of the page at `path` (within an edition) in every language the site publishes in, with
    /// `x-default` naming the default language's; none on a single-language site.
    pub fn alternates_everywhere(&self, path: &str) -> Vec<Alternate> {
        self.alternates(&self.everywhere(path))
    }

    /// The page at `path` (within an edition) in every language the site publishes in, as (language, path).
    fn everywhere(&self, path: &str) -> Vec<(String, String)> {
        self.site
            .languages
            .iter()
            .map(|language| (language.clone(), Edition::of(&self.site, language).path(path)))
            .collect()
    }

    /// `hreflang` alternates for a page that exists as (language, path) pairs, the default language's (or
    /// else the first) doubling as `x-default`; none when there is only one.
    pub fn alternates(&self, editions: &[(String, String)]) -> Vec<Alternate> {
        if editions.len() < 2 {
            return Vec::new();
        }
        let mut alternates: Vec<Alternate> = editions
            .iter()
            .map(|(language, path)| Alternate {
                hreflang: locale_of(self.state, language).tag().to_owned(),
                url: self.absolute(path),
            })
            .collect();
        let fallback = editions
            .iter()
            .find(|(language, _)| language == self.site.default_language())
            .or_else(|| editions.first())
            .map(|(_, path)| self.absolute(path));
        if let Some(url) = fallback {
            alternates.push(Alternate { hreflang: "x-default".to_owned(), url });
        }
        alternates
    }

    /// The language switcher for a page that exists as (language, path) pairs, in the site's language order.
    pub fn edition_links(&self, editions: &[(String, String)]) -> Vec<EditionLink> {
        if editions.len() < 2 {
            return Vec::new();
        }
        self.site
            .languages
            .iter()
            .filter_map(|language| editions.iter().find(|(l, _)| l == language))
            .map(|(language, path)| {
                let locale = locale_of(self.state, language);
                EditionLink {
                    name: locale.name().to_owned(),
                    lang: locale.tag().to_owned(),
                    url: path.clone(),
                    current: *language == self.edition.language,
                }
            })
            .collect()
    }

    /// Loads the frame: settings and sections, with `current` marking the section being shown. The language
    /// switcher offers the page at `path` (within an edition) in every language; an article page replaces it
    /// with its own translations.
    pub fn chrome(&self, current: Option<&str>, path: &str) -> Chrome {
        let nav = self
            .frame
            .sections
            .iter()
            .map(|s| NavItem {
                current: current == Some(s.slug.as_str()),
                url: self.path(&section_url(&s.slug)),
                name: self.section_text(&s.slug, &s.name, "").0,
            })
            .collect();
        Chrome {
            site: SiteView {
                name: self.site_name().to_owned(),
                description: self.site.description_in(&self.edition.language).to_owned(),
                lang: self.locale().tag().to_owned(),
                logo: self.site.logo.clone(),
            },
            locale: self.edition.language.clone(),
            home_url: self.path("/"),
            search_url: self.path("/search"),
            nav,
            editions: self.edition_links(&self.everywhere(path)),
            year: Utc::now().with_timezone(&self.site.timezone).year(),
        }
    }

    /// Head metadata for a page at `path` (within the edition), titled `title` (the site name is appended),
    /// with its addresses in the other languages.
    pub fn meta(&self, chrome: &Chrome, title: Option<&str>, description: &str, path: &str) -> PageMeta {
        let title = match title {
            Some(title) => format!("{title} | {}", chrome.site.name),
            None => chrome.site.name.clone(),
        };
        let description = if description.is_empty() { chrome.site.description.clone() } else { description.to_owned() };
        PageMeta {
            title,
            description,
            canonical: self.absolute(&self.path(path)),
            og_type: "website",
            image: None,
            feeds: self.feeds("/", &chrome.site.name),
            json_ld: None,
            alternates: self.alternates_everywhere(path),
        }
    }

    /// The feed links of the page at `path` (`/`, `/{section}/`, `/author/{slug}`, …, within the edition),
    /// titled `title`.
    pub fn feeds(&self, path: &str, title: &str) -> Vec<FeedLink> {
        super::feeds::alternates(&self.path(path), title)
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

    /// A moment in the site's time zone, written as the edition's language writes dates (the site's own date
    /// format for a language whose translation names none).
    pub fn time(&self, instant: DateTime<Utc>) -> TimeView {
        let local = instant.with_timezone(&self.site.timezone);
        let display = match self.locale().date_pattern() {
            Some(pattern) => local.format(pattern).to_string(),
            None => self.site.show_time(instant),
        };
        TimeView { iso: local.to_rfc3339(), display }
    }

    /// A number with its digits grouped as the edition's language groups them.
    pub fn number(&self, number: i64) -> String {
        self.locale().group_digits(number)
    }

    /// A card for lists.
    pub fn card(&self, card: &ArticleCard) -> CardView {
        CardView {
            headline: card.headline.clone(),
            url: self.article_path(&card.language, &card.section.slug, &card.slug),
            standfirst: card.standfirst.clone(),
            section: self.section_link(&card.section),
            authors: card.authors.iter().map(|a| self.author_link(a)).collect(),
            published: self.time(card.published_at),
            views: self.number(card.view_count),
            view_count: card.view_count,
            image: card.image.as_ref().map(card_image),
        }
    }

    /// A section's link in this edition, under its name in the edition's language.
    pub fn section_link(&self, section: &SectionRef) -> LinkView {
        LinkView {
            name: self.section_text(&section.slug, &section.name, "").0,
            url: self.path(&section_url(&section.slug)),
        }
    }

    /// An author's link in this edition.
    pub fn author_link(&self, author: &SectionRef) -> LinkView {
        LinkView { name: author.name.clone(), url: self.path(&author_url(&author.slug)) }
    }

    /// A tag's link in this edition.
    pub fn tag_link(&self, tag: &SectionRef) -> LinkView {
        LinkView { name: tag.name.clone(), url: self.path(&tag_url(&tag.slug)) }
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

/// A card's image: cards show a 16:9 frame, so the 16:9 crops cut around the focal point when the image has
/// them (the theme's `object-fit: cover` would otherwise cut around the middle), else the whole image.
pub fn card_image(lead: &LeadImage) -> ImageView {
    cropped(lead, CARD_CROP)
}

/// The image social cards and search show for an article: its 1200 × 630 crop around the focal point (smaller
/// when the original is), or the whole image when it has no crops (images saved with an article, imports).
pub fn share_image(lead: &LeadImage) -> ImageView {
    cropped(lead, SHARE_CROP)
}

/// `lead` in its crops of `shape`, the widest as the picture and all of them as its `srcset` when there are
/// several; the whole image when it has none of that shape.
fn cropped(lead: &LeadImage, shape: &str) -> ImageView {
    let crops: Vec<_> = lead.crops.iter().filter(|c| c.shape == shape).collect();
    let Some(widest) = crops.iter().max_by_key(|c| c.width) else {
        return image(lead);
    };
    let srcset = if crops.len() > 1 {
        crops.iter().map(|c| format!("{} {}w", media_url(&c.path), c.width)).collect::<Vec<_>>().join(", ")
    } else {
        String::new()
    };
    ImageView {
        url: media_url(&widest.path),
        width: widest.width,
        height: widest.height,
        srcset,
        webp_srcset: String::new(),
        ..image(lead)
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

/// The translation of `language`, English when the theme has none for it.
pub fn locale_of<'s>(state: &'s SiteState, language: &str) -> &'s Locale {
    state.locales.get(language).unwrap_or_else(|| state.locales.english())
}
