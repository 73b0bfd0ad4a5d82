//! Migration 0003 rebuilds the articles table: an existing site keeps every article, body, byline, tag and
//! daily view count, and foreign keys still hold afterwards.

use std::str::FromStr;

use newsroom::store::Store;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::helpers::TestResult;

#[tokio::test]
async fn upgrading_an_existing_database_keeps_all_content() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("newsroom.db");
    let options = SqliteConnectOptions::from_str("sqlite:")?.filename(&path).create_if_missing(true).foreign_keys(true);
    let mut conn = options.connect().await?;
    // The schema as it was before the back office: the first two migrations only.
    let mut before = sqlx::migrate!("migrations/sqlite");
    before.migrations = std::borrow::Cow::Owned(before.migrations.iter().filter(|m| m.version < 3).cloned().collect());
    before.run(&mut conn).await?;
    sqlx::raw_sql(
        "INSERT INTO sections (id, slug, name) VALUES (1, 'world', 'World');
         INSERT INTO authors (id, slug, name) VALUES (1, 'ann', 'Ann');
         INSERT INTO tags (id, slug, name) VALUES (1, 'port', 'Port');
         INSERT INTO articles (id, section_id, slug, headline, status, published_at, created_at, modified_at, view_count)
              VALUES (7, 1, 'old-story', 'An old story', 'published', 1000, 1000, 1000, 42);
         INSERT INTO article_bodies (article_id, markdown, html) VALUES (7, 'Text.', '<p>Text.</p>');
         INSERT INTO article_authors (article_id, author_id, position) VALUES (7, 1, 0);
         INSERT INTO article_tags (article_id, tag_id) VALUES (7, 1);
         INSERT INTO article_views_daily (article_id, day, views) VALUES (7, '2026-01-01', 42);",
    )
    .execute(&mut conn)
    .await?;
    conn.close().await?;

    let store = Store::open_sqlite(&path).await?;
    let article = store.editable_article(7).await?.ok_or("the article survived")?;
    assert_eq!(article.headline, "An old story");
    assert_eq!(article.body, "Text.");
    assert_eq!(article.authors, ["ann"]);
    assert_eq!(article.tags, ["Port"]);
    assert_eq!(article.view_count, 42);
    assert_eq!(article.owner, None);
    assert_eq!(store.views_by_day(7, "2026-01-01").await?, [("2026-01-01".to_owned(), 42)]);
    // Foreign keys hold on the rebuilt table: deleting cascades to bodies, bylines, tags and views.
    assert!(store.delete_article(7).await?);
    assert!(store.views_by_day(7, "2026-01-01").await?.is_empty());
    store.close().await;

    let mut check = options.connect().await?;
    let orphans: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM article_bodies) + (SELECT COUNT(*) FROM article_authors) \
         + (SELECT COUNT(*) FROM article_tags)",
    )
    .fetch_one(&mut check)
    .await?;
    assert_eq!(orphans, 0);
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'articles' ORDER BY name",
    )
    .fetch_all(&mut check)
    .await?;
    for name in
        ["articles_by_section_time", "articles_by_status_time", "articles_by_status_views", "articles_by_update"]
    {
        assert!(indexes.iter().any(|i| i == name), "{name} is back: {indexes:?}");
    }
    Ok(())
}
