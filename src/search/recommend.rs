//! Recommend: articles like the one being read, by the words that make it distinctive (more-like-this over
//! headline, standfirst, body and tags), blended with freshness, without the article itself or near-copies.

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{TantivyDocument, Term};

use super::sync::id_u64;
use super::{SearchError, SearchIndex};

/// Candidates ranked before freshness and duplicates are considered.
const CANDIDATES: usize = 20;
/// Most distinctive terms the query uses.
const QUERY_TERMS: usize = 30;
/// After this many days an article's freshness bonus has halved.
const FRESHNESS_HALF_LIFE_DAYS: f64 = 30.0;
/// How much freshness can add to relevance (0.25 = a brand-new article scores up to 25% more).
const FRESHNESS_WEIGHT: f64 = 0.25;
/// Headlines sharing this share of their words are the same story told twice ("rates rise to 5%" and "rates
/// rise to 5.25%"), while a numbered series ("report 1", "report 2") stays apart.
const NEAR_DUPLICATE: f64 = 0.8;
/// Recommendations remembered between index changes.
const MEMO_ENTRIES: u64 = 20_000;

/// The article recommendations are made for.
#[derive(Debug, Clone)]
pub struct RecommendSource {
    /// Its id (never recommended to itself).
    pub id: i64,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub standfirst: String,
    /// Body as plain text.
    pub body: String,
    /// Tag names.
    pub tags: Vec<String>,
}

/// Recommendations computed since the index last changed, by article id.
pub(super) struct Memo(moka::sync::Cache<i64, Arc<Vec<i64>>>);

impl Default for Memo {
    fn default() -> Memo {
        Memo(moka::sync::Cache::new(MEMO_ENTRIES))
    }
}

impl Memo {
    pub(super) fn clear(&self) {
        self.0.invalidate_all();
    }
}

impl SearchIndex {
    /// Up to `limit` published article ids related to `source`, best first. Remembered until the index
    /// next changes, so a page rendered again costs nothing here.
    pub fn recommend(&self, source: &RecommendSource, now: i64, limit: usize) -> Result<Arc<Vec<i64>>, SearchError> {
        if let Some(known) = self.recommended.0.get(&source.id) {
            return Ok(known);
        }
        let ids = Arc::new(self.compute_recommendations(source, now, limit)?);
        self.recommended.0.insert(source.id, Arc::clone(&ids));
        Ok(ids)
    }

    fn compute_recommendations(
        &self,
        source: &RecommendSource,
        now: i64,
        limit: usize,
    ) -> Result<Vec<i64>, SearchError> {
        let fields = &self.fields;
        let searcher = self.reader.searcher();
        let text = |value: &str| vec![OwnedValue::Str(value.to_owned())];
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(2)
            .with_max_doc_frequency((searcher.num_docs() / 5).max(2))
            .with_min_term_frequency(1)
            .with_max_query_terms(QUERY_TERMS)
            .with_min_word_length(3)
            .with_document_fields(vec![
                (fields.headline, text(&source.headline)),
                (fields.standfirst, text(&source.standfirst)),
                (fields.body, text(&source.body)),
                (fields.tags, source.tags.iter().map(|tag| OwnedValue::Str(tag.clone())).collect()),
            ]);
        let published = |at: i64| Term::from_field_i64(fields.published, at);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(like) as Box<dyn Query>),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(Term::from_field_u64(fields.id, id_u64(source.id)), IndexRecordOption::Basic)),
            ),
            (
                Occur::Must,
                Box::new(RangeQuery::new(std::ops::Bound::Unbounded, std::ops::Bound::Included(published(now)))),
            ),
        ]);
        let hits = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        let mut candidates = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let document: TantivyDocument = searcher.doc(address)?;
            let headline = document.get_first(fields.headline).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let at = document.get_first(fields.published).and_then(|v| v.as_i64()).unwrap_or_default();
            let age_days = ((now - at).max(0) as f64) / 86_400.0;
            let freshness = 1.0 + FRESHNESS_WEIGHT * 0.5_f64.powf(age_days / FRESHNESS_HALF_LIFE_DAYS);
            candidates.push((f64::from(score) * freshness, self.stored_id(&searcher, address)?, headline));
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut chosen: Vec<HashSet<String>> = vec![headline_words(&source.headline)];
        let mut ids = Vec::with_capacity(limit);
        for (_, id, headline) in candidates {
            let words = headline_words(&headline);
            if chosen.iter().any(|other| overlap(other, &words) >= NEAR_DUPLICATE) {
                continue;
            }
            chosen.push(words);
            ids.push(id);
            if ids.len() == limit {
                break;
            }
        }
        Ok(ids)
    }
}

/// Whether two headlines tell the same story (see [`NEAR_DUPLICATE`]).
pub fn near_duplicates(a: &str, b: &str) -> bool {
    overlap(&headline_words(a), &headline_words(b)) >= NEAR_DUPLICATE
}

fn headline_words(headline: &str) -> HashSet<String> {
    headline.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Jaccard overlap of two word sets.
fn overlap(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_headline_reworded_slightly_is_a_near_duplicate() {
        assert!(near_duplicates("Bank raises interest rates to 5%", "Bank raises interest rates to 5.25%"));
        assert!(near_duplicates("Storm closes the ferry", "Storm Closes The Ferry!"));
        assert!(!near_duplicates("Volcano report 1: lava and ash", "Volcano report 2: lava and ash"));
        assert!(!near_duplicates("Bank raises interest rates", "Football club sacks manager"));
    }
}
