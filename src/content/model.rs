//! Domain types: what the store saves (inputs, checked by [`ArticleInput::prepare`]) and what it returns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ControlCharacter, Slug, SlugError, check_text, render_markdown, sanitize_html};

/// Where an article is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    /// Being written; never public.
    Draft,
    /// Handed in by a contributor for an editor to review; never public.
    Submitted,
    /// Waiting for its publication time; never public before a publisher job flips it.
    Scheduled,
    /// Public from its publication time on.
    Published,
    /// Taken down after publication; never public, its address answers 404.
    Unpublished,
}

impl ArticleStatus {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "draft",
            ArticleStatus::Submitted => "submitted",
            ArticleStatus::Scheduled => "scheduled",
            ArticleStatus::Published => "published",
            ArticleStatus::Unpublished => "unpublished",
        }
    }

    /// The status in words, as the back office shows it.
    pub fn label(self) -> &'static str {
        match self {
            ArticleStatus::Draft => "Draft",
            ArticleStatus::Submitted => "Submitted for review",
            ArticleStatus::Scheduled => "Scheduled",
            ArticleStatus::Published => "Published",
            ArticleStatus::Unpublished => "Unpublished",
        }
    }

    /// Reads a stored or typed status name.
    pub fn parse(text: &str) -> Option<ArticleStatus> {
        match text {
            "draft" => Some(ArticleStatus::Draft),
            "submitted" => Some(ArticleStatus::Submitted),
            "scheduled" => Some(ArticleStatus::Scheduled),
            "published" => Some(ArticleStatus::Published),
            "unpublished" => Some(ArticleStatus::Unpublished),
            _ => None,
        }
    }

    /// Every status, in the order an article usually moves through them.
    pub const ALL: [ArticleStatus; 5] = [
        ArticleStatus::Draft,
        ArticleStatus::Submitted,
        ArticleStatus::Scheduled,
        ArticleStatus::Published,
        ArticleStatus::Unpublished,
    ];

    /// Whether the status needs a publication time (planned or past).
    pub fn needs_time(self) -> bool {
        matches!(self, ArticleStatus::Scheduled | ArticleStatus::Published)
    }
}

/// Why content cannot be saved.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// A slug is unusable.
    #[error(transparent)]
    Slug(#[from] SlugError),
    /// A required text is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// An article needs at least one author.
    #[error("an article needs at least one author")]
    NoAuthor,
    /// Scheduled and published articles need a time.
    #[error("a {0} article needs a publication time")]
    NoPublicationTime(&'static str),
    /// A lead image must describe itself for readers who cannot see it.
    #[error("the lead image needs alt text")]
    NoAltText,
    /// Image dimensions must be positive.
    #[error("the lead image needs a width and height above zero")]
    BadImageSize,
    /// A text holds a character that cannot be stored (NUL and the other control characters).
    #[error(transparent)]
    Control(#[from] ControlCharacter),
    /// A text is longer than its field allows.
    #[error("{field} has {length} characters; it may have at most {max}")]
    TooLong {
        /// The field, as the message names it.
        field: &'static str,
        /// Its length in characters.
        length: usize,
        /// The most it may have.
        max: usize,
    },
}

/// The most characters an SEO title may have. Search results show about the first 60; the rest is room for
/// a title written for another engine or a social network, not for an essay.
pub const SEO_TITLE_MAX: usize = 200;
/// The most characters a meta description may have. Search results show about the first 155 to 160.
pub const SEO_DESCRIPTION_MAX: usize = 500;

/// How an article presents itself to search engines and social networks where that differs from the page:
/// an empty title or description, or no image, falls back to the headline, standfirst or lead image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SearchAndSocial {
    /// The SEO title; the headline when empty.
    #[serde(default)]
    pub title: String,
    /// The meta description; the standfirst when empty.
    #[serde(default)]
    pub description: String,
}

impl SearchAndSocial {
    /// Tidies the texts (one line each, trimmed: both end up in attributes and result snippets) and checks
    /// them: no control characters, and no longer than [`SEO_TITLE_MAX`] and [`SEO_DESCRIPTION_MAX`].
    pub fn checked(title: &str, description: &str) -> Result<SearchAndSocial, ContentError> {
        let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let checked = SearchAndSocial { title: one_line(title), description: one_line(description) };
        for (field, text, max) in [
            ("the SEO title", &checked.title, SEO_TITLE_MAX),
            ("the meta description", &checked.description, SEO_DESCRIPTION_MAX),
        ] {
            check_text(field, text)?;
            let length = text.chars().count();
            if length > max {
                return Err(ContentError::TooLong { field, length, max });
            }
        }
        Ok(checked)
    }

    /// The title to show: the SEO title, else `headline`.
    pub fn title_or<'a>(&'a self, headline: &'a str) -> &'a str {
        if self.title.is_empty() { headline } else { &self.title }
    }

    /// The description to show: the meta description, else `standfirst`.
    pub fn description_or<'a>(&'a self, standfirst: &'a str) -> &'a str {
        if self.description.is_empty() { standfirst } else { &self.description }
    }
}

/// A section to create or update, keyed by slug.
#[derive(Debug, Clone)]
pub struct SectionInput {
    /// Address segment, unique.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// One or two sentences shown on the section page.
    pub description: String,
    /// Order in navigation, ascending.
    pub position: i64,
}

/// An author to create or update, keyed by slug.
#[derive(Debug, Clone)]
pub struct AuthorInput {
    /// Address segment, unique.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// Short biography shown on the author page.
    pub bio: String,
    /// Avatar path relative to the media root.
    pub avatar: Option<String>,
}

/// An article as an editor (or an importer) hands it over, before checks and rendering.
#[derive(Debug, Clone)]
pub struct ArticleInput {
    /// Section slug; the section must exist.
    pub section: Slug,
    /// Address segment, unique within the section.
    pub slug: Slug,
    /// The headline.
    pub headline: String,
    /// One-paragraph summary.
    pub standfirst: String,
    /// The body as Markdown.
    pub body_markdown: String,
    /// Author slugs in byline order; each must exist.
    pub authors: Vec<Slug>,
    /// Tag names; tags are created on the fly.
    pub tags: Vec<String>,
    /// The lead image.
    pub lead_image: Option<LeadImage>,
    /// BCP 47 language tag.
    pub language: String,
    /// Where the article is in its life.
    pub status: ArticleStatus,
    /// Publication time (planned, for scheduled articles).
    pub published_at: Option<DateTime<Utc>>,
    /// A visible "Updated" time.
    pub updated_at: Option<DateTime<Utc>>,
    /// Views counted so far (imports and the demo bring their own).
    pub view_count: i64,
}

/// A tag as it will be saved: name and the slug made from it.
#[derive(Debug, Clone)]
pub struct PreparedTag {
    /// Address segment.
    pub slug: Slug,
    /// Display name.
    pub name: String,
}

/// An article that passed every check, with its body rendered to safe HTML. Only this reaches the store.
#[derive(Debug, Clone)]
pub struct PreparedArticle {
    /// The checked input.
    pub input: ArticleInput,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// Tags with their slugs, duplicates removed.
    pub tags: Vec<PreparedTag>,
}

impl ArticleInput {
    /// Checks the article and renders its body once, so that reads never render Markdown. An author named
    /// twice keeps the first place.
    pub fn prepare(self) -> Result<PreparedArticle, ContentError> {
        if self.body_markdown.trim().is_empty() {
            return Err(ContentError::Empty("the body"));
        }
        let (input, tags) = self.checked()?;
        let body_html = render_markdown(&input.body_markdown);
        Ok(PreparedArticle { input, body_html, tags })
    }

    /// Like [`ArticleInput::prepare`] for an article that arrives as HTML (an import): the HTML goes through
    /// the same sanitiser as rendered Markdown, and the Markdown (for the editor) is the caller's. The body
    /// may be empty, since the platforms sites come from allow that.
    pub fn prepare_with_html(self, html: &str) -> Result<PreparedArticle, ContentError> {
        let (input, tags) = self.checked()?;
        Ok(PreparedArticle { input, body_html: sanitize_html(html), tags })
    }

    fn checked(mut self) -> Result<(ArticleInput, Vec<PreparedTag>), ContentError> {
        self.check_texts()?;
        let mut seen = std::collections::HashSet::new();
        self.authors.retain(|slug| seen.insert(slug.clone()));
        if self.headline.trim().is_empty() {
            return Err(ContentError::Empty("the headline"));
        }
        if self.authors.is_empty() {
            return Err(ContentError::NoAuthor);
        }
        if self.status.needs_time() && self.published_at.is_none() {
            return Err(ContentError::NoPublicationTime(self.status.as_str()));
        }
        if let Some(image) = &self.lead_image {
            if image.alt.trim().is_empty() {
                return Err(ContentError::NoAltText);
            }
            if image.width == 0 || image.height == 0 {
                return Err(ContentError::BadImageSize);
            }
        }
        let mut tags: Vec<PreparedTag> = Vec::with_capacity(self.tags.len());
        for name in &self.tags {
            let name = name.trim();
            let slug = Slug::from_title(name)?;
            if !tags.iter().any(|t| t.slug == slug) {
                tags.push(PreparedTag { slug, name: name.to_owned() });
            }
        }
        Ok((self, tags))
    }
}

impl ArticleInput {
    /// Refuses control characters in every text of the article (slugs have their own, stricter rule).
    fn check_texts(&self) -> Result<(), ControlCharacter> {
        check_text("the headline", &self.headline)?;
        check_text("the standfirst", &self.standfirst)?;
        check_text("the body", &self.body_markdown)?;
        check_text("the language", &self.language)?;
        for tag in &self.tags {
            check_text("a tag", tag)?;
        }
        if let Some(image) = &self.lead_image {
            check_text("the lead image's alt text", &image.alt)?;
            check_text("the lead image's caption", &image.caption)?;
            check_text("the lead image's credit", &image.credit)?;
        }
        Ok(())
    }
}

/// A section as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Section {
    /// Database id.
    pub id: i64,
    /// Address segment.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Shown on the section page.
    pub description: String,
}

/// An author as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Author {
    /// Database id.
    pub id: i64,
    /// Address segment.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Short biography.
    pub bio: String,
    /// Avatar path relative to the media root.
    pub avatar: Option<String>,
}

/// A tag as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tag {
    /// Database id.
    pub id: i64,
    /// Address segment.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// The name and address segment of a section, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRef {
    /// Address segment.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// The name and address segment of an author, as bylines show it.
pub type AuthorRef = SectionRef;
/// The name and address segment of a tag.
pub type TagRef = SectionRef;

/// A resized copy of an image (made by the media library).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImageVariant {
    /// Path relative to the media root.
    pub path: String,
    /// Width in pixels.
    pub width: u32,
    /// MIME type.
    pub mime: String,
}

/// The crop shape cards show (16:9, at several widths).
pub const CARD_CROP: &str = "16:9";
/// The crop shape shared on social networks and in search (1200 × 630).
pub const SHARE_CROP: &str = "share";

/// A copy of an image cropped to a shape around its focal point (made by the media library).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct ImageCrop {
    /// The shape: `16:9`, `4:3`, `1:1` or `share` (1200 × 630, for social cards).
    pub shape: String,
    /// Path relative to the media root.
    pub path: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// MIME type.
    pub mime: String,
}

/// A lead image, as saved with an article and as read back.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeadImage {
    /// Path relative to the media root, or an absolute URL.
    pub path: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Text alternative; required.
    pub alt: String,
    /// Caption shown under the image.
    pub caption: String,
    /// Credit (photographer, agency, illustrator).
    pub credit: String,
    /// Resized copies (library uploads); empty for images saved with an article.
    pub variants: Vec<ImageVariant>,
    /// Copies cropped around the focal point (library uploads); empty for images saved with an article.
    pub crops: Vec<ImageCrop>,
}

/// What a list needs to show one article.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleCard {
    /// Database id.
    pub id: i64,
    /// Address segment within the section.
    pub slug: String,
    /// The section it belongs to.
    pub section: SectionRef,
    /// The headline.
    pub headline: String,
    /// One-paragraph summary.
    pub standfirst: String,
    /// Publication time.
    pub published_at: DateTime<Utc>,
    /// A visible "Updated" time, if the article was edited after publication.
    pub updated_at: Option<DateTime<Utc>>,
    /// Views counted so far.
    pub view_count: i64,
    /// The lead image, if any.
    pub image: Option<LeadImage>,
    /// Authors in byline order.
    pub authors: Vec<AuthorRef>,
    /// Language code: the edition it belongs to.
    pub language: String,
}

/// Everything the article page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// What lists show, shared with them.
    pub card: ArticleCard,
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// The body as written (Markdown), for what needs its plain text (Recommend).
    pub body_markdown: String,
    /// Tags in name order.
    pub tags: Vec<TagRef>,
    /// Language of the article.
    pub language: String,
    /// A visible correction note (empty when there is none).
    pub correction: String,
    /// The translation group it belongs to (the original's id), when it has editions in other languages.
    pub translation_group: Option<i64>,
    /// Its Recommend list as last computed and kept, if it has been.
    #[serde(skip)]
    pub recommended: Option<KeptRecommendations>,
    /// Its SEO title and meta description (empty when the headline and standfirst serve).
    pub search: SearchAndSocial,
    /// The image shared on social networks in place of the lead image, if one was chosen.
    pub share_image: Option<LeadImage>,
}

/// A Recommend list kept in the database, so that a page render need not query the search index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRecommendations {
    /// The language the list was restricted to (empty for none).
    pub language: String,
    /// Recommended article ids, best first. Some may have been unpublished since.
    pub ids: Vec<i64>,
    /// When it was computed, Unix seconds.
    pub computed_at: i64,
}

impl KeptRecommendations {
    /// The ids as the database keeps them: comma-separated.
    pub fn ids_text(&self) -> String {
        self.ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    }

    /// Reads ids kept as [`KeptRecommendations::ids_text`] wrote them; anything unreadable is skipped.
    pub fn parse_ids(text: &str) -> Vec<i64> {
        text.split(',').filter_map(|id| id.trim().parse().ok()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> Result<ArticleInput, SlugError> {
        Ok(ArticleInput {
            section: Slug::parse("world")?,
            slug: Slug::parse("a-story")?,
            headline: "A story".into(),
            standfirst: "Summary.".into(),
            body_markdown: "Body <script>x()</script>".into(),
            authors: vec![Slug::parse("ann")?],
            tags: vec!["NATO".into(), " nato ".into(), "Port Calder".into()],
            lead_image: None,
            language: "en".into(),
            status: ArticleStatus::Published,
            published_at: Some(Utc::now()),
            updated_at: None,
            view_count: 0,
        })
    }

    #[test]
    fn prepare_renders_safe_html_and_dedupes_tags() -> Result<(), Box<dyn std::error::Error>> {
        let prepared = input()?.prepare()?;
        assert!(!prepared.body_html.contains("<script"));
        let slugs: Vec<&str> = prepared.tags.iter().map(|t| t.slug.as_str()).collect();
        assert_eq!(slugs, ["nato", "port-calder"]);
        Ok(())
    }

    #[test]
    fn prepare_refuses_incomplete_articles() -> Result<(), SlugError> {
        let no_headline = ArticleInput { headline: "  ".into(), ..input()? };
        assert!(matches!(no_headline.prepare(), Err(ContentError::Empty(_))));
        let twice =
            ArticleInput { authors: vec![Slug::parse("ann")?, Slug::parse("bo")?, Slug::parse("ann")?], ..input()? };
        let authors: Vec<String> =
            twice.prepare().map(|p| p.input.authors.iter().map(|a| a.to_string()).collect()).unwrap_or_default();
        assert_eq!(authors, ["ann", "bo"], "a repeated author keeps the first place");
        let no_author = ArticleInput { authors: vec![], ..input()? };
        assert!(matches!(no_author.prepare(), Err(ContentError::NoAuthor)));
        let no_time = ArticleInput { published_at: None, ..input()? };
        assert!(matches!(no_time.prepare(), Err(ContentError::NoPublicationTime(_))));
        let image = LeadImage {
            path: "a.svg".into(),
            width: 10,
            height: 10,
            alt: String::new(),
            caption: String::new(),
            credit: String::new(),
            variants: Vec::new(),
            crops: Vec::new(),
        };
        let no_alt = ArticleInput { lead_image: Some(image), ..input()? };
        assert!(matches!(no_alt.prepare(), Err(ContentError::NoAltText)));
        Ok(())
    }

    #[test]
    fn search_and_social_texts_are_one_line_and_limited() {
        let tidy = SearchAndSocial::checked("  A  title\nin two lines ", "").ok();
        assert_eq!(tidy.map(|s| s.title), Some("A title in two lines".to_owned()));
        let long = "é".repeat(SEO_TITLE_MAX + 1);
        let error = SearchAndSocial::checked(&long, "").err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(error, "the SEO title has 201 characters; it may have at most 200");
        assert!(SearchAndSocial::checked(&"é".repeat(SEO_TITLE_MAX), &"d".repeat(SEO_DESCRIPTION_MAX)).is_ok());
        assert!(SearchAndSocial::checked("", &"d".repeat(SEO_DESCRIPTION_MAX + 1)).is_err());
        assert!(SearchAndSocial::checked("a\u{7}b", "").is_err());
        let fallback = SearchAndSocial::default();
        assert_eq!((fallback.title_or("Headline"), fallback.description_or("Standfirst")), ("Headline", "Standfirst"));
    }
}
