//! The store: the only source of truth. Everything above it (site, caches, later search) asks it questions
//! in domain terms; SQL stays in this module.
//!
//! Two backends share every query: SQLite (the default, a file in the data directory) and PostgreSQL (for
//! several nodes), each through its own sqlx driver (see [`pool`]); on SQLite the one read a page-cache miss
//! makes runs on the calling thread instead (see [`direct`]). Queries use `$N` placeholders, integer times and
//! portable SQL; the one spelling that differs comes from [`Backend`]. Each backend has its own migrations.
//!
//! SQLite runs in WAL mode with one writer connection and a pool of readers, so readers never wait for a
//! writer and writers never see "database is locked". PostgreSQL uses one pool for both.

mod admin;
mod copy;
mod database_url;
mod direct;
mod editions;
mod export;
mod glossary;
mod health;
mod import;
mod indexing;
mod kept;
mod media;
mod notes;
mod pool;
mod previews;
mod read;
mod users;
mod write;

use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

use pool::{Db, Pool, Tx, execute};

pub use admin::{
    AdminFilter, AdminListItem, AdminSort, ArticleExtras, Autosave, EditableArticle, MostRead, RevisionInfo, SortColumn,
};
pub use copy::TableCopy;
pub use database_url::DatabaseUrl;
pub use editions::{EditionInfo, SectionName};
pub use export::{
    ExportedArticle, ExportedAuthor, ExportedImage, ExportedRedirect, ExportedSection, ExportedSourceKey, ExportedTag,
    ExportedUser,
};
pub use glossary::{GlossaryTerm, LintArticle};
pub use import::{ImportArticle, ImportTx, ImportUser, Outcome};
pub use indexing::IndexedArticle;
pub use kept::{ArticleAddress, KeptDictionary, KeptPage, PageToKeep};
pub use media::{
    ImageUse, LIBRARY_PAGE, LOGO_SETTING, LibraryImage, NewImage, SCRUB_MARKER, StoredImageFile, crop_paths,
};
pub use notes::{ArticleNote, NewNote};
pub use previews::{PreviewLink, PreviewLinkInfo};
pub use read::{CardQuery, EditionRef, FeedDetails, ListFilter, ListedKind, Order, SitemapEntry};
pub use users::{ApiTokenInfo, NewUser};
pub use write::{Batch, BatchReport, ViewWriter};

/// How many readers may query at once; SQLite readers are cheap, and the page cache absorbs most reads.
const READER_CONNECTIONS: u32 = 8;
/// Connections one node keeps to PostgreSQL, for reads and writes together.
const POSTGRES_CONNECTIONS: u32 = 16;
/// The channel on which PostgreSQL tells every node that changes were recorded.
const CHANGES_CHANNEL: &str = "newsroom_changes";
/// The statement sending that prompt (the channel name is a constant; NOTIFY takes no parameters).
const CHANGES_NOTIFY: &str = "NOTIFY newsroom_changes";
/// The advisory lock every PostgreSQL write transaction takes first ("newsroom" in ASCII).
const WRITE_LOCK: i64 = 0x6E65_7773_726F_6F6D;
/// How often a node reads the change sequence when nothing prompted it: the most a change made elsewhere (on
/// another node, or by a command) waits before this node's caches and index follow it.
pub const CHANGE_POLL: Duration = Duration::from_secs(1);
/// How long a connection waits for a lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a query waits for a PostgreSQL connection, connecting included, before it fails as unavailable:
/// with the server unreachable, pages and saves are answered 503 within a few seconds instead of hanging for
/// sqlx's default of 30. An uncached page may wait three times (its kept page before routing, the render,
/// the error page), hence one second each; a healthy pool of 16 hands out a connection in microseconds, and one
/// that cannot for a second is overloaded, where "try again" is the better answer too.
const POSTGRES_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query. (The cause is part of the message, not a separate source,
    /// so that error chains do not print it twice.)
    #[error("database: {0}")]
    Database(sqlx::Error),
    /// SQLite refused or failed the read a page-cache miss makes on the calling thread (see `direct`).
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
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
    /// The database cannot save or answer now (a full disk, an I/O error, an unreachable server); nothing was
    /// changed, and the same request may succeed later.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database was busy past the wait allowed: another write held SQLite's one writer (a long import, say),
    /// or no PostgreSQL connection came in time. Nothing was changed; the same request may succeed later. Not a
    /// fault of the node: it stays ready.
    #[error("database busy: {0}")]
    Busy(String),
}

impl StoreError {
    /// Whether this is [`StoreError::Unavailable`] or [`StoreError::Busy`]: "try again later", not "this
    /// request is wrong".
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_) | StoreError::Busy(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> StoreError {
        match health::sqlx_kind(&error) {
            Some(health::Kind::Busy) => StoreError::Busy(error.to_string()),
            Some(health::Kind::Unavailable) => StoreError::Unavailable(error.to_string()),
            None => StoreError::Database(error),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Migrate(error)
    }
}

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file: one node.
    Sqlite,
    /// A PostgreSQL server: one or several nodes.
    Postgres,
}

impl Backend {
    /// The function giving the 1-based position of a text in another (0 when absent): `f(haystack, needle)`.
    fn position_function(self) -> &'static str {
        match self {
            Backend::Sqlite => "instr",
            Backend::Postgres => "strpos",
        }
    }
}

/// A handle to the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    /// On SQLite the one writer connection; on PostgreSQL the same pool as `reader`.
    writer: Pool,
    reader: Pool,
    /// On SQLite, the reader of kept pages on the calling thread (see [`direct`]); `None` on PostgreSQL.
    direct: Option<Arc<direct::DirectReader>>,
    backend: Backend,
    /// The PostgreSQL URL, for the connection that listens for other nodes' changes.
    postgres_url: Option<Arc<str>>,
    /// The last change sequence number this node has applied: its own writes' and those the watcher found.
    seen: Arc<std::sync::atomic::AtomicI64>,
    listeners: Listeners,
    /// Whether writes are failing now (see [`health`]).
    health: Arc<health::Health>,
    /// On SQLite, the writer's page limit (`PRAGMA max_page_count`) set by [`Store::limit_pages`]; 0 for none.
    page_limit: Arc<std::sync::atomic::AtomicU64>,
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
        let page_limit = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let pool = |connections: u32, read_only: bool| {
            let page_limit = Arc::clone(&page_limit);
            let pool = SqlitePoolOptions::new().max_connections(connections).after_connect(move |connection, _| {
                // Set on each connection, not in the options, so that a limit set later reaches new connections.
                let page_limit = page_limit.load(std::sync::atomic::Ordering::Relaxed);
                Box::pin(async move {
                    if page_limit > 0 {
                        sqlx::query(&format!("PRAGMA max_page_count = {page_limit}")).execute(connection).await?;
                    }
                    Ok(())
                })
            });
            // The writer is the pool of one connection: every release of it is checked (see `clean_writer`).
            let pool =
                if read_only { pool } else { pool.after_release(|connection, _| Box::pin(clean_writer(connection))) };
            pool.connect_with(options.clone().read_only(read_only))
        };
        let writer = pool(1, false).await?;
        let reader = pool(READER_CONNECTIONS, true).await?;
        Ok(Store {
            writer: Db::Sqlite(writer),
            reader: Db::Sqlite(reader),
            direct: Some(Arc::new(direct::DirectReader::new(path))),
            backend: Backend::Sqlite,
            postgres_url: None,
            seen: Arc::default(),
            listeners: Listeners::default(),
            health: Arc::default(),
            page_limit,
        })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://user@host:port/database`) and runs pending
    /// migrations. Several nodes may do this at once: the migrator holds an advisory lock.
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let mut migrating = options.connect().await?;
        sqlx::migrate!("migrations/postgres").run(&mut migrating).await?;
        migrating.close().await?;
        let pool = Db::Postgres(
            PgPoolOptions::new()
                .max_connections(POSTGRES_CONNECTIONS)
                .acquire_timeout(POSTGRES_ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?,
        );
        Ok(Store {
            writer: pool.clone(),
            reader: pool,
            direct: None,
            backend: Backend::Postgres,
            postgres_url: Some(url.into()),
            seen: Arc::default(),
            listeners: Listeners::default(),
            health: Arc::default(),
            page_limit: Arc::default(),
        })
    }

    /// Opens the database a URL names: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite:PATH` for an
    /// SQLite file.
    pub async fn open_url(url: &str) -> Result<Store, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::open_postgres(url).await
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            Store::open_sqlite(Path::new(path)).await
        } else {
            let shown = DatabaseUrl::new(url);
            Err(StoreError::Invalid(format!("unsupported database URL {shown}: expected postgres://… or sqlite:PATH")))
        }
    }

    /// Which database this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The last change sequence number this node has applied (its own writes and others').
    pub fn seen_change(&self) -> i64 {
        self.seen.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        execute!(self.reader.get(), "SELECT 1")?;
        Ok(())
    }

    /// Database connections open and, of those, idle (for `/metrics`).
    pub fn connection_stats(&self) -> (u32, u32) {
        let pools: &[&Pool] =
            if self.backend == Backend::Postgres { &[&self.writer] } else { &[&self.writer, &self.reader] };
        pools.iter().map(|pool| pool.stats()).fold((0, 0), |(open, idle), (size, free)| (open + size, idle + free))
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

    /// Called after this node's own write commits: notes the change number reached, so that the change
    /// watcher does not take the write for another node's and empty the caches a second time, then runs the
    /// listeners. (Writes commit in sequence order, so every change up to that number is already visible to
    /// the listeners.)
    async fn wrote(&self) {
        match self.change_seq().await {
            Ok(seq) => self.seen.store(seq, std::sync::atomic::Ordering::Relaxed),
            Err(error) => tracing::warn!(%error, "reading the change sequence after a write failed"),
        }
        self.changed();
    }

    /// Starts a transaction for a content write. On PostgreSQL it first takes a cluster-wide advisory lock
    /// (released at commit or rollback), so writes commit in the order of their change numbers: a node that
    /// has read the changes up to n never sees one below n commit later, which it would skip. SQLite has one
    /// writer connection, which does the same.
    async fn begin_write(&self) -> Result<Tx, StoreError> {
        let mut tx = self.writer.begin().await?;
        if let Db::Postgres(conn) = tx.conn() {
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(conn).await?;
        }
        Ok(tx)
    }

    /// Follows changes recorded elsewhere (by another node, or by a command on this machine) until aborted:
    /// whenever the change sequence differs from what this node last saw, the change listeners run, as after
    /// a write of its own. On PostgreSQL a NOTIFY prompts it at once; a read every [`CHANGE_POLL`] covers a
    /// dropped connection or a missed notification, so those only delay an update.
    pub fn spawn_change_watcher(&self) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            match store.change_seq().await {
                Ok(seq) => store.seen.store(seq, std::sync::atomic::Ordering::Relaxed),
                Err(error) => tracing::warn!(%error, "reading the change sequence failed; trying again"),
            }
            let mut prompts = match &store.postgres_url {
                Some(url) => listen_for_changes(url).await,
                None => None,
            };
            loop {
                match &mut prompts {
                    Some(listener) => {
                        tokio::select! {
                            received = listener.recv() => if let Err(error) = received {
                                tracing::warn!(%error, "listening for other nodes' changes failed; polling");
                                tokio::time::sleep(CHANGE_POLL).await;
                            },
                            () = tokio::time::sleep(CHANGE_POLL) => {},
                        }
                    }
                    None => tokio::time::sleep(CHANGE_POLL).await,
                }
                // `seen` is also moved by this node's own writes (`wrote`), which have run the listeners already.
                match store.change_seq().await {
                    Ok(seq) if seq != store.seen.swap(seq, std::sync::atomic::Ordering::Relaxed) => {
                        store.changed();
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(%error, "reading the change sequence failed; trying again"),
                }
            }
        })
    }

    /// On SQLite, lets the database file grow to at most `pages` pages from now on (`PRAGMA max_page_count` on
    /// the writer, and on every writer connection opened later), or without limit again with `None`. A write that
    /// needs more fails as on a full disk: this is how tests and fire drills fill the disk without filling it.
    /// A limit below the current size holds the file at its current size. Does nothing on PostgreSQL.
    pub async fn limit_pages(&self, pages: Option<u32>) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        // SQLite's own largest page count, which is what "no limit" means to it.
        const NO_LIMIT: u64 = 0xFFFF_FFFE;
        let limit = pages.map_or(NO_LIMIT, |pages| u64::from(pages.max(1)));
        self.page_limit.store(if pages.is_some() { limit } else { 0 }, std::sync::atomic::Ordering::Relaxed);
        execute!(self.writer.get(), &format!("PRAGMA max_page_count = {limit}"))?;
        Ok(())
    }

    /// Closes every connection, finishing the WAL checkpoint; call at shutdown.
    pub async fn close(&self) {
        if let Some(direct) = &self.direct {
            direct.close();
        }
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Whether the SQLite writer's connection may go back to the pool after a use: not when sqlx still counts a
/// transaction open on it. That happens when a COMMIT or ROLLBACK failed: on a full disk or an I/O error SQLite
/// may end the transaction by itself, sqlx's ROLLBACK then fails too and its count stays at one, and every later
/// "transaction" would be a savepoint inside one that never commits, each save answered as stored and none of
/// them stored. Such a connection is closed instead (closing rolls back whatever SQLite still had open and
/// releases its lock), and the next write opens a fresh one.
async fn clean_writer(connection: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    // A dropped transaction queued its rollback; a ping runs after it, so the count below is the settled one.
    connection.ping().await?;
    if connection.is_in_transaction() {
        tracing::error!("a write transaction could not be ended cleanly; closing its connection");
        return Ok(false);
    }
    Ok(true)
}

/// A connection listening on [`CHANGES_CHANNEL`], or none (and a warning) when it cannot be made: polling
/// still finds every change.
async fn listen_for_changes(url: &str) -> Option<sqlx::postgres::PgListener> {
    let listening = async {
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok::<_, sqlx::Error>(listener)
    };
    match listening.await {
        Ok(listener) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "cannot listen for other nodes' changes; polling every second instead");
            None
        }
    }
}
