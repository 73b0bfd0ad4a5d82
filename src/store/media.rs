//! The media library: uploaded images with their text alternatives and resized copies.

use chrono::Utc;
use sqlx::FromRow;

use super::pool::{execute, fetch};
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
    /// How many articles use it as their lead image.
    pub uses: i64,
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
                            (SELECT COUNT(*) FROM articles a WHERE a.lead_image_id = i.id OR a.share_image_id = i.id) AS uses \
                            FROM images i";

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
                "INSERT INTO images (path, width, height, alt, caption, credit, created_at, in_library, variants) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
            ),
            [
                image.path,
                i64::from(image.width),
                i64::from(image.height),
                image.alt.trim(),
                image.caption.trim(),
                image.credit.trim(),
                Utc::now().timestamp(),
                image.variants
            ]
        )?)
    }

    /// The library, newest first.
    pub async fn library_images(&self) -> Result<Vec<LibraryImage>, StoreError> {
        let sql = format!("{IMAGE_SELECT} WHERE i.in_library = 1 ORDER BY i.id DESC");
        Ok(fetch!(self.reader.get(), fetch_all, sqlx::query_as(&sql))?)
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
        let row: Option<(String, String)> = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_as("DELETE FROM images WHERE id = $1 AND in_library = 1 RETURNING path, variants"),
            [id]
        )?;
        let Some((path, variants)) = row else {
            return Err(StoreError::Missing { kind: "image", slug: id.to_string() });
        };
        record_change(&mut tx, "image", id).await?;
        tx.commit().await?;
        let mut paths = vec![path];
        let copies: Vec<crate::content::ImageVariant> = serde_json::from_str(&variants).unwrap_or_default();
        paths.extend(copies.into_iter().map(|v| v.path));
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
        // Kept pages follow articles, not images: those that show this one go explicitly.
        execute!(
            tx.conn(),
            "DELETE FROM kept_pages WHERE article_id IN \
             (SELECT id FROM articles WHERE lead_image_id = $1 OR share_image_id = $1)",
            [id]
        )?;
        record_change(&mut tx, "image", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }
}
