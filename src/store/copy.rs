//! Moving a whole site between databases (SQLite to PostgreSQL and back), and online SQLite backups.
//!
//! Every table is copied row for row with its ids, in one transaction on the target: the copy lands whole or
//! not at all. Each table's rows are summed into an order-free checksum on both sides (the two backends sort
//! text differently, so the order of rows cannot be part of it), and the report shows both.

use std::path::Path;

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use sqlx::{ColumnIndex, Decode, QueryBuilder, Row, Type};

use super::pool::{Affected, Tx, execute, fetch, on};
use super::{Backend, Store, StoreError};

/// The kind of a column's values; every column of the schema is one of these.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Integer,
    Real,
    Text,
}

use Kind::{Integer, Real, Text};

/// A table as the copy moves it, in an order that writes every row after the rows it refers to. Kept pages are
/// not copied: they are derived, and the target's nodes render their own.
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    /// The identity column whose sequence PostgreSQL must move past the copied ids.
    identity: Option<&'static str>,
}

const TABLES: &[Table] = &[
    Table { name: "settings", columns: &[("key", Text), ("value", Text)], identity: None },
    Table {
        name: "sections",
        columns: &[("id", Integer), ("slug", Text), ("name", Text), ("description", Text), ("position", Integer)],
        identity: Some("id"),
    },
    Table {
        name: "authors",
        columns: &[("id", Integer), ("slug", Text), ("name", Text), ("bio", Text), ("avatar", Text)],
        identity: Some("id"),
    },
    Table { name: "tags", columns: &[("id", Integer), ("slug", Text), ("name", Text)], identity: Some("id") },
    Table {
        name: "images",
        columns: &[
            ("id", Integer),
            ("path", Text),
            ("width", Integer),
            ("height", Integer),
            ("alt", Text),
            ("caption", Text),
            ("credit", Text),
            ("created_at", Integer),
            ("in_library", Integer),
            ("variants", Text),
            ("focal_x", Real),
            ("focal_y", Real),
            ("crops", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "users",
        columns: &[
            ("id", Integer),
            ("email", Text),
            ("name", Text),
            ("role", Text),
            ("password_hash", Text),
            ("author_id", Integer),
            ("created_at", Integer),
        ],
        identity: Some("id"),
    },
    Table {
        name: "articles",
        columns: &[
            ("id", Integer),
            ("section_id", Integer),
            ("slug", Text),
            ("headline", Text),
            ("standfirst", Text),
            ("lead_image_id", Integer),
            ("language", Text),
            ("translation_group", Integer),
            ("status", Text),
            ("published_at", Integer),
            ("updated_at", Integer),
            ("created_at", Integer),
            ("modified_at", Integer),
            ("view_count", Integer),
            ("correction", Text),
            ("owner_id", Integer),
            ("seo_title", Text),
            ("seo_description", Text),
            ("share_image_id", Integer),
        ],
        identity: Some("id"),
    },
    Table { name: "image_uses", columns: &[("image_id", Integer), ("article_id", Integer)], identity: None },
    Table {
        name: "article_bodies",
        columns: &[("article_id", Integer), ("markdown", Text), ("html", Text)],
        identity: None,
    },
    Table {
        name: "article_authors",
        columns: &[("article_id", Integer), ("author_id", Integer), ("position", Integer)],
        identity: None,
    },
    Table {
        name: "article_tags",
        columns: &[("article_id", Integer), ("tag_id", Integer), ("position", Integer)],
        identity: None,
    },
    Table {
        name: "article_views_daily",
        columns: &[("article_id", Integer), ("day", Text), ("views", Integer)],
        identity: None,
    },
    Table {
        name: "article_recommendations",
        columns: &[("article_id", Integer), ("language", Text), ("ids", Text), ("computed_at", Integer)],
        identity: None,
    },
    Table {
        name: "article_revisions",
        columns: &[
            ("id", Integer),
            ("article_id", Integer),
            ("user_id", Integer),
            ("saved_at", Integer),
            ("snapshot", Text),
        ],
        identity: Some("id"),
    },
    Table {
        name: "article_redirects",
        columns: &[("section_slug", Text), ("slug", Text), ("article_id", Integer)],
        identity: None,
    },
    Table {
        name: "import_keys",
        columns: &[("source", Text), ("kind", Text), ("key", Text), ("entity_id", Integer)],
        identity: None,
    },
    Table { name: "legacy_paths", columns: &[("path", Text), ("article_id", Integer)], identity: None },
    Table {
        name: "glossary_terms",
        columns: &[
            ("id", Integer),
            ("language", Text),
            ("accepted", Text),
            ("avoid", Text),
            ("note", Text),
            ("updated_at", Integer),
        ],
        identity: Some("id"),
    },
    Table {
        name: "section_names",
        columns: &[("section_id", Integer), ("language", Text), ("name", Text), ("description", Text)],
        identity: None,
    },
    Table {
        name: "changes",
        columns: &[("seq", Integer), ("entity", Text), ("entity_id", Integer), ("at", Integer)],
        identity: Some("seq"),
    },
    Table {
        name: "sessions",
        columns: &[
            ("token_hash", Text),
            ("user_id", Integer),
            ("csrf", Text),
            ("created_at", Integer),
            ("expires_at", Integer),
        ],
        identity: None,
    },
    Table {
        name: "sign_in_attempts",
        columns: &[("key", Text), ("window_start", Integer), ("attempts", Integer)],
        identity: None,
    },
    Table {
        name: "api_tokens",
        columns: &[
            ("id", Integer),
            ("token_hash", Text),
            ("user_id", Integer),
            ("label", Text),
            ("created_at", Integer),
            ("last_used_at", Integer),
        ],
        identity: Some("id"),
    },
    Table {
        name: "password_links",
        columns: &[("token_hash", Text), ("user_id", Integer), ("expires_at", Integer)],
        identity: None,
    },
    Table {
        name: "autosaves",
        columns: &[
            ("article_id", Integer),
            ("user_id", Integer),
            ("saved_at", Integer),
            ("base", Integer),
            ("draft", Text),
        ],
        identity: None,
    },
    Table {
        name: "preview_links",
        columns: &[
            ("id", Integer),
            ("article_id", Integer),
            ("token_hash", Text),
            ("created_by", Integer),
            ("created_at", Integer),
            ("expires_at", Integer),
        ],
        identity: Some("id"),
    },
    Table {
        name: "article_notes",
        columns: &[
            ("id", Integer),
            ("article_id", Integer),
            ("author_id", Integer),
            ("author_name", Text),
            ("body", Text),
            ("quote", Text),
            ("prefix", Text),
            ("suffix", Text),
            ("created_at", Integer),
            ("resolved_at", Integer),
            ("resolved_by", Integer),
            ("resolver_name", Text),
        ],
        identity: Some("id"),
    },
];

/// Bound values per INSERT: well under SQLite's limit of 32,766 and PostgreSQL's of 65,535.
const VALUES_PER_INSERT: usize = 4_000;

/// One table's copy: rows and checksums on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    /// Table name.
    pub table: &'static str,
    /// Rows read from the source.
    pub source_rows: u64,
    /// Rows read back from the target after the copy.
    pub target_rows: u64,
    /// The source rows' checksum.
    pub source_checksum: String,
    /// The target rows' checksum.
    pub target_checksum: String,
}

impl TableCopy {
    /// Whether both sides hold the same rows.
    pub fn matches(&self) -> bool {
        self.source_rows == self.target_rows && self.source_checksum == self.target_checksum
    }
}

/// A value of a row, as read from either backend.
#[derive(Debug, Clone)]
enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
}

/// An order-free checksum of rows: the wrapping sum of each row's SHA-256 (first 128 bits), so the same rows
/// in any order give the same sum, and any changed value changes it.
#[derive(Debug, Default)]
struct Checksum {
    rows: u64,
    sum: u128,
}

impl Checksum {
    fn add(&mut self, row: &[Value]) {
        let mut hash = Sha256::new();
        for value in row {
            // A tag and a length before each value, so that no two different rows encode alike.
            match value {
                Value::Integer(None) | Value::Real(None) | Value::Text(None) => hash.update([0]),
                Value::Integer(Some(n)) => {
                    hash.update([1]);
                    hash.update(n.to_le_bytes());
                }
                Value::Real(Some(n)) => {
                    hash.update([3]);
                    hash.update(n.to_le_bytes());
                }
                Value::Text(Some(text)) => {
                    hash.update([2]);
                    hash.update((text.len() as u64).to_le_bytes());
                    hash.update(text.as_bytes());
                }
            }
        }
        let digest = hash.finalize();
        let mut first = [0_u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(first));
        self.rows += 1;
    }

    fn hex(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

fn read_row<R: Row>(row: &R, table: &Table) -> Result<Vec<Value>, sqlx::Error>
where
    usize: ColumnIndex<R>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<f64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
{
    table
        .columns
        .iter()
        .enumerate()
        .map(|(index, (_, kind))| {
            Ok(match kind {
                Integer => Value::Integer(row.try_get(index)?),
                Real => Value::Real(row.try_get(index)?),
                Text => Value::Text(row.try_get(index)?),
            })
        })
        .collect()
}

fn select_all(table: &Table) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    // Table and column names are the constants above, never input.
    format!("SELECT {} FROM {}", columns.join(", "), table.name)
}

/// Writes `rows` to `table` with as few statements as the parameter limit allows.
async fn insert_rows(conn: &mut Tx, table: &Table, rows: &[Vec<Value>]) -> Result<(), StoreError> {
    let columns: Vec<&str> = table.columns.iter().map(|(name, _)| *name).collect();
    for chunk in rows.chunks((VALUES_PER_INSERT / columns.len()).max(1)) {
        on!(conn.conn(), |db| {
            let mut insert =
                QueryBuilder::<DB>::new(format!("INSERT INTO {} ({}) VALUES ", table.name, columns.join(", ")));
            for (index, row) in chunk.iter().enumerate() {
                insert.push(if index == 0 { "(" } else { ", (" });
                for (position, value) in row.iter().enumerate() {
                    if position > 0 {
                        insert.push(", ");
                    }
                    match value {
                        Value::Integer(n) => insert.push_bind(*n),
                        Value::Real(n) => insert.push_bind(*n),
                        Value::Text(text) => insert.push_bind(text.clone()),
                    };
                }
                insert.push(")");
            }
            insert.build().execute(db).await.affected()
        })?;
    }
    Ok(())
}

/// Moves the target's article id counter past every article id the copied change log names, deleted articles'
/// included: numbering after the copied rows alone would give the id of an article deleted at the source, the
/// newest, to a new one, and a request still meant for the deleted article would change it.
async fn skip_deleted_article_ids(conn: &mut Tx, backend: Backend) -> Result<(), StoreError> {
    let statements: &[&str] = match backend {
        Backend::Postgres => &["SELECT setval(pg_get_serial_sequence('articles', 'id'), \
                                GREATEST((SELECT COALESCE(MAX(id), 0) FROM articles), \
                                (SELECT COALESCE(MAX(entity_id), 0) FROM changes WHERE entity = 'article')) + 1, false)"],
        // With AUTOINCREMENT SQLite keeps the counter in `sqlite_sequence`, which has no row for an empty table.
        Backend::Sqlite => &[
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'articles', 0 \
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'articles')",
            "UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(id), 0) FROM articles), \
             (SELECT COALESCE(MAX(entity_id), 0) FROM changes WHERE entity = 'article')) WHERE name = 'articles'",
        ],
    };
    for statement in statements {
        execute!(conn.conn(), statement)?;
    }
    Ok(())
}

impl Store {
    /// The values of every row `sql` (a [`select_all`] of `table`) reads, one row at a time.
    fn table_rows<'a>(&'a self, sql: &'a str, table: &'a Table) -> BoxStream<'a, Result<Vec<Value>, sqlx::Error>> {
        on!(self.reader.get(), |db| sqlx::query(sql).fetch(db).map(move |row| read_row(&row?, table)).boxed())
    }

    /// Copies every table of this store into `target`, which must hold no content, in one transaction on the
    /// target; then reads the target back and reports each table's rows and checksums on both sides. Media
    /// files are not in the database: copy the media directory alongside.
    pub async fn copy_to(&self, target: &Store) -> Result<Vec<TableCopy>, StoreError> {
        for table in ["articles", "sections", "authors", "users", "settings"] {
            let rows: i64 =
                fetch!(target.reader.get(), fetch_one, sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")))?;
            if rows > 0 {
                return Err(StoreError::Conflict(format!(
                    "the target database is not empty ({rows} rows in {table}): copy into a new, empty database"
                )));
            }
        }
        let mut tx = target.begin_write().await?;
        let mut sources = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            let mut checksum = Checksum::default();
            let mut batch = Vec::new();
            let sql = select_all(table);
            let mut rows = self.table_rows(&sql, table);
            while let Some(values) = rows.try_next().await? {
                checksum.add(&values);
                batch.push(values);
                if batch.len() * table.columns.len() >= VALUES_PER_INSERT * 4 {
                    insert_rows(&mut tx, table, &batch).await?;
                    batch.clear();
                }
            }
            insert_rows(&mut tx, table, &batch).await?;
            if let (Some(column), Backend::Postgres) = (table.identity, target.backend) {
                // Copied rows kept their ids; new rows must be numbered after them.
                execute!(
                    tx.conn(),
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), COALESCE(MAX({1}), 0) + 1, false) FROM {0}",
                        table.name, column
                    )
                )?;
            }
            sources.push(checksum);
        }
        skip_deleted_article_ids(&mut tx, target.backend).await?;
        tx.commit().await?;
        // Fresh statistics, or the planner guesses on a table it has never seen filled (PostgreSQL would scan
        // 100,000 articles for one slug until autovacuum came round).
        execute!(target.writer.get(), "ANALYZE")?;
        target.wrote().await;
        let mut report = Vec::with_capacity(TABLES.len());
        for (table, source) in TABLES.iter().zip(sources) {
            let mut copied = Checksum::default();
            let sql = select_all(table);
            let mut rows = target.table_rows(&sql, table);
            while let Some(values) = rows.try_next().await? {
                copied.add(&values);
            }
            report.push(TableCopy {
                table: table.name,
                source_rows: source.rows,
                target_rows: copied.rows,
                source_checksum: source.hex(),
                target_checksum: copied.hex(),
            });
        }
        Ok(report)
    }

    /// Writes a consistent copy of the SQLite database to `file` while the site keeps running (`VACUUM
    /// INTO`), then checks the copy's integrity. Returns the articles the copy holds. PostgreSQL sites use
    /// `pg_dump` instead.
    pub async fn backup_sqlite(&self, file: &Path) -> Result<i64, StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid(
                "this site runs on PostgreSQL: back it up with pg_dump (see docs/operations.md)".into(),
            ));
        }
        if file.exists() {
            return Err(StoreError::Conflict(format!("{} exists already; name a new file", file.display())));
        }
        let target = file.to_string_lossy().into_owned();
        execute!(self.writer.get(), "VACUUM INTO $1", [target])?;
        let copy = Store::open_sqlite(file).await?;
        let check: String = fetch!(copy.reader.get(), fetch_one, sqlx::query_scalar("PRAGMA integrity_check"))?;
        let articles = copy.article_count().await;
        copy.close().await;
        if check != "ok" {
            return Err(StoreError::Corrupt(format!("the backup failed its integrity check: {check}")));
        }
        articles
    }
}
