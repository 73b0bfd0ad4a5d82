//! Writes. Each public write runs in one transaction and records a change, so that a crash leaves either
//! the whole write or none of it, and every node can learn what changed.

use chrono::Utc;

use super::pool::{Affected, Db, Tx, execute, fetch, on};
use super::{CHANGES_NOTIFY, Store, StoreError};
use crate::content::{AuthorInput, KeptRecommendations, LeadImage, PreparedArticle, SectionInput};
use sqlx::QueryBuilder;

/// Everything a bulk load (the demo, later the importers) writes, applied in one transaction.
#[derive(Debug, Default)]
pub struct Batch {
    /// Site settings as key and value.
    pub settings: Vec<(String, String)>,
    /// Sections to create or update.
    pub sections: Vec<SectionInput>,
    /// Authors to create or update.
    pub authors: Vec<AuthorInput>,
    /// Articles to create or update.
    pub articles: Vec<PreparedArticle>,
}

/// What a batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    /// Sections written.
    pub sections: usize,
    /// Authors written.
    pub authors: usize,
    /// Articles written.
    pub articles: usize,
}

impl Store {
    /// Gives the article at `section`/`slug` its SEO title and meta description (checked by the caller): the
    /// demo's way, since a batch carries articles as readers see them. Records the change.
    pub async fn put_search_and_social(
        &self,
        section: &str,
        slug: &str,
        search: &crate::content::SearchAndSocial,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = fetch!(
            tx.conn(),
            fetch_optional,
            sqlx::query_scalar(
                "UPDATE articles SET seo_title = $1, seo_description = $2 WHERE slug = $3 \
                 AND section_id = (SELECT id FROM sections WHERE slug = $4) RETURNING id",
            ),
            [&search.title, &search.description, slug, section]
        )?;
        let id = id.ok_or_else(|| StoreError::Missing { kind: "article", slug: format!("{section}/{slug}") })?;
        record_change(&mut tx, "article", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }

    /// Applies a whole batch in one transaction: all of it, or nothing.
    pub async fn apply(&self, batch: &Batch) -> Result<BatchReport, StoreError> {
        let mut tx = self.begin_write().await?;
        for (key, value) in &batch.settings {
            put_setting(&mut tx, key, value).await?;
        }
        for section in &batch.sections {
            put_section(&mut tx, section).await?;
        }
        for author in &batch.authors {
            put_author(&mut tx, author).await?;
        }
        for article in &batch.articles {
            put_article(&mut tx, article).await?;
        }
        tx.commit().await?;
        self.wrote().await;
        Ok(BatchReport { sections: batch.sections.len(), authors: batch.authors.len(), articles: batch.articles.len() })
    }

    /// Stores a setting that is bookkeeping (how far a background pass got), not content: no change is
    /// recorded, so no cache is emptied.
    pub async fn set_marker(&self, key: &str, value: &str) -> Result<(), StoreError> {
        execute!(
            self.writer.get(),
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value]
        )?;
        Ok(())
    }

    /// Creates or updates one article (keyed by section and slug) and returns its id.
    pub async fn save_article(&self, article: &PreparedArticle) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = put_article(&mut tx, article).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(id)
    }

    /// Keeps computed Recommend lists by article id, replacing older ones, in one transaction; of two lists for
    /// one article the later wins. Derived data: no change is recorded and no cache is emptied. Lists of
    /// articles deleted meanwhile are dropped.
    pub async fn keep_recommendations(&self, lists: &[(i64, KeptRecommendations)]) -> Result<(), StoreError> {
        // Bounded statements (four binds a row): PostgreSQL takes at most 65,535 binds per statement.
        const ROWS: usize = 250;
        // PostgreSQL refuses an upsert that meets one key twice in a statement.
        let latest: std::collections::HashMap<i64, &KeptRecommendations> =
            lists.iter().map(|(article, list)| (*article, list)).collect();
        let lists: Vec<(i64, &KeptRecommendations)> = latest.into_iter().collect();
        let mut tx = self.writer.begin().await?;
        for chunk in lists.chunks(ROWS) {
            on!(tx.conn(), |db| {
                let mut query = QueryBuilder::<DB>::new(
                    "INSERT INTO article_recommendations (article_id, language, ids, computed_at) \
                     SELECT v.column1, v.column2, v.column3, v.column4 FROM (VALUES ",
                );
                for (index, &(article, list)) in chunk.iter().enumerate() {
                    query.push(if index == 0 { "(" } else { ", (" });
                    query.push_bind(article).push(", ").push_bind(list.language.clone()).push(", ");
                    query.push_bind(list.ids_text()).push(", ").push_bind(list.computed_at).push(")");
                }
                query.push(
                    // `WHERE true` keeps SQLite from reading ON CONFLICT as the join's condition.
                    ") v JOIN articles a ON a.id = v.column1 WHERE true \
                     ON CONFLICT (article_id) DO UPDATE SET language = excluded.language, ids = excluded.ids, \
                     computed_at = excluded.computed_at",
                );
                query.build().execute(db).await.affected()
            })?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds collected views (article id, views) to the articles' totals and to `day`'s row of the daily
    /// table, in one transaction. Views of articles deleted meanwhile are dropped.
    pub async fn add_views(&self, views: &[(i64, i64)], day: chrono::NaiveDate) -> Result<(), StoreError> {
        self.view_writer().await?.write(views, day).await
    }

    /// Opens the transaction that view counts go into, for a caller that decides what to write only once
    /// the writer is free.
    pub async fn view_writer(&self) -> Result<ViewWriter, StoreError> {
        Ok(ViewWriter { tx: self.writer.begin().await? })
    }
}

/// An open transaction for view counts ([`Store::view_writer`]); dropped unwritten, it writes nothing.
pub struct ViewWriter {
    tx: Tx,
}

impl ViewWriter {
    /// Writes `views` as [`Store::add_views`] describes and commits.
    pub async fn write(mut self, views: &[(i64, i64)], day: chrono::NaiveDate) -> Result<(), StoreError> {
        let day = day.format("%Y-%m-%d").to_string();
        for &(article, count) in views {
            let updated = execute!(
                self.tx.conn(),
                "UPDATE articles SET view_count = view_count + $1 WHERE id = $2",
                [count, article]
            )?;
            if updated == 0 {
                continue;
            }
            execute!(
                self.tx.conn(),
                "INSERT INTO article_views_daily (article_id, day, views) VALUES ($1, $2, $3) \
                 ON CONFLICT (article_id, day) DO UPDATE SET views = article_views_daily.views + excluded.views",
                [article, &day, count]
            )?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

/// Appends a row to `changes`, in the caller's transaction, so that caches and search indexes learn of it,
/// and forgets the kept pages that show what changed.
pub(super) async fn record_change(conn: &mut Tx, entity: &str, id: i64) -> Result<(), StoreError> {
    super::kept::forget_kept_pages(conn, entity, id).await?;
    execute!(
        conn.conn(),
        "INSERT INTO changes (entity, entity_id, at) VALUES ($1, $2, $3)",
        [entity, id, Utc::now().timestamp()]
    )?;
    if let Db::Postgres(conn) = conn.conn() {
        // Delivered when the transaction commits (once, however many changes it recorded): the prompt for
        // other nodes to read the change sequence now rather than at their next poll.
        sqlx::query(CHANGES_NOTIFY).execute(conn).await?;
    }
    Ok(())
}

const SETTING_UPSERT: &str =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

pub(super) async fn put_setting(conn: &mut Tx, key: &str, value: &str) -> Result<(), StoreError> {
    execute!(conn.conn(), SETTING_UPSERT, [key, value])?;
    record_change(conn, "settings", 0).await
}

pub(super) async fn put_section(conn: &mut Tx, section: &SectionInput) -> Result<i64, StoreError> {
    let id: i64 = fetch!(
        conn.conn(),
        fetch_one,
        sqlx::query_scalar(
            "INSERT INTO sections (slug, name, description, position) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description, \
             position = excluded.position RETURNING id",
        ),
        [section.slug.as_str(), &section.name, &section.description, section.position]
    )?;
    record_change(conn, "section", id).await?;
    Ok(id)
}

async fn put_author(conn: &mut Tx, author: &AuthorInput) -> Result<i64, StoreError> {
    let id: i64 = fetch!(
        conn.conn(),
        fetch_one,
        sqlx::query_scalar(
            "INSERT INTO authors (slug, name, bio, avatar) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (slug) DO UPDATE SET name = excluded.name, bio = excluded.bio, avatar = excluded.avatar \
             RETURNING id",
        ),
        [author.slug.as_str(), &author.name, &author.bio, &author.avatar]
    )?;
    record_change(conn, "author", id).await?;
    Ok(id)
}

/// Writes an image row (`in_library` when the media library lists it) over row `existing`, or as a new row,
/// and returns its id.
pub(super) async fn write_image(
    conn: &mut Tx,
    image: &LeadImage,
    in_library: bool,
    existing: Option<i64>,
) -> Result<i64, StoreError> {
    let variants = serde_json::to_string(&image.variants).map_err(|e| StoreError::Invalid(e.to_string()))?;
    // The ninth value is the row to update, or the new row's creation time.
    let (sql, ninth) = match existing {
        Some(id) => (
            "UPDATE images SET path = $1, width = $2, height = $3, alt = $4, caption = $5, credit = $6, \
             in_library = $7, variants = $8 WHERE id = $9 RETURNING id",
            id,
        ),
        None => (
            "INSERT INTO images (path, width, height, alt, caption, credit, in_library, variants, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            Utc::now().timestamp(),
        ),
    };
    let (width, height, in_library) = (i64::from(image.width), i64::from(image.height), i64::from(in_library));
    Ok(fetch!(
        conn.conn(),
        fetch_one,
        sqlx::query_scalar(sql),
        [&image.path, width, height, &image.alt, &image.caption, &image.credit, in_library, &variants, ninth]
    )?)
}

/// Sets article `id`'s views on `day` (YYYY-MM-DD).
pub(super) async fn put_day_views(conn: &mut Tx, id: i64, day: &str, views: i64) -> Result<(), StoreError> {
    execute!(
        conn.conn(),
        "INSERT INTO article_views_daily (article_id, day, views) VALUES ($1, $2, $3) \
         ON CONFLICT (article_id, day) DO UPDATE SET views = excluded.views",
        [id, day, views]
    )?;
    Ok(())
}

pub(super) async fn id_by_slug(
    conn: &mut Tx,
    table: &'static str,
    kind: &'static str,
    slug: &str,
) -> Result<i64, StoreError> {
    // `table` is one of our own constants, never user input.
    let sql = format!("SELECT id FROM {table} WHERE slug = $1");
    let id: Option<i64> = fetch!(conn.conn(), fetch_optional, sqlx::query_scalar(&sql), [slug])?;
    id.ok_or_else(|| StoreError::Missing { kind, slug: slug.to_owned() })
}

async fn put_article(conn: &mut Tx, prepared: &PreparedArticle) -> Result<i64, StoreError> {
    let article = &prepared.input;
    let now = Utc::now().timestamp();
    let section_id = id_by_slug(conn, "sections", "section", article.section.as_str()).await?;
    let mut author_ids = Vec::with_capacity(article.authors.len());
    for slug in &article.authors {
        author_ids.push(id_by_slug(conn, "authors", "author", slug.as_str()).await?);
    }
    let image_id: Option<i64> = match &article.lead_image {
        Some(image) => Some(write_image(conn, image, false, None).await?),
        None => None,
    };
    let id: i64 = fetch!(
        conn.conn(),
        fetch_one,
        sqlx::query_scalar(
            "INSERT INTO articles (section_id, slug, headline, standfirst, lead_image_id, \
             language, status, published_at, updated_at, created_at, modified_at, view_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) \
             ON CONFLICT (section_id, slug) DO UPDATE SET headline = excluded.headline, \
             standfirst = excluded.standfirst, lead_image_id = excluded.lead_image_id, language = excluded.language, \
             status = excluded.status, published_at = excluded.published_at, updated_at = excluded.updated_at, \
             modified_at = excluded.modified_at RETURNING id",
        ),
        [
            section_id,
            article.slug.as_str(),
            &article.headline,
            &article.standfirst,
            image_id,
            &article.language,
            article.status.as_str(),
            article.published_at.map(|t| t.timestamp()),
            article.updated_at.map(|t| t.timestamp()),
            now,
            article.view_count
        ]
    )?;

    put_article_parts(conn, id, prepared, &author_ids).await?;
    record_change(conn, "article", id).await?;
    Ok(id)
}

/// Writes an article's body, byline (in order) and tags (creating new tags), replacing what it had.
pub(super) async fn put_article_parts(
    conn: &mut Tx,
    id: i64,
    prepared: &PreparedArticle,
    author_ids: &[i64],
) -> Result<(), StoreError> {
    let article = &prepared.input;
    execute!(
        conn.conn(),
        "INSERT INTO article_bodies (article_id, markdown, html) VALUES ($1, $2, $3) \
         ON CONFLICT (article_id) DO UPDATE SET markdown = excluded.markdown, html = excluded.html",
        [id, &article.body_markdown, &prepared.body_html]
    )?;
    super::media::record_image_uses(conn, id, &article.body_markdown).await?;
    // What it is like may have changed: its Recommend list is computed again when next shown.
    execute!(conn.conn(), "DELETE FROM article_recommendations WHERE article_id = $1", [id])?;
    execute!(conn.conn(), "DELETE FROM article_authors WHERE article_id = $1", [id])?;
    for (position, author_id) in (0_i64..).zip(author_ids) {
        execute!(
            conn.conn(),
            "INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3)",
            [id, author_id, position]
        )?;
    }
    execute!(conn.conn(), "DELETE FROM article_tags WHERE article_id = $1", [id])?;
    // Positions keep the order the tags were typed in.
    for (position, tag) in (0_i64..).zip(&prepared.tags) {
        let tag_id: i64 = fetch!(
            conn.conn(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug \
                 RETURNING id",
            ),
            [tag.slug.as_str(), &tag.name]
        )?;
        execute!(
            conn.conn(),
            "INSERT INTO article_tags (article_id, tag_id, position) VALUES ($1, $2, $3)",
            [id, tag_id, position]
        )?;
    }
    Ok(())
}
