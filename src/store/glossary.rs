//! The style guide's glossary, and what `newsroom lint` reads of every article.

use chrono::Utc;

use super::pool::{execute, fetch};
use super::{Store, StoreError};

/// One glossary entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct GlossaryTerm {
    /// Database id.
    pub id: i64,
    /// Language tag, such as `en` or `zh`.
    pub language: String,
    /// The spelling the desk accepts.
    pub accepted: String,
    /// Forms to flag.
    pub avoid: Vec<String>,
    /// Why, or where the spelling comes from.
    pub note: String,
}

/// What the lint reads of an article.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LintArticle {
    /// Database id.
    pub id: i64,
    /// Section slug.
    pub section: String,
    /// Address segment.
    pub slug: String,
    /// Language tag.
    pub language: String,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub standfirst: String,
    /// Body as Markdown.
    pub body: String,
}

type TermRow = (i64, String, String, String, String);

fn term_from((id, language, accepted, avoid, note): TermRow) -> Result<GlossaryTerm, StoreError> {
    let avoid = serde_json::from_str(&avoid).map_err(|e| StoreError::Corrupt(format!("glossary term {id}: {e}")))?;
    Ok(GlossaryTerm { id, language, accepted, avoid, note })
}

impl Store {
    /// The whole glossary, by language and accepted spelling.
    pub async fn glossary(&self) -> Result<Vec<GlossaryTerm>, StoreError> {
        let rows: Vec<TermRow> = fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT id, language, accepted, avoid, note FROM glossary_terms ORDER BY language, lower(accepted)",
            )
        )?;
        rows.into_iter().map(term_from).collect()
    }

    /// Adds a term (`id` none) or changes one; a second term with the same spelling and language is refused.
    pub async fn save_glossary_term(
        &self,
        id: Option<i64>,
        language: &str,
        accepted: &str,
        avoid: &[String],
        note: &str,
    ) -> Result<i64, StoreError> {
        let avoid = serde_json::to_string(avoid).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = Utc::now().timestamp();
        let saved =
            match id {
                None => fetch!(
                    self.writer.get(),
                    fetch_one,
                    sqlx::query_scalar(
                        "INSERT INTO glossary_terms (language, accepted, avoid, note, updated_at) VALUES ($1, $2, \
                         $3, $4, $5)
                 RETURNING id",
                    ),
                    [language, accepted, &avoid, note, now]
                )
                .map(Some),
                Some(id) => {
                    fetch!(self.writer.get(), fetch_optional, sqlx::query_scalar(
                    "UPDATE glossary_terms SET language = $1, accepted = $2, avoid = $3, note = $4, updated_at = $5
                 WHERE id = $6 RETURNING id",
                ), [language, accepted, &avoid, note, now, id])
                }
            };
        match saved {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(StoreError::Missing { kind: "glossary term", slug: id.unwrap_or_default().to_string() }),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "the glossary already has “{accepted}” in {language}; change that entry instead"
            ))),
            Err(other) => Err(other.into()),
        }
    }

    /// Removes a term; returns whether there was one.
    pub async fn delete_glossary_term(&self, id: i64) -> Result<bool, StoreError> {
        let done = execute!(self.writer.get(), "DELETE FROM glossary_terms WHERE id = $1", [id])?;
        Ok(done > 0)
    }

    /// Up to `limit` articles (any status) with ids above `after`, in id order, as the lint reads them.
    pub async fn lint_articles(&self, after: i64, limit: i64) -> Result<Vec<LintArticle>, StoreError> {
        Ok(fetch!(
            self.reader.get(),
            fetch_all,
            sqlx::query_as(
                "SELECT a.id, s.slug AS section, a.slug, a.language, a.headline, a.standfirst,
                    COALESCE(b.markdown, '') AS body
             FROM articles a JOIN sections s ON s.id = a.section_id
             LEFT JOIN article_bodies b ON b.article_id = a.id
             WHERE a.id > $1 ORDER BY a.id LIMIT $2",
            ),
            [after, limit]
        )?)
    }
}
