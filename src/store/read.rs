//! Read queries. Every public read takes `now` and shows only what is published at that moment, so drafts
//! and future articles cannot leak through any list.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, FromRow, QueryBuilder, Type};

use super::pool::{fetch, on};
use super::{Store, StoreError};
use crate::content::{
    Article, ArticleCard, Author, AuthorRef, KeptRecommendations, LeadImage, SearchAndSocial, Section, SectionRef,
    Slug, Tag, TagRef,
};

/// Which articles a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    /// Every published article.
    All,
    /// Articles of one section (by id).
    Section(i64),
    /// Articles by one author (by id).
    Author(i64),
    /// Articles carrying one tag (by id).
    Tag(i64),
    /// Articles published at or after a moment.
    PublishedSince(DateTime<Utc>),
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Newest publication first.
    Newest,
    /// Most views first.
    MostRead,
}

/// A request for a page of article cards.
#[derive(Debug, Clone, Copy)]
pub struct CardQuery<'a> {
    /// Which articles.
    pub filter: ListFilter,
    /// Only articles in this language (an edition's lists); every language when `None`.
    pub language: Option<&'a str>,
    /// An article to leave out (the one being read).
    pub exclude: Option<i64>,
    /// Sort order.
    pub order: Order,
    /// At most this many.
    pub limit: i64,
    /// Skip this many first.
    pub offset: i64,
}

impl<'a> CardQuery<'a> {
    /// The newest `limit` articles matching `filter`, in every language.
    pub fn newest(filter: ListFilter, limit: i64) -> CardQuery<'a> {
        CardQuery { filter, language: None, exclude: None, order: Order::Newest, limit, offset: 0 }
    }

    /// The same request, limited to articles in `language` when there is one.
    pub fn in_language(self, language: Option<&'a str>) -> CardQuery<'a> {
        CardQuery { language, ..self }
    }
}

/// Candidates for related articles taken from each shared tag (the newest ones).
const RELATED_PER_TAG: i64 = 40;
/// Candidates for related articles taken from the article's section (the newest ones).
const RELATED_PER_SECTION: i64 = 20;

/// Columns of a card; shared by every list query so that all lists show the same thing.
const CARD_SELECT: &str = "SELECT a.id, a.slug, a.headline, a.standfirst, a.published_at, a.updated_at, a.view_count, \
                           a.language, \
                           s.slug AS section_slug, s.name AS section_name, \
                           i.path AS image_path, i.width AS image_width, i.height AS image_height, \
                           i.alt AS image_alt, i.caption AS image_caption, i.credit AS image_credit, i.variants AS image_variants, \
                           i.crops AS image_crops, \
                           (SELECT string_agg(CAST(aa.position AS TEXT) || '\u{1f}' || au.slug || '\u{1f}' || au.name, '\u{1e}') \
                           FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id) AS byline ";
/// Fields and rows of `string_agg` columns (byline, tags): the ASCII unit and record separators. Slugs never
/// contain them; a name holding an invisible U+001E would show cut short, nothing worse (the name is still
/// escaped wherever it is shown). `string_agg` exists in PostgreSQL and SQLite (3.44 on). The rows are put in
/// order here, not with `ORDER BY` inside the aggregate, which cost SQLite a temporary b-tree for every row.
const FIELD_SEPARATOR: char = '\u{1f}';
const ROW_SEPARATOR: char = '\u{1e}';

/// The rows of an aggregated column, each split in its fields.
fn aggregated_rows(text: Option<&str>) -> impl Iterator<Item = std::str::Split<'_, char>> {
    text.unwrap_or_default().split(ROW_SEPARATOR).filter(|row| !row.is_empty()).map(|row| row.split(FIELD_SEPARATOR))
}

/// Reads a byline aggregated as the card query aggregates it (`position, slug, name`), in byline order.
fn aggregated_byline(text: Option<&str>) -> Vec<AuthorRef> {
    let mut byline: Vec<(i64, AuthorRef)> = aggregated_rows(text)
        .filter_map(|mut fields| {
            let position = fields.next()?.parse().ok()?;
            let slug = fields.next()?.to_owned();
            Some((position, AuthorRef { slug, name: fields.next()?.to_owned() }))
        })
        .collect();
    byline.sort_by_key(|(position, _)| *position);
    byline.into_iter().map(|(_, author)| author).collect()
}

/// Reads tags aggregated as the article query aggregates them (`slug, name`), in name order.
fn aggregated_tags(text: Option<&str>) -> Vec<TagRef> {
    aggregated_rows(text)
        .filter_map(|mut fields| {
            let slug = fields.next()?.to_owned();
            Some(TagRef { slug, name: fields.next()?.to_owned() })
        })
        .collect()
}
/// The tables a card's columns come from, joined to `a` (articles).
const CARD_JOINS: &str = "JOIN sections s ON s.id = a.section_id LEFT JOIN images i ON i.id = a.lead_image_id ";

/// `SELECT` of card columns from every article (to be filtered).
fn card_query<'a, DB: Database>() -> QueryBuilder<'a, DB> {
    let mut query = QueryBuilder::new(CARD_SELECT);
    query.push("FROM articles a ").push(CARD_JOINS);
    query
}

#[derive(FromRow)]
struct CardRow {
    id: i64,
    slug: String,
    headline: String,
    standfirst: String,
    published_at: Option<i64>,
    updated_at: Option<i64>,
    view_count: i64,
    language: String,
    section_slug: String,
    section_name: String,
    #[sqlx(flatten)]
    image: ImageColumns,
    /// The authors, aggregated (see [`aggregated_pairs`]).
    byline: Option<String>,
}

/// A lead image's columns as the card and editor queries select them (`i.path AS image_path`, …), from a
/// `LEFT JOIN images i`.
#[derive(FromRow)]
pub(super) struct ImageColumns {
    image_path: Option<String>,
    image_width: Option<i64>,
    image_height: Option<i64>,
    image_alt: Option<String>,
    image_caption: Option<String>,
    image_credit: Option<String>,
    image_variants: Option<String>,
    image_crops: Option<String>,
}

impl ImageColumns {
    /// The image, when the article has one.
    pub(super) fn into_lead_image(self) -> Option<LeadImage> {
        let dimension = |value: Option<i64>| value.and_then(|v| u32::try_from(v).ok()).unwrap_or(0);
        self.image_path.map(|path| LeadImage {
            path,
            width: dimension(self.image_width),
            height: dimension(self.image_height),
            alt: self.image_alt.unwrap_or_default(),
            caption: self.image_caption.unwrap_or_default(),
            credit: self.image_credit.unwrap_or_default(),
            variants: variants(self.image_variants.as_deref()),
            crops: self.image_crops.and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default(),
        })
    }
}

/// The share image's columns as the article query selects them (`si.path AS share_path`, …), from a
/// `LEFT JOIN images si`.
#[derive(FromRow)]
struct ShareImageColumns {
    share_path: Option<String>,
    share_width: Option<i64>,
    share_height: Option<i64>,
    share_alt: Option<String>,
    share_variants: Option<String>,
    share_crops: Option<String>,
}

impl ShareImageColumns {
    /// The image, when the article has one: read as a lead image is (it has no caption or credit to show).
    fn into_image(self) -> Option<LeadImage> {
        ImageColumns {
            image_path: self.share_path,
            image_width: self.share_width,
            image_height: self.share_height,
            image_alt: self.share_alt,
            image_caption: None,
            image_credit: None,
            image_variants: self.share_variants,
            image_crops: self.share_crops,
        }
        .into_lead_image()
    }
}

/// A card row with what the article page adds.
#[derive(FromRow)]
struct ArticleRow {
    #[sqlx(flatten)]
    card: CardRow,
    body_html: String,
    body_markdown: String,
    tag_list: Option<String>,
    correction: String,
    translation_group: Option<i64>,
    recommended_language: Option<String>,
    recommended_ids: Option<String>,
    recommended_at: Option<i64>,
    seo_title: String,
    seo_description: String,
    #[sqlx(flatten)]
    share: ShareImageColumns,
}

impl ArticleRow {
    fn into_article(self) -> Result<Article, StoreError> {
        let tags = aggregated_tags(self.tag_list.as_deref());
        let recommended = match (self.recommended_language, self.recommended_ids, self.recommended_at) {
            (Some(language), Some(ids), Some(computed_at)) => {
                Some(KeptRecommendations { language, ids: KeptRecommendations::parse_ids(&ids), computed_at })
            }
            _ => None,
        };
        let language = self.card.language.clone();
        Ok(Article {
            card: self.card.into_card()?,
            body_html: self.body_html,
            body_markdown: self.body_markdown,
            tags,
            language,
            correction: self.correction,
            translation_group: self.translation_group,
            recommended,
            search: SearchAndSocial { title: self.seo_title, description: self.seo_description },
            share_image: self.share.into_image(),
        })
    }
}

/// What the article query selects after the card's columns, in order.
const ARTICLE_COLUMNS: &str = ", b.html AS body_html, b.markdown AS body_markdown, a.correction, a.translation_group, \
                               (SELECT string_agg(t.slug || '\u{1f}' || t.name, '\u{1e}' ORDER BY at.position, t.name) \
                               FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id) AS tag_list, \
                               r.language AS recommended_language, r.ids AS recommended_ids, r.computed_at AS recommended_at, \
                               a.seo_title, a.seo_description, si.path AS share_path, si.width AS share_width, \
                               si.height AS share_height, si.alt AS share_alt, si.variants AS share_variants, \
                               si.crops AS share_crops ";

/// `SELECT` of an article's columns from every article (to be filtered).
fn article_query<'a, DB: Database>() -> QueryBuilder<'a, DB> {
    let mut query = QueryBuilder::new(CARD_SELECT);
    query.push(ARTICLE_COLUMNS).push("FROM articles a ").push(CARD_JOINS);
    query.push(
        "JOIN article_bodies b ON b.article_id = a.id LEFT JOIN article_recommendations r ON r.article_id = a.id \
         LEFT JOIN images si ON si.id = a.share_image_id ",
    );
    query
}

#[derive(FromRow)]
struct BylineRow {
    article_id: i64,
    slug: String,
    name: String,
}

fn timestamp(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| StoreError::Corrupt(format!("time {seconds}")))
}

/// The resized copies recorded with an image (JSON); none when absent or unreadable.
pub(super) fn variants(json: Option<&str>) -> Vec<crate::content::ImageVariant> {
    json.and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default()
}

impl CardRow {
    fn into_card(self) -> Result<ArticleCard, StoreError> {
        let published = self
            .published_at
            .ok_or_else(|| StoreError::Corrupt(format!("article {} has no publication time", self.id)))?;
        Ok(ArticleCard {
            id: self.id,
            slug: self.slug,
            section: SectionRef { slug: self.section_slug, name: self.section_name },
            headline: self.headline,
            standfirst: self.standfirst,
            published_at: timestamp(published)?,
            updated_at: self.updated_at.map(timestamp).transpose()?,
            view_count: self.view_count,
            image: self.image.into_lead_image(),
            authors: aggregated_byline(self.byline.as_deref()),
            language: self.language,
        })
    }
}

/// Turns rows into cards.
fn into_cards(rows: Vec<CardRow>) -> Result<Vec<ArticleCard>, StoreError> {
    rows.into_iter().map(CardRow::into_card).collect()
}

/// Appends `id, id, …)` to a query that ends in `IN (`.
pub(super) fn push_ids<'a, DB: Database>(query: &mut QueryBuilder<'a, DB>, ids: &[i64])
where
    i64: Encode<'a, DB> + Type<DB>,
{
    let mut list = query.separated(", ");
    for &id in ids {
        list.push_bind(id);
    }
    list.push_unseparated(")");
}

/// Body and tags of an article, for feeds.
#[derive(Debug, Default, Clone)]
pub struct FeedDetails {
    /// Sanitised HTML of the body.
    pub body_html: String,
    /// Tags in name order.
    pub tags: Vec<TagRef>,
}

/// One public edition of an article: its language and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditionRef {
    /// Article id.
    pub id: i64,
    /// Language code.
    pub language: String,
    /// Section slug.
    pub section: String,
    /// Article slug.
    pub slug: String,
}

/// What a sitemap lists for one article.
#[derive(Debug, Clone)]
pub struct SitemapEntry {
    /// Section slug.
    pub section: String,
    /// Article slug.
    pub slug: String,
    /// Headline (for news sitemaps).
    pub headline: String,
    /// Last visible change (update, else publication).
    pub modified: DateTime<Utc>,
    /// Publication time.
    pub published: DateTime<Utc>,
    /// Language of the article.
    pub language: String,
    /// Lead image path, if any.
    pub image: Option<String>,
    /// Its translation group, when it has editions in other languages.
    pub translation_group: Option<i64>,
}

const SITEMAP_SELECT: &str = "SELECT s.slug AS section, a.slug, a.headline, \
                              COALESCE(a.updated_at, a.published_at) AS modified, a.published_at AS published, a.language, \
                              i.path AS image, a.translation_group FROM articles a JOIN sections s ON s.id = a.section_id \
                              LEFT JOIN images i ON i.id = a.lead_image_id ";

#[derive(FromRow)]
struct SitemapRow {
    section: String,
    slug: String,
    headline: String,
    modified: Option<i64>,
    published: Option<i64>,
    language: String,
    image: Option<String>,
    translation_group: Option<i64>,
}

/// Turns sitemap rows into entries.
fn sitemap_entries(rows: Vec<SitemapRow>) -> Result<Vec<SitemapEntry>, StoreError> {
    rows.into_iter()
        .map(|row| {
            Ok(SitemapEntry {
                section: row.section,
                slug: row.slug,
                headline: row.headline,
                modified: timestamp(row.modified.unwrap_or_default())?,
                published: timestamp(row.published.unwrap_or_default())?,
                language: row.language,
                image: row.image,
                translation_group: row.translation_group,
            })
        })
        .collect()
}

/// Which kind of listing page [`Store::listed_slugs`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListedKind {
    /// Author pages.
    Author,
    /// Tag pages.
    Tag,
}

/// Appends the condition that makes an article public at `now`.
pub(super) fn push_visible<'a, DB: Database>(query: &mut QueryBuilder<'a, DB>, now: DateTime<Utc>)
where
    i64: Encode<'a, DB> + Type<DB>,
{
    query.push("WHERE a.status = 'published' AND a.published_at <= ");
    query.push_bind(now.timestamp());
}

/// Appends the condition that keeps one language's articles, when there is one.
fn push_language<'a, DB: Database>(query: &mut QueryBuilder<'a, DB>, language: Option<&'a str>)
where
    &'a str: Encode<'a, DB> + Type<DB>,
{
    if let Some(language) = language {
        query.push(" AND a.language = ").push_bind(language);
    }
}

fn push_filter<'a, DB: Database>(query: &mut QueryBuilder<'a, DB>, filter: ListFilter)
where
    i64: Encode<'a, DB> + Type<DB>,
{
    match filter {
        ListFilter::All => {}
        ListFilter::Section(id) => {
            query.push(" AND a.section_id = ").push_bind(id);
        }
        ListFilter::Author(id) => {
            query
                .push(" AND a.id IN (SELECT article_id FROM article_authors WHERE author_id = ")
                .push_bind(id)
                .push(")");
        }
        ListFilter::Tag(id) => {
            query.push(" AND a.id IN (SELECT article_id FROM article_tags WHERE tag_id = ").push_bind(id).push(")");
        }
        ListFilter::PublishedSince(since) => {
            query.push(" AND a.published_at >= ").push_bind(since.timestamp());
        }
    }
}

impl Store {
    /// Sections in navigation order.
    pub async fn sections(&self) -> Result<Vec<Section>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as::<_, (i64, String, String, String)>(
                "SELECT id, slug, name, description FROM sections ORDER BY position, name",
            )
        )?
        .into_iter()
        .map(|(id, slug, name, description)| Section { id, slug, name, description })
        .collect())
    }

    /// One section by slug.
    pub async fn section(&self, slug: &str) -> Result<Option<Section>, StoreError> {
        // Every stored slug has a slug's shape: anything else (a NUL, which PostgreSQL refuses) names nothing.
        if !Slug::fits(slug) {
            return Ok(None);
        }
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as::<_, (i64, String, String, String)>(
                "SELECT id, slug, name, description FROM sections WHERE slug = $1",
            ),
            [slug]
        )?
        .map(|(id, slug, name, description)| Section { id, slug, name, description }))
    }

    /// One author by slug.
    pub async fn author(&self, slug: &str) -> Result<Option<Author>, StoreError> {
        if !Slug::fits(slug) {
            return Ok(None);
        }
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as::<_, (i64, String, String, String, Option<String>)>(
                "SELECT id, slug, name, bio, avatar FROM authors WHERE slug = $1",
            ),
            [slug]
        )?
        .map(|(id, slug, name, bio, avatar)| Author { id, slug, name, bio, avatar }))
    }

    /// One tag by slug.
    pub async fn tag(&self, slug: &str) -> Result<Option<Tag>, StoreError> {
        if !Slug::fits(slug) {
            return Ok(None);
        }
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_as::<_, (i64, String, String)>("SELECT id, slug, name FROM tags WHERE slug = $1"),
            [slug]
        )?
        .map(|(id, slug, name)| Tag { id, slug, name }))
    }

    /// A site setting, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_optional,
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1"),
            [key]
        )?)
    }

    /// Every setting whose key starts with `prefix`, as (key, value) pairs.
    pub async fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
        // A comparison of the key's start rather than LIKE, whose wildcards a prefix could contain. (The
        // settings are few: no index is needed.)
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as("SELECT key, value FROM settings WHERE substr(key, 1, length($1)) = $1"),
            [prefix]
        )?)
    }

    /// Views of one article on one day (`YYYY-MM-DD` in the site's time zone).
    pub async fn daily_views(&self, article: i64, day: chrono::NaiveDate) -> Result<i64, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_one,
            sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM article_views_daily \
                 WHERE article_id = $1 AND day = $2",
            ),
            [article, day.format("%Y-%m-%d").to_string()]
        )?)
    }

    /// Whether article `id` is public at `now` (for view beacons).
    pub async fn is_public(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM articles a ");
            push_visible(&mut query, now);
            query.push(" AND a.id = ").push_bind(id);
            query.build_query_scalar::<i64>().fetch_one(db).await
        })? > 0)
    }

    /// How many articles exist in any status; zero means a fresh site.
    pub async fn article_count(&self) -> Result<i64, StoreError> {
        Ok(fetch!(self.reader.get(), fetch_one, sqlx::query_scalar("SELECT COUNT(*) FROM articles"))?)
    }

    /// A page of public article cards.
    pub async fn cards(&self, request: &CardQuery<'_>, now: DateTime<Utc>) -> Result<Vec<ArticleCard>, StoreError> {
        let rows = on!(self.reader.get(), |db| {
            let mut query = card_query::<DB>();
            push_visible(&mut query, now);
            push_filter(&mut query, request.filter);
            push_language(&mut query, request.language);
            if let Some(id) = request.exclude {
                query.push(" AND a.id <> ").push_bind(id);
            }
            query.push(match request.order {
                Order::Newest => " ORDER BY a.published_at DESC, a.id DESC",
                Order::MostRead => " ORDER BY a.view_count DESC, a.published_at DESC",
            });
            query.push(" LIMIT ").push_bind(request.limit);
            query.push(" OFFSET ").push_bind(request.offset);
            query.build_query_as().fetch_all(db).await
        })?;
        into_cards(rows)
    }

    /// How many public articles a list holds (in `language`, or in all), for pagination.
    pub async fn count(
        &self,
        filter: ListFilter,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM articles a ");
            push_visible(&mut query, now);
            push_filter(&mut query, filter);
            push_language(&mut query, language);
            query.build_query_scalar().fetch_one(db).await
        })?)
    }

    /// The public article at `/{section}/{slug}`, if there is one.
    pub async fn article(&self, section: &str, slug: &str, now: DateTime<Utc>) -> Result<Option<Article>, StoreError> {
        if !(Slug::fits(section) && Slug::fits(slug)) {
            return Ok(None);
        }
        // One statement for the whole article: each statement costs a round trip to the database (on
        // PostgreSQL, over the network), a good part of what a page render costs.
        let row = on!(self.reader.get(), |db| {
            let mut query = article_query::<DB>();
            push_visible(&mut query, now);
            query.push(" AND s.slug = ").push_bind(section);
            query.push(" AND a.slug = ").push_bind(slug);
            query.build_query_as::<ArticleRow>().fetch_optional(db).await
        })?;
        row.map(ArticleRow::into_article).transpose()
    }

    /// Article `id` as last saved, whatever its status and publication time, for previews: an article without a
    /// publication time shows `now`.
    pub async fn article_draft(&self, id: i64, now: DateTime<Utc>) -> Result<Option<Article>, StoreError> {
        let row = on!(self.reader.get(), |db| {
            let mut query = article_query::<DB>();
            query.push("WHERE a.id = ").push_bind(id);
            query.build_query_as::<ArticleRow>().fetch_optional(db).await
        })?;
        row.map(|mut row| {
            row.card.published_at.get_or_insert(now.timestamp());
            row.into_article()
        })
        .transpose()
    }

    /// Up to `limit` public articles (in `language`, when given) related to `article`: most shared tags first,
    /// then the same section, then the newest. Never the article itself.
    ///
    /// The work is bounded whatever the size of the site: candidates are the newest [`RELATED_PER_TAG`]
    /// articles of each of its tags and the newest [`RELATED_PER_SECTION`] of its section, so a tag on
    /// 50,000 articles costs no more than a rare one.
    pub async fn related(
        &self,
        article: &Article,
        language: Option<&str>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ArticleCard>, StoreError> {
        let id = article.card.id;
        let tag_ids: Vec<i64> = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_scalar("SELECT tag_id FROM article_tags WHERE article_id = $1"),
            [id]
        )?;
        // The candidates (at most a thousand rows) drive the join: CROSS JOIN keeps SQLite from scanning all
        // articles and probing the candidates instead.
        let rows = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(CARD_SELECT);
            query.push("FROM (SELECT id, SUM(shared) AS shared FROM (");
            for (index, tag) in tag_ids.into_iter().enumerate() {
                query.push("SELECT * FROM (SELECT article_id AS id, 1 AS shared FROM article_tags WHERE tag_id = ");
                query.push_bind(tag);
                query.push(" ORDER BY article_id DESC LIMIT ").push_bind(RELATED_PER_TAG);
                // PostgreSQL wants every subquery in FROM named.
                query.push(format!(") t{index} UNION ALL "));
            }
            query.push("SELECT * FROM (SELECT a2.id, 0 AS shared FROM articles a2 WHERE a2.section_id = ");
            query.push("(SELECT id FROM sections WHERE slug = ").push_bind(article.card.section.slug.as_str());
            query.push(") AND a2.status = 'published' AND a2.published_at <= ").push_bind(now.timestamp());
            if let Some(language) = language {
                query.push(" AND a2.language = ").push_bind(language);
            }
            query.push(" ORDER BY a2.published_at DESC LIMIT ").push_bind(RELATED_PER_SECTION);
            query.push(") s0) c GROUP BY id) r CROSS JOIN articles a ").push(CARD_JOINS);
            push_visible(&mut query, now);
            query.push(" AND a.id = r.id");
            query.push(" AND a.id <> ").push_bind(id);
            push_language(&mut query, language);
            query.push(" ORDER BY r.shared DESC, (s.slug = ").push_bind(article.card.section.slug.as_str());
            query.push(") DESC, a.published_at DESC LIMIT ").push_bind(limit);
            query.build_query_as().fetch_all(db).await
        })?;
        into_cards(rows)
    }

    /// The public editions of each of the translation `groups`, in the order they were written.
    pub async fn editions_in_groups(
        &self,
        groups: &[i64],
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, Vec<EditionRef>>, StoreError> {
        let mut editions: HashMap<i64, Vec<EditionRef>> = HashMap::new();
        if groups.is_empty() {
            return Ok(editions);
        }
        let rows: Vec<(i64, i64, String, String, String)> = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(
                "SELECT a.translation_group, a.id, a.language, s.slug, a.slug FROM articles a \
                 JOIN sections s ON s.id = a.section_id ",
            );
            push_visible(&mut query, now);
            query.push(" AND a.translation_group IN (");
            push_ids(&mut query, groups);
            query.push(" ORDER BY a.id");
            query.build_query_as().fetch_all(db).await
        })?;
        for (group, id, language, section, slug) in rows {
            editions.entry(group).or_default().push(EditionRef { id, language, section, slug });
        }
        Ok(editions)
    }

    /// Body HTML and tags of several articles (for feeds), in two queries.
    pub async fn feed_details(&self, ids: &[i64]) -> Result<HashMap<i64, FeedDetails>, StoreError> {
        let mut details: HashMap<i64, FeedDetails> = HashMap::with_capacity(ids.len());
        if ids.is_empty() {
            return Ok(details);
        }
        let bodies = on!(self.reader.get(), |db| {
            let mut bodies =
                QueryBuilder::<DB>::new("SELECT article_id, html FROM article_bodies WHERE article_id IN (");
            push_ids(&mut bodies, ids);
            bodies.build_query_as::<(i64, String)>().fetch_all(db).await
        })?;
        for (id, html) in bodies {
            details.entry(id).or_default().body_html = html;
        }
        let tag_rows = on!(self.reader.get(), |db| {
            let mut tags = QueryBuilder::<DB>::new(
                "SELECT at.article_id, t.slug, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id \
                 WHERE at.article_id IN (",
            );
            push_ids(&mut tags, ids);
            tags.push(" ORDER BY at.position, t.name");
            tags.build_query_as::<(i64, String, String)>().fetch_all(db).await
        })?;
        for (id, slug, name) in tag_rows {
            details.entry(id).or_default().tags.push(TagRef { slug, name });
        }
        Ok(details)
    }

    /// Public articles in id order (new ones come last, so earlier sitemap pages stay stable), `limit` from
    /// `offset`, with what a sitemap needs.
    pub async fn sitemap_entries(
        &self,
        language: Option<&str>,
        now: DateTime<Utc>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<SitemapEntry>, StoreError> {
        let rows = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(SITEMAP_SELECT);
            // Expressions (`|| ''`, `+ 0`) keep SQLite from using the status and language indexes here: walking
            // the table in id order is one sequential pass, where an index would mean a random read per row and a
            // sort of them all.
            query.push("WHERE a.status || '' = 'published' AND a.published_at + 0 <= ").push_bind(now.timestamp());
            if let Some(language) = language {
                query.push(" AND a.language || '' = ").push_bind(language);
            }
            query.push(" ORDER BY a.id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
            query.build_query_as().fetch_all(db).await
        })?;
        sitemap_entries(rows)
    }

    /// Public articles published at or after `since`, newest first (for the news sitemap).
    pub async fn recent_sitemap_entries(
        &self,
        language: Option<&str>,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<SitemapEntry>, StoreError> {
        let rows = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(SITEMAP_SELECT);
            push_visible(&mut query, now);
            push_filter(&mut query, ListFilter::PublishedSince(since));
            push_language(&mut query, language);
            query.push(" ORDER BY a.published_at DESC LIMIT ").push_bind(limit);
            query.build_query_as().fetch_all(db).await
        })?;
        sitemap_entries(rows)
    }

    /// The newest modification among public articles, for feeds' and sitemaps' own dates.
    pub async fn last_modified(&self, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, StoreError> {
        let published: Option<i64> = on!(self.reader.get(), |db| {
            let mut published = QueryBuilder::<DB>::new("SELECT MAX(a.published_at) FROM articles a ");
            push_visible(&mut published, now);
            published.build_query_scalar().fetch_one(db).await
        })?;
        // Few articles have an update time: the partial index on it finds the newest without a scan, once
        // expressions keep the planner off the status index.
        let updated: Option<i64> = fetch!(
            self.reader.get(),
            fetch_one,
            sqlx::query_scalar(
                "SELECT MAX(a.updated_at) FROM articles a WHERE a.updated_at IS NOT NULL \
                 AND a.status || '' = 'published' AND a.published_at + 0 <= $1",
            ),
            [now.timestamp()]
        )?;
        published.max(updated).map(timestamp).transpose()
    }

    /// Slugs of authors (`kind` = "author") or tags ("tag") with at least one public article (in `language`,
    /// when given).
    pub async fn listed_slugs(
        &self,
        kind: ListedKind,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        let (table, link, column) = match kind {
            ListedKind::Author => ("authors", "article_authors", "author_id"),
            ListedKind::Tag => ("tags", "article_tags", "tag_id"),
        };
        // Table and column names are our own constants above, never input.
        Ok(on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(format!(
                "SELECT x.slug FROM {table} x \
                 WHERE EXISTS (SELECT 1 FROM {link} l JOIN articles a ON a.id = l.article_id "
            ));
            push_visible(&mut query, now);
            push_language(&mut query, language);
            query.push(format!(" AND l.{column} = x.id) ORDER BY x.slug"));
            query.build_query_scalar().fetch_all(db).await
        })?)
    }

    /// Slugs of sections with at least one public article (in `language`, when given), in navigation order.
    pub async fn sections_with_articles(
        &self,
        language: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        Ok(on!(self.reader.get(), |db| {
            let mut query =
                QueryBuilder::<DB>::new("SELECT x.slug FROM sections x WHERE EXISTS (SELECT 1 FROM articles a ");
            push_visible(&mut query, now);
            push_language(&mut query, language);
            query.push(" AND a.section_id = x.id) ORDER BY x.position, x.name");
            query.build_query_scalar().fetch_all(db).await
        })?)
    }

    /// Public articles among `ids` as cards, in the order of `ids` (search results, recommendations).
    pub async fn cards_by_ids(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Vec<ArticleCard>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = on!(self.reader.get(), |db| {
            let mut query = card_query::<DB>();
            query.push("WHERE a.id IN (");
            push_ids(&mut query, ids);
            // The same rule as `push_visible`, written so that no index serves it: otherwise SQLite walks every
            // published article by the status index instead of looking the few ids up by key (10 ms against
            // 0.1 ms on 100,000 articles). `|| ''` and `+ 0` mean the same in PostgreSQL.
            query.push(" AND a.status || '' = 'published' AND a.published_at + 0 <= ").push_bind(now.timestamp());
            query.build_query_as().fetch_all(db).await
        })?;
        let mut cards: HashMap<i64, ArticleCard> = into_cards(rows)?.into_iter().map(|card| (card.id, card)).collect();
        Ok(ids.iter().filter_map(|id| cards.remove(id)).collect())
    }

    /// The authors of each of `ids`, in byline order, with one query.
    pub(super) async fn bylines(&self, ids: &[i64]) -> Result<HashMap<i64, Vec<AuthorRef>>, StoreError> {
        let rows = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(
                "SELECT aa.article_id, au.slug, au.name FROM article_authors aa \
                 JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN (",
            );
            push_ids(&mut query, ids);
            query.push(" ORDER BY aa.article_id, aa.position");
            query.build_query_as::<BylineRow>().fetch_all(db).await
        })?;
        let mut bylines: HashMap<i64, Vec<AuthorRef>> = HashMap::new();
        for line in rows {
            bylines.entry(line.article_id).or_default().push(AuthorRef { slug: line.slug, name: line.name });
        }
        Ok(bylines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_bylines_come_back_in_byline_order_and_tags_as_the_query_orders_them() {
        let byline = "2\u{1f}bo\u{1f}Bo Lind\u{1e}0\u{1f}ann\u{1f}Ann Ek\u{1e}1\u{1f}cy\u{1f}Cy Berg";
        let slugs: Vec<String> = aggregated_byline(Some(byline)).into_iter().map(|a| a.slug).collect();
        assert_eq!(slugs, ["ann", "cy", "bo"]);
        let tags = "z\u{1f}Zinc\u{1e}a\u{1f}Tin\u{1e}m\u{1f}Copper";
        let names: Vec<String> = aggregated_tags(Some(tags)).into_iter().map(|t| t.name).collect();
        // The query orders them (by position, then name): they stay so.
        assert_eq!(names, ["Zinc", "Tin", "Copper"]);
        assert!(aggregated_byline(None).is_empty() && aggregated_tags(Some("")).is_empty());
    }
}
