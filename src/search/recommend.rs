//! Recommend: articles like the one being read, by the words that make it distinctive (more-like-this over
//! headline, standfirst, body and tags), blended with freshness, without the article itself or near-copies.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::TopDocs;

use sha2::{Digest, Sha256};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Searcher, SegmentReader, Term};

use rayon::prelude::*;

use super::sync::id_u64;
use super::sync::weighted_counts;
use super::topics::{self, TermCounts, TopicModel};
use super::{SearchError, SearchIndex};
use crate::content::{KeptRecommendations, plain_text};
use crate::store::Store;

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
    /// Hashes of the headline's words (see [`headline_hashes`]).
    headline_words: Vec<u32>,
    published: i64,
    /// Shared-word score relative to the best candidate's.
    words: f64,
    topic: Option<Vec<f32>>,
}
/// Most distinctive terms the query uses.
const QUERY_TERMS: usize = 35;
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
    /// Only articles in this language are recommended (on a site with editions in several).
    pub language: Option<String>,
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
        self.recommend_for(source.id, now, limit, || source.clone())
    }

    /// Like [`SearchIndex::recommend`] for article `id`, building the source (which costs a Markdown pass) only
    /// when nothing is remembered for it.
    pub fn recommend_for(
        &self,
        id: i64,
        now: i64,
        limit: usize,
        source: impl FnOnce() -> RecommendSource,
    ) -> Result<Arc<Vec<i64>>, SearchError> {
        if let Some(known) = self.recommended.0.get(&id) {
            return Ok(known);
        }
        let ids = Arc::new(self.compute_recommendations(&source(), now, limit)?);
        self.recommended.0.insert(id, Arc::clone(&ids));
        Ok(ids)
    }

    /// Computes and keeps in the database the Recommend list (`limit` ids) of every published article, for
    /// `newsroom reindex`: afterwards no page render queries the index for it. `restrict` gives the language
    /// an article's list keeps to (none on a single-language site). Returns how many lists were kept.
    pub async fn keep_all_recommendations(
        self: &Arc<Self>,
        store: &Store,
        limit: usize,
        restrict: impl Fn(&str) -> Option<String>,
    ) -> Result<usize, SearchError> {
        const BATCH: usize = 1_000;
        let now = chrono::Utc::now().timestamp();
        let ids = store.published_ids_after(0, i64::MAX).await?;
        let mut kept = 0;
        for batch in ids.chunks(BATCH) {
            let sources: Vec<RecommendSource> = store
                .indexed_articles(batch)
                .await?
                .into_iter()
                .map(|article| RecommendSource {
                    id: article.id,
                    language: restrict(&article.language),
                    body: plain_text(&article.body_markdown),
                    headline: article.headline,
                    standfirst: article.standfirst,
                    tags: article.tags,
                })
                .collect();
            let lists = super::blocking(self, move |index| {
                sources
                    .par_iter()
                    .map(|source| {
                        let ids = index.compute_recommendations(source, now, limit)?;
                        let language = source.language.clone().unwrap_or_default();
                        Ok((source.id, KeptRecommendations { language, ids, computed_at: now }))
                    })
                    .collect::<Result<Vec<_>, SearchError>>()
            })
            .await?;
            store.keep_recommendations(&lists).await?;
            kept += lists.len();
        }
        Ok(kept)
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
        let model = self.model();
        let terms = distinctive_terms(&searcher, fields.body, &counts, model.as_deref())?;
        let position = model.and_then(|model| model.position(&counts));
        let Some(&(_, top_weight)) = terms.first() else { return Ok(Vec::new()) };
        let mut like: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(terms.len() * 2);
        for (text, weight) in &terms {
            let boost = weight / top_weight;
            let term = TermQuery::new(Term::from_field_text(fields.body, text), IndexRecordOption::WithFreqs);
            like.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost))));
        }
        let published = |at: i64| Term::from_field_i64(fields.published, at);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::new(like))),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(Term::from_field_u64(fields.id, id_u64(source.id)), IndexRecordOption::Basic)),
            ),
            (
                Occur::Must,
                Box::new(RangeQuery::new(std::ops::Bound::Unbounded, std::ops::Bound::Included(published(now)))),
            ),
        ];
        if let Some(language) = &source.language {
            let term = Term::from_field_text(fields.language, language);
            clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        let query = BooleanQuery::new(clauses);
        let hits = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
        let best = hits.first().map_or(1.0, |(score, _)| score.max(f32::EPSILON));
        let mut columns: HashMap<u32, Columns> = HashMap::new();
        let mut found = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let segment = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(Columns::open(searcher.segment_reader(address.segment_ord))?)
                }
            };
            found.push(segment.candidate(address.doc_id, f64::from(score / best)));
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
                candidate.headline_words.clone(),
            ));
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut chosen: Vec<Vec<u32>> = vec![headline_hashes(&source.headline)];
        let mut ids = Vec::with_capacity(limit);
        for (_, id, words) in candidates {
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

/// The terms that best tell what an article is about, with weights: frequent in it, rare on the site
/// (tf-idf with damped term frequency). Terms found in no other article cannot find anything and are left out.
///
/// With a topic model, rarity comes from its vocabulary (fitted on the site's articles) and costs no index
/// lookups; without one (small sites), from the index.
fn distinctive_terms(
    searcher: &Searcher,
    field: Field,
    counts: &TermCounts,
    model: Option<&TopicModel>,
) -> Result<Vec<(String, f32)>, SearchError> {
    let documents = searcher.num_docs() as f32;
    let mut terms = Vec::with_capacity(counts.len());
    for (text, &count) in counts {
        let rarity = match model {
            // Terms outside the vocabulary are in fewer than two articles of the sample, or in most.
            Some(model) => match model.idf(text) {
                Some(idf) => idf,
                None => continue,
            },
            None => {
                let in_documents = searcher.doc_freq(&Term::from_field_text(field, text))? as f32;
                // In the source itself only (or nowhere indexed): nothing else can match it.
                if in_documents < 2.0 {
                    continue;
                }
                (1.0 + (documents - in_documents + 0.5) / (in_documents + 0.5)).ln()
            }
        };
        terms.push((text.clone(), (1.0 + count.ln()) * rarity));
    }
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(QUERY_TERMS);
    Ok(terms)
}

/// The columns Recommend reads for candidates in one segment.
struct Columns {
    ids: Column<u64>,
    published: Column<i64>,
    topics: Column<u64>,
    headline_words: Column<u64>,
}

impl Columns {
    fn open(segment: &SegmentReader) -> Result<Columns, SearchError> {
        let fast = segment.fast_fields();
        Ok(Columns {
            ids: fast.u64("id")?,
            published: fast.i64("published")?,
            topics: fast.u64("topics")?,
            headline_words: fast.u64("headline_words")?,
        })
    }

    fn candidate(&self, doc: DocId, words: f64) -> Candidate {
        let mut headline_words: Vec<u32> = self.headline_words.values_for_doc(doc).map(|h| h as u32).collect();
        headline_words.sort_unstable();
        Candidate {
            id: i64::try_from(self.ids.first(doc).unwrap_or_default()).unwrap_or_default(),
            headline_words,
            published: self.published.first(doc).unwrap_or_default(),
            words,
            topic: topics::unpack(self.topics.values_for_doc(doc)),
        }
    }
}

/// Whether two headlines tell the same story (see [`NEAR_DUPLICATE`]).
pub fn near_duplicates(a: &str, b: &str) -> bool {
    overlap(&headline_hashes(a), &headline_hashes(b)) >= NEAR_DUPLICATE
}

/// A headline's distinct lower-cased words, each as a stable 32-bit hash (the first bytes of its SHA-256),
/// sorted: a compact stand-in for the words that the index keeps per article.
pub(super) fn headline_hashes(headline: &str) -> Vec<u32> {
    let mut hashes: Vec<u32> = headline
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|word| {
            let digest = Sha256::digest(word.to_lowercase().as_bytes());
            u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]])
        })
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

/// Jaccard overlap of two sorted, distinct hash lists.
fn overlap(a: &[u32], b: &[u32]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    if union == 0 { 0.0 } else { shared as f64 / union as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_headline_reworded_slightly_is_a_near_duplicate() {
        assert!(near_duplicates("Bank raises interest rates to 5%", "Bank raises interest rates to 5.25%"));
        assert!(near_duplicates("Storm closes the ferry", "Storm Closes The Ferry!"));
        assert!(!near_duplicates("", "Storm closes the ferry"));
        assert!(!near_duplicates("Volcano report 1: lava and ash", "Volcano report 2: lava and ash"));
        assert!(!near_duplicates("Bank raises interest rates", "Football club sacks manager"));
    }
}
