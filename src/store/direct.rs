//! The read a page-cache miss makes on SQLite, run on the calling thread through rusqlite.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every statement and row across threads.
//! A miss answered from a kept page makes one read, tens of microseconds of SQLite's work from a warm file,
//! and the hand-off (a futex wake and a context switch each way) cost more than that: 157 µs of CPU a miss
//! against 101 through this reader on the benchmark. So that one read runs here, with the same SQL text as the
//! PostgreSQL path; every other query goes through sqlx.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{BUSY_TIMEOUT, KeptPage, StoreError};

/// Idle connections kept open; more may be open while many misses read at once. A read holds its connection
/// only while it runs on its thread, so about one per worker thread is in use.
const IDLE_CONNECTIONS: usize = 4;

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

    /// The row [`super::kept::KEPT_PAGE`] selects with `values` bound to `$1` to `$4`.
    pub(super) fn kept_page(&self, values: (i64, &str, &str, i64)) -> Result<Option<KeptPage>, StoreError> {
        let connection = match self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop() {
            Some(connection) => connection,
            None => self.open()?,
        };
        let row = connection.prepare_cached(super::kept::KEPT_PAGE).and_then(|mut statement| {
            statement
                .query_row(rusqlite::params![values.0, values.1, values.2, values.3], |row| {
                    Ok(KeptPage {
                        article_id: row.get(0)?,
                        language: row.get(1)?,
                        view_count: row.get(2)?,
                        body_html: row.get(3)?,
                        page: row.get(4)?,
                    })
                })
                .optional()
        });
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(connection);
        }
        Ok(row?)
    }

    /// Closes the idle connections (the store is closing; the file may be moved or removed next).
    pub(super) fn close(&self) {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        Ok(connection)
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
