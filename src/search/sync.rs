//! Keeping the index in step with the database: catch up from the change sequence, rebuild from scratch,
//! and follow new changes in the background.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tantivy::{TantivyDocument, Term};
use tokio::sync::Notify;

use super::{SCHEMA_VERSION, SearchError, SearchIndex, blocking, recommend, topics};
use crate::content::plain_text;
use crate::store::{IndexedArticle, Store};

/// Articles read from the database and indexed at a time.
const BATCH: usize = 500;
/// How long to wait before trying again after a catch-up failed (the database was unreachable, say).
const RETRY: Duration = Duration::from_secs(1);

/// What the index has seen, stored with each commit.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Progress {
    /// The schema version the index was built with.
    pub schema: u32,
    /// The last change (sequence number) applied.
    pub seq: i64,
}

impl Progress {
    pub(super) fn parse(payload: &str) -> Option<Progress> {
        serde_json::from_str(payload).ok()
    }
}

/// What a catch-up did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// Nothing had changed.
    Current,
    /// These many changed articles were re-read.
    Updated(usize),
    /// The index was built from scratch with these many articles.
    Rebuilt(usize),
}

impl SearchIndex {
    /// The last change this index has applied, if it has ever been built.
    fn seen(&self) -> Option<i64> {
        let metas = self.index.load_metas().ok()?;
        Progress::parse(&metas.payload?).map(|progress| progress.seq)
    }

    /// Applies every change recorded after the last one this index saw, rebuilding when it has never been
    /// built or belongs to another database. Safe to call at any time; calls do not overlap.
    pub async fn catch_up(self: &Arc<Self>, store: &Store) -> Result<CatchUp, SearchError> {
        let _one_at_a_time = self.syncing.lock().await;
        let upto = store.change_seq().await?;
        let outcome = match self.seen() {
            Some(_) if self.topics_outgrown() => CatchUp::Rebuilt(self.rebuild_upto(store, upto).await?),
            Some(seen) if seen == upto => CatchUp::Current,
            Some(seen) if seen < upto => {
                let ids = store.changed_articles(seen, upto).await?;
                for chunk in ids.chunks(BATCH) {
                    let articles = store.indexed_articles(chunk).await?;
                    let chunk = chunk.to_vec();
                    blocking(self, move |index| index.replace(&chunk, &articles)).await?;
                }
                blocking(self, move |index| index.commit(upto)).await?;
                CatchUp::Updated(ids.len())
            }
            // Never built, or ahead of this database (a restored backup): start again.
            _ => CatchUp::Rebuilt(self.rebuild_upto(store, upto).await?),
        };
        self.ready.store(true, Ordering::Release);
        Ok(outcome)
    }

    /// Rebuilds the whole index from the database; returns how many articles it holds.
    pub async fn rebuild(self: &Arc<Self>, store: &Store) -> Result<usize, SearchError> {
        let _one_at_a_time = self.syncing.lock().await;
        let upto = store.change_seq().await?;
        let count = self.rebuild_upto(store, upto).await?;
        self.ready.store(true, Ordering::Release);
        Ok(count)
    }

    async fn rebuild_upto(self: &Arc<Self>, store: &Store, upto: i64) -> Result<usize, SearchError> {
        self.refit_topics(store).await?;
        blocking(self, |index| index.with_writer(|writer| Ok(writer.delete_all_documents()?))).await?;
        let ids = store.published_ids_after(0, i64::MAX).await?;
        let mut batches = ids.chunks(BATCH);
        let mut count = 0;
        // Reading the next batch from the database overlaps with indexing the current one.
        let mut next = match batches.next() {
            Some(batch) => Some(store.indexed_articles(batch).await?),
            None => None,
        };
        while let Some(articles) = next.take() {
            count += articles.len();
            let indexing = blocking(self, move |index| index.add_all(&articles));
            let reading = async {
                match batches.next() {
                    Some(batch) => store.indexed_articles(batch).await.map(Some),
                    None => Ok(None),
                }
            };
            let (indexed, read) = tokio::join!(indexing, reading);
            indexed?;
            next = read?;
        }
        blocking(self, move |index| index.commit(upto)).await?;
        Ok(count)
    }

    /// Fits the topic model on a sample of the published articles (every n-th by id) and saves it; without
    /// enough articles the model is dropped.
    async fn refit_topics(self: &Arc<Self>, store: &Store) -> Result<(), SearchError> {
        let started = std::time::Instant::now();
        let ids = store.published_ids_after(0, i64::MAX).await?;
        let stride = ids.len().div_ceil(topics::MAX_SAMPLE).max(1);
        let sample_ids: Vec<i64> = ids.iter().step_by(stride).copied().collect();
        let mut articles = Vec::with_capacity(sample_ids.len());
        for chunk in sample_ids.chunks(BATCH) {
            articles.extend(store.indexed_articles(chunk).await?);
        }
        blocking(self, move |index| {
            let sample: Vec<topics::TermCounts> = articles.par_iter().map(counts_of).collect();
            let model = topics::TopicModel::fit(&sample, ids.len());
            if let Some(model) = &model {
                model.save(&index.dir)?;
                tracing::info!(
                    sample = sample.len(),
                    seconds = started.elapsed().as_secs_f32(),
                    "fitted the topic model"
                );
            }
            index.set_model(model);
            Ok(())
        })
        .await
    }

    /// Whether the site has outgrown its topic model (or grown enough to have one): then the next catch-up
    /// rebuilds.
    fn topics_outgrown(&self) -> bool {
        let articles = self.reader.searcher().num_docs() as usize;
        match self.model() {
            Some(model) => articles > model.site_articles * 2,
            None => articles >= topics::MIN_ARTICLES,
        }
    }

    /// Follows the database in the background: catches up whenever `wake` is notified (after a write on this
    /// node, and by the store's change watcher after one elsewhere), and every second while catching up fails.
    pub fn follow(self: Arc<Self>, store: Store, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.catch_up(&store).await {
                    // Changes made elsewhere reach `wake` through the store's change watcher, which reads the
                    // change sequence for the whole node: no second poll here.
                    Ok(_) => wake.notified().await,
                    Err(SearchError::Closed) => break,
                    Err(error) => {
                        tracing::error!(%error, "updating the search index failed; retrying");
                        tokio::select! {
                            () = wake.notified() => {}
                            () = tokio::time::sleep(RETRY) => {}
                        }
                    }
                }
            }
        })
    }

    /// Replaces the documents of `ids` by `articles` (those still published); the rest are removed.
    fn replace(&self, ids: &[i64], articles: &[IndexedArticle]) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            for &id in ids {
                writer.delete_term(Term::from_field_u64(self.fields.id, id_u64(id)));
            }
            Ok(())
        })?;
        self.add_all(articles)
    }

    fn add_all(&self, articles: &[IndexedArticle]) -> Result<(), SearchError> {
        // Documents are built on every core (Markdown to text, term counts, topic positions); tantivy's own
        // threads then index them.
        let documents: Vec<TantivyDocument> = articles.par_iter().map(|article| self.document(article)).collect();
        self.with_writer(|writer| {
            for document in documents {
                writer.add_document(document)?;
            }
            Ok(())
        })
    }

    fn commit(&self, upto: i64) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            let mut commit = writer.prepare_commit()?;
            let progress = Progress { schema: SCHEMA_VERSION, seq: upto };
            commit.set_payload(&serde_json::to_string(&progress).unwrap_or_default());
            commit.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        self.recommended.clear();
        Ok(())
    }

    fn document(&self, article: &IndexedArticle) -> TantivyDocument {
        let fields = &self.fields;
        let body = plain_text(&article.body_markdown);
        let mut document = TantivyDocument::default();
        document.add_u64(fields.id, id_u64(article.id));
        document.add_text(fields.headline, &article.headline);
        document.add_text(fields.standfirst, &article.standfirst);
        for text in [&article.headline, &article.standfirst, &body] {
            document.add_text(fields.spelling, text);
        }
        document.add_text(fields.body, &body);
        for tag in &article.tags {
            document.add_text(fields.tags, tag);
        }
        for author in &article.authors {
            document.add_text(fields.authors, &author.name);
            document.add_text(fields.author_slugs, &author.slug);
        }
        document.add_text(fields.section, &article.section);
        document.add_text(fields.language, &article.language);
        document.add_i64(fields.published, article.published_at);
        for hash in recommend::headline_hashes(&article.headline) {
            document.add_u64(fields.headline_words, u64::from(hash));
        }
        let counts = weighted_counts(&article.headline, &article.standfirst, &body, &article.tags);
        if let Some(position) = self.model().and_then(|model| model.position(&counts)) {
            for value in topics::pack(&position) {
                document.add_u64(fields.topics, value);
            }
        }
        document
    }
}

/// The weighted terms of an article, as the topic model and Recommend read them.
pub(super) fn counts_of(article: &IndexedArticle) -> topics::TermCounts {
    weighted_counts(&article.headline, &article.standfirst, &plain_text(&article.body_markdown), &article.tags)
}

/// The weighted terms of an article's texts (`body` as plain text).
pub(super) fn weighted_counts(headline: &str, standfirst: &str, body: &str, tags: &[String]) -> topics::TermCounts {
    let tags = tags.join(" ");
    topics::term_counts(&[
        (headline, HEADLINE_WEIGHT),
        (standfirst, STANDFIRST_WEIGHT),
        (body, 1.0),
        (&tags, TAGS_WEIGHT),
    ])
}

/// How much a word in the headline, standfirst or tags counts against one in the body.
pub(super) const HEADLINE_WEIGHT: f32 = 3.0;
/// See [`HEADLINE_WEIGHT`].
pub(super) const STANDFIRST_WEIGHT: f32 = 2.0;
/// See [`HEADLINE_WEIGHT`].
pub(super) const TAGS_WEIGHT: f32 = 3.0;

/// Article ids are positive database keys; the index stores them unsigned.
pub(super) fn id_u64(id: i64) -> u64 {
    u64::try_from(id).unwrap_or_default()
}
