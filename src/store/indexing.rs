//! What search indexes read: the change sequence and the searchable text of articles.

use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder};

use super::pool::{fetch, on};
use super::read::push_ids;
use super::{Store, StoreError};
use crate::content::AuthorRef;

/// An article's searchable text and filters.
#[derive(Debug, Clone)]
pub struct IndexedArticle {
    /// Article id.
    pub id: i64,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub standfirst: String,
    /// Body as written (Markdown).
    pub body_markdown: String,
    /// Tag names.
    pub tags: Vec<String>,
    /// Authors in byline order.
    pub authors: Vec<AuthorRef>,
    /// Section slug.
    pub section: String,
    /// Language code.
    pub language: String,
    /// Publication time, Unix seconds.
    pub published_at: i64,
}

#[derive(FromRow)]
struct IndexedRow {
    id: i64,
    headline: String,
    standfirst: String,
    markdown: String,
    section: String,
    language: String,
    published_at: i64,
}

impl Store {
    /// The newest change's sequence number (0 before the first change).
    pub async fn change_seq(&self) -> Result<i64, StoreError> {
        Ok(fetch!(self.reader.get(), fetch_one, sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM changes"))?
            .unwrap_or(0))
    }

    /// Articles whose searchable text may differ after the changes numbered `after + 1 ..= upto`: those
    /// changed themselves, and those of changed authors and tags (whose names are indexed). Other kinds of
    /// change (sections, images, settings) touch nothing the index holds.
    pub async fn changed_articles(&self, after: i64, upto: i64) -> Result<Vec<i64>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_scalar(
                "SELECT entity_id FROM changes WHERE entity = 'article' AND seq > $1 AND seq <= $2 \
                 UNION SELECT aa.article_id FROM changes c JOIN article_authors aa ON aa.author_id = c.entity_id \
                 WHERE c.entity = 'author' AND c.seq > $1 AND c.seq <= $2 \
                 UNION SELECT at.article_id FROM changes c JOIN article_tags at ON at.tag_id = c.entity_id \
                 WHERE c.entity = 'tag' AND c.seq > $1 AND c.seq <= $2 ORDER BY 1",
            ),
            [after, upto]
        )?)
    }

    /// The Markdown bodies of `ids` (search snippets quote them).
    pub async fn bodies(&self, ids: &[i64]) -> Result<HashMap<i64, String>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, String)> = on!(self.reader.get(), |db| {
            let mut query =
                QueryBuilder::<DB>::new("SELECT article_id, markdown FROM article_bodies WHERE article_id IN (");
            push_ids(&mut query, ids);
            query.build_query_as::<(i64, String)>().fetch_all(db).await
        })?;
        Ok(rows.into_iter().collect())
    }

    /// Ids of the newest published articles whose body contains every word of `text` as a substring: the
    /// `LIKE '%word%'` scan that sites without a search engine use. Only the search benchmark calls it, as
    /// the baseline search is measured against.
    pub async fn like_search(&self, text: &str, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(
                "SELECT a.id FROM articles a JOIN article_bodies b ON b.article_id = a.id WHERE a.status = 'published'",
            );
            for word in text.split_whitespace() {
                query.push(" AND b.markdown LIKE ").push_bind(format!("%{word}%"));
            }
            query.push(" ORDER BY a.published_at DESC LIMIT ").push_bind(limit);
            query.build_query_scalar().fetch_all(db).await
        })?)
    }

    /// Up to `limit` ids of published articles (including those timed for later) above `after`, ascending.
    pub async fn published_ids_after(&self, after: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_scalar("SELECT id FROM articles WHERE status = 'published' AND id > $1 ORDER BY id LIMIT $2"),
            [after, limit]
        )?)
    }

    /// The searchable text of those of `ids` that are published (including those timed for later: search
    /// filters by time, so they appear when their time comes without another change).
    pub async fn indexed_articles(&self, ids: &[i64]) -> Result<Vec<IndexedArticle>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<IndexedRow> = on!(self.reader.get(), |db| {
            let mut query = QueryBuilder::<DB>::new(
                "SELECT a.id, a.headline, a.standfirst, b.markdown, s.slug AS section, a.language, a.published_at \
                 FROM articles a JOIN article_bodies b ON b.article_id = a.id JOIN sections s ON s.id = a.section_id \
                 WHERE a.status = 'published' AND a.published_at IS NOT NULL AND a.id IN (",
            );
            push_ids(&mut query, ids);
            query.build_query_as().fetch_all(db).await
        })?;
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        let tag_rows = on!(self.reader.get(), |db| {
            let mut tag_query = QueryBuilder::<DB>::new(
                "SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id \
                 WHERE at.article_id IN (",
            );
            push_ids(&mut tag_query, ids);
            tag_query.build_query_as::<(i64, String)>().fetch_all(db).await
        })?;
        for (id, name) in tag_rows {
            tags.entry(id).or_default().push(name);
        }
        let mut authors = self.bylines(ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| IndexedArticle {
                id: row.id,
                tags: tags.remove(&row.id).unwrap_or_default(),
                authors: authors.remove(&row.id).unwrap_or_default(),
                headline: row.headline,
                standfirst: row.standfirst,
                body_markdown: row.markdown,
                section: row.section,
                language: row.language,
                published_at: row.published_at,
            })
            .collect())
    }
}
