//! Search and Recommend over a tantivy index kept on this node's disk.
//!
//! The database stays the only source of truth: the index records which change (the `changes` table's
//! sequence) it has seen, and [`SearchIndex::catch_up`] applies everything after it. A node started on an
//! existing database, a node that missed a notification, and several nodes on one PostgreSQL all converge the
//! same way. The index is a cache: deleting it only costs a rebuild.

mod analysis;
mod query;
mod recommend;
mod sync;
mod topics;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::schema::{FAST, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument};

pub use query::{SearchRequest, SearchResults, Sort};
pub use recommend::{RecommendSource, near_duplicates};
pub use sync::CatchUp;

/// Bumped whenever the schema or analysis changes, so an index built by an older version is rebuilt.
const SCHEMA_VERSION: u32 = 5;
/// Indexing memory of a serving node: one thread, the smallest budget tantivy accepts and then some.
const SERVING_WRITER_BYTES: usize = 32 * 1024 * 1024;

/// Why search could not answer or the index could not be kept.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index failed (a disk error, a corrupt file).
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// Another process holds the index for writing.
    #[error("the search index at {0} is in use by another newsroom process; stop it first")]
    Busy(PathBuf),
    /// Reading what to index failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The index directory could not be prepared.
    #[error("preparing the search index directory {path}: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The index was closed (the server is shutting down).
    #[error("the search index is closed")]
    Closed,
    /// A background task died.
    #[error("search worker stopped: {0}")]
    Worker(String),
}

/// The indexed fields.
#[derive(Debug, Clone, Copy)]
struct Fields {
    id: tantivy::schema::Field,
    headline: tantivy::schema::Field,
    standfirst: tantivy::schema::Field,
    body: tantivy::schema::Field,
    tags: tantivy::schema::Field,
    authors: tantivy::schema::Field,
    spelling: tantivy::schema::Field,
    section: tantivy::schema::Field,
    language: tantivy::schema::Field,
    author_slugs: tantivy::schema::Field,
    published: tantivy::schema::Field,
    topics: tantivy::schema::Field,
    headline_words: tantivy::schema::Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis::STEMMED)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | FAST),
        headline: builder.add_text_field("headline", text.clone()),
        standfirst: builder.add_text_field("standfirst", text.clone()),
        body: builder.add_text_field("body", text.clone()),
        tags: builder.add_text_field("tags", text.clone()),
        authors: builder.add_text_field("authors", text),
        // Unstemmed words of every text, only to find spelling corrections among real words.
        spelling: builder.add_text_field(
            "spelling",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(analysis::WORDS).set_index_option(IndexRecordOption::Basic),
            ),
        ),
        section: builder.add_text_field("section", STRING),
        language: builder.add_text_field("language", STRING),
        author_slugs: builder.add_text_field("author_slug", STRING),
        published: builder.add_i64_field("published", INDEXED | FAST),
        // What Recommend reads of each candidate, as multi-valued number columns (no document store and no
        // dictionary on its path): the position in topic space (see `topics::pack`) and the headline's word
        // hashes, for near-duplicates.
        topics: builder.add_u64_field("topics", FAST),
        headline_words: builder.add_u64_field("headline_words", FAST),
    };
    (builder.build(), fields)
}

/// The search index of this node.
pub struct SearchIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The only writer; `None` once closed, which releases the directory's lock.
    writer: Mutex<Option<IndexWriter<TantivyDocument>>>,
    /// False until the first catch-up after opening has finished: results may be incomplete meanwhile.
    ready: AtomicBool,
    /// Recommendations computed since the index last changed.
    recommended: recommend::Memo,
    /// The topic model fitted at the last rebuild, if the site was large enough.
    model: std::sync::RwLock<Option<Arc<topics::TopicModel>>>,
    /// Held while catching up, so that catch-ups never overlap.
    syncing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it, or starting it afresh when it was made by another schema
    /// version or cannot be read. `writer_threads` and `writer_bytes` size the indexing work; a serving node
    /// uses [`SearchIndex::open`].
    pub fn open_with(dir: &Path, writer_threads: usize, writer_bytes: usize) -> Result<SearchIndex, SearchError> {
        let index = match open_existing(dir) {
            Some(index) => index,
            None => {
                if dir.exists() {
                    tracing::info!(dir = %dir.display(), "starting the search index afresh");
                    std::fs::remove_dir_all(dir)
                        .map_err(|source| SearchError::Directory { path: dir.to_owned(), source })?;
                }
                std::fs::create_dir_all(dir)
                    .map_err(|source| SearchError::Directory { path: dir.to_owned(), source })?;
                Index::create_in_dir(dir, schema().0)?
            }
        };
        analysis::register(&index);
        let (_, fields) = schema();
        let writer = index.writer_with_num_threads(writer_threads, writer_bytes).map_err(|error| match error {
            tantivy::TantivyError::LockFailure(..) => SearchError::Busy(dir.to_owned()),
            other => SearchError::Index(other),
        })?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex {
            dir: dir.to_owned(),
            index,
            reader,
            fields,
            writer: Mutex::new(Some(writer)),
            ready: AtomicBool::new(false),
            recommended: recommend::Memo::default(),
            model: std::sync::RwLock::new(topics::TopicModel::load(dir).map(Arc::new)),
            syncing: tokio::sync::Mutex::new(()),
        })
    }

    /// Opens the index of a serving node (see [`SearchIndex::open_with`]).
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        Self::open_with(dir, 1, SERVING_WRITER_BYTES)
    }

    fn model(&self) -> Option<Arc<topics::TopicModel>> {
        self.model.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set_model(&self, model: Option<topics::TopicModel>) {
        *self.model.write().unwrap_or_else(PoisonError::into_inner) = model.map(Arc::new);
    }

    /// Whether the index has caught up with the database at least once since it was opened.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// How many articles the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no article.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs `work` with the writer, unless the index is closed.
    fn with_writer<T>(
        &self,
        work: impl FnOnce(&mut IndexWriter<TantivyDocument>) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        work(writer.as_mut().ok_or(SearchError::Closed)?)
    }

    /// Finishes pending merges and releases the index for another process (or a restarted server in the
    /// same process). Waits for indexing work in progress; later work fails with [`SearchError::Closed`].
    pub async fn close(self: &Arc<Self>) {
        let closing = Arc::clone(self);
        let closed = tokio::task::spawn_blocking(move || {
            let writer = closing.writer.lock().unwrap_or_else(PoisonError::into_inner).take();
            writer.map(IndexWriter::wait_merging_threads)
        })
        .await;
        if let Ok(Some(Err(error))) = closed {
            tracing::warn!(%error, "finishing search index merges failed");
        }
    }
}

/// The index in `dir` if it exists and was built with this schema version.
fn open_existing(dir: &Path) -> Option<Index> {
    let index = Index::open_in_dir(dir).ok()?;
    let payload = index.load_metas().ok()?.payload?;
    (sync::Progress::parse(&payload)?.schema == SCHEMA_VERSION).then_some(index)
}

/// Runs blocking index work off the async runtime.
async fn blocking<T: Send + 'static>(
    index: &Arc<SearchIndex>,
    work: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    let index = Arc::clone(index);
    tokio::task::spawn_blocking(move || work(&index)).await.map_err(|error| SearchError::Worker(error.to_string()))?
}
