//! When the database cannot save or answer: which failures count as "unavailable, try again" (a full disk, an
//! I/O error, a locked file, an unreachable PostgreSQL), and whether this node is failing to write now, for
//! `/readyz`.
//!
//! A failed write is noted here by whoever saw it (the HTTP edges through [`Store::note_unavailable`], the
//! background writers likewise), logged, and makes the node not ready. Readiness comes back only when a probe
//! write that needs room commits, so `/readyz` says "not ready" for as long as the disk is full, and "ready"
//! again as soon as space returns, without a restart and without any editor having to save first.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::pool::execute;
use super::{Store, StoreError};

/// The key of the probe row in `settings`: never committed (the probe deletes it in its own transaction), and
/// outside `site.*`, so no reader would take it for a setting.
const PROBE_KEY: &str = "newsroom.write-probe";
/// What the probe writes: 64 KiB, more than a page, so that it needs room on disk (or below SQLite's page
/// limit), as an article's save would.
const PROBE_BYTES: usize = 64 * 1024;
/// How long `/readyz` waits for the probe (the writer may be busy with an import) before saying "not ready".
const PROBE_WAIT: Duration = Duration::from_secs(2);
/// At most one probe in this interval: a load balancer polling often must not write each time.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// Failed writes are logged one line each, but no more than one line in this interval while they keep
/// failing; the next line says how many were not logged.
const LOG_EVERY: Duration = Duration::from_secs(1);

/// What kind of "try again later" a failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Busy with other work past the wait allowed: [`StoreError::Busy`].
    Busy,
    /// Cannot save or answer: [`StoreError::Unavailable`].
    Unavailable,
}

/// SQLite's primary result codes that mean "the database cannot do this now" rather than "this request is
/// wrong": BUSY and LOCKED (another process held the file past the busy timeout), and NOMEM, READONLY (the
/// file or directory became read-only), IOERR, FULL, CANTOPEN.
pub(super) fn sqlite_kind(extended_code: i32) -> Option<Kind> {
    match extended_code & 0xff {
        5 | 6 => Some(Kind::Busy),
        7 | 8 | 10 | 13 | 14 => Some(Kind::Unavailable),
        _ => None,
    }
}

/// PostgreSQL's SQLSTATEs of the same kind: connection exceptions (08), insufficient resources such as a full
/// disk (53), the server shutting down or starting (57P0x), a cancelled statement (57014), and a write sent to
/// a read-only standby (25006).
fn postgres_state_unavailable(state: &str) -> bool {
    state.starts_with("08")
        || state.starts_with("53")
        || state.starts_with("57P0")
        || state == "57014"
        || state == "25006"
}

/// Whether `error` means the database is busy or unavailable (see the module's description) rather than that
/// the request or the data is at fault.
pub(super) fn sqlx_kind(error: &sqlx::Error) -> Option<Kind> {
    match error {
        sqlx::Error::PoolTimedOut => Some(Kind::Busy),
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
            Some(Kind::Unavailable)
        }
        sqlx::Error::Database(database) => {
            if database.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite's code is its extended result code, as a number.
                database.code().and_then(|code| code.parse().ok()).and_then(sqlite_kind)
            } else if let Some(postgres) = database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                postgres_state_unavailable(postgres.code()).then_some(Kind::Unavailable)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The node's record of failing writes.
#[derive(Debug, Default)]
pub(super) struct Health {
    fault: Mutex<Option<Fault>>,
    /// Held while a probe runs, so that concurrent `/readyz` calls do not probe at once.
    probing: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
struct Fault {
    /// Why the last write failed.
    reason: String,
    /// When the last probe ran, if one has.
    probed: Option<Instant>,
    /// When a failure was last logged, and how many failures since then were not.
    logged: Instant,
    unlogged: u64,
}

impl Store {
    /// Notes that `error` stopped a write or a read: when it is [`StoreError::Unavailable`], logs it (at most a
    /// line a second) and makes the node not ready until a probe write commits (see [`Store::readiness`]);
    /// [`StoreError::Busy`] is only logged, as a warning: the database is working, on something else.
    pub fn note_unavailable(&self, error: &StoreError) {
        let reason = match error {
            StoreError::Unavailable(reason) => reason,
            StoreError::Busy(reason) => {
                tracing::warn!(%reason, "the database was too busy to take a request in time");
                return;
            }
            _ => return,
        };
        let mut fault = self.health.fault.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match fault.as_mut() {
            None => {
                tracing::error!(%reason, "the database could not save or answer; this node is not ready until it can");
                *fault = Some(Fault { reason: reason.clone(), probed: None, logged: Instant::now(), unlogged: 0 });
            }
            Some(fault) => {
                fault.reason.clone_from(reason);
                if fault.logged.elapsed() >= LOG_EVERY {
                    tracing::error!(%reason, not_logged = fault.unlogged, "the database could not save or answer");
                    fault.logged = Instant::now();
                    fault.unlogged = 0;
                } else {
                    fault.unlogged += 1;
                }
            }
        }
    }

    /// Whether this node can serve: the database answers a read, and, if writes failed lately, a probe write
    /// commits now. `Err` carries the reason for `/readyz`.
    pub async fn readiness(&self) -> Result<(), String> {
        if let Err(error) = self.ping().await {
            self.note_unavailable(&error);
            return Err(match error {
                StoreError::Unavailable(reason) | StoreError::Busy(reason) => format!("database unreachable: {reason}"),
                other => other.to_string(),
            });
        }
        let Some((reason, probed)) = self.fault() else { return Ok(()) };
        // Another call is probing, or one did a moment ago: its answer stands.
        let probing = self.health.probing.try_lock();
        if probed.is_some_and(|at| at.elapsed() < PROBE_EVERY) || probing.is_err() {
            return Err(unable_to_save(&reason));
        }
        let probe = match tokio::time::timeout(PROBE_WAIT, self.probe_write()).await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable(format!("no write went through within {PROBE_WAIT:?}"))),
        };
        let mut fault = self.health.fault.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match probe {
            Ok(()) => {
                if fault.take().is_some() {
                    tracing::warn!("the database takes writes again; this node is ready");
                }
                Ok(())
            }
            Err(error) => {
                let reason = error.to_string();
                if let Some(fault) = fault.as_mut() {
                    fault.probed = Some(Instant::now());
                    fault.reason.clone_from(&reason);
                }
                Err(unable_to_save(&reason))
            }
        }
    }

    /// The reason of the failure noted last and when it was last probed, while writes are failing.
    fn fault(&self) -> Option<(String, Option<Instant>)> {
        let fault = self.health.fault.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        fault.as_ref().map(|fault| (fault.reason.clone(), fault.probed))
    }

    /// Writes and deletes a row big enough to need room, in one committed transaction: what a save needs,
    /// without leaving anything behind or recording a change.
    async fn probe_write(&self) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
        execute!(
            tx.conn(),
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [PROBE_KEY, "0".repeat(PROBE_BYTES)]
        )?;
        execute!(tx.conn(), "DELETE FROM settings WHERE key = $1", [PROBE_KEY])?;
        tx.commit().await?;
        Ok(())
    }
}

fn unable_to_save(reason: &str) -> String {
    format!("database cannot save: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_and_io_errors_are_unavailable_and_broken_rules_are_not() {
        // SQLITE_FULL, SQLITE_IOERR_WRITE (an extended code), SQLITE_BUSY.
        assert_eq!((sqlite_kind(13), sqlite_kind(778)), (Some(Kind::Unavailable), Some(Kind::Unavailable)));
        assert_eq!(sqlite_kind(5), Some(Kind::Busy));
        // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CORRUPT are not "try again".
        assert_eq!((sqlite_kind(2067), sqlite_kind(11)), (None, None));
        assert!(postgres_state_unavailable("08006") && postgres_state_unavailable("53100"));
        assert!(postgres_state_unavailable("57P01") && postgres_state_unavailable("25006"));
        assert!(!postgres_state_unavailable("23505") && !postgres_state_unavailable("22P05"));
        assert_eq!(sqlx_kind(&sqlx::Error::PoolTimedOut), Some(Kind::Busy));
        assert_eq!(sqlx_kind(&sqlx::Error::RowNotFound), None);
    }
}
