//! What the back office and the admin API read and write: articles in every status, by id; saves that keep
//! a revision and refuse to overwrite a newer save; deletion; the scheduled-publication claim; revisions;
//! old addresses; the dashboard's figures. Every content write runs in one transaction, records a change and
//! tells the listeners after commit, like the writes in `write.rs`.

use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, FromRow, QueryBuilder, Type};

use super::pool::{Tx, execute, fetch, on};
use super::read::ImageColumns;
use super::write::{id_by_slug, put_article_parts, put_day_views, record_change};
use super::{Backend, Store, StoreError};
use crate::content::{ArticleStatus, Author, LeadImage, PreparedArticle, Slug, Tag};

/// Which articles the back office's list shows.
#[derive(Debug, Clone, Default)]
pub struct AdminFilter {
    /// Only this status.
    pub status: Option<ArticleStatus>,
    /// Only this section (id).
    pub section: Option<i64>,
    /// Only articles bylined to this author (id).
    pub author: Option<i64>,
    /// Only articles this user created (for those who see only their own).
    pub owner: Option<i64>,
    /// Only headlines containing this text.
    pub query: Option<String>,
    /// Only articles in this language.
    pub language: Option<String>,
    /// The order.
    pub sort: AdminSort,
    /// At most this many; zero or less means all.
    pub limit: i64,
    /// Skip this many first.
    pub offset: i64,
}

/// A column the back office's list sorts by. Each names a fixed SQL expression: nothing a request sends
/// reaches the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    /// The headline, case folded.
    Headline,
    /// The section's name.
    Section,
    /// The language code.
    Language,
    /// The byline as listed.
    Authors,
    /// The status, in the order an article moves through them.
    Status,
    /// The publication time of scheduled and published articles; the others come last either way.
    Published,
    /// Views in all.
    Views,
    /// The last save.
    Saved,
}

impl SortColumn {
    /// Every column, by the name a list's address gives it.
    pub const ALL: [(SortColumn, &'static str); 8] = [
        (SortColumn::Headline, "headline"),
        (SortColumn::Section, "section"),
        (SortColumn::Language, "language"),
        (SortColumn::Authors, "authors"),
        (SortColumn::Status, "status"),
        (SortColumn::Published, "published"),
        (SortColumn::Views, "views"),
        (SortColumn::Saved, "saved"),
    ];

    /// The column named `name` in a list's address.
    pub fn parse(name: &str) -> Option<SortColumn> {
        SortColumn::ALL.iter().find(|(_, n)| *n == name).map(|(column, _)| *column)
    }

    /// Its name in a list's address.
    pub fn name(self) -> &'static str {
        SortColumn::ALL.iter().find(|(column, _)| *column == self).map_or("saved", |(_, name)| name)
    }

    /// Whether a first click sorts it high to low: times and counts read newest and largest first, words from A.
    pub fn descends_first(self) -> bool {
        matches!(self, SortColumn::Published | SortColumn::Views | SortColumn::Saved)
    }

    /// The ordering expressions (before the direction); `authors` is the select list's own column.
    fn push_order<'a, DB: Database>(self, query: &mut QueryBuilder<'a, DB>, direction: &str) {
        let expression = match self {
            SortColumn::Headline => "lower(a.headline)".to_owned(),
            SortColumn::Section => "lower(s.name)".to_owned(),
            SortColumn::Language => "a.language".to_owned(),
            SortColumn::Authors => "authors".to_owned(),
            SortColumn::Status => {
                let cases: String = ArticleStatus::ALL
                    .iter()
                    .enumerate()
                    .map(|(rank, status)| format!(" WHEN '{}' THEN {rank}", status.as_str()))
                    .collect();
                format!("CASE a.status{cases} ELSE {} END", ArticleStatus::ALL.len())
            }
            // What the column shows: the time of scheduled and published articles. The rest come last either
            // way (SQLite puts NULLs first going up, PostgreSQL last).
            SortColumn::Published => {
                const SHOWN: &str = "CASE WHEN a.status IN ('scheduled', 'published') THEN a.published_at END";
                query.push(format!("({SHOWN} IS NULL), "));
                SHOWN.to_owned()
            }
            SortColumn::Views => "a.view_count".to_owned(),
            SortColumn::Saved => "a.modified_at".to_owned(),
        };
        query.push(expression).push(direction);
    }
}

/// The back office's list order: a column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminSort {
    /// The column.
    pub column: SortColumn,
    /// High to low.
    pub descending: bool,
}

impl Default for AdminSort {
    /// The last saved first.
    fn default() -> AdminSort {
        AdminSort { column: SortColumn::Saved, descending: true }
    }
}

/// One row of the back office's article list.
#[derive(Debug, Clone, FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AdminListItem {
    /// Database id.
    pub id: i64,
    /// The headline.
    pub headline: String,
    /// Address segment.
    pub slug: String,
    /// Section slug.
    pub section_slug: String,
    /// Section name.
    pub section_name: String,
    /// Status name.
    pub status: String,
    /// Publication time (planned or past), Unix seconds.
    pub published_at: Option<i64>,
    /// Last save, Unix seconds.
    pub modified_at: i64,
    /// Byline names, comma-separated, in order.
    pub authors: String,
    /// Total views.
    pub view_count: i64,
    /// Language code.
    pub language: String,
    /// The lead image's path (the list's thumbnail), if it has one.
    #[serde(skip)]
    pub image_path: Option<String>,
    /// The lead image's alt text.
    #[serde(skip)]
    pub image_alt: Option<String>,
    /// The lead image's resized copies, as stored (JSON).
    #[serde(skip)]
    pub image_variants: Option<String>,
}

impl AdminListItem {
    /// The lead image's resized copies.
    pub fn image_copies(&self) -> Vec<crate::content::ImageVariant> {
        super::read::variants(self.image_variants.as_deref())
    }
}

/// An article with every field the editor shows.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EditableArticle {
    /// Database id.
    pub id: i64,
    /// Section slug.
    pub section: String,
    /// Address segment.
    pub slug: String,
    /// The headline.
    pub headline: String,
    /// One-paragraph summary.
    pub standfirst: String,
    /// The body as Markdown.
    pub body: String,
    /// Author slugs in byline order.
    pub authors: Vec<String>,
    /// Tag names.
    pub tags: Vec<String>,
    /// Status.
    pub status: ArticleStatus,
    /// Publication time (planned for scheduled articles).
    pub published_at: Option<DateTime<Utc>>,
    /// A visible "Updated" time.
    pub updated_at: Option<DateTime<Utc>>,
    /// A visible correction note.
    pub correction: String,
    /// The user who created it.
    pub owner: Option<i64>,
    /// The last save, Unix seconds; the editor sends it back to detect a newer save by someone else.
    pub modified_at: i64,
    /// The lead image.
    pub lead_image: Option<LeadImage>,
    /// The lead image's id.
    pub lead_image_id: Option<i64>,
    /// BCP 47 language tag.
    pub language: String,
    /// Views so far.
    pub view_count: i64,
    /// The SEO title; the headline serves when empty.
    pub seo_title: String,
    /// The meta description; the standfirst serves when empty.
    pub seo_description: String,
    /// The image shared on social networks (an image id); the lead image serves when none.
    pub share_image_id: Option<i64>,
}

/// What a back-office save carries besides the article itself.
#[derive(Debug, Clone)]
pub struct ArticleExtras<'a> {
    /// A visible correction note.
    pub correction: &'a str,
    /// Who saves (and owns a new article).
    pub user: i64,
    /// The revision snapshot (JSON of the editable fields).
    pub snapshot: &'a str,
    /// The `modified_at` the editor started from; a newer stored one refuses the save. `None` overwrites.
    pub expected_modified: Option<i64>,
    /// The lead image (an image id), or none.
    pub lead_image: Option<i64>,
    /// The SEO title and meta description, checked.
    pub search: &'a crate::content::SearchAndSocial,
    /// The share image (an image id), or none.
    pub share_image: Option<i64>,
}

/// What someone typed in the editor and has not saved: the editor's fields, as JSON.
#[derive(Debug, Clone, FromRow)]
pub struct Autosave {
    /// When, Unix seconds.
    pub saved_at: i64,
    /// The article's `modified_at` the editor started from.
    pub base: i64,
    /// The fields, as the editor's form sent them (`editorial::ArticleDraft` in JSON).
    pub draft: String,
}

/// An article among the most read: its views over a recent window and in all.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct MostRead {
    /// Database id.
    pub id: i64,
    /// The headline.
    pub headline: String,
    /// Views in the window asked for.
    pub recent: i64,
    /// Views in all, as its page shows them.
    pub total: i64,
}

/// One saved revision, as the history lists it.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct RevisionInfo {
    /// Database id.
    pub id: i64,
    /// When, Unix seconds.
    pub saved_at: i64,
    /// Who, if the account still exists.
    pub user_name: Option<String>,
}

#[derive(FromRow)]
struct EditableRow {
    id: i64,
    section: String,
    slug: String,
    headline: String,
    standfirst: String,
    body: String,
    status: String,
    published_at: Option<i64>,
    updated_at: Option<i64>,
    correction: String,
    owner_id: Option<i64>,
    modified_at: i64,
    language: String,
    lead_image_id: Option<i64>,
    view_count: i64,
    seo_title: String,
    seo_description: String,
    share_image_id: Option<i64>,
    #[sqlx(flatten)]
    image: ImageColumns,
}

fn time(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

fn push_admin_filter<'a, DB: Database>(query: &mut QueryBuilder<'a, DB>, filter: &'a AdminFilter, backend: Backend)
where
    i64: Encode<'a, DB> + Type<DB>,
    &'a str: Encode<'a, DB> + Type<DB>,
{
    query.push(" WHERE 1 = 1");
    if let Some(status) = filter.status {
        query.push(" AND a.status = ").push_bind(status.as_str());
    }
    if let Some(section) = filter.section {
        query.push(" AND a.section_id = ").push_bind(section);
    }
    if let Some(author) = filter.author {
        query
            .push(" AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = ")
            .push_bind(author)
            .push(")");
    }
    if let Some(language) = &filter.language {
        query.push(" AND a.language = ").push_bind(language.as_str());
    }
    if let Some(owner) = filter.owner {
        query.push(" AND a.owner_id = ").push_bind(owner);
    }
    if let Some(text) = filter.query.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // A position search, not LIKE: the text is matched literally, so `%` and `_` in a search mean
        // themselves.
        query.push(format!(" AND {}(lower(a.headline), lower(", backend.position_function()));
        query.push_bind(text).push(")) > 0");
    }
}

/// Refuses a slug that another article in the section already has.
async fn check_slug_free(conn: &mut Tx, section_id: i64, slug: &str, id: Option<i64>) -> Result<(), StoreError> {
    let taken: i64 = fetch!(
        conn.conn(),
        fetch_one,
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM articles WHERE section_id = $1 AND slug = $2 AND id IS DISTINCT FROM $3",
        ),
        [section_id, slug, id]
    )?;
    if taken > 0 {
        return Err(StoreError::Conflict(format!("another article in this section already has the address {slug:?}")));
    }
    Ok(())
}

impl Store {
    /// A page of articles in any status for the back office, in the filter's order, and how many match.
    pub async fn admin_articles(&self, filter: &AdminFilter) -> Result<(Vec<AdminListItem>, i64), StoreError> {
        let items = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(
                "SELECT a.id, a.headline, a.slug, s.slug AS section_slug, s.name AS section_name, a.status, \
                 a.published_at, a.modified_at, a.view_count, a.language, \
                 i.path AS image_path, i.alt AS image_alt, i.variants AS image_variants, \
                 COALESCE((SELECT string_agg(name, ', ') FROM (SELECT au.name FROM article_authors aa \
                 JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id ORDER BY aa.position) byline), '') \
                 AS authors FROM articles a JOIN sections s ON s.id = a.section_id \
                 LEFT JOIN images i ON i.id = a.lead_image_id",
            );
            push_admin_filter(&mut query, filter, self.backend);
            let direction = if filter.sort.descending { " DESC" } else { " ASC" };
            query.push(" ORDER BY ");
            filter.sort.column.push_order(&mut query, direction);
            // Ties (and equal sort keys) in a stable order, so that paging neither repeats nor skips a row.
            query.push(", a.id").push(direction);
            // No limit is the largest one: SQLite has no `LIMIT ALL` and PostgreSQL no negative limit.
            query.push(" LIMIT ").push_bind(if filter.limit > 0 { filter.limit } else { i64::MAX });
            query.push(" OFFSET ").push_bind(filter.offset);
            query.build_query_as::<AdminListItem>().fetch_all(db).await
        })?;
        let total = on!(self.reader.get(), |db| {
            let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM articles a");
            push_admin_filter(&mut count, filter, self.backend);
            count.build_query_scalar::<i64>().fetch_one(db).await
        })?;
        Ok((items, total))
    }

    /// The slugs of article `id`'s authors, in byline order.
    pub(super) async fn byline_slugs(&self, id: i64) -> Result<Vec<String>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_scalar(
                "SELECT au.slug FROM article_authors aa JOIN authors au ON au.id = aa.author_id \
                 WHERE aa.article_id = $1 ORDER BY aa.position",
            ),
            [id]
        )?)
    }

    /// An article in any status, with everything the editor needs.
    pub async fn editable_article(&self, id: i64) -> Result<Option<EditableArticle>, StoreError> {
        let Some(row) = fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as::<_, EditableRow>(
                "SELECT a.id, s.slug AS section, a.slug, a.headline, a.standfirst, b.markdown AS body, a.status, \
                 a.published_at, a.updated_at, a.correction, a.owner_id, a.modified_at, a.language, a.view_count, \
                 a.lead_image_id, a.seo_title, a.seo_description, a.share_image_id, i.path AS image_path, i.width AS image_width, i.height AS image_height, \
                 i.alt AS image_alt, i.caption AS image_caption, i.credit AS image_credit, \
                 i.variants AS image_variants, i.crops AS image_crops FROM articles a \
                 JOIN sections s ON s.id = a.section_id \
                 JOIN article_bodies b ON b.article_id = a.id LEFT JOIN images i ON i.id = a.lead_image_id \
                 WHERE a.id = $1",
            ),
            [id]
        )?
        else {
            return Ok(None);
        };
        let authors = self.byline_slugs(id).await?;
        let tags = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_scalar(
                "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = $1 \
                 ORDER BY at.position, t.name",
            ),
            [id]
        )?;
        let status =
            ArticleStatus::parse(&row.status).ok_or_else(|| StoreError::Corrupt(format!("status {:?}", row.status)))?;
        Ok(Some(EditableArticle {
            id: row.id,
            section: row.section,
            slug: row.slug,
            headline: row.headline,
            standfirst: row.standfirst,
            body: row.body,
            authors,
            tags,
            status,
            published_at: time(row.published_at),
            updated_at: time(row.updated_at),
            correction: row.correction,
            owner: row.owner_id,
            modified_at: row.modified_at,
            lead_image: row.image.into_lead_image(),
            lead_image_id: row.lead_image_id,
            language: row.language,
            view_count: row.view_count,
            seo_title: row.seo_title,
            seo_description: row.seo_description,
            share_image_id: row.share_image_id,
        }))
    }

    /// Creates (`id` is `None`) or updates an article from the back office, in one transaction: checks the
    /// slug is free in its section and that nobody saved since `expected_modified`, keeps the old address as
    /// a redirect when section or slug change, writes body, byline and tags, keeps a revision and records the
    /// change. Returns the id and the new `modified_at`.
    pub async fn save_edited_article(
        &self,
        id: Option<i64>,
        prepared: &PreparedArticle,
        extras: &ArticleExtras<'_>,
    ) -> Result<(i64, i64), StoreError> {
        let article = &prepared.input;
        let now = Utc::now().timestamp();
        let mut tx = self.begin_write().await?;
        let section_id = id_by_slug(&mut tx, "sections", "section", article.section.as_str()).await?;
        let mut author_ids = Vec::with_capacity(article.authors.len());
        for slug in &article.authors {
            author_ids.push(id_by_slug(&mut tx, "authors", "author", slug.as_str()).await?);
        }
        check_slug_free(&mut tx, section_id, article.slug.as_str(), id).await?;
        let (id, modified) = match id {
            Some(id) => {
                let (old_section, old_slug, old_modified): (String, String, i64) = fetch!(
                    tx.conn(),
                    fetch_optional,
                    sqlx::query_as(
                        "SELECT s.slug, a.slug, a.modified_at FROM articles a JOIN sections s ON s.id = a.section_id \
                         WHERE a.id = $1",
                    ),
                    [id]
                )?
                .ok_or_else(|| StoreError::Missing { kind: "article", slug: id.to_string() })?;
                if extras.expected_modified.is_some_and(|expected| expected != old_modified) {
                    return Err(StoreError::Stale);
                }
                if (old_section.as_str(), old_slug.as_str()) != (article.section.as_str(), article.slug.as_str()) {
                    execute!(
                        tx.conn(),
                        "INSERT INTO article_redirects (section_slug, slug, article_id) VALUES ($1, $2, $3) \
                         ON CONFLICT (section_slug, slug) DO UPDATE SET article_id = excluded.article_id",
                        [&old_section, &old_slug, id]
                    )?;
                }
                // Strictly increasing, so two saves within one second still tell apart.
                (id, now.max(old_modified + 1))
            }
            None => {
                // A new row with its owner; the update below writes every field, as for an existing article.
                let id: i64 = fetch!(
                    tx.conn(),
                    fetch_one,
                    sqlx::query_scalar(
                        "INSERT INTO articles (section_id, slug, headline, status, created_at, modified_at, owner_id) \
                         VALUES ($1, $2, '', 'draft', $3, $3, $4) RETURNING id",
                    ),
                    [section_id, article.slug.as_str(), now, extras.user]
                )?;
                (id, now)
            }
        };
        execute!(
            tx.conn(),
            "UPDATE articles SET section_id = $1, slug = $2, headline = $3, standfirst = $4, language = $5, \
             status = $6, published_at = $7, updated_at = $8, correction = $9, modified_at = $10, lead_image_id = $11, \
             seo_title = $12, seo_description = $13, share_image_id = $14 WHERE id = $15",
            [
                section_id,
                article.slug.as_str(),
                &article.headline,
                &article.standfirst,
                &article.language,
                article.status.as_str(),
                article.published_at.map(|t| t.timestamp()),
                article.updated_at.map(|t| t.timestamp()),
                extras.correction,
                modified,
                extras.lead_image,
                &extras.search.title,
                &extras.search.description,
                extras.share_image,
                id
            ]
        )?;
        // The article's own address never redirects elsewhere.
        execute!(
            tx.conn(),
            "DELETE FROM article_redirects WHERE section_slug = $1 AND slug = $2",
            [article.section.as_str(), article.slug.as_str()]
        )?;
        put_article_parts(&mut tx, id, prepared, &author_ids).await?;
        execute!(
            tx.conn(),
            "INSERT INTO article_revisions (article_id, user_id, saved_at, snapshot) VALUES ($1, $2, $3, $4)",
            [id, extras.user, now, extras.snapshot]
        )?;
        // What they had typed is saved now: their autosave is not offered back.
        execute!(tx.conn(), "DELETE FROM autosaves WHERE article_id = $1 AND user_id = $2", [id, extras.user])?;
        record_change(&mut tx, "article", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok((id, modified))
    }

    /// Deletes an article with its body, byline, tags, revisions and old addresses; records the change so
    /// caches and indexes drop it. Returns whether it existed.
    pub async fn delete_article(&self, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let deleted = execute!(tx.conn(), "DELETE FROM articles WHERE id = $1", [id])?;
        if deleted == 0 {
            return Ok(false);
        }
        record_change(&mut tx, "article", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(true)
    }

    /// Publishes every scheduled article whose time has come and returns their ids. Each is claimed with a
    /// conditional update (`WHERE status = 'scheduled'`), so when several nodes run this at once each article
    /// is published, and its change recorded, exactly once.
    pub async fn publish_due(&self, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        let due: Vec<i64> = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_scalar(
                "SELECT id FROM articles WHERE status = 'scheduled' AND published_at <= $1 ORDER BY published_at",
            ),
            [now.timestamp()]
        )?;
        let mut published = Vec::new();
        for id in due {
            let mut tx = self.begin_write().await?;
            let claimed = execute!(
                tx.conn(),
                "UPDATE articles SET status = 'published', \
                 modified_at = CASE WHEN $1 > modified_at THEN $1 ELSE modified_at + 1 END \
                 WHERE id = $2 AND status = 'scheduled' AND published_at <= $1",
                [now.timestamp(), id]
            )?;
            if claimed == 1 {
                record_change(&mut tx, "article", id).await?;
                tx.commit().await?;
                published.push(id);
            }
        }
        if !published.is_empty() {
            self.wrote().await;
        }
        Ok(published)
    }

    /// The saved revisions of an article, newest first.
    pub async fn revisions(&self, article: i64) -> Result<Vec<RevisionInfo>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT r.id, r.saved_at, u.name AS user_name FROM article_revisions r \
                 LEFT JOIN users u ON u.id = r.user_id WHERE r.article_id = $1 ORDER BY r.id DESC",
            ),
            [article]
        )?)
    }

    /// Keeps `autosave` as what `user` has typed in article `id` and not saved, in place of any earlier one.
    /// Not a save: the article, its history and the change log stay as they are.
    pub async fn put_autosave(&self, id: i64, user: i64, autosave: &Autosave) -> Result<(), StoreError> {
        execute!(
            self.writer.get(),
            "INSERT INTO autosaves (article_id, user_id, saved_at, base, draft) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (article_id, user_id) DO UPDATE SET saved_at = excluded.saved_at, base = excluded.base, \
             draft = excluded.draft",
            [id, user, autosave.saved_at, autosave.base, &autosave.draft]
        )?;
        Ok(())
    }

    /// What `user` typed in article `id` and has not saved, if anything.
    pub async fn autosave(&self, id: i64, user: i64) -> Result<Option<Autosave>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as("SELECT saved_at, base, draft FROM autosaves WHERE article_id = $1 AND user_id = $2"),
            [id, user]
        )?)
    }

    /// Forgets what `user` typed in article `id` and did not save.
    pub async fn discard_autosave(&self, id: i64, user: i64) -> Result<(), StoreError> {
        execute!(self.writer.get(), "DELETE FROM autosaves WHERE article_id = $1 AND user_id = $2", [id, user])?;
        Ok(())
    }

    /// One revision: its article and snapshot.
    pub async fn revision(&self, id: i64) -> Result<Option<(i64, String)>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as("SELECT article_id, snapshot FROM article_revisions WHERE id = $1"),
            [id]
        )?)
    }

    /// Where an old address of a public article points now: its current section, slug and language.
    pub async fn redirect_target(
        &self,
        section: &str,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        if !(Slug::fits(section) && Slug::fits(slug)) {
            return Ok(None);
        }
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as(
                "SELECT s.slug, a.slug, a.language FROM article_redirects r JOIN articles a ON a.id = r.article_id \
                 JOIN sections s ON s.id = a.section_id \
                 WHERE r.section_slug = $1 AND r.slug = $2 AND a.status = 'published' AND a.published_at <= $3",
            ),
            [section, slug, now.timestamp()]
        )?)
    }

    /// How many changes were recorded for one entity (tests and diagnostics).
    pub async fn changes_of(&self, entity: &str, id: i64) -> Result<i64, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_one,
            sqlx::query_scalar("SELECT COUNT(*) FROM changes WHERE entity = $1 AND entity_id = $2"),
            [entity, id]
        )?)
    }

    /// Every author profile, by name.
    pub async fn all_authors(&self) -> Result<Vec<Author>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as::<_, (i64, String, String, String, Option<String>)>(
                "SELECT id, slug, name, bio, avatar FROM authors ORDER BY name",
            )
        )?
        .into_iter()
        .map(|(id, slug, name, bio, avatar)| Author { id, slug, name, bio, avatar })
        .collect())
    }

    /// Every tag, by name.
    pub async fn all_tags(&self) -> Result<Vec<Tag>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as::<_, (i64, String, String)>("SELECT id, slug, name FROM tags ORDER BY name")
        )?
        .into_iter()
        .map(|(id, slug, name)| Tag { id, slug, name })
        .collect())
    }

    /// Renames a tag (its address stays).
    pub async fn rename_tag(&self, id: i64, name: &str) -> Result<(), StoreError> {
        if name.trim().is_empty() {
            return Err(StoreError::Invalid("a tag needs a name".into()));
        }
        let mut tx = self.begin_write().await?;
        execute!(tx.conn(), "UPDATE tags SET name = $1 WHERE id = $2", [name.trim(), id])?;
        record_change(&mut tx, "tag", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }

    /// Deletes a tag, taking it off every article (each of which records a change).
    pub async fn delete_tag(&self, id: i64) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let articles: Vec<i64> = fetch!(
            tx.conn(),
            fetch_all,
            sqlx::query_scalar("SELECT article_id FROM article_tags WHERE tag_id = $1"),
            [id]
        )?;
        execute!(tx.conn(), "DELETE FROM article_tags WHERE tag_id = $1", [id])?;
        execute!(tx.conn(), "DELETE FROM tags WHERE id = $1", [id])?;
        for article in articles {
            record_change(&mut tx, "article", article).await?;
        }
        record_change(&mut tx, "tag", id).await?;
        tx.commit().await?;
        self.wrote().await;
        Ok(())
    }

    /// The published articles most read since `since_day` (YYYY-MM-DD, the site's zone), most first: id,
    /// headline, views since then and views in all (the count its page shows).
    pub async fn most_read_since(&self, since_day: &str, limit: i64) -> Result<Vec<MostRead>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT a.id, a.headline, CAST(SUM(d.views) AS BIGINT) AS recent, a.view_count AS total \
                 FROM article_views_daily d JOIN articles a ON a.id = d.article_id \
                 WHERE d.day >= $1 AND a.status = 'published' \
                 GROUP BY a.id, a.headline, a.view_count ORDER BY recent DESC, a.id LIMIT $2",
            ),
            [since_day, limit]
        )?)
    }

    /// Views of all articles by day from `since_day` on.
    pub async fn site_views_by_day(&self, since_day: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT day, CAST(SUM(views) AS BIGINT) FROM article_views_daily WHERE day >= $1 GROUP BY day \
                 ORDER BY day",
            ),
            [since_day]
        )?)
    }

    /// Views by section since `since_day`, most first: the section's name and the views.
    pub async fn section_views_since(&self, since_day: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT s.name, CAST(SUM(d.views) AS BIGINT) AS views FROM article_views_daily d \
                 JOIN articles a ON a.id = d.article_id JOIN sections s ON s.id = a.section_id \
                 WHERE d.day >= $1 GROUP BY s.id, s.name ORDER BY views DESC, s.name",
            ),
            [since_day]
        )?)
    }

    /// Records `views` as article `id`'s views on each day (YYYY-MM-DD), in place of what was recorded for
    /// those days; the article's total stays as it is.
    pub async fn put_daily_views(&self, id: i64, views: &[(String, i64)]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for (day, count) in views {
            put_day_views(&mut tx, id, day, *count).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Daily views of one article from `since_day` on, by day.
    pub async fn views_by_day(&self, article: i64, since_day: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT day, views FROM article_views_daily WHERE article_id = $1 AND day >= $2 ORDER BY day",
            ),
            [article, since_day]
        )?)
    }
}
