//! The back office's store operations: deletion and scheduled publication record changes (which caches and
//! search indexes follow), the publication claim fires once, and the demo fills only a fresh database.
//! These call the store as a command or another node on the same database does, and read its change log, which
//! has no page or API; what a client can see (ids, statuses, pages) is read over HTTP.

use chrono::{Duration, Utc};
use newsroom::content::ArticleStatus;

use crate::helpers::{TestResult, TestSite};

async fn changes_for(site: &TestSite, id: i64) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    Ok(site.state.store.changes_of("article", id).await?)
}

#[tokio::test]
async fn deleting_an_article_records_a_change_and_empties_the_cache() -> TestResult {
    let site = TestSite::start().await?;
    let path = site.article("world", "gone-soon").save().await?;
    assert_eq!(site.get(&path).await?.status, 200);
    let id = site.api_id(&path).await?;
    let before = changes_for(&site, id).await?;
    assert!(site.state.store.delete_article(id).await?);
    assert_eq!(changes_for(&site, id).await?, before + 1, "the delete is in the changes table");
    assert_eq!(site.get(&path).await?.status, 404, "the cached page is gone at once");
    assert!(!site.state.store.delete_article(id).await?, "a second delete finds nothing");
    Ok(())
}

#[tokio::test]
async fn scheduled_publication_is_claimed_exactly_once() -> TestResult {
    let site = TestSite::start().await?;
    // Far enough ahead that reading the article's id through the API (an account and a token made first)
    // cannot reach it on a loaded machine; the claims below are made at a time given, not waited for.
    let planned = Utc::now() + Duration::seconds(60);
    let path = site.article("world", "at-noon").status(ArticleStatus::Scheduled).published_at(planned).save().await?;
    let store = &site.state.store;
    let id = site.api_id(&path).await?;
    assert!(store.publish_due(Utc::now()).await?.is_empty(), "nothing is due before its time");
    assert_eq!(site.get(&path).await?.status, 404);
    let before = changes_for(&site, id).await?;
    // Several nodes (here: several tasks on one store) race for the same due article.
    let later = planned + Duration::seconds(1);
    let (a, b, c) = tokio::join!(store.publish_due(later), store.publish_due(later), store.publish_due(later));
    let published: Vec<i64> = [a?, b?, c?].concat();
    assert_eq!(published, [id], "exactly one claim wins");
    assert_eq!(changes_for(&site, id).await?, before + 1, "one change recorded");
    assert!(store.publish_due(later).await?.is_empty());
    let article = site.api_article(id).await?.ok_or("still there")?;
    assert_eq!(article["status"], "published");
    let published_at = article["published_at"].as_str().ok_or("a publication time")?;
    let published_at = chrono::DateTime::parse_from_rfc3339(published_at)?;
    assert_eq!(published_at.timestamp(), planned.timestamp(), "keeps its planned time");
    Ok(())
}

#[tokio::test]
async fn the_demo_fills_only_a_fresh_database() -> TestResult {
    let site = TestSite::start_with(|c| c.demo = true).await?;
    let store = site.state.store.clone();
    let all = newsroom::store::AdminFilter { limit: 1000, ..Default::default() };
    let (articles, total) = store.admin_articles(&all).await?;
    assert!(total > 40, "the demo loaded: {total}");
    for article in articles {
        store.delete_article(article.id).await?;
    }
    let dir = site.stop().await?.ok_or("the data directory")?;
    let again = TestSite::start_in(dir.path(), |c| c.demo = true).await?;
    assert_eq!(again.article_total().await?, 0, "an emptied site stays empty after a restart");
    Ok(())
}
