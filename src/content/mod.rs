//! The content model and its rules: what an article, section, author, tag and image are, and what makes
//! them valid. Writes are checked here once, so the store and the site can trust what they hold.

mod markdown;
mod model;
mod slug;

pub use markdown::{plain_text, render_markdown, sanitize_html};
pub use model::{
    Article, ArticleCard, ArticleInput, ArticleStatus, Author, AuthorInput, AuthorRef, ContentError, ImageVariant,
    LeadImage, PreparedArticle, PreparedTag, Section, SectionInput, SectionRef, Tag, TagRef,
};
pub use slug::{Slug, SlugError};
