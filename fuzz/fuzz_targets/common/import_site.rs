//! A site the importer targets write into: a fresh SQLite store, and the check that a failed import leaves
//! it exactly as it was.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use newsroom::import::ImportError;
use newsroom::store::Store;

/// An import started by a target: the store, the export file and the media root.
pub type Import =
    for<'a> fn(&'a Store, &'a Path, &'a Path) -> Pin<Box<dyn Future<Output = Result<(), ImportError>> + 'a>>;

pub struct Site {
    dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    store: Store,
}

impl Site {
    pub fn new() -> Site {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
        let runtime = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("a runtime: {e}"));
        let store = runtime
            .block_on(Store::open_sqlite(&dir.path().join("newsroom.db")))
            .unwrap_or_else(|e| panic!("a store: {e}"));
        Site { dir, runtime, store }
    }

    /// Writes `export` to `name` and imports it with `run`; a failure must leave every count as it was.
    pub fn import_changes_all_or_nothing(&self, export: &[u8], name: &str, run: Import) {
        let file = self.dir.path().join(name);
        std::fs::write(&file, export).unwrap_or_else(|e| panic!("writing the export: {e}"));
        let media = self.dir.path().join("media");
        self.runtime.block_on(async {
            let before = self.counts().await;
            if run(&self.store, &file, &media).await.is_err() {
                assert_eq!(self.counts().await, before, "a failed import changed the site");
            }
        });
    }

    /// The number of articles, and the sequence number of the last change: every write records a change in
    /// the same transaction, so a rolled-back import leaves the sequence where it was.
    async fn counts(&self) -> (i64, i64) {
        let articles = self.store.article_count().await.unwrap_or_else(|e| panic!("counting: {e}"));
        let changes = self.store.change_seq().await.unwrap_or_else(|e| panic!("reading the change log: {e}"));
        (articles, changes)
    }
}
