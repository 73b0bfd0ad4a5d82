//! Reads on SQLite that run on the calling thread, through rusqlite, for the queries a page render makes.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement and every row across
//! threads. On a page-cache miss that hand-off (a futex wake and a context switch each way) cost more CPU than
//! SQLite's own work. A read of a few rows from a warm file takes tens of microseconds, short enough to run
//! inside an async task, so the reads a render makes come here; writes and every other read stay on sqlx.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};

use super::sql::SqlValue;
use super::{BUSY_TIMEOUT, StoreError};

/// Idle connections kept open; more may be open while many renders read at once. A read holds its connection
/// only while it runs on its thread, so about one per worker thread is in use.
const IDLE_CONNECTIONS: usize = 4;
/// Each connection's page cache, in KiB. SQLite's default (2 MiB) held too few of the b-trees' inner pages for a
/// render's lookups across a large site: 40 page reads a render on 100,000 articles, 28 with 8 MiB (a render
/// holds one connection at a time, so about one per worker thread is open).
const PAGE_CACHE_KIB: u32 = 8 * 1024;
/// Prepared statements each connection keeps (the render's queries, with their `IN` lists of a few lengths).
const STATEMENTS_KEPT: usize = 64;

/// A row type the direct reader can build.
pub(super) trait DirectRow: Sized {
    /// Reads one row of the query the type belongs to.
    fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// Read-only connections to one SQLite file, opened on first use and reused.
#[derive(Debug)]
pub(super) struct DirectReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl DirectReader {
    /// A reader of the database file at `path` (which the store has already opened and migrated).
    pub(super) fn new(path: &Path) -> DirectReader {
        DirectReader { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    /// Every row of `sql` with `values` bound to its placeholders in order.
    pub(super) fn fetch_all<T: DirectRow>(&self, sql: &str, values: &[SqlValue]) -> Result<Vec<T>, StoreError> {
        let connection = match self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop() {
            Some(connection) => connection,
            None => self.open()?,
        };
        let rows = read_rows(&connection, sql, values);
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(connection);
        }
        Ok(rows?)
    }

    /// Closes the idle connections (the store is closing; the file may be moved or removed next).
    pub(super) fn close(&self) {
        self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        connection.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        connection.execute_batch(&format!("PRAGMA cache_size = -{PAGE_CACHE_KIB}"))?;
        Ok(connection)
    }
}

fn read_rows<T: DirectRow>(connection: &Connection, sql: &str, values: &[SqlValue]) -> rusqlite::Result<Vec<T>> {
    let mut statement = connection.prepare_cached(sql)?;
    // Placeholders are `$1`, `$2`, … in order of appearance, which is also the order SQLite numbers them in.
    let mut rows = statement.query(rusqlite::params_from_iter(values))?;
    let mut read = Vec::new();
    while let Some(row) = rows.next()? {
        read.push(T::read(row)?);
    }
    Ok(read)
}

impl ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            SqlValue::Integer(value) => ValueRef::Integer(*value),
            SqlValue::Text(text) => ValueRef::Text(text.as_bytes()),
            SqlValue::Null => ValueRef::Null,
        }))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        match error.sqlite_error().and_then(|failure| super::health::sqlite_kind(failure.extended_code)) {
            Some(super::health::Kind::Busy) => StoreError::Busy(error.to_string()),
            Some(super::health::Kind::Unavailable) => StoreError::Unavailable(error.to_string()),
            None => StoreError::Sqlite(error),
        }
    }
}
