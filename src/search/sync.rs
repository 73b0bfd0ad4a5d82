//! Keeping the index in step with the database: catch up from the change sequence, rebuild from scratch,
//! and follow new changes in the background.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tantivy::{TantivyDocument, Term};
use tokio::sync::Notify;

use super::{SCHEMA_VERSION, SearchError, SearchIndex, blocking};
use crate::content::plain_text;
use crate::store::{IndexedArticle, Store};

/// Articles read from the database and indexed at a time.
const BATCH: usize = 500;
/// How often a node looks for changes made elsewhere when nothing prompted it (another node's writes).
const POLL: Duration = Duration::from_secs(1);

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
        blocking(self, |index| index.with_writer(|writer| Ok(writer.delete_all_documents()?))).await?;
        let mut after = 0;
        let mut count = 0;
        loop {
            let ids = store.published_ids_after(after, BATCH as i64).await?;
            let Some(&last) = ids.last() else { break };
            after = last;
            let articles = store.indexed_articles(&ids).await?;
            count += articles.len();
            blocking(self, move |index| index.add_all(&articles)).await?;
        }
        blocking(self, move |index| index.commit(upto)).await?;
        Ok(count)
    }

    /// Follows the database in the background: catches up when `wake` is notified (a write on this node)
    /// and at least every second (writes on other nodes).
    pub fn follow(self: Arc<Self>, store: Store, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.catch_up(&store).await {
                    Ok(_) => {}
                    Err(SearchError::Closed) => break,
                    Err(error) => tracing::error!(%error, "updating the search index failed; retrying"),
                }
                tokio::select! {
                    () = wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
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
            for article in articles {
                writer.add_document(self.document(article))?;
            }
            Ok(())
        })
    }

    fn add_all(&self, articles: &[IndexedArticle]) -> Result<(), SearchError> {
        self.with_writer(|writer| {
            for article in articles {
                writer.add_document(self.document(article))?;
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
        document.add_i64(fields.published, article.published_at);
        document
    }
}

/// Article ids are positive database keys; the index stores them unsigned.
pub(super) fn id_u64(id: i64) -> u64 {
    u64::try_from(id).unwrap_or_default()
}
