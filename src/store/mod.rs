//! The store: the only source of truth. Everything above it (site, caches, later search) asks it questions
//! in domain terms; SQL stays in this module.
//!
//! SQLite runs in WAL mode with one writer connection and a pool of readers, so readers never wait for a
//! writer and writers never see "database is locked". Queries use `$N` placeholders and plain SQL types so that
//! the PostgreSQL backend can share them.

mod admin;
mod editions;
mod export;
mod glossary;
mod import;
mod indexing;
mod media;
mod read;
mod users;
mod write;

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};

pub use admin::{AdminFilter, AdminListItem, ArticleExtras, EditableArticle, RevisionInfo};
pub use editions::{EditionInfo, SectionName};
pub use export::{
    ExportedArticle, ExportedAuthor, ExportedImage, ExportedRedirect, ExportedSection, ExportedSourceKey, ExportedTag,
    ExportedUser,
};
pub use glossary::{GlossaryTerm, LintArticle};
pub use import::{ImportArticle, ImportTx, ImportUser, Outcome};
pub use indexing::IndexedArticle;
pub use media::{LibraryImage, NewImage};
pub use read::{CardQuery, EditionRef, FeedDetails, ListFilter, ListedKind, Order, SitemapEntry};
pub use users::{ApiTokenInfo, NewUser};
pub use write::{Batch, BatchReport};

/// How many readers may query at once; SQLite readers are cheap, and the page cache absorbs most reads.
const READER_CONNECTIONS: u32 = 8;
/// How long a connection waits for a lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query. (The cause is part of the message, not a separate source,
    /// so that error chains do not print it twice.)
    #[error("database: {0}")]
    Database(sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("migrating the database: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    /// Something a write refers to does not exist.
    #[error("no {kind} with slug {slug:?}")]
    Missing {
        /// What kind of thing was referred to.
        kind: &'static str,
        /// The slug given.
        slug: String,
    },
    /// A value offered for saving breaks a rule (an email without `@`, an empty name).
    #[error("{0}")]
    Invalid(String),
    /// The write would clash with what exists (a taken email or slug).
    #[error("{0}")]
    Conflict(String),
    /// Someone saved the article after the version the editor started from.
    #[error("someone else saved this article after you opened it")]
    Stale,
    /// A stored value could not be read back (a corrupt or hand-edited row).
    #[error("unreadable stored value: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        StoreError::Database(error)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Migrate(error)
    }
}

/// A handle to the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    listeners: Listeners,
}

/// Called after every committed content change, before the write returns to its caller.
type Listener = Arc<dyn Fn() + Send + Sync>;

/// The registered change listeners (page caches, later search indexes).
#[derive(Clone, Default)]
struct Listeners(Arc<RwLock<Vec<Listener>>>);

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listeners")
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and runs pending migrations.
    pub async fn open_sqlite(path: &Path) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // Migrations run with foreign keys off, as SQLite's documented table rebuild requires (0003 rebuilds
        // the articles table); every other connection enforces them.
        let mut migrating = options.clone().foreign_keys(false).connect().await?;
        sqlx::migrate!("migrations/sqlite").run(&mut migrating).await?;
        migrating.close().await?;
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let reader =
            SqlitePoolOptions::new().max_connections(READER_CONNECTIONS).connect_with(options.read_only(true)).await?;
        Ok(Store { writer, reader, listeners: Listeners::default() })
    }

    /// Registers `listener` to run after every committed content change, before the write returns: this is
    /// how caches learn that what they hold is stale.
    pub fn on_change(&self, listener: impl Fn() + Send + Sync + 'static) {
        self.listeners.0.write().unwrap_or_else(std::sync::PoisonError::into_inner).push(Arc::new(listener));
    }

    fn changed(&self) {
        let listeners = self.listeners.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        for listener in listeners {
            listener();
        }
    }

    /// Closes every connection, finishing the WAL checkpoint; call at shutdown.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}
