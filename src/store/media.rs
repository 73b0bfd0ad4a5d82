//! The media library: uploaded images with their text alternatives and resized copies.

use chrono::Utc;
use sqlx::FromRow;

use sqlx::QueryBuilder;

use super::pool::{Tx, execute, fetch, on};
use super::write::record_change;
use super::{Store, StoreError};

/// The setting holding the id of the site's logo image, which is therefore never unused.
pub const LOGO_SETTING: &str = "site.logo";
/// The setting marking how far the pass that rewrites stored images without their metadata has come.
pub const SCRUB_MARKER: &str = "media_scrubbed";

/// An image as the library lists it.
#[derive(Debug, Clone, FromRow, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct LibraryImage {
    /// Database id.
    pub id: i64,
    /// Path relative to the media root.
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
    /// Resized copies, JSON.
    pub variants: String,
    /// How many articles use it: as their lead or share image, or in their body.
    pub uses: i64,
    /// Where its subject is, as a fraction of its width from the left (0 to 1).
    pub focal_x: f64,
    /// Where its subject is, as a fraction of its height from the top (0 to 1).
    pub focal_y: f64,
    /// Copies cut around the focal point, JSON.
    pub crops: String,
}

/// An article that uses a library image.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ImageUse {
    /// The image.
    pub image_id: i64,
    /// The article's id.
    pub article_id: i64,
    /// Its headline.
    pub headline: String,
    /// How the article uses it: 2 as its lead image, 1 as its share image, 0 in its body.
    pub role: i64,
}

/// An image to add to the library.
#[derive(Debug, Clone)]
pub struct NewImage<'a> {
    /// Path relative to the media root.
    pub path: &'a str,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Text alternative (required).
    pub alt: &'a str,
    /// Caption.
    pub caption: &'a str,
    /// Credit.
    pub credit: &'a str,
    /// Resized copies, JSON.
    pub variants: &'a str,
    /// Copies cut around the centre, JSON.
    pub crops: &'a str,
}

/// An image's files as stored, for the pass that writes them again without metadata.
#[derive(Debug, Clone, FromRow)]
pub struct StoredImageFile {
    /// Database id.
    pub id: i64,
    /// Path relative to the media root, or an address elsewhere.
    pub path: String,
    /// Resized copies, JSON.
    pub variants: String,
}

const IMAGE_SELECT: &str = "SELECT i.id, i.path, i.width, i.height, i.alt, i.caption, i.credit, i.variants, \
                            i.focal_x, i.focal_y, i.crops, \
                            (SELECT COUNT(*) FROM articles a WHERE a.lead_image_id = i.id OR a.share_image_id = i.id) \
                            + (SELECT COUNT(*) FROM image_uses u WHERE u.image_id = i.id \
                               AND u.article_id NOT IN \
                               (SELECT a.id FROM articles a WHERE a.lead_image_id = i.id OR a.share_image_id = i.id)) \
                            AS uses FROM images i";

/// How many library images a page of the library shows.
pub const LIBRARY_PAGE: i64 = 48;

/// The most `/media/` addresses of one body that are looked up as images (a body is bounded in size anyway).
const MAX_BODY_REFERENCES: usize = 200;

/// The media addresses (relative to the media root) a Markdown body refers to, once each: Markdown images and
/// links and raw HTML alike, relative or absolute.
pub(crate) fn media_references(markdown: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    for (at, _) in markdown.match_indices("/media/") {
        let rest = &markdown[at + "/media/".len()..];
        let end = rest.find(|c: char| c.is_whitespace() || "()\"'<>?#[]".contains(c)).unwrap_or(rest.len());
        let path = &rest[..end];
        if !path.is_empty() && !found.contains(&path) {
            found.push(path);
        }
        if found.len() == MAX_BODY_REFERENCES {
            break;
        }
    }
    found
}

/// Records, in the caller's transaction, which library images article `id`'s body shows (see `image_uses`
/// in the migrations): an address is an image's when it is the image's file or one of its copies, which are
/// named after the file with `-…` in place of the extension.
pub(super) async fn record_image_uses(conn: &mut Tx, id: i64, markdown: &str) -> Result<(), StoreError> {
    execute!(conn.conn(), "DELETE FROM image_uses WHERE article_id = $1", [id])?;
    for path in media_references(markdown) {
        execute!(
            conn.conn(),
            "INSERT INTO image_uses (image_id, article_id) SELECT i.id, $1 FROM images i \
             WHERE i.in_library = 1 AND (i.path = $2 OR (i.path LIKE '%.%' AND $2 LIKE \
             rtrim(rtrim(i.path, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), '.') || '-%')) \
             ON CONFLICT DO NOTHING",
            [id, path]
        )?;
    }
    Ok(())
}

impl Store {
    /// Adds an uploaded image to the library.
    pub async fn add_library_image(&self, image: &NewImage<'_>) -> Result<i64, StoreError> {
        if image.alt.trim().is_empty() {
            return Err(StoreError::Invalid("an image needs alt text for readers who cannot see it".into()));
        }
        Ok(fetch!(
            self.writer.get(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO images (path, width, height, alt, caption, credit, created_at, in_library, variants, \
                 crops) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) RETURNING id",
            ),
            [
                image.path,
                i64::from(image.width),
                i64::from(image.height),
                image.alt.trim(),
                image.caption.trim(),
                image.credit.trim(),
                Utc::now().timestamp(),
                image.variants,
                image.crops
            ]
        )?)
    }

    /// The library, newest first.
    pub async fn library_images(&self) -> Result<Vec<LibraryImage>, StoreError> {
        let sql = format!("{IMAGE_SELECT} WHERE i.in_library = 1 ORDER BY i.id DESC");
        Ok(fetch!(self.reader.get(), fetch_all, sqlx::query_as(&sql))?)
    }

    /// A page of the library, newest first: the images whose alt text, caption, credit or file name holds
    /// `search` (any case; everything when it is empty), from the `offset`-th on, at most `limit`.
    pub async fn search_library(&self, search: &str, offset: i64, limit: i64) -> Result<Vec<LibraryImage>, StoreError> {
        let pattern = format!("%{}%", escape_like(&search.trim().to_lowercase()));
        let sql = format!(
            "{IMAGE_SELECT} WHERE i.in_library = 1 AND (lower(i.alt) LIKE $1 ESCAPE '\\' \
             OR lower(i.caption) LIKE $1 ESCAPE '\\' OR lower(i.credit) LIKE $1 ESCAPE '\\' \
             OR lower(i.path) LIKE $1 ESCAPE '\\') ORDER BY i.id DESC LIMIT $2 OFFSET $3"
        );
        Ok(fetch!(self.reader.get(), fetch_all, sqlx::query_as(&sql), [pattern, limit, offset])?)
    }

    /// The articles that use any of `images`: as lead images first, then as share images, then in their text,
    /// each by headline.
    pub async fn image_uses(&self, images: &[i64]) -> Result<Vec<ImageUse>, StoreError> {
        if images.is_empty() {
            return Ok(Vec::new());
        }
        on!(self.reader.get(), |db| {
            // Each role's rows, the ids listed after each part.
            let parts = [
                "SELECT a.lead_image_id AS image_id, a.id AS article_id, a.headline, CAST(2 AS BIGINT) AS role \
                 FROM articles a WHERE a.lead_image_id IN (",
                ") UNION SELECT a.share_image_id, a.id, a.headline, CAST(1 AS BIGINT) FROM articles a \
                 WHERE a.share_image_id IN (",
                ") UNION SELECT u.image_id, a.id, a.headline, CAST(0 AS BIGINT) FROM image_uses u \
                 JOIN articles a ON a.id = u.article_id WHERE u.image_id IN (",
            ];
            let mut query = QueryBuilder::<DB>::new("");
            for part in parts {
                query.push(part);
                let mut list = query.separated(", ");
                for id in images {
                    list.push_bind(*id);
                }
            }
            query.push(") ORDER BY 4 DESC, 3");
            let rows: Vec<(i64, i64, String, i64)> = query.build_query_as().fetch_all(db).await?;
            let mut uses: Vec<ImageUse> = Vec::with_capacity(rows.len());
            for (image_id, article_id, headline, role) in rows {
                // An image an article uses in more than one way is listed once, in its first role above.
                if !uses.iter().any(|u| u.image_id == image_id && u.article_id == article_id) {
                    uses.push(ImageUse { image_id, article_id, headline, role });
                }
            }
            Ok(uses)
        })
    }

    /// Changes a library image's alt text (required), caption and credit; pages showing it as a lead image are
    /// rendered again.
    pub async fn update_image_text(&self, id: i64, alt: &str, caption: &str, credit: &str) -> Result<(), StoreError> {
        if alt.trim().is_empty() {
            return Err(StoreError::Invalid("an image needs alt text for readers who cannot see it".into()));
        }
        let mut tx = self.begin_write().await?;
        let changed = execute!(
            tx.conn(),
            "UPDATE images SET alt = $1, caption = $2, credit = $3 WHERE id = $4 AND in_library = 1",
            [alt.trim(), caption.trim(), credit.trim(), id]
        )?;
        if changed == 0 {
            return Err(StoreError::Missing { kind: "image", slug: id.to_string() });
        }
        image_changed(&mut tx, id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }

    /// Records a library image's new focal point and the crops cut around it; answers the crops it had, whose
    /// files the caller removes.
    pub async fn set_image_focus(&self, id: i64, x: f64, y: f64, crops: &str) -> Result<String, StoreError> {
        let mut tx = self.begin_write().await?;
        let old: Option<String> = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_scalar("SELECT crops FROM images WHERE id = $1 AND in_library = 1"),
            [id]
        )?;
        let Some(old) = old else {
            return Err(StoreError::Missing { kind: "image", slug: id.to_string() });
        };
        execute!(
            tx.conn(),
            "UPDATE images SET focal_x = $1, focal_y = $2, crops = $3 WHERE id = $4",
            [x, y, crops, id]
        )?;
        image_changed(&mut tx, id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(old)
    }

    /// Makes library image `image` the lead image of the article at `section`/`slug` (the demo's photograph).
    pub async fn set_lead_image(&self, section: &str, slug: &str, image: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_scalar(
                "UPDATE articles SET lead_image_id = $1 WHERE slug = $2 \
                 AND section_id = (SELECT id FROM sections WHERE slug = $3) RETURNING id",
            ),
            [image, slug, section]
        )?;
        let Some(id) = id else {
            return Err(StoreError::Missing { kind: "article", slug: format!("{section}/{slug}") });
        };
        record_change(&mut tx, "article", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }

    /// Any image by id (library or an article's own).
    pub async fn image(&self, id: i64) -> Result<Option<LibraryImage>, StoreError> {
        let sql = format!("{IMAGE_SELECT} WHERE i.id = $1");
        Ok(fetch!(self.reader.get(), fetch_optional, sqlx::query_as(&sql), [id])?)
    }

    /// Deletes a library image that no article uses; one in use is refused. Returns its files' paths.
    pub async fn delete_library_image(&self, id: i64) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let uses: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE lead_image_id = $1 OR share_image_id = $1"),
            [id]
        )?;
        let logo: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar("SELECT COUNT(*) FROM settings WHERE key = $1 AND value = $2"),
            [LOGO_SETTING, id.to_string()]
        )?;
        if logo > 0 {
            return Err(StoreError::Conflict("this image is the site's logo; choose another logo first".into()));
        }
        if uses > 0 {
            return Err(StoreError::Conflict(format!(
                "this image is the lead or share image of {uses} article{}; choose another image for {} first",
                if uses == 1 { "" } else { "s" },
                if uses == 1 { "it" } else { "them" }
            )));
        }
        let in_bodies: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar("SELECT COUNT(*) FROM image_uses WHERE image_id = $1"),
            [id]
        )?;
        if in_bodies > 0 {
            return Err(StoreError::Conflict(format!(
                "this image is shown in the text of {in_bodies} article{}; take it out of {} first",
                if in_bodies == 1 { "" } else { "s" },
                if in_bodies == 1 { "it" } else { "them" }
            )));
        }
        let row: Option<(String, String, String)> = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_as("DELETE FROM images WHERE id = $1 AND in_library = 1 RETURNING path, variants, crops"),
            [id]
        )?;
        let Some((path, variants, crops)) = row else {
            return Err(StoreError::Missing { kind: "image", slug: id.to_string() });
        };
        record_change(&mut tx, "image", id).await?;
        tx.commit().await?;
        let mut paths = vec![path];
        let copies: Vec<crate::content::ImageVariant> = serde_json::from_str(&variants).unwrap_or_default();
        paths.extend(copies.into_iter().map(|v| v.path));
        paths.extend(crop_paths(&crops));
        Ok(paths)
    }

    /// Every image (library or an article's own) with an id above `after`, in id order.
    pub async fn stored_image_files(&self, after: i64) -> Result<Vec<StoredImageFile>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as("SELECT id, path, variants FROM images WHERE id > $1 ORDER BY id"),
            [after]
        )?)
    }

    /// Records an image's file written again upright: its size as shown and its new copies. Pages showing it
    /// are rendered again (the change empties caches; kept pages of the articles leading with it are dropped).
    pub async fn replace_image_files(
        &self,
        id: i64,
        width: u32,
        height: u32,
        variants: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        execute!(
            tx.conn(),
            "UPDATE images SET width = $1, height = $2, variants = $3 WHERE id = $4",
            [i64::from(width), i64::from(height), variants, id]
        )?;
        image_changed(&mut tx, id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }
}

/// Records, in the caller's transaction, that image `id` changed: caches empty, and the kept pages of the
/// articles leading with it go (kept pages follow articles, not images).
async fn image_changed(tx: &mut Tx, id: i64) -> Result<(), StoreError> {
    execute!(
        tx.conn(),
        "DELETE FROM kept_pages WHERE article_id IN \
         (SELECT id FROM articles WHERE lead_image_id = $1 OR share_image_id = $1)",
        [id]
    )?;
    record_change(tx, "image", id).await
}

/// The files of the crops recorded as `crops` (JSON); none when it is unreadable.
pub fn crop_paths(crops: &str) -> Vec<String> {
    let crops: Vec<crate::content::ImageCrop> = serde_json::from_str(crops).unwrap_or_default();
    crops.into_iter().map(|c| c.path).collect()
}

/// `text` with LIKE's wildcards and its escape character taken literally (escaped with `\`).
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
