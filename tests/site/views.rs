//! View counting and the page cache, through HTTP as readers and editors would meet them.

use std::time::Duration;

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, ETAG, IF_NONE_MATCH};

use crate::helpers::{TestResult, TestSite};

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0";

async fn site_behind_proxy() -> Result<TestSite, Box<dyn std::error::Error + Send + Sync>> {
    TestSite::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap_or_default()]).await
}

#[tokio::test]
async fn two_hundred_distinct_readers_add_exactly_two_hundred() -> TestResult {
    let site = site_behind_proxy().await?;
    let path = site.article("world", "popular").views(1_000).save().await?;
    let mut readers = tokio::task::JoinSet::new();
    for i in 0..200 {
        let client = site.client.clone();
        let url = format!("{}{path}", site.base);
        readers.spawn(async move {
            client
                .get(url)
                .header("x-forwarded-for", format!("198.51.{}.{}", i / 100, i % 100 + 1))
                .header("user-agent", format!("{BROWSER} reader/{i}"))
                .send()
                .await
                .map(|r| r.status())
        });
    }
    while let Some(status) = readers.join_next().await {
        assert_eq!(status??, 200);
    }
    assert_eq!(site.stored_views(&path).await?, 1_200);
    let id = site.api_id(&path).await?;
    let chart =
        site.signed_in(newsroom::auth::Role::Editor).await?.get(&format!("/admin/articles/{id}/views.svg")).await?;
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d");
    assert!(
        chart.body.contains(&format!("<title>{today}: 200</title>")),
        "today's row of the daily table: {}",
        chart.body
    );
    Ok(())
}

#[tokio::test]
async fn a_reader_counts_once_and_robots_heads_and_prefetches_not_at_all() -> TestResult {
    let site = site_behind_proxy().await?;
    let path = site.article("world", "once").save().await?;
    for _ in 0..10 {
        assert_eq!(site.read_as(&path, "203.0.113.7", BROWSER).await?.status, 200);
    }
    assert_eq!(site.stored_views(&path).await?, 1, "ten reads by one reader are one view");

    let googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    assert_eq!(site.read_as(&path, "66.249.66.1", googlebot).await?.status, 200);
    let head = site
        .client
        .head(format!("{}{path}", site.base))
        .header("x-forwarded-for", "203.0.113.8")
        .header("user-agent", BROWSER)
        .send()
        .await?;
    assert_eq!(head.status(), 200);
    let prefetch = site
        .client
        .get(format!("{}{path}", site.base))
        .header("x-forwarded-for", "203.0.113.9")
        .header("user-agent", BROWSER)
        .header("sec-purpose", "prefetch")
        .send()
        .await?;
    assert_eq!(prefetch.status(), 200);
    assert_eq!(site.stored_views(&path).await?, 1, "crawler, HEAD and prefetch add nothing");
    Ok(())
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() -> TestResult {
    let site = TestSite::start().await?; // trusts no proxy
    let path = site.article("world", "spoofed").save().await?;
    for i in 0..5 {
        site.read_as(&path, &format!("198.51.100.{i}"), BROWSER).await?;
    }
    assert_eq!(site.stored_views(&path).await?, 1, "one peer claiming five addresses is one reader");
    Ok(())
}

#[tokio::test]
async fn counts_survive_a_graceful_restart() -> TestResult {
    let site = site_behind_proxy().await?;
    let path = site.article("world", "durable").save().await?;
    for i in 0..3 {
        site.read_as(&path, &format!("203.0.113.{i}"), BROWSER).await?;
    }
    // No flush by hand: the shutdown itself must write what was counted.
    let dir = site.stop().await?.ok_or("the data directory")?;
    let again = TestSite::start_in(dir.path(), |_| {}).await?;
    assert_eq!(again.stored_views(&path).await?, 3);
    assert!(again.get(&path).await?.body.contains("3 views"));
    Ok(())
}

#[tokio::test]
async fn the_count_on_a_cached_page_lags_by_at_most_five_seconds() -> TestResult {
    let site = site_behind_proxy().await?;
    let path = site.article("world", "fresh-count").views(41).save().await?;
    assert!(site.read_as(&path, "203.0.113.1", BROWSER).await?.body.contains("41 views"), "cached now");
    site.read_as(&path, "203.0.113.2", BROWSER).await?;
    tokio::time::sleep(Duration::from_millis(5_100)).await;
    let body = site.read_as(&path, "203.0.113.3", BROWSER).await?.body;
    assert!(body.contains("43 views") || body.contains("44 views"), "count caught up within 5 s");
    Ok(())
}

#[tokio::test]
async fn an_edit_shows_on_the_very_next_request() -> TestResult {
    let site = TestSite::start().await?;
    let path = site.article("world", "edited").headline("First headline").save().await?;
    assert!(site.get(&path).await?.body.contains("First headline"));
    assert!(site.get("/").await?.body.contains("First headline"), "home cached too");
    site.article("world", "edited").headline("Corrected headline").save().await?;
    let article = site.get(&path).await?.body;
    assert!(article.contains("Corrected headline") && !article.contains("First headline"));
    assert!(site.get("/").await?.body.contains("Corrected headline"), "lists follow the edit");
    Ok(())
}

#[tokio::test]
async fn cached_pages_revalidate_and_come_compressed() -> TestResult {
    let site = TestSite::start().await?;
    let path =
        site.article("world", "compressed").body(&"A long paragraph about the harbour. ".repeat(200)).save().await?;
    let url = format!("{}{path}", site.base);
    let first = site.client.get(&url).send().await?;
    let etag = first.headers().get(ETAG).cloned().ok_or("an ETag")?;
    let vary = first.headers().get("vary").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(vary.contains("Accept-Encoding"), "{vary}");
    let cache_control =
        first.headers().get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cache_control.contains("stale-while-revalidate"), "{cache_control}");
    let plain_len = first.bytes().await?.len();

    let revalidated = site.client.get(&url).header(IF_NONE_MATCH, etag.clone()).send().await?;
    assert_eq!(revalidated.status(), 304);
    assert_eq!(revalidated.headers().get(ETAG), Some(&etag));

    for coding in ["br", "gzip"] {
        let compressed = site.client.get(&url).header(ACCEPT_ENCODING, coding).send().await?;
        assert_eq!(compressed.headers().get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some(coding));
        assert!(compressed.bytes().await?.len() < plain_len / 3, "{coding} is much smaller");
    }
    Ok(())
}

#[tokio::test]
async fn beacon_mode_counts_reports_and_not_page_loads() -> TestResult {
    let site = TestSite::start_with(|c| {
        c.views = newsroom::config::CountingMode::Beacon;
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap_or_default()];
    })
    .await?;
    let path = site.article("world", "behind-cdn").save().await?;
    let page = site.read_as(&path, "203.0.113.1", BROWSER).await?.body;
    let beacon = page.split("data-url=\"").nth(1).and_then(|s| s.split('"').next()).ok_or("a beacon URL")?.to_owned();
    assert!(page.contains("/assets/views."), "the beacon script is linked");
    assert_eq!(site.stored_views(&path).await?, 0, "serving the page counts nothing in beacon mode");
    for ip in ["203.0.113.1", "203.0.113.1", "203.0.113.2"] {
        let report = site.send_as(reqwest::Method::POST, &beacon, ip, BROWSER).await?;
        assert_eq!(report.status, 204);
    }
    assert_eq!(site.stored_views(&path).await?, 2, "two readers, one repeat");
    let bogus = site.client.post(format!("{}/views/999999", site.base)).header("user-agent", BROWSER).send().await?;
    assert_eq!(bogus.status(), 404);
    Ok(())
}
