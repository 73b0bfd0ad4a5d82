//! What each page kind, feed and JSON answer looks like, whole: snapshots (insta) of a small site with fixed
//! content and dates, so that a change to any of them shows in review as a diff of the page. The parts that
//! differ from run to run are redacted: the server's address and port, fingerprinted asset names, the
//! current year and times the server stamps as it answers. After an intended change, run the tests with
//! `INSTA_UPDATE=always` (or `cargo insta review`) and commit the new snapshots; a changed article page also
//! raises `site::kept::PAGE_FORMAT` (the last test says so).

use chrono::{DateTime, Utc};
use newsroom::auth::Role;
use serde_json::Value;

use crate::helpers::{TestResult, TestSite};

/// The fixed moment every article is published relative to: the seed page's.
fn at(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

/// A site of five articles in three sections, with tags, a lead image, an update and a correction-free body
/// with a list, a quote and a link; the search index brought up to date.
async fn site() -> Result<TestSite, Box<dyn std::error::Error + Send + Sync>> {
    let site = TestSite::start().await?;
    site.article("opinion", "rutte-on-defence")
        .headline("Rutte makes his case for the alliance's new spending rule")
        .standfirst("The secretary general wants allies to spend more, and sooner.")
        .body(
            "The proposal sets a new floor.\n\n- Five per cent by 2035\n- A review in 2029\n\n> We cannot \
             wait, he said.\n\nRead the [full text](https://example.org/text).",
        )
        .authors(&["ann-author", "ben-writer"])
        .tags(&["Defence", "NATO"])
        .image("fixtures/summit.jpg", "Leaders at the summit table", "The summit in The Hague.", "Photo: Test Agency")
        .published_at(at("2025-12-02T23:21:00Z")?)
        .updated_at(at("2025-12-03T08:05:00Z")?)
        .save()
        .await?;
    site.article("world", "harbour-tunnel")
        .headline("Harbour tunnel opens to traffic after four years")
        .standfirst("The first cars went through at dawn.")
        .body("The tunnel links the two quays.\n\nTolls start next month.")
        .tags(&["Transport"])
        .published_at(at("2025-12-01T06:00:00Z")?)
        .save()
        .await?;
    site.article("world", "ferry-timetable")
        .headline("Ferry timetable changes for the winter")
        .standfirst("Fewer crossings from January.")
        .body("The operator cut two evening crossings.")
        .authors(&["ben-writer"])
        .tags(&["Transport"])
        .published_at(at("2025-11-30T12:00:00Z")?)
        .save()
        .await?;
    site.article("sport", "regatta")
        .headline("Rowing club wins the harbour regatta")
        .standfirst("A late surge decided it.")
        .body("The crew won by half a length.")
        .authors(&["cy-third"])
        .published_at(at("2025-11-29T15:30:00Z")?)
        .save()
        .await?;
    site.article("world", "draft-only")
        .headline("A draft readers never see")
        .status(newsroom::content::ArticleStatus::Draft)
        .save()
        .await?;
    // Search and Recommend read the index: bring it up to date now, as the follower does within a second.
    site.state.search.catch_up(&site.state.store).await?;
    Ok(site)
}

/// Compares `body` with the snapshot `name`, with what changes from run to run replaced by a marker: the
/// server's address (a new port each run), asset fingerprints (they change with every stylesheet edit, which
/// the stylesheet's own review covers), the current year, and the times a save stamps in the admin API.
fn check(site: &TestSite, name: &str, body: &str) {
    let address = site.base.replace('.', r"\.");
    let year = format!(r"\b{}\b", Utc::now().format("%Y"));
    insta::with_settings!({
        filters => vec![
            (address.as_str(), "[site]"),
            (r"\.[0-9a-f]{12}\.(css|js|svg)\b", ".[hash].$1"),
            (year.as_str(), "[this year]"),
            (r#""(modified_at|version)": \d+"#, r#""$1": "[saved]""#),
        ],
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, body);
    });
}

/// GETs `path` and checks its status, then its body against the snapshot `name`.
async fn page(site: &TestSite, path: &str, status: u16, name: &str) -> TestResult {
    let page = site.get(path).await?;
    assert_eq!(page.status.as_u16(), status, "{path}");
    check(site, name, &page.body);
    Ok(())
}

/// `body` as indented JSON, one member a line, so that a change shows as the lines it touches.
fn pretty(body: &str) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&serde_json::from_str::<Value>(body)?)
}

#[tokio::test]
async fn every_page_kind_reads_as_before() -> TestResult {
    let site = site().await?;
    page(&site, "/", 200, "home").await?;
    page(&site, "/world/", 200, "section").await?;
    page(&site, "/opinion/rutte-on-defence", 200, "article").await?;
    page(&site, "/author/ben-writer", 200, "author").await?;
    page(&site, "/tag/transport", 200, "tag").await?;
    page(&site, "/search?q=tunnel", 200, "search").await?;
    page(&site, "/nowhere", 404, "not-found").await?;
    Ok(())
}

#[tokio::test]
async fn every_feed_and_sitemap_reads_as_before() -> TestResult {
    let site = site().await?;
    page(&site, "/feed.xml", 200, "feed-rss").await?;
    page(&site, "/world/atom.xml", 200, "feed-atom-section").await?;
    let json = site.get("/tag/transport/feed.json").await?;
    check(&site, "feed-json-tag", &pretty(&json.body)?);
    page(&site, "/sitemap.xml", 200, "sitemap-index").await?;
    page(&site, "/sitemaps/articles-1.xml", 200, "sitemap-articles").await?;
    page(&site, "/sitemaps/pages.xml", 200, "sitemap-pages").await?;
    page(&site, "/robots.txt", 200, "robots").await?;
    Ok(())
}

#[tokio::test]
async fn every_json_answer_reads_as_before() -> TestResult {
    let site = site().await?;
    let search = site.get("/api/v1/search?q=ferry").await?;
    check(&site, "api-search", &pretty(&search.body)?);
    let token = crate::admin_api::token(&site, Role::Editor).await?;
    let admin = |path: &str| site.client.get(format!("{}{path}", site.base)).bearer_auth(&token).send();
    let list = admin("/api/admin/articles?status=published&limit=2").await?;
    let list: Value = list.json().await?;
    let id = list["articles"][0]["id"].as_i64().ok_or("an article id")?;
    check(&site, "api-article-list", &serde_json::to_string_pretty(&list)?);
    check(&site, "api-article", &pretty(&admin(&format!("/api/admin/articles/{id}")).await?.text().await?)?);
    check(&site, "api-sections", &pretty(&admin("/api/admin/sections").await?.text().await?)?);
    let missing = admin("/api/admin/articles/999999").await?;
    assert_eq!(missing.status(), 404);
    check(&site, "api-error", &pretty(&missing.text().await?)?);
    check(&site, "api-openapi", &pretty(&site.get("/api/openapi.json").await?.body)?);
    Ok(())
}

/// Kept article pages are used across restarts and upgrades for as long as `PAGE_FORMAT` stays the same (the
/// templates and translations are hashed on their own). So an article page that reads differently must come with
/// a new format, or readers would be served pages of the old one: this records the article snapshot each format
/// gave, and fails until the format is raised and the new snapshot recorded beside it.
#[test]
fn an_article_page_that_reads_differently_comes_with_a_new_page_format() -> TestResult {
    use sha2::{Digest, Sha256};
    const RECORDED: (u32, &str) = (2, "050221fd50228712");
    let snapshot = std::fs::read_to_string("tests/site/snapshots/article.snap")?;
    let page = snapshot.splitn(3, "---\n").nth(2).ok_or("article.snap has no header")?;
    let now = (newsroom::site::kept::PAGE_FORMAT, hex::encode(&Sha256::digest(page.as_bytes())[..8]));
    assert_eq!(
        (RECORDED.0, RECORDED.1),
        (now.0, now.1.as_str()),
        "the article page changed: raise site::kept::PAGE_FORMAT and record ({}, \"{}\") here with it",
        now.0 + u32::from(RECORDED.0 == now.0),
        now.1
    );
    Ok(())
}
