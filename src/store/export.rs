//! The whole site as plain rows, for `newsroom export`: read in id order and in pages, so that exporting a
//! large site needs little memory. The rows are also the export format's records (see docs/export-format.md).

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use super::pool::fetch;
use super::{Store, StoreError};

/// A section as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ExportedSection {
    /// Address segment.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Shown on the section page.
    pub description: String,
    /// Order in navigation.
    pub position: i64,
}

/// An author profile as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ExportedAuthor {
    /// Address segment.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Short biography.
    pub bio: String,
    /// Avatar path relative to the media root.
    pub avatar: Option<String>,
}

/// A tag as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ExportedTag {
    /// Address segment.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// An image as exported: a reference to a file under the media root (or an absolute URL), not the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedImage {
    /// The image's number in this file, by which articles refer to it.
    #[serde(rename = "ref")]
    pub reference: i64,
    /// Path relative to the media root, or an absolute URL.
    pub path: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Text alternative.
    pub alt: String,
    /// Caption.
    pub caption: String,
    /// Credit.
    pub credit: String,
    /// Whether it is in the media library (uploaded) rather than saved with an article.
    pub in_library: bool,
    /// Resized copies, as stored (JSON list of path, width and MIME type).
    pub variants: serde_json::Value,
}

/// An earlier address of an article that answers with a 301.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ExportedRedirect {
    /// Old section slug.
    pub section: String,
    /// Old article slug.
    pub slug: String,
}

/// Which source's id made an article or image (so that importing from that source again updates it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ExportedSourceKey {
    /// The source (`wordpress:https://…`, `ghost:…`).
    pub source: String,
    /// `article` or `image`.
    pub kind: String,
    /// The source's id.
    pub key: String,
}

/// An article as exported, with everything that hangs off it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ExportedArticle {
    /// Section slug.
    pub section: String,
    /// Address segment within the section.
    pub slug: String,
    /// The headline.
    pub headline: String,
    /// One-paragraph summary.
    pub standfirst: String,
    /// BCP 47 language tag.
    pub language: String,
    /// draft, submitted, scheduled, published or unpublished.
    pub status: String,
    /// Publication time (planned, for scheduled articles), Unix seconds.
    pub published_at: Option<i64>,
    /// The visible "Updated" time, Unix seconds.
    pub updated_at: Option<i64>,
    /// When it was first written, Unix seconds.
    pub created_at: i64,
    /// Its last save, Unix seconds.
    pub modified_at: i64,
    /// Views counted so far.
    pub view_count: i64,
    /// A visible correction note, or empty.
    pub correction: String,
    /// Author slugs in byline order.
    #[sqlx(skip)]
    pub authors: Vec<String>,
    /// Tag slugs in name order.
    #[sqlx(skip)]
    pub tags: Vec<String>,
    /// The lead image's `ref`.
    #[sqlx(skip)]
    pub lead_image: Option<i64>,
    /// The SEO title, if it has one (left out when empty, as in exports made before there were any).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub seo_title: String,
    /// The meta description, if it has one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub seo_description: String,
    /// The share image's `ref`, if it has one.
    #[sqlx(skip)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_image: Option<i64>,
    /// The email of the account that owns it (authors edit their own).
    pub owner: Option<String>,
    /// The body as written.
    pub body_markdown: String,
    /// The body as served (sanitised HTML).
    pub body_html: String,
    /// Earlier addresses on this site.
    #[sqlx(skip)]
    pub redirects: Vec<ExportedRedirect>,
    /// Addresses on the platform it came from.
    #[sqlx(skip)]
    pub legacy_paths: Vec<String>,
    /// Source ids of imports that made it.
    #[sqlx(skip)]
    pub sources: Vec<ExportedSourceKey>,
    /// Views per day (YYYY-MM-DD, views), oldest first.
    #[sqlx(skip)]
    pub views_daily: Vec<(String, i64)>,
}

/// An account as exported; the password hash only when asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, FromRow)]
pub struct ExportedUser {
    /// Sign-in address.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Their byline's slug.
    pub author: Option<String>,
    /// argon2id hash, present only in exports made with `--with-users`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// When the account was made, Unix seconds.
    pub created_at: i64,
}

type ImageRow = (i64, String, i64, i64, String, String, String, i64, String);

/// An article's own columns as exported, with its id and lead image's id; what hangs off it is read after.
#[derive(FromRow)]
struct ArticleRow {
    id: i64,
    lead_image_id: Option<i64>,
    share_image_id: Option<i64>,
    #[sqlx(flatten)]
    article: ExportedArticle,
}

impl Store {
    /// Every setting, by key, but the record of the pass over this site's media files: it describes files an
    /// export does not carry, and a site that imported it would skip its own pass.
    pub async fn export_settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as("SELECT key, value FROM settings WHERE key <> $1 ORDER BY key"),
            [super::media::SCRUB_MARKER]
        )?)
    }

    /// Every section, in id order.
    pub async fn export_sections(&self) -> Result<Vec<ExportedSection>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as("SELECT slug, name, description, position FROM sections ORDER BY id")
        )?)
    }

    /// Every author profile, in id order.
    pub async fn export_authors(&self) -> Result<Vec<ExportedAuthor>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as("SELECT slug, name, bio, avatar FROM authors ORDER BY id")
        )?)
    }

    /// Every tag, in id order.
    pub async fn export_tags(&self) -> Result<Vec<ExportedTag>, StoreError> {
        Ok(fetch!(self.reader.get(), fetch_all, sqlx::query_as("SELECT slug, name FROM tags ORDER BY id"))?)
    }

    /// Every image, in id order, numbered from 1 (`ref`), with the map from database id to `ref`.
    pub async fn export_images(&self) -> Result<(Vec<ExportedImage>, std::collections::HashMap<i64, i64>), StoreError> {
        let rows: Vec<ImageRow> = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT id, path, width, height, alt, caption, credit, in_library, variants FROM images ORDER BY id",
            )
        )?;
        let mut refs = std::collections::HashMap::with_capacity(rows.len());
        let mut images = Vec::with_capacity(rows.len());
        for ((id, path, width, height, alt, caption, credit, in_library, variants), reference) in
            rows.into_iter().zip(1..)
        {
            refs.insert(id, reference);
            let variants = serde_json::from_str(&variants).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            images.push(ExportedImage {
                reference,
                path,
                width,
                height,
                alt,
                caption,
                credit,
                in_library: in_library != 0,
                variants,
            });
        }
        Ok((images, refs))
    }

    /// Up to `limit` articles with ids above `after`, in id order, with their database ids and lead image ids.
    pub async fn export_articles(
        &self,
        after: i64,
        limit: i64,
        image_refs: &std::collections::HashMap<i64, i64>,
    ) -> Result<Vec<(i64, ExportedArticle)>, StoreError> {
        let rows: Vec<ArticleRow> = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT a.id, a.lead_image_id, a.share_image_id, a.seo_title, a.seo_description, s.slug AS section, a.slug, a.headline, a.standfirst, a.language, \
                 a.status, a.published_at, a.updated_at, a.created_at, a.modified_at, a.view_count, a.correction, \
                 u.email AS owner, COALESCE(b.markdown, '') AS body_markdown, COALESCE(b.html, '') AS body_html \
                 FROM articles a JOIN sections s ON s.id = a.section_id LEFT JOIN users u ON u.id = a.owner_id \
                 LEFT JOIN article_bodies b ON b.article_id = a.id WHERE a.id > $1 ORDER BY a.id LIMIT $2",
            ),
            [after, limit]
        )?;
        let mut articles = Vec::with_capacity(rows.len());
        for ArticleRow { id, lead_image_id, share_image_id, mut article } in rows {
            article.lead_image = lead_image_id.and_then(|id| image_refs.get(&id).copied());
            article.share_image = share_image_id.and_then(|id| image_refs.get(&id).copied());
            article.authors = self.byline_slugs(id).await?;
            article.tags = fetch!(
                self.reader.get(),
                fetch_all,
                sqlx::query_scalar(
                    "SELECT t.slug FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = $1 \
                     ORDER BY at.position, t.slug",
                ),
                [id]
            )?;
            article.redirects = fetch!(
                self.reader.get(),
                fetch_all,
                sqlx::query_as(
                    "SELECT section_slug AS section, slug FROM article_redirects WHERE article_id = $1 \
                     ORDER BY section_slug, slug",
                ),
                [id]
            )?;
            article.legacy_paths = fetch!(
                self.reader.get(),
                fetch_all,
                sqlx::query_scalar("SELECT path FROM legacy_paths WHERE article_id = $1 ORDER BY path"),
                [id]
            )?;
            article.sources = fetch!(
                self.reader.get(),
                fetch_all,
                sqlx::query_as(
                    "SELECT source, kind, key FROM import_keys WHERE kind = 'article' AND entity_id = $1 \
                     ORDER BY source, key",
                ),
                [id]
            )?;
            article.views_daily = fetch!(
                self.reader.get(),
                fetch_all,
                sqlx::query_as("SELECT day, views FROM article_views_daily WHERE article_id = $1 ORDER BY day"),
                [id]
            )?;
            articles.push((id, article));
        }
        Ok(articles)
    }

    /// Every account, in id order; password hashes only when `with_hashes`.
    pub async fn export_users(&self, with_hashes: bool) -> Result<Vec<ExportedUser>, StoreError> {
        let mut users: Vec<ExportedUser> = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT u.email, u.name, u.role, a.slug AS author, u.password_hash, u.created_at FROM users u \
                 LEFT JOIN authors a ON a.id = u.author_id ORDER BY u.id",
            )
        )?;
        if !with_hashes {
            for user in &mut users {
                user.password_hash = None;
            }
        }
        Ok(users)
    }
}
