//! Kept article pages: a page-cache miss on an article whose page is kept is answered from it, exactly as a
//! render would answer, and a change to anything the page shows reaches the very next request.
//! Which copy answered is the server's own business, not a client's: these tests write, count and forget the
//! kept pages and the page cache through the server's state, and make changes as a command or another node does.

use std::time::Duration;

use newsroom::content::{AuthorInput, Slug};
use newsroom::store::Batch;

use crate::helpers::{TestResult, TestSite, links_in_block};

/// Writes the pages rendered so far and empties the page cache, so that the next request is a miss.
async fn keep_and_forget_cache(site: &TestSite) {
    site.state.kept.write(&site.state.store).await;
    site.state.cache.invalidate_all();
}

/// Waits (up to 30 s, for a loaded machine) until `ready` holds.
async fn wait_until(ready: impl Fn() -> bool) -> bool {
    for _ in 0..600 {
        if ready() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ready()
}

/// Waits (up to 30 s) until the metric `name` is above `above`; false if it never was.
async fn wait_for_metric(
    site: &TestSite,
    name: &str,
    above: f64,
) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    for _ in 0..600 {
        if site.metric(name).await? > above {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(false)
}

/// Renames the site and waits for the keeper's pass that follows: it starts one on start and whenever the
/// fingerprint changes (settings, sections), not when articles are saved.
async fn rename_and_wait_for_a_pass(site: &TestSite, name: &str) -> TestResult {
    let batch = Batch { settings: vec![("site.name".into(), name.into())], ..Batch::default() };
    site.state.store.apply(&batch).await?;
    site.state.reload_settings().await?;
    let passes = site.metric(PASSES).await?;
    if wait_for_metric(site, PASSES, passes).await? {
        Ok(())
    } else {
        Err("no pass of the keeper finished in 30 s".into())
    }
}

/// Passes of the keeper over every article, as `/metrics` counts them.
const PASSES: &str = "kept_page_passes_total";

/// How many misses have been answered from kept pages, as `/metrics` counts them.
async fn served_from_kept(site: &TestSite) -> Result<f64, Box<dyn std::error::Error + Send + Sync>> {
    site.metric("kept_pages_served_total").await
}

/// Saves three articles on one tag (so each recommends the others) and one elsewhere, and returns the first's
/// path and the second's.
async fn three_on_ferries(site: &TestSite) -> Result<(String, String), Box<dyn std::error::Error + Send + Sync>> {
    let first = site
        .article("world", "night-ferry")
        .headline("The night ferry returns")
        .authors(&["ann-author"])
        .tags(&["Ferries"])
        .views(41)
        .hours_ago(1)
        .save()
        .await?;
    let second = site
        .article("world", "ferry-fares")
        .headline("Ferry fares rise")
        .tags(&["Ferries"])
        .hours_ago(2)
        .save()
        .await?;
    site.article("world", "ferry-crew").headline("Ferry crews train").tags(&["Ferries"]).hours_ago(3).save().await?;
    site.article("sport", "port-budget").headline("The port's budget").hours_ago(4).save().await?;
    Ok((first, second))
}

#[tokio::test]
async fn a_kept_page_is_the_rendered_page_with_the_count_of_now() -> TestResult {
    let site = TestSite::start().await?;
    let (path, _) = three_on_ferries(&site).await?;
    // Pages are kept only once the search index has been built (their Recommend blocks come from it).
    assert!(wait_until(|| site.state.search.is_ready()).await, "the search index is built");
    let rendered = site.get(&path).await?;
    assert_eq!(rendered.status, 200);
    assert!(rendered.body.contains("41 views"), "the stored count");
    keep_and_forget_cache(&site).await;
    // A view written since: the kept page must show it.
    let id = site.state.store.article("world", "night-ferry", chrono::Utc::now()).await?.ok_or("public")?.card.id;
    site.state.store.add_views(&[(id, 1)], chrono::Utc::now().date_naive()).await?;
    let before = served_from_kept(&site).await?;
    let kept = site.get(&path).await?;
    assert_eq!(served_from_kept(&site).await?, before + 1.0, "the miss was answered from the kept page");
    assert_eq!(kept.body, rendered.body.replace("41 views", "42 views"), "the same page, one view more");
    assert!(kept.body.contains(r#"<aside class="article-aside""#), "with the Latest block");
    // Answered before routing, from the kept page: with the same headers as a render all the same.
    let except = ["etag", "x-request-id", "date"];
    let headers = |page: &crate::helpers::Page| {
        let mut headers: Vec<(String, String)> = page
            .headers
            .iter()
            .filter(|(name, _)| !except.contains(&name.as_str()))
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or_default().to_owned()))
            .collect();
        headers.sort();
        headers
    };
    assert_eq!(headers(&kept), headers(&rendered), "the headers of a render");
    assert!(kept.headers.contains_key("etag") && kept.headers.contains_key("x-request-id"));
    // Read again at once, the page is put in the page cache; the third read is a hit.
    site.get(&path).await?;
    let hits = site.state.cache.stats().hits;
    let third = site.get(&path).await?;
    assert_eq!(site.state.cache.stats().hits, hits + 1, "the third read came from the page cache");
    assert_eq!(third.body, kept.body);
    Ok(())
}

#[tokio::test]
async fn only_plain_article_addresses_are_answered_from_kept_pages() -> TestResult {
    let site = TestSite::start().await?;
    let (path, _) = three_on_ferries(&site).await?;
    assert!(wait_until(|| site.state.search.is_ready()).await, "the search index is built");
    site.get(&path).await?;
    keep_and_forget_cache(&site).await;
    let before = served_from_kept(&site).await?;
    // A query is ignored by the article page, as by the router.
    let tracked = site.get(&format!("{path}?utm_source=newsletter")).await?;
    assert_eq!(tracked.status, 200);
    assert!(tracked.body.contains("The night ferry returns"));
    assert_eq!(served_from_kept(&site).await?, before + 1.0, "answered from the kept page");
    // Addresses the router treats otherwise keep their answers: a trailing slash, a section's feed, another
    // section, a default-language prefix.
    assert_eq!(site.get(&format!("{path}/")).await?.status, 404);
    assert!(site.get("/world/feed.xml").await?.body.contains("<rss"), "the section's feed");
    assert_eq!(site.get("/sport/night-ferry").await?.status, 404);
    let prefixed = site.client.get(format!("{}/en{path}", site.base)).send().await?;
    assert_eq!(prefixed.status(), 301, "the default language's code is redirected away");
    assert_eq!(served_from_kept(&site).await?, before + 1.0, "none of those from a kept page");
    Ok(())
}

#[tokio::test]
async fn changes_to_what_a_kept_page_shows_reach_the_next_request() -> TestResult {
    let site = TestSite::start().await?;
    let (path, second) = three_on_ferries(&site).await?;
    let page = site.get(&path).await?.body;
    assert!(links_in_block(&page, "id=\"recommend-heading\"").contains(&second.as_str()), "recommended: {page}");

    // A recommended article's new headline.
    keep_and_forget_cache(&site).await;
    site.article("world", "ferry-fares").headline("Ferry fares fall").tags(&["Ferries"]).hours_ago(2).save().await?;
    let page = site.get(&path).await?.body;
    assert!(page.contains("Ferry fares fall") && !page.contains("Ferry fares rise"), "{page}");

    // A tag's new name.
    keep_and_forget_cache(&site).await;
    let tag = site.state.store.all_tags().await?.into_iter().find(|t| t.name == "Ferries").ok_or("the tag")?;
    site.state.store.rename_tag(tag.id, "Sea ferries").await?;
    let page = site.get(&path).await?.body;
    assert!(page.contains(">Sea ferries</a>"), "{page}");

    // An author's new name.
    keep_and_forget_cache(&site).await;
    let author = AuthorInput {
        slug: Slug::parse("ann-author")?,
        name: "Ann Quayle-Byron".into(),
        bio: "Ann writes about the harbour.".into(),
        avatar: None,
    };
    let batch = Batch { authors: vec![author], ..Batch::default() };
    site.state.store.apply(&batch).await?;
    let page = site.get(&path).await?.body;
    assert!(page.contains("Ann Quayle-Byron"), "{page}");

    // The site's name, which is on every page (no change names the article: the fingerprint tells).
    keep_and_forget_cache(&site).await;
    let before = served_from_kept(&site).await?;
    let batch = Batch { settings: vec![("site.name".into(), "The Quayside Courier".into())], ..Batch::default() };
    site.state.store.apply(&batch).await?;
    site.state.reload_settings().await?;
    let page = site.get(&path).await?.body;
    assert!(page.contains("The Quayside Courier"), "{page}");
    assert_eq!(served_from_kept(&site).await?, before, "a page made with the old settings is not used");

    // Unpublished: gone at once, kept page or not.
    keep_and_forget_cache(&site).await;
    let id = site.state.store.article("world", "night-ferry", chrono::Utc::now()).await?.ok_or("public")?.card.id;
    site.state.store.delete_article(id).await?;
    assert_eq!(site.get(&path).await?.status, 404);
    Ok(())
}

#[tokio::test]
async fn the_keeper_renders_every_public_page_in_the_background() -> TestResult {
    let site = TestSite::start().await?;
    three_on_ferries(&site).await?;
    site.article("world", "draft-ferry")
        .headline("Not yet")
        .status(newsroom::content::ArticleStatus::Draft)
        .save()
        .await?;
    // Saving articles starts no pass; a change of settings starts one that finds the four.
    rename_and_wait_for_a_pass(&site, "The Ferry Post").await?;
    assert_eq!(site.state.store.kept_page_count().await?, 4, "every public article, not the draft");
    let before = served_from_kept(&site).await?;
    for path in ["/world/night-ferry", "/world/ferry-fares", "/world/ferry-crew", "/sport/port-budget"] {
        let page = site.get(path).await?;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("The Ferry Post"), "made with the new settings");
    }
    assert_eq!(served_from_kept(&site).await?, before + 4.0, "all four from kept pages");
    assert_eq!(site.get("/world/draft-ferry").await?.status, 404);
    Ok(())
}

/// The keeper looks at many articles at a time but renders a batch of 64 at most: a site with more than two
/// batches' worth to render gets every page kept all the same.
#[tokio::test]
async fn the_keeper_keeps_pages_beyond_one_batch() -> TestResult {
    let site = TestSite::start().await?;
    for n in 0..150 {
        site.article("world", &format!("harbour-note-{n}"))
            .headline(&format!("Harbour note {n}"))
            .hours_ago(1)
            .save()
            .await?;
    }
    rename_and_wait_for_a_pass(&site, "The Quay Post").await?;
    assert_eq!(site.state.store.kept_page_count().await?, 150, "every one of the 150 articles");
    Ok(())
}

/// A node started after a long stop finds every kept page older than the keeper's refresh age: it serves them
/// at once and renders them again a batch at a time with long rests, not all together.
#[tokio::test]
async fn after_a_long_stop_old_pages_are_served_and_refreshed_slowly() -> TestResult {
    // A fixed address: otherwise each start's port would be the site's, and its pages of another fingerprint.
    let base = |config: &mut newsroom::config::Config| config.base_url = Some("https://quay.example.com".into());
    let site = TestSite::start_with(base).await?;
    for n in 0..150 {
        site.article("world", &format!("quay-log-{n}")).headline(&format!("Quay log {n}")).hours_ago(1).save().await?;
    }
    rename_and_wait_for_a_pass(&site, "The Quay Log").await?;
    assert_eq!(site.state.store.kept_page_count().await?, 150);
    let dir = site.stop().await?.ok_or("the data directory")?;
    // Two days pass while the node is stopped. Nothing public sets a page's age, and the clock is the
    // system's, so the rows are aged where they are kept.
    age_kept_pages(dir.path(), 2 * 86_400).await?;

    let site = TestSite::start_in(dir.path(), base).await?;
    assert!(wait_until(|| site.state.search.is_ready()).await, "the search index is built");
    let before = served_from_kept(&site).await?;
    let page = site.get("/world/quay-log-0").await?;
    assert!(page.body.contains("Quay log 0") && page.body.contains("The Quay Log"), "{}", page.body);
    assert_eq!(served_from_kept(&site).await?, before + 1.0, "a two-day-old page is served from where it is kept");
    let written = "kept_pages_written_total";
    assert!(wait_for_metric(&site, written, 0.0).await?, "the keeper refreshes old pages");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rendered = site.metric(written).await?;
    assert!(rendered <= 64.0, "one batch, then a rest: {rendered} pages rendered again at once");
    assert_eq!(site.state.store.kept_page_count().await?, 150, "none dropped meanwhile");
    Ok(())
}

/// Moves every kept page's render time `seconds` into the past, on the database of the test site on `data_dir`.
async fn age_kept_pages(data_dir: &std::path::Path, seconds: i64) -> TestResult {
    crate::helpers::run_sql(data_dir, "UPDATE kept_pages SET rendered_at = rendered_at - $1", seconds).await
}
