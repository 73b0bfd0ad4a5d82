//! Private preview links: a random token (stored only as its hash) that lets anyone who has it read one
//! article's last save until the link expires or is revoked. Deleting the article deletes its links (the
//! foreign key cascades).

use chrono::{DateTime, Utc};

use super::pool::{execute, fetch};
use super::{Store, StoreError};

/// How long after expiring a link is still recognised (and answered "expired" rather than "unknown"); older
/// ones are swept as new links are made.
const KEPT_AFTER_EXPIRY_SECONDS: i64 = 30 * 86_400;

/// A preview link as the editor lists it; the token itself is not kept.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PreviewLinkInfo {
    /// Database id.
    pub id: i64,
    /// Who made it (empty when that account is gone).
    pub created_by: Option<String>,
    /// When it was made (Unix seconds).
    pub created_at: i64,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
}

/// What a preview link's token opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct PreviewLink {
    /// The article it shows.
    pub article_id: i64,
    /// When it stops working (Unix seconds).
    pub expires_at: i64,
}

impl Store {
    /// Stores a preview link (by the hash of its token) to `article`, made by `user`, working until `expires`;
    /// returns its id. Links that expired long ago are swept meanwhile.
    pub async fn create_preview_link(
        &self,
        article: i64,
        token_hash: &str,
        user: i64,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let swept = now.timestamp() - KEPT_AFTER_EXPIRY_SECONDS;
        execute!(tx.conn(), "DELETE FROM preview_links WHERE expires_at < $1", [swept])?;
        let id: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO preview_links (article_id, token_hash, created_by, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id"
            ),
            [article, token_hash, user, now.timestamp(), expires.timestamp()]
        )?;
        tx.commit().await?;
        Ok(id)
    }

    /// The preview links to `article`, newest first, expired ones included.
    pub async fn preview_links_of(&self, article: i64) -> Result<Vec<PreviewLinkInfo>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT l.id, u.name AS created_by, l.created_at, l.expires_at FROM preview_links l \
                 LEFT JOIN users u ON u.id = l.created_by WHERE l.article_id = $1 ORDER BY l.id DESC"
            ),
            [article]
        )?)
    }

    /// Revokes (deletes) preview link `id` of `article`; returns whether there was one.
    pub async fn revoke_preview_link(&self, id: i64, article: i64) -> Result<bool, StoreError> {
        let deleted =
            execute!(self.writer.get(), "DELETE FROM preview_links WHERE id = $1 AND article_id = $2", [id, article])?;
        Ok(deleted > 0)
    }

    /// The link whose token has hash `token_hash`, expired or not; `None` when there is none (never made,
    /// revoked, or its article deleted).
    pub async fn preview_link(&self, token_hash: &str) -> Result<Option<PreviewLink>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as("SELECT article_id, expires_at FROM preview_links WHERE token_hash = $1"),
            [token_hash]
        )?)
    }
}
