//! The content model and its rules: what an article, section, author, tag and image are, and what makes
//! them valid. Writes are checked here once, so the store and the site can trust what they hold.

mod account;
mod markdown;
mod model;
mod slug;
mod text;

pub use account::{Role, User};
pub use markdown::{plain_text, render_markdown, sanitize_html, sanitize_source_html};
pub use model::{
    Article, ArticleCard, ArticleInput, ArticleStatus, Author, AuthorInput, AuthorRef, CARD_CROP, ContentError,
    ImageCrop, ImageVariant, KeptRecommendations, LeadImage, PreparedArticle, PreparedTag, SEO_DESCRIPTION_MAX,
    SEO_TITLE_MAX, SHARE_CROP, SearchAndSocial, Section, SectionInput, SectionRef, Tag, TagRef,
};
pub use slug::{Slug, SlugError};
pub use text::{ControlCharacter, check_text};

/// The site language an article in `tag` (a BCP 47 tag from another system: `en-US`, `zh-Hans`) belongs to:
/// its primary language subtag in lower case (`en`, `zh`), which is what editions and addresses use. `None`
/// when the tag does not start with one.
pub fn language_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=8).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase())).then_some(primary)
}

#[cfg(test)]
mod language_tests {
    use super::language_code;

    #[test]
    fn tags_become_their_primary_language() {
        assert_eq!(language_code("en-US").as_deref(), Some("en"));
        assert_eq!(language_code("zh-Hans").as_deref(), Some("zh"));
        assert_eq!(language_code("pt_BR").as_deref(), Some("pt"));
        assert_eq!(language_code(" FR ").as_deref(), Some("fr"));
        for junk in ["", "-", "1234", "e", "en<script>"] {
            assert_eq!(language_code(junk), None, "{junk:?}");
        }
    }
}
