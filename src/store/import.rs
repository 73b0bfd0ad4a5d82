//! Imports: a whole import runs in one transaction ([`ImportTx`]), so that a file that fails halfway changes
//! nothing; and reads of the whole site, in id order and in pages, for export.

use chrono::Utc;
use sqlx::QueryBuilder;

use super::pool::{Affected, Tx, execute, fetch, on};
use super::write::{
    id_by_slug, put_article_parts, put_day_views, put_section, put_setting, record_change, write_image,
};
use super::{Backend, Store, StoreError};
use crate::content::{AuthorInput, LeadImage, PreparedArticle, SectionInput, Slug};

/// Whether a write made something new or changed what an earlier import (or the site) had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did not exist before.
    Created,
    /// It existed and was updated.
    Updated,
}

/// An article as an import writes it: the checked article plus what only imports set.
#[derive(Debug)]
pub struct ImportArticle<'a> {
    /// The checked article, body rendered and sanitised.
    pub prepared: &'a PreparedArticle,
    /// The source's id for it; `None` keys the article by section and slug (newsroom's own exports).
    pub key: Option<&'a str>,
    /// When it was first written, Unix seconds.
    pub created_at: i64,
    /// Its last save, Unix seconds.
    pub modified_at: i64,
    /// A visible correction note, or empty.
    pub correction: &'a str,
    /// Its lead image, written first with [`ImportTx::put_image`].
    pub lead_image_id: Option<i64>,
    /// Its SEO title and meta description (empty when it has none).
    pub search: &'a crate::content::SearchAndSocial,
    /// Its share image, written first like the lead image.
    pub share_image_id: Option<i64>,
    /// The email of the account that owns it, if that account exists.
    pub owner: Option<&'a str>,
}

/// An account as an import writes it.
#[derive(Debug)]
pub struct ImportUser<'a> {
    /// Sign-in address; the key.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role name as stored.
    pub role: &'a str,
    /// Their byline's slug, if they have one.
    pub author: Option<&'a str>,
    /// An argon2id hash; `None` keeps the account's current one (or leaves it to be set through a link).
    pub password_hash: Option<&'a str>,
    /// When the account was made, Unix seconds.
    pub created_at: i64,
}

/// What an article row is written from.
struct ArticleRow<'a, 'b> {
    article: &'a ImportArticle<'b>,
    section_id: i64,
    owner: Option<i64>,
}

/// One import's open transaction. Dropping it without [`ImportTx::commit`] rolls everything back.
pub struct ImportTx {
    tx: Tx,
    store: Store,
    source: String,
    /// Ids of sections, authors and tags by `kind:slug`: a large import names the same few thousand of them
    /// hundreds of thousands of times, and every query saved is a round trip to the database thread saved.
    ids: std::collections::HashMap<String, i64>,
    /// Articles earlier imports from this source made, by the source's key (loaded at the first lookup).
    known: Option<std::collections::HashMap<String, i64>>,
}

impl Store {
    /// Starts an import from `source` (a name that, with the source's ids, identifies what it imported).
    pub async fn begin_import(&self, source: &str) -> Result<ImportTx, StoreError> {
        let mut tx = self.begin_write().await?;
        // A large import touches far more pages than SQLite's default 2 MB cache holds; spilling them to the
        // WAL and reading them back mid-transaction would cost more than the memory.
        if self.backend == Backend::Sqlite {
            execute!(tx.conn(), "PRAGMA cache_size = -65536")?;
        }
        Ok(ImportTx {
            tx,
            store: self.clone(),
            source: source.to_owned(),
            ids: std::collections::HashMap::new(),
            known: None,
        })
    }
}

impl ImportTx {
    /// Sets a site setting.
    pub async fn put_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        put_setting(&mut self.tx, key, value).await
    }

    /// Creates or updates a section, keyed by slug.
    pub async fn put_section(&mut self, section: &SectionInput) -> Result<Outcome, StoreError> {
        let existed = self.exists("sections", section.slug.as_str()).await?;
        let id = put_section(&mut self.tx, section).await?;
        self.ids.insert(format!("section:{}", section.slug), id);
        Ok(if existed { Outcome::Updated } else { Outcome::Created })
    }

    /// Creates or updates an author, keyed by slug. An empty bio or missing avatar keeps what the site has:
    /// most sources know less about people than the site's own profiles.
    pub async fn put_author(&mut self, author: &AuthorInput) -> Result<Outcome, StoreError> {
        let existed = self.exists("authors", author.slug.as_str()).await?;
        let id: i64 = fetch!(
            self.tx.conn(),
            fetch_one,
            sqlx::query_scalar(
                "INSERT INTO authors (slug, name, bio, avatar) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (slug) DO UPDATE SET name = excluded.name, \
                 bio = CASE WHEN excluded.bio = '' THEN authors.bio ELSE excluded.bio END, \
                 avatar = COALESCE(excluded.avatar, authors.avatar) RETURNING id",
            ),
            [author.slug.as_str(), &author.name, &author.bio, &author.avatar]
        )?;
        self.ids.insert(format!("author:{}", author.slug), id);
        record_change(&mut self.tx, "author", id).await?;
        Ok(if existed { Outcome::Updated } else { Outcome::Created })
    }

    /// Creates a tag if none has its slug (a tag's name is the site's to change), returning nothing: articles
    /// name their tags, and tags without articles are kept so that an export brings them all.
    pub async fn put_tag(&mut self, slug: &Slug, name: &str) -> Result<(), StoreError> {
        execute!(
            self.tx.conn(),
            "INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING",
            [slug.as_str(), name]
        )?;
        Ok(())
    }

    /// Creates or updates an image row and returns its id. With a `key`, importing again updates the image
    /// it made last time instead of adding another.
    pub async fn put_image(
        &mut self,
        image: &LeadImage,
        key: Option<&str>,
        in_library: bool,
    ) -> Result<(i64, Outcome), StoreError> {
        let existing = match key {
            Some(key) => self.keyed("image", key, "images").await?,
            None => None,
        };
        let id = write_image(&mut self.tx, image, in_library, existing).await?;
        if let Some(key) = key {
            self.remember("image", key, id).await?;
        }
        Ok((id, if existing.is_some() { Outcome::Updated } else { Outcome::Created }))
    }

    /// Creates or updates an article and returns its id, the slug it got and whether it is new. The article
    /// is found by the source's key, or by section and slug without one; a slug taken by another article in
    /// the section gets a number (`a-story-2`), since a source may allow what the site does not.
    pub async fn put_article(&mut self, article: &ImportArticle<'_>) -> Result<(i64, Slug, Outcome), StoreError> {
        let input = &article.prepared.input;
        let section_id = self.id_of("sections", "section", input.section.as_str()).await?;
        let mut author_ids = Vec::with_capacity(input.authors.len());
        for slug in &input.authors {
            author_ids.push(self.id_of("authors", "author", slug.as_str()).await?);
        }
        let existing = match article.key {
            Some(key) => self.known_article(key).await?,
            None => fetch!(
                self.tx.conn(),
                fetch_optional,
                sqlx::query_scalar("SELECT id FROM articles WHERE section_id = $1 AND slug = $2"),
                [section_id, input.slug.as_str()]
            )?,
        };
        let owner: Option<i64> = match article.owner {
            Some(email) => fetch!(
                self.tx.conn(),
                fetch_optional,
                sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower($1)"),
                [email]
            )?,
            None => None,
        };
        let row = ArticleRow { article, section_id, owner };
        let (id, slug) = match existing {
            Some(id) => {
                let slug = self.free_slug(section_id, &input.slug, Some(id)).await?;
                let written = self.write_row(&row, &slug, Some(id)).await?;
                (written.ok_or_else(|| StoreError::Missing { kind: "article", slug: id.to_string() })?, slug)
            }
            // Most new articles get the slug they came with; only a clash costs a search for a free one.
            None => match self.write_row(&row, &input.slug, None).await? {
                Some(id) => (id, input.slug.clone()),
                None => {
                    let slug = self.free_slug(section_id, &input.slug, None).await?;
                    let id = self.write_row(&row, &slug, None).await?;
                    (id.ok_or_else(|| StoreError::Conflict(format!("no free address for {slug}")))?, slug)
                }
            },
        };
        self.put_parts(id, article.prepared, &author_ids, existing.is_none()).await?;
        if let Some(key) = article.key
            && existing.is_none()
        {
            self.remember("article", key, id).await?;
        }
        record_change(&mut self.tx, "article", id).await?;
        Ok((id, slug, if existing.is_some() { Outcome::Updated } else { Outcome::Created }))
    }

    /// Inserts (`id` is `None`; nothing when the slug is taken in the section) or updates an article's row. An
    /// update leaves the view count alone: the views were counted here, since the first import, and a file
    /// (WordPress and Ghost carry none) knows nothing of them.
    async fn write_row(
        &mut self,
        row: &ArticleRow<'_, '_>,
        slug: &Slug,
        id: Option<i64>,
    ) -> Result<Option<i64>, StoreError> {
        let input = &row.article.prepared.input;
        let sql = if id.is_some() {
            "UPDATE articles SET section_id = $1, slug = $2, headline = $3, standfirst = $4, language = $5, \
             status = $6, published_at = $7, updated_at = $8, correction = $9, created_at = $10, modified_at = $11, \
             lead_image_id = $12, seo_title = $13, seo_description = $14, share_image_id = $15, \
             owner_id = COALESCE($16, owner_id) WHERE id = $17 RETURNING id"
        } else {
            "INSERT INTO articles (section_id, slug, headline, standfirst, language, status, published_at, updated_at, \
             correction, created_at, modified_at, lead_image_id, seo_title, seo_description, share_image_id, \
             view_count, owner_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
             ON CONFLICT (section_id, slug) DO NOTHING RETURNING id"
        };
        Ok(on!(self.tx.conn(), |db| {
            let query = sqlx::query_scalar(sql)
                .bind(row.section_id)
                .bind(slug.as_str())
                .bind(&input.headline)
                .bind(&input.standfirst)
                .bind(&input.language)
                .bind(input.status.as_str())
                .bind(input.published_at.map(|t| t.timestamp()))
                .bind(input.updated_at.map(|t| t.timestamp()))
                .bind(row.article.correction)
                .bind(row.article.created_at)
                .bind(row.article.modified_at)
                .bind(row.article.lead_image_id)
                .bind(&row.article.search.title)
                .bind(&row.article.search.description)
                .bind(row.article.share_image_id);
            let query = match id {
                Some(id) => query.bind(row.owner).bind(id),
                None => query.bind(input.view_count).bind(row.owner),
            };
            query.fetch_optional(db).await
        })?)
    }

    /// Body, byline and tags of an article, each list in one statement; a `fresh` article has none to clear.
    async fn put_parts(
        &mut self,
        id: i64,
        prepared: &PreparedArticle,
        author_ids: &[i64],
        fresh: bool,
    ) -> Result<(), StoreError> {
        if !fresh {
            // The shared writer clears and rewrites; updates are the rare case in an import.
            return put_article_parts(&mut self.tx, id, prepared, author_ids).await;
        }
        execute!(
            self.tx.conn(),
            "INSERT INTO article_bodies (article_id, markdown, html) VALUES ($1, $2, $3)",
            [id, &prepared.input.body_markdown, &prepared.body_html]
        )?;
        super::media::record_image_uses(&mut self.tx, id, &prepared.input.body_markdown).await?;
        if !author_ids.is_empty() {
            on!(self.tx.conn(), |db| {
                let mut insert =
                    QueryBuilder::<DB>::new("INSERT INTO article_authors (article_id, author_id, position) VALUES ");
                for (position, author) in (0_i64..).zip(author_ids) {
                    insert.push(if position == 0 { "(" } else { ", (" });
                    insert.separated(", ").push_bind(id).push_bind(*author).push_bind(position).push_unseparated(")");
                }
                insert.build().execute(db).await.affected()
            })?;
        }
        let mut tag_ids = Vec::with_capacity(prepared.tags.len());
        for tag in &prepared.tags {
            let cache_key = format!("tag:{}", tag.slug);
            let tag_id = match self.ids.get(&cache_key) {
                Some(id) => *id,
                None => {
                    let tag_id: i64 = fetch!(
                        self.tx.conn(),
                        fetch_one,
                        sqlx::query_scalar(
                            "INSERT INTO tags (slug, name) VALUES ($1, $2) \
                             ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id",
                        ),
                        [tag.slug.as_str(), &tag.name]
                    )?;
                    self.ids.insert(cache_key, tag_id);
                    tag_id
                }
            };
            tag_ids.push(tag_id);
        }
        if !tag_ids.is_empty() {
            on!(self.tx.conn(), |db| {
                let mut insert =
                    QueryBuilder::<DB>::new("INSERT INTO article_tags (article_id, tag_id, position) VALUES ");
                for (position, tag) in (0_i64..).zip(&tag_ids) {
                    insert.push(if position == 0 { "(" } else { ", (" });
                    insert.separated(", ").push_bind(id).push_bind(*tag).push_bind(position).push_unseparated(")");
                }
                insert.build().execute(db).await.affected()
            })?;
        }
        Ok(())
    }

    /// A section's or author's id by slug, remembered for the rest of the import.
    async fn id_of(&mut self, table: &'static str, kind: &'static str, slug: &str) -> Result<i64, StoreError> {
        let cache_key = format!("{kind}:{slug}");
        if let Some(id) = self.ids.get(&cache_key) {
            return Ok(*id);
        }
        let id = id_by_slug(&mut self.tx, table, kind, slug).await?;
        self.ids.insert(cache_key, id);
        Ok(id)
    }

    /// Answers addresses the article had on its old platform with a 301 to its address here.
    pub async fn add_legacy_paths(&mut self, paths: &[String], article: i64) -> Result<(), StoreError> {
        if paths.is_empty() {
            return Ok(());
        }
        // PostgreSQL refuses an upsert that meets the same key twice in one statement.
        let mut unique: Vec<&String> = paths.iter().collect();
        unique.sort();
        unique.dedup();
        on!(self.tx.conn(), |db| {
            let mut insert = QueryBuilder::<DB>::new("INSERT INTO legacy_paths (path, article_id) VALUES ");
            for (index, path) in unique.into_iter().enumerate() {
                insert.push(if index == 0 { "(" } else { ", (" });
                insert.push_bind(path.as_str()).push(", ").push_bind(article).push(")");
            }
            insert.push(" ON CONFLICT (path) DO UPDATE SET article_id = excluded.article_id");
            insert.build().execute(db).await.affected()
        })?;
        Ok(())
    }

    /// Keeps an earlier address of the article (section and slug) answering with a 301.
    pub async fn add_redirect(&mut self, section: &str, slug: &str, article: i64) -> Result<(), StoreError> {
        execute!(
            self.tx.conn(),
            "INSERT INTO article_redirects (section_slug, slug, article_id) VALUES ($1, $2, $3) \
             ON CONFLICT (section_slug, slug) DO UPDATE SET article_id = excluded.article_id",
            [section, slug, article]
        )?;
        Ok(())
    }

    /// Records that `key` of another source (or of this one) made `article`, so that importing from that
    /// source later still updates it.
    pub async fn add_source_key(&mut self, source: &str, kind: &str, key: &str, id: i64) -> Result<(), StoreError> {
        execute!(
            self.tx.conn(),
            "INSERT INTO import_keys (source, kind, key, entity_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (source, kind, key) DO UPDATE SET entity_id = excluded.entity_id",
            [source, kind, key, id]
        )?;
        Ok(())
    }

    /// Sets an article's views on one day (YYYY-MM-DD).
    pub async fn put_daily_views(&mut self, article: i64, day: &str, views: i64) -> Result<(), StoreError> {
        put_day_views(&mut self.tx, article, day, views).await
    }

    /// Creates or updates an account, keyed by email. Returns whether it is new.
    pub async fn put_user(&mut self, user: &ImportUser<'_>) -> Result<Outcome, StoreError> {
        let author_id: Option<i64> = match user.author {
            Some(slug) => Some(id_by_slug(&mut self.tx, "authors", "author", slug).await?),
            None => None,
        };
        // Emails match without regard to case, on both backends.
        let existed: Option<i64> = fetch!(
            self.tx.conn(),
            fetch_optional,
            sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower($1)"),
            [user.email]
        )?;
        on!(self.tx.conn(), |db| {
            let query = match existed {
                Some(id) => sqlx::query(
                    "UPDATE users SET name = $1, role = $2, password_hash = COALESCE($3, password_hash), \
                     author_id = $4 WHERE id = $5",
                )
                .bind(user.name)
                .bind(user.role)
                .bind(user.password_hash)
                .bind(author_id)
                .bind(id),
                None => sqlx::query(
                    "INSERT INTO users (email, name, role, password_hash, author_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(user.email)
                .bind(user.name)
                .bind(user.role)
                .bind(user.password_hash)
                .bind(author_id)
                .bind(user.created_at),
            };
            query.execute(db).await.affected()
        })?;
        Ok(if existed.is_some() { Outcome::Updated } else { Outcome::Created })
    }

    /// Makes every write of the import visible at once, and tells caches.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        if self.store.backend == Backend::Sqlite {
            execute!(self.tx.conn(), "PRAGMA cache_size = -2000")?;
        }
        self.tx.commit().await?;
        self.store.wrote().await;
        Ok(())
    }

    async fn exists(&mut self, table: &'static str, slug: &str) -> Result<bool, StoreError> {
        // `table` is one of our own constants, never input.
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE slug = $1");
        let count: i64 = fetch!(self.tx.conn(), fetch_one, sqlx::query_scalar(&sql), [slug])?;
        Ok(count > 0)
    }

    /// The entity an earlier import made for `key`, if it still exists in `table`.
    async fn keyed(&mut self, kind: &str, key: &str, table: &'static str) -> Result<Option<i64>, StoreError> {
        let sql = format!(
            "SELECT k.entity_id FROM import_keys k JOIN {table} t ON t.id = k.entity_id \
             WHERE k.source = $1 AND k.kind = $2 AND k.key = $3"
        );
        Ok(fetch!(self.tx.conn(), fetch_optional, sqlx::query_scalar(&sql), [&self.source, kind, key])?)
    }

    /// The article an earlier import from this source made for `key`, from one read of all of them.
    async fn known_article(&mut self, key: &str) -> Result<Option<i64>, StoreError> {
        if self.known.is_none() {
            let rows: Vec<(String, i64)> = fetch!(
                self.tx.conn(),
                fetch_all,
                sqlx::query_as(
                    "SELECT k.key, k.entity_id FROM import_keys k JOIN articles a ON a.id = k.entity_id \
                     WHERE k.source = $1 AND k.kind = 'article'",
                ),
                [&self.source]
            )?;
            self.known = Some(rows.into_iter().collect());
        }
        Ok(self.known.as_ref().and_then(|known| known.get(key).copied()))
    }

    async fn remember(&mut self, kind: &str, key: &str, id: i64) -> Result<(), StoreError> {
        if kind == "article"
            && let Some(known) = self.known.as_mut()
        {
            known.insert(key.to_owned(), id);
        }
        let source = self.source.clone();
        self.add_source_key(&source, kind, key, id).await
    }

    /// `wanted`, or `wanted-2`, `wanted-3`… whichever no other article of the section holds.
    async fn free_slug(&mut self, section: i64, wanted: &Slug, own: Option<i64>) -> Result<Slug, StoreError> {
        let mut candidate = wanted.clone();
        for n in 2_u32.. {
            let holder: Option<i64> = fetch!(
                self.tx.conn(),
                fetch_optional,
                sqlx::query_scalar("SELECT id FROM articles WHERE section_id = $1 AND slug = $2"),
                [section, candidate.as_str()]
            )?;
            if holder.is_none() || holder == own {
                break;
            }
            let base = wanted.as_str();
            let suffix = format!("-{n}");
            // Keep within the slug length limit by shortening the base, never the number.
            let cut = base.len().min(120_usize.saturating_sub(suffix.len()));
            let trimmed = base[..cut].trim_end_matches('-');
            candidate = Slug::parse(&format!("{trimmed}{suffix}")).map_err(|e| StoreError::Invalid(e.to_string()))?;
        }
        Ok(candidate)
    }
}

impl Store {
    /// The article an old address (path and query, as the old platform linked it) now answers with, as
    /// section, slug and language, if it is public.
    pub async fn legacy_target(
        &self,
        path: &str,
        now: chrono::DateTime<Utc>,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        // No old platform's address has a NUL, and PostgreSQL would refuse the lookup (a reader's 404, not a 500).
        if path.contains('\0') {
            return Ok(None);
        }
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as(
                "SELECT s.slug, a.slug, a.language FROM legacy_paths l JOIN articles a ON a.id = l.article_id \
                 JOIN sections s ON s.id = a.section_id \
                 WHERE l.path = $1 AND a.status = 'published' AND a.published_at <= $2",
            ),
            [path, now.timestamp()]
        )?)
    }
}
