//! Migrations 0003 and 0010 rebuild the articles table: an existing site keeps every article, body, byline,
//! tag and daily view count, and foreign keys still hold afterwards. After 0010 no article id is used twice.

use std::str::FromStr;

use newsroom::store::Store;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::helpers::TestResult;

/// A SQLite database at `path` with the migrations before `version` run, and how to connect to it again
/// (foreign keys on).
async fn migrated_before(
    path: &std::path::Path,
    version: i64,
) -> Result<(SqliteConnectOptions, sqlx::SqliteConnection), Box<dyn std::error::Error + Send + Sync>> {
    let options = SqliteConnectOptions::from_str("sqlite:")?.filename(path).create_if_missing(true).foreign_keys(true);
    let mut conn = options.connect().await?;
    let mut before = sqlx::migrate!("migrations/sqlite");
    before.migrations =
        std::borrow::Cow::Owned(before.migrations.iter().filter(|m| m.version < version).cloned().collect());
    before.run(&mut conn).await?;
    Ok((options, conn))
}

#[tokio::test]
async fn upgrading_an_existing_database_keeps_all_content() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("newsroom.db");
    // The schema as it was before the back office: the first two migrations only.
    let (options, mut conn) = migrated_before(&path, 3).await?;
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

#[tokio::test]
async fn upgrading_keeps_every_row_that_names_an_article_and_never_reuses_an_id() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("newsroom.db");
    // The schema before ids were kept from reuse.
    let (options, mut conn) = migrated_before(&path, 9).await?;
    // Article 9 was the newest and was deleted: only the change log remembers it.
    sqlx::raw_sql(
        "INSERT INTO sections (id, slug, name) VALUES (1, 'world', 'World');
         INSERT INTO authors (id, slug, name) VALUES (1, 'ann', 'Ann');
         INSERT INTO tags (id, slug, name) VALUES (1, 'port', 'Port');
         INSERT INTO users (id, email, name, role, created_at) VALUES (1, 'ed@example.com', 'Ed', 'editor', 1);
         INSERT INTO articles (id, section_id, slug, headline, status, published_at, created_at, modified_at,
                               view_count, correction, owner_id, language, translation_group)
              VALUES (7, 1, 'old-story', 'An old story', 'published', 1000, 1000, 1000, 42, 'A fix.', 1, 'en', 7);
         INSERT INTO article_bodies (article_id, markdown, html) VALUES (7, 'Text.', '<p>Text.</p>');
         INSERT INTO article_authors (article_id, author_id, position) VALUES (7, 1, 0);
         INSERT INTO article_tags (article_id, tag_id) VALUES (7, 1);
         INSERT INTO article_views_daily (article_id, day, views) VALUES (7, '2026-01-01', 42);
         INSERT INTO article_revisions (article_id, user_id, saved_at, snapshot) VALUES (7, 1, 1000, '{}');
         INSERT INTO article_redirects (section_slug, slug, article_id) VALUES ('world', 'older-name', 7);
         INSERT INTO legacy_paths (path, article_id) VALUES ('/?p=7', 7);
         INSERT INTO article_recommendations (article_id, language, ids, computed_at) VALUES (7, '', '', 1000);
         INSERT INTO kept_pages (article_id, theme, seq, rendered_at, views_at, latest_at, html)
              VALUES (7, 't', 1, 1000, 0, 0, '<p>kept</p>');
         INSERT INTO kept_page_sources (entity, entity_id, article_id) VALUES ('article', 7, 7);
         INSERT INTO changes (entity, entity_id, at) VALUES ('article', 7, 1000), ('article', 9, 1001);",
    )
    .execute(&mut conn)
    .await?;
    conn.close().await?;

    let store = Store::open_sqlite(&path).await?;
    let article = store.editable_article(7).await?.ok_or("the article survived")?;
    assert_eq!(
        (article.headline.as_str(), article.correction.as_str(), article.owner),
        ("An old story", "A fix.", Some(1))
    );
    assert_eq!(article.view_count, 42);
    store.close().await;

    let mut check = options.connect().await?;
    let kept: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM article_bodies) + (SELECT COUNT(*) FROM article_authors) \
         + (SELECT COUNT(*) FROM article_tags) + (SELECT COUNT(*) FROM article_views_daily) \
         + (SELECT COUNT(*) FROM article_revisions) + (SELECT COUNT(*) FROM article_redirects) \
         + (SELECT COUNT(*) FROM legacy_paths) + (SELECT COUNT(*) FROM article_recommendations)",
    )
    .fetch_one(&mut check)
    .await?;
    assert_eq!(kept, 8, "every row that names the article is still there");
    // Kept pages are derived, and stored compressed since migration 0012: the old ones go, to be rendered again.
    let pages: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM kept_pages) + (SELECT COUNT(*) FROM kept_page_sources)")
            .fetch_one(&mut check)
            .await?;
    assert_eq!(pages, 0, "pages kept uncompressed are dropped");
    let problems: Vec<(String, i64, String, i64)> =
        sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&mut check).await?;
    assert!(problems.is_empty(), "{problems:?}");
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO articles (section_id, slug, headline, status, created_at, modified_at) \
         VALUES (1, 'new-story', 'New', 'draft', 2000, 2000) RETURNING id",
    )
    .fetch_one(&mut check)
    .await?;
    assert_eq!(next, 10, "the deleted article's id 9 is not given again");
    sqlx::query("DELETE FROM articles WHERE id = 10").execute(&mut check).await?;
    let again: i64 = sqlx::query_scalar(
        "INSERT INTO articles (section_id, slug, headline, status, created_at, modified_at) \
         VALUES (1, 'newer-story', 'Newer', 'draft', 2000, 2000) RETURNING id",
    )
    .fetch_one(&mut check)
    .await?;
    assert_eq!(again, 11);
    // Deleting cascades as before.
    sqlx::query("DELETE FROM articles WHERE id = 7").execute(&mut check).await?;
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM article_bodies) + (SELECT COUNT(*) FROM article_views_daily) \
         + (SELECT COUNT(*) FROM kept_pages) + (SELECT COUNT(*) FROM legacy_paths)",
    )
    .fetch_one(&mut check)
    .await?;
    assert_eq!(left, 0);
    Ok(())
}
