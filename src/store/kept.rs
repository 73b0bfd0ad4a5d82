//! Kept article pages: an article's page rendered once and read back on page-cache misses, one row instead
//! of the ten tables a render reads (see `migrations/sqlite/0013_kept_dictionaries.sql`).
//!
//! A kept page is derived data. Every change to what it shows deletes it in the change's own transaction
//! ([`forget_kept_pages`]); a page rendered from reads older than a change is never written
//! ([`Store::keep_pages`]); and a page made with other templates, settings or sections is never used (the
//! dictionary the caller names, one per fingerprint). A missing page is rendered on the next request for it,
//! as before there were any.

use sqlx::{FromRow, QueryBuilder};

use super::pool::{Affected, Tx, execute, fetch, on};
use super::read::{push_ids, push_visible};
use super::{Store, StoreError};
use crate::content::Slug;

/// An article page to keep, as the site stores it.
#[derive(Debug, Clone)]
pub struct PageToKeep {
    /// The article shown.
    pub article_id: i64,
    /// The change sequence number this node had seen when the render began: the page is written only if no
    /// change was recorded since.
    pub seq: i64,
    /// The dictionary it is compressed against ([`Store::keep_dictionary`]), which stands for the templates,
    /// translations, settings and sections it was made with.
    pub dictionary: i64,
    /// When it was rendered, Unix seconds.
    pub rendered_at: i64,
    /// The page in the site's own form (compressed, with the places filled on every serve left open); the
    /// store keeps it as it is.
    pub page: Vec<u8>,
    /// The other articles the page shows (Recommend, other editions). The article's own authors, tags and
    /// lead image are found here, when the page is written.
    pub shows: Vec<i64>,
}

/// A kept page found for a request, with the article's live figures and body.
#[derive(Debug, Clone, FromRow)]
pub struct KeptPage {
    /// The article shown.
    pub article_id: i64,
    /// Its language (which edition it belongs to).
    pub language: String,
    /// Its view count now.
    pub view_count: i64,
    /// Its body's HTML, which the site leaves out of what it keeps (it is stored already).
    pub body_html: String,
    /// The page as [`PageToKeep::page`] gave it.
    pub page: Vec<u8>,
}

/// Reads the kept page of a public article: `$1` now, `$2` section, `$3` slug, `$4` the dictionary.
pub(super) const KEPT_PAGE: &str = "SELECT a.id AS article_id, a.language, a.view_count, b.html AS body_html, k.page \
                                    FROM articles a JOIN sections s ON s.id = a.section_id JOIN kept_pages k ON k.article_id = a.id \
                                    JOIN article_bodies b ON b.article_id = a.id \
                                    WHERE a.status = 'published' AND a.published_at <= $1 AND s.slug = $2 AND a.slug = $3 AND k.dictionary = $4";

/// Reads the dictionary of one fingerprint.
const DICTIONARY_OF: &str = "SELECT id, dictionary FROM kept_dictionaries WHERE fingerprint = $1";

/// The dictionary the kept pages of one fingerprint are compressed against.
#[derive(Debug, Clone, FromRow)]
pub struct KeptDictionary {
    /// What pages name it by.
    pub id: i64,
    /// Its bytes, as the site gave them.
    pub dictionary: Vec<u8>,
}

impl Store {
    /// The dictionary of pages made with `fingerprint`, if one was stored.
    pub async fn kept_dictionary(&self, fingerprint: &str) -> Result<Option<KeptDictionary>, StoreError> {
        Ok(fetch!(self.reader.get(), fetch_optional, sqlx::query_as(DICTIONARY_OF), [fingerprint])?)
    }

    /// Stores `dictionary` for `fingerprint` unless one is stored already (another node may have been first),
    /// and returns the one stored, which every page of that fingerprint is then compressed against.
    pub async fn keep_dictionary(
        &self,
        fingerprint: &str,
        dictionary: &[u8],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<KeptDictionary, StoreError> {
        let mut tx = self.begin_write().await?;
        execute!(
            tx.conn(),
            "INSERT INTO kept_dictionaries (fingerprint, dictionary, made_at) VALUES ($1, $2, $3) \
             ON CONFLICT (fingerprint) DO NOTHING",
            [fingerprint, dictionary, now.timestamp()]
        )?;
        let stored = fetch!(tx.conn(), fetch_one, sqlx::query_as(DICTIONARY_OF), [fingerprint])?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Deletes the dictionaries made before `made_before` (Unix seconds) that no page uses: their fingerprints
    /// are past (settings saved since, last year's footer). A newer one may be about to get its first pages.
    pub async fn forget_dictionaries(&self, made_before: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        execute!(
            tx.conn(),
            "DELETE FROM kept_dictionaries WHERE made_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM kept_pages k WHERE k.dictionary = kept_dictionaries.id)",
            [made_before]
        )?;
        tx.commit().await?;
        Ok(())
    }

    /// The kept page of the public article at `/{section}/{slug}`, if one was compressed against `dictionary`
    /// (which stands for the fingerprint of pages made now).
    pub async fn kept_page(
        &self,
        section: &str,
        slug: &str,
        now: chrono::DateTime<chrono::Utc>,
        dictionary: i64,
    ) -> Result<Option<KeptPage>, StoreError> {
        if !(Slug::fits(section) && Slug::fits(slug)) {
            return Ok(None);
        }
        let values = (now.timestamp(), section, slug, dictionary);
        if let Some(direct) = &self.direct {
            return direct.kept_page(values);
        }
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as(KEPT_PAGE),
            [values.0, values.1, values.2, values.3]
        )?)
    }

    /// Writes `pages` (replacing what is kept for their articles), [`KEEP_CHUNK`] to a transaction, leaving
    /// out any rendered from reads older than a change recorded since: such a page may show what the change
    /// altered, and the change's own forgetting ran before it was written. Returns how many were written.
    pub async fn keep_pages(&self, pages: &[PageToKeep]) -> Result<usize, StoreError> {
        let mut written = 0;
        for chunk in pages.chunks(KEEP_CHUNK) {
            written += self.keep_chunk(chunk).await?;
        }
        Ok(written)
    }

    async fn keep_chunk(&self, pages: &[PageToKeep]) -> Result<usize, StoreError> {
        // The write lock orders this after every change that committed before it and before any later one.
        let mut tx = self.begin_write().await?;
        let newest: i64 =
            fetch!(tx.conn(), fetch_one, sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM changes"))?
                .unwrap_or(0);
        let mut written = 0;
        for page in pages.iter().filter(|page| page.seq >= newest) {
            if keep_page(&mut tx, page).await? {
                written += 1;
            }
        }
        tx.commit().await?;
        Ok(written)
    }

    /// How many kept pages there are (for `/metrics` and tests).
    pub async fn kept_page_count(&self) -> Result<i64, StoreError> {
        Ok(fetch!(self.reader.get(), fetch_one, sqlx::query_scalar("SELECT COUNT(*) FROM kept_pages"))?)
    }
}

/// How many pages one transaction keeps: the writer is free between them, so a save or a view count waits for
/// a few pages at most, not for a whole queue.
const KEEP_CHUNK: usize = 16;

/// Writes one page and its sources in the caller's transaction; false if its article was deleted since it was rendered.
async fn keep_page(conn: &mut Tx, page: &PageToKeep) -> Result<bool, StoreError> {
    let inserted = execute!(
        conn.conn(),
        "INSERT INTO kept_pages (article_id, dictionary, seq, rendered_at, page) \
         SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1) \
         AND EXISTS (SELECT 1 FROM kept_dictionaries WHERE id = $2) \
         ON CONFLICT (article_id) DO UPDATE SET dictionary = excluded.dictionary, seq = excluded.seq, \
         rendered_at = excluded.rendered_at, page = excluded.page",
        [page.article_id, page.dictionary, page.seq, page.rendered_at, &page.page]
    )?;
    if inserted == 0 {
        // The article was deleted since (or, on a node that has held it for a day unused, the dictionary).
        return Ok(false);
    }
    execute!(conn.conn(), "DELETE FROM kept_page_sources WHERE article_id = $1", [page.article_id])?;
    // One statement for all the page's sources: the article itself, its authors, tags, lead and share images, and the
    // articles it shows.
    on!(conn.conn(), |db| {
        // The page's own article is bound at each use: a built query numbers its placeholders itself.
        let mut sources = QueryBuilder::<DB>::new("INSERT INTO kept_page_sources (entity, entity_id, article_id) ");
        let page_id = |sources: &mut QueryBuilder<'_, DB>| {
            sources.push_bind(page.article_id);
        };
        for (index, id) in std::iter::once(&page.article_id).chain(&page.shows).enumerate() {
            sources.push(if index == 0 { "SELECT 'article', " } else { " UNION SELECT 'article', " });
            sources.push_bind(*id).push(", ");
            page_id(&mut sources);
        }
        for (entity, column, from) in [
            ("author", "author_id", "article_authors WHERE article_id = "),
            ("tag", "tag_id", "article_tags WHERE article_id = "),
            ("image", "lead_image_id", "articles WHERE lead_image_id IS NOT NULL AND id = "),
            ("image", "share_image_id", "articles WHERE share_image_id IS NOT NULL AND id = "),
        ] {
            sources.push(format!(" UNION SELECT '{entity}', {column}, "));
            page_id(&mut sources);
            sources.push(format!(" FROM {from}"));
            page_id(&mut sources);
        }
        sources.push(" ON CONFLICT DO NOTHING");
        sources.build().execute(db).await.affected()
    })?;
    Ok(true)
}

/// Forgets, in the caller's transaction, the kept pages that show `entity` `id`, which is changing: pages
/// naming it as a source, and for an article, its own page and those of its other editions (which link to
/// it, and to which it may just have been added). Settings and sections reach every page through the
/// fingerprint instead.
pub(super) async fn forget_kept_pages(conn: &mut Tx, entity: &str, id: i64) -> Result<(), StoreError> {
    execute!(
        conn.conn(),
        "DELETE FROM kept_pages WHERE article_id IN \
         (SELECT article_id FROM kept_page_sources WHERE entity = $1 AND entity_id = $2)",
        [entity, id]
    )?;
    if entity == "article" {
        execute!(
            conn.conn(),
            "DELETE FROM kept_pages WHERE article_id = $1 OR article_id IN (SELECT id FROM articles \
             WHERE translation_group = (SELECT translation_group FROM articles WHERE id = $1))",
            [id]
        )?;
    }
    Ok(())
}

/// A public article's address, for rendering its page.
#[derive(Debug, Clone, FromRow)]
pub struct ArticleAddress {
    /// Article id.
    pub id: i64,
    /// Section slug.
    pub section: String,
    /// Article slug.
    pub slug: String,
    /// Language code.
    pub language: String,
    /// When its kept page was rendered (Unix seconds), if it has one made with the dictionary asked about.
    pub kept_at: Option<i64>,
}

impl Store {
    /// The next `window` article ids below `below`, highest first, and of those the public articles that have
    /// no kept page compressed against `dictionary` (none: no page is kept with it yet) or one rendered before
    /// `rendered_before` (Unix seconds). The window walks the primary key, so each call costs the same however
    /// much of the site is kept already; an empty window means the walk is done.
    pub async fn pages_to_keep(
        &self,
        dictionary: Option<i64>,
        rendered_before: i64,
        now: chrono::DateTime<chrono::Utc>,
        below: i64,
        window: i64,
    ) -> Result<(Vec<i64>, Vec<ArticleAddress>), StoreError> {
        let ids: Vec<i64> = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_scalar("SELECT id FROM articles WHERE id < $1 ORDER BY id DESC LIMIT $2"),
            [below, window]
        )?;
        if ids.is_empty() {
            return Ok((ids, Vec::new()));
        }
        let rows = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(
                "SELECT a.id, s.slug AS section, a.slug, a.language, k.rendered_at AS kept_at FROM articles a \
                 JOIN sections s ON s.id = a.section_id LEFT JOIN kept_pages k ON k.article_id = a.id \
                 AND k.dictionary = ",
            );
            // Ids start at 1: 0 names no dictionary.
            query.push_bind(dictionary.unwrap_or(0)).push(" ");
            push_visible(&mut query, now);
            query.push(" AND (k.article_id IS NULL OR k.rendered_at < ").push_bind(rendered_before);
            query.push(") AND a.id IN (");
            push_ids(&mut query, &ids);
            query.push(" ORDER BY a.id DESC");
            query.build_query_as().fetch_all(db).await
        })?;
        Ok((ids, rows))
    }
}
