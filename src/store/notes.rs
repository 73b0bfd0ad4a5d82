//! Notes on a passage of an article, for the back office only. A note keeps its passage as a text-quote
//! selector (the quoted text, with some text before and after it) rather than a position, so the editor can
//! find the passage again after other text changes. Deleting an article deletes its notes (the foreign key
//! cascades); nothing public reads this table.

use serde::Serialize;

use super::pool::{execute, fetch};
use super::{Store, StoreError};

/// A note as the editor lists it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ArticleNote {
    /// Database id.
    pub id: i64,
    /// Who wrote it (`None` when that account is gone).
    pub author_id: Option<i64>,
    /// Their name.
    pub author: String,
    /// What the note says.
    pub body: String,
    /// The passage it is about, as it read when the note was left.
    pub quote: String,
    /// Text just before the passage, to tell one occurrence of it from another.
    pub prefix: String,
    /// Text just after the passage.
    pub suffix: String,
    /// When it was left (Unix seconds).
    pub created_at: i64,
    /// When it was resolved (Unix seconds), while it is.
    pub resolved_at: Option<i64>,
    /// Who resolved it (empty while open).
    pub resolved_by: String,
}

/// A note to store: its text and the passage it is anchored to.
#[derive(Debug, Clone)]
pub struct NewNote<'a> {
    /// What the note says.
    pub body: &'a str,
    /// The passage.
    pub quote: &'a str,
    /// Text before the passage.
    pub prefix: &'a str,
    /// Text after the passage.
    pub suffix: &'a str,
}

// The names come from the accounts while they exist, else from the names kept with the note.
const NOTE_COLUMNS: &str = "SELECT n.id, n.author_id, COALESCE(a.name, n.author_name) AS author, n.body, n.quote, \
     n.prefix, n.suffix, n.created_at, n.resolved_at, COALESCE(r.name, n.resolver_name) AS resolved_by \
     FROM article_notes n \
     LEFT JOIN users a ON a.id = n.author_id LEFT JOIN users r ON r.id = n.resolved_by";

impl Store {
    /// Stores a note on `article` by `user` (their id and name) at `now` (Unix seconds); returns its id.
    pub async fn create_note(
        &self,
        article: i64,
        user: (i64, &str),
        note: &NewNote<'_>,
        now: i64,
    ) -> Result<i64, StoreError> {
        Ok(fetch!(
            self.writer.get(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO article_notes (article_id, author_id, author_name, body, quote, prefix, suffix, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
            ),
            [article, user.0, user.1, note.body, note.quote, note.prefix, note.suffix, now]
        )?)
    }

    /// Puts the demo's notes on the article at `section`/`slug`, each signed with a name and no account
    /// (`resolved_by` names who resolved it, if anyone), in place of those it had.
    pub async fn put_demo_notes(
        &self,
        section: &str,
        slug: &str,
        notes: &[(NewNote<'_>, &str, Option<&str>)],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let article: Option<i64> = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_scalar(
                "SELECT a.id FROM articles a JOIN sections s ON s.id = a.section_id WHERE s.slug = $1 AND a.slug = $2"
            ),
            [section, slug]
        )?;
        let Some(article) = article else { return Ok(()) };
        execute!(tx.conn(), "DELETE FROM article_notes WHERE article_id = $1 AND author_id IS NULL", [article])?;
        for (note, author, resolver) in notes {
            execute!(
                tx.conn(),
                "INSERT INTO article_notes (article_id, author_name, body, quote, prefix, suffix, created_at, \
                 resolved_at, resolver_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                [
                    article,
                    *author,
                    note.body,
                    note.quote,
                    note.prefix,
                    note.suffix,
                    now,
                    resolver.map(|_| now),
                    resolver.unwrap_or_default()
                ]
            )?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The notes on `article`, oldest first, resolved ones included.
    pub async fn notes_of(&self, article: i64) -> Result<Vec<ArticleNote>, StoreError> {
        let sql = format!("{NOTE_COLUMNS} WHERE n.article_id = $1 ORDER BY n.created_at, n.id");
        Ok(fetch!(self.reader.get(), fetch_all, sqlx::query_as(&sql), [article])?)
    }

    /// Note `id` on `article`, or `None`.
    pub async fn note(&self, id: i64, article: i64) -> Result<Option<ArticleNote>, StoreError> {
        let sql = format!("{NOTE_COLUMNS} WHERE n.id = $1 AND n.article_id = $2");
        Ok(fetch!(self.reader.get(), fetch_optional, sqlx::query_as(&sql), [id, article])?)
    }

    /// Marks note `id` on `article` resolved by `user` at `now`, or (with `user` `None`) open again; returns
    /// whether there was such a note.
    pub async fn set_note_resolved(
        &self,
        id: i64,
        article: i64,
        user: Option<i64>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let at = user.map(|_| now);
        let changed = execute!(
            self.writer.get(),
            "UPDATE article_notes SET resolved_at = $1, resolved_by = $2, resolver_name = \
             COALESCE((SELECT name FROM users WHERE id = $3), '') WHERE id = $4 AND article_id = $5",
            [at, user, user, id, article]
        )?;
        Ok(changed > 0)
    }

    /// Deletes note `id` on `article`; returns whether there was one.
    pub async fn delete_note(&self, id: i64, article: i64) -> Result<bool, StoreError> {
        let deleted =
            execute!(self.writer.get(), "DELETE FROM article_notes WHERE id = $1 AND article_id = $2", [id, article])?;
        Ok(deleted > 0)
    }
}
