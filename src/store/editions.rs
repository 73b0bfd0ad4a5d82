//! Translations: the editions of an article in every status, whether each is behind its original, making a
//! new translation as a copy of the original, and sections' names in other languages. A translation group
//! is named by its original's id; the original is the edition whose id the group carries.

use chrono::Utc;
use sqlx::FromRow;

use super::pool::{execute, fetch};
use super::write::record_change;
use super::{Store, StoreError};

/// One edition of an article as the editor lists it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct EditionInfo {
    /// Database id.
    pub id: i64,
    /// Language code.
    pub language: String,
    /// Its headline.
    pub headline: String,
    /// Status name.
    pub status: String,
    /// Last save, Unix seconds.
    pub modified_at: i64,
    /// Whether this is the group's original, which the others translate.
    pub original: bool,
    /// Whether the original was saved after this translation last was: it may miss the latest changes.
    pub out_of_date: bool,
}

/// A section's name and description in one language other than the default.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, serde::Serialize)]
pub struct SectionName {
    /// The section's slug.
    pub section: String,
    /// Language code.
    pub language: String,
    /// The name in that language.
    pub name: String,
    /// The description in that language.
    pub description: String,
}

/// The longest slug a translation's suffix may make; slugs are checked at 200 characters elsewhere.
const MAX_SLUG: usize = 190;

impl Store {
    /// Every section's names in other languages.
    pub async fn section_names(&self) -> Result<Vec<SectionName>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT s.slug AS section, n.language, n.name, n.description FROM section_names n \
                 JOIN sections s ON s.id = n.section_id ORDER BY s.position, n.language",
            )
        )?)
    }

    /// Sets section `section`'s name and description in `language`; an empty name removes the translation,
    /// so the default language's name shows again.
    pub async fn put_section_name(
        &self,
        section: &str,
        language: &str,
        name: &str,
        description: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_scalar("SELECT id FROM sections WHERE slug = $1"),
            [section]
        )?
        .ok_or_else(|| StoreError::Missing { kind: "section", slug: section.to_owned() })?;
        if name.trim().is_empty() {
            execute!(tx.conn(), "DELETE FROM section_names WHERE section_id = $1 AND language = $2", [id, language])?;
        } else {
            execute!(
                tx.conn(),
                "INSERT INTO section_names (section_id, language, name, description) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (section_id, language) DO UPDATE SET name = excluded.name, \
                 description = excluded.description",
                [id, language, name.trim(), description.trim()]
            )?;
        }
        record_change(&mut tx, "section", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }

    /// Every edition of `id`'s translation group, in any status, the original first; just `id` itself when
    /// it has no translations.
    pub async fn editions_of(&self, id: i64) -> Result<Vec<EditionInfo>, StoreError> {
        // Comparisons are booleans on PostgreSQL and 0 or 1 on SQLite, which sqlx reads as booleans too.
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT e.id, e.language, e.headline, e.status, e.modified_at, \
                 e.id = COALESCE(e.translation_group, e.id) AS original, \
                 COALESCE(o.id <> e.id AND o.modified_at > e.modified_at, false) AS out_of_date \
                 FROM articles e LEFT JOIN articles o ON o.id = e.translation_group \
                 WHERE e.id = $1 OR e.translation_group = (SELECT translation_group FROM articles WHERE id = $1) \
                 ORDER BY original DESC, e.language",
            ),
            [id]
        )?)
    }

    /// Puts the article at `/{section}/{translation}` in the translation group of `/{section}/{original}`
    /// (the demo's translations, written as ordinary articles).
    pub async fn link_translation(&self, section: &str, original: &str, translation: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        const ID_OF: &str =
            "SELECT a.id FROM articles a JOIN sections s ON s.id = a.section_id WHERE s.slug = $1 AND a.slug = $2";
        let mut ids = [0; 2];
        for (slug, id) in [original, translation].into_iter().zip(&mut ids) {
            let found: Option<i64> = fetch!(tx.conn(), fetch_optional, sqlx::query_scalar(ID_OF), [section, slug])?;
            *id = found.ok_or_else(|| StoreError::Missing { kind: "article", slug: format!("{section}/{slug}") })?;
        }
        let [original_id, translation_id] = ids;
        let group: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar("SELECT COALESCE(translation_group, id) FROM articles WHERE id = $1"),
            [original_id]
        )?;
        execute!(
            tx.conn(),
            "UPDATE articles SET translation_group = $1 WHERE id IN ($2, $3)",
            [group, original_id, translation_id]
        )?;
        for id in [original_id, translation_id] {
            record_change(&mut tx, "article", id).await?;
        }
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }

    /// Makes a draft translation of article `original` into `language` for `user`: a copy of its text, lead
    /// image, section, byline and tags, at the original's address with `-{language}` added, in the original's
    /// translation group (which the original then starts if it had none). Refused when the group already has
    /// an edition in that language. Returns the new article's id.
    pub async fn create_translation(&self, original: i64, language: &str, user: i64) -> Result<i64, StoreError> {
        let now = Utc::now().timestamp();
        let mut tx = self.begin_write().await?;
        let (section_id, slug, group): (i64, String, Option<i64>) = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_as("SELECT section_id, slug, translation_group FROM articles WHERE id = $1"),
            [original]
        )?
        .ok_or_else(|| StoreError::Missing { kind: "article", slug: original.to_string() })?;
        let group = group.unwrap_or(original);
        let existing: Option<i64> = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_scalar("SELECT id FROM articles WHERE (id = $1 OR translation_group = $1) AND language = $2"),
            [group, language]
        )?;
        if let Some(existing) = existing {
            return Err(StoreError::Conflict(format!(
                "this article already has an edition in {language:?} (article {existing})"
            )));
        }
        let base: String = format!("{slug}-{language}").chars().take(MAX_SLUG).collect();
        let mut candidate = base.clone();
        for n in 2.. {
            let taken: i64 = fetch!(
                tx.conn(),
                fetch_one,
                sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE section_id = $1 AND slug = $2"),
                [section_id, &candidate]
            )?;
            if taken == 0 {
                break;
            }
            candidate = format!("{base}-{n}");
        }
        execute!(
            tx.conn(),
            "UPDATE articles SET translation_group = $1 WHERE id = $1 AND translation_group IS NULL",
            [group]
        )?;
        let id: i64 = fetch!(
            tx.conn(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO articles (section_id, slug, headline, standfirst, lead_image_id, share_image_id, \
                 language, translation_group, status, created_at, modified_at, owner_id) \
                 SELECT section_id, $1, headline, standfirst, lead_image_id, share_image_id, $2, $3, 'draft', $4, $4, \
                 $5 \
                 FROM articles WHERE id = $6 RETURNING id",
            ),
            [&candidate, language, group, now, user, original]
        )?;
        for copy in [
            "INSERT INTO article_bodies (article_id, markdown, html) SELECT $1, markdown, html FROM article_bodies \
             WHERE article_id = $2",
            "INSERT INTO article_authors (article_id, author_id, position) SELECT $1, author_id, position \
             FROM article_authors WHERE article_id = $2",
            "INSERT INTO article_tags (article_id, tag_id, position) SELECT $1, tag_id, position FROM article_tags \
             WHERE article_id = $2",
            "INSERT INTO image_uses (image_id, article_id) SELECT image_id, $1 FROM image_uses WHERE article_id = $2",
        ] {
            execute!(tx.conn(), copy, [id, original])?;
        }
        record_change(&mut tx, "article", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(id)
    }
}
