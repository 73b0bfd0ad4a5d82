//! Slugs: the lowercase, hyphenated names that appear in public addresses.

use std::fmt;

use serde::Serialize;

/// Path segments the site routes itself; a section with one of these slugs would be unreachable.
const RESERVED: &[&str] =
    &["admin", "api", "assets", "author", "media", "tag", "healthz", "readyz", "metrics", "search", "feed", "preview"];
/// Longest slug accepted; addresses stay readable and indexes small.
const MAX_LEN: usize = 120;

/// A validated slug: `a-z`, `0-9` and single hyphens, not starting or ending with a hyphen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// Why a text is not a usable slug.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SlugError {
    /// Nothing usable was left after cleaning.
    #[error("a slug needs at least one letter or digit")]
    Empty,
    /// Too long for an address.
    #[error("a slug is at most {MAX_LEN} characters")]
    TooLong,
    /// Has characters other than a-z, 0-9 and single inner hyphens.
    #[error("{0:?} is not a slug: use lowercase letters, digits and single hyphens")]
    Invalid(String),
    /// Collides with an address the site uses itself.
    #[error("{0:?} is reserved for the site's own addresses")]
    Reserved(String),
}

impl Slug {
    /// Accepts `text` only if it already is a valid slug.
    pub fn parse(text: &str) -> Result<Slug, SlugError> {
        if text.is_empty() {
            return Err(SlugError::Empty);
        }
        if text.len() > MAX_LEN {
            return Err(SlugError::TooLong);
        }
        if !Slug::fits(text) {
            return Err(SlugError::Invalid(text.to_owned()));
        }
        Ok(Slug(text.to_owned()))
    }

    /// Whether `text` is shaped like a slug, without making one. Every stored slug is, so a lookup by an
    /// address segment that is not (`a%00b`, `Ünïcode`) can answer "no such thing" without asking the database.
    pub fn fits(text: &str) -> bool {
        let valid_chars = text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        valid_chars
            && !text.is_empty()
            && text.len() <= MAX_LEN
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--")
    }

    /// Makes a slug from any text (a headline, a tag name), transliterating to ASCII.
    pub fn from_title(title: &str) -> Result<Slug, SlugError> {
        let mut made = slug::slugify(title);
        if made.len() > MAX_LEN {
            made.truncate(MAX_LEN);
            made = made.trim_end_matches('-').to_owned();
        }
        Slug::parse(&made).map_err(|_| SlugError::Empty)
    }

    /// Like [`Slug::parse`], and also refuses the site's own top-level path segments (for sections).
    pub fn parse_top_level(text: &str) -> Result<Slug, SlugError> {
        let slug = Slug::parse(text)?;
        if RESERVED.contains(&text) {
            return Err(SlugError::Reserved(text.to_owned()));
        }
        Ok(slug)
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_only_clean_slugs() {
        assert!(Slug::parse("nato-at-75").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "a/b", "é", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(Slug::parse(&"a".repeat(121)), Err(SlugError::TooLong));
        for bad in ["a\0b", "\0", "", "a--b", "Ab"] {
            assert!(!Slug::fits(bad), "{bad:?} is no slug's shape");
        }
        assert!(Slug::fits("nato-at-75"));
    }

    #[test]
    fn from_title_transliterates_and_trims() -> Result<(), SlugError> {
        assert_eq!(Slug::from_title("Science & Technology")?.as_str(), "science-technology");
        assert_eq!(Slug::from_title("  Über Café — 2025! ")?.as_str(), "uber-cafe-2025");
        assert_eq!(Slug::from_title("???"), Err(SlugError::Empty));
        let long = Slug::from_title(&"word ".repeat(60))?;
        assert!(long.as_str().len() <= MAX_LEN && !long.as_str().ends_with('-'));
        Ok(())
    }

    #[test]
    fn top_level_refuses_reserved_segments() {
        assert_eq!(Slug::parse_top_level("author"), Err(SlugError::Reserved("author".into())));
        assert!(Slug::parse_top_level("opinion").is_ok());
    }
}
