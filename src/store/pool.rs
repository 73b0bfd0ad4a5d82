//! The two backends behind one store. A query is written once, with `$N` placeholders and SQL both read,
//! inside [`on!`], which compiles it once per backend: each runs on its own sqlx driver with its own types,
//! and a row type's one `FromRow` derive reads it from either.

use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

/// One thing (a pool, a transaction, a connection) of either backend.
#[derive(Debug, Clone)]
pub(super) enum Db<S, P> {
    /// SQLite's.
    Sqlite(S),
    /// PostgreSQL's.
    Postgres(P),
}

/// A connection pool.
pub(super) type Pool = Db<SqlitePool, PgPool>;
/// A transaction, rolled back when dropped uncommitted.
pub(super) type Tx = Db<Transaction<'static, Sqlite>, Transaction<'static, Postgres>>;

/// Runs `$body` with `$db` bound to what `$on` holds (`pool.get()` or `tx.conn()`), compiled once per backend;
/// `DB` names the backend's sqlx type in the body, for queries built piece by piece.
macro_rules! on {
    ($on:expr, |$db:ident| $body:expr) => {
        match $on {
            $crate::store::pool::Db::Sqlite($db) => {
                #[allow(dead_code)]
                type DB = sqlx::Sqlite;
                $body
            }
            $crate::store::pool::Db::Postgres($db) => {
                #[allow(dead_code)]
                type DB = sqlx::Postgres;
                $body
            }
        }
    };
}
pub(super) use on;

/// Runs the statement `$sql` on what `$on` holds (as [`on!`] does) with the values in brackets bound in turn
/// to `$1`, `$2`, …, and answers how many rows it changed: `execute!(db, "DELETE FROM t WHERE id = $1", [id])`.
macro_rules! execute {
    ($on:expr, $sql:expr $(, [$($arg:expr),* $(,)?])? $(,)?) => {
        $crate::store::pool::on!($on, |db| {
            use $crate::store::pool::Affected as _;
            sqlx::query($sql)$($(.bind($arg))*)?.execute(db).await.affected()
        })
    };
}
pub(super) use execute;

/// Runs `$query` (a `sqlx::query_as` or `query_scalar`) on what `$on` holds (as [`on!`] does) with the values
/// in brackets bound in turn, and reads its rows with `$fetch` (`fetch_one`, `fetch_optional` or `fetch_all`).
macro_rules! fetch {
    ($on:expr, $fetch:ident, $query:expr $(, [$($arg:expr),* $(,)?])? $(,)?) => {
        $crate::store::pool::on!($on, |db| $query$($(.bind($arg))*)?.$fetch(db).await)
    };
}
pub(super) use fetch;

impl Pool {
    /// The pool, to run a query on.
    pub(super) fn get(&self) -> Db<&SqlitePool, &PgPool> {
        match self {
            Db::Sqlite(pool) => Db::Sqlite(pool),
            Db::Postgres(pool) => Db::Postgres(pool),
        }
    }

    /// Starts a transaction.
    pub(super) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Db::Sqlite(pool.begin().await?),
            Db::Postgres(pool) => Db::Postgres(pool.begin().await?),
        })
    }

    /// Connections open and, of those, idle.
    pub(super) fn stats(&self) -> (u32, u32) {
        let (size, idle) = on!(self.get(), |pool| (pool.size(), pool.num_idle()));
        (size, u32::try_from(idle).unwrap_or(u32::MAX))
    }

    /// Closes every connection.
    pub(super) async fn close(&self) {
        on!(self.get(), |pool| pool.close().await);
    }
}

impl Tx {
    /// The transaction's connection, for one query.
    pub(super) fn conn(&mut self) -> Db<&mut SqliteConnection, &mut PgConnection> {
        match self {
            Db::Sqlite(tx) => Db::Sqlite(&mut **tx),
            Db::Postgres(tx) => Db::Postgres(&mut **tx),
        }
    }

    /// Commits the transaction.
    pub(super) async fn commit(self) -> Result<(), sqlx::Error> {
        on!(self, |tx| tx.commit().await)
    }
}
/// The rows a statement changed, read alike from either backend's result.
pub(super) trait Affected {
    /// The count, or the statement's error.
    fn affected(self) -> Result<u64, sqlx::Error>;
}

impl Affected for Result<sqlx::sqlite::SqliteQueryResult, sqlx::Error> {
    fn affected(self) -> Result<u64, sqlx::Error> {
        self.map(|result| result.rows_affected())
    }
}

impl Affected for Result<sqlx::postgres::PgQueryResult, sqlx::Error> {
    fn affected(self) -> Result<u64, sqlx::Error> {
        self.map(|result| result.rows_affected())
    }
}
