//! Recommend: articles like the one being read, by the words that make it distinctive (more-like-this over
//! headline, standfirst, body and tags), blended with freshness, without the article itself or near-copies.

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::collector::TopDocs;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use super::sync::id_u64;
use super::sync::weighted_counts;
use super::topics::{self, TermCounts};
use super::{SearchError, SearchIndex};

/// Candidates found by shared words, then ranked by topic, freshness and duplicates.
const CANDIDATES: usize = 50;
/// How much shared words count beside closeness in topic space (both range up to 1).
const WORDS_WEIGHT: f64 = 0.25;
/// How many of the first ranking's leaders refine the subject, and how strongly.
const FEEDBACK_LEADERS: usize = 10;
const FEEDBACK_WEIGHT: f32 = 1.0;

/// A candidate for recommendation, as the index knows it.
struct Candidate {
    id: i64,
    headline: String,
    published: i64,
    /// Shared-word score relative to the best candidate's.
    words: f64,
    topic: Option<Vec<f32>>,
}
/// Most distinctive terms the query uses.
const QUERY_TERMS: usize = 150;
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
        let counts = weighted_counts(&source.headline, &source.standfirst, &source.body, &source.tags);
        let terms = distinctive_terms(&searcher, fields.body, &counts)?;
        let position = self.model().and_then(|model| model.position(&counts));
        let Some(&(_, top_weight)) = terms.first() else { return Ok(Vec::new()) };
        let mut like: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(terms.len() * 2);
        for (text, weight) in &terms {
            let boost = weight / top_weight;
            let term = TermQuery::new(Term::from_field_text(fields.body, text), IndexRecordOption::WithFreqs);
            like.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost))));
        }
        let published = |at: i64| Term::from_field_i64(fields.published, at);
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(like)) as Box<dyn Query>),
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
        let best = hits.first().map_or(1.0, |(score, _)| score.max(f32::EPSILON));
        let mut found = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let document: TantivyDocument = searcher.doc(address)?;
            found.push(Candidate {
                id: self.stored_id(&searcher, address)?,
                headline: document.get_first(fields.headline).and_then(|v| v.as_str()).unwrap_or_default().to_owned(),
                published: document.get_first(fields.published).and_then(|v| v.as_i64()).unwrap_or_default(),
                words: f64::from(score / best),
                topic: document.get_first(fields.topics).and_then(|v| v.as_bytes()).and_then(topics::decode),
            });
        }
        // Shared words find the candidates; closeness in topic space, where known, decides among them. The
        // first ranking's leaders then refine the sense of the subject (relevance feedback) for the second.
        let relevance = |target: Option<&[f32]>, candidate: &Candidate| match (target, candidate.topic.as_deref()) {
            (Some(target), Some(topic)) => {
                f64::from(topics::similarity(target, topic)) + WORDS_WEIGHT * candidate.words
            }
            _ => candidate.words,
        };
        let mut first: Vec<&Candidate> = found.iter().collect();
        first.sort_by(|a, b| relevance(position.as_deref(), b).total_cmp(&relevance(position.as_deref(), a)));
        let leaders: Vec<&[f32]> = first.iter().filter_map(|c| c.topic.as_deref()).take(FEEDBACK_LEADERS).collect();
        let refined = position.as_deref().map(|p| topics::towards(p, &leaders, FEEDBACK_WEIGHT));
        let mut candidates = Vec::with_capacity(found.len());
        for candidate in &found {
            let age_days = ((now - candidate.published).max(0) as f64) / 86_400.0;
            let freshness = 1.0 + FRESHNESS_WEIGHT * 0.5_f64.powf(age_days / FRESHNESS_HALF_LIFE_DAYS);
            candidates.push((
                relevance(refined.as_deref(), candidate) * freshness,
                candidate.id,
                candidate.headline.clone(),
            ));
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

/// The terms that best tell what an article is about, with weights: frequent in it, rare on the site
/// (tf-idf with damped term frequency). Terms found in no other article cannot find anything and are left out.
fn distinctive_terms(
    searcher: &Searcher,
    field: Field,
    counts: &TermCounts,
) -> Result<Vec<(String, f32)>, SearchError> {
    let documents = searcher.num_docs() as f32;
    let mut terms = Vec::with_capacity(counts.len());
    for (text, &count) in counts {
        let in_documents = searcher.doc_freq(&Term::from_field_text(field, text))? as f32;
        // In the source itself only (or nowhere indexed): nothing else can match it.
        if in_documents < 2.0 {
            continue;
        }
        let rarity = (1.0 + (documents - in_documents + 0.5) / (in_documents + 0.5)).ln();
        terms.push((text.clone(), (1.0 + count.ln()) * rarity));
    }
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(QUERY_TERMS);
    Ok(terms)
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
