//! What operators watch: readiness, Prometheus metrics and request ids.

use std::time::{Duration, Instant};

use crate::helpers::{TestResult, TestSite};

/// The value of metric line `name` (with its labels, if any) in a Prometheus text page.
fn metric(page: &str, name: &str) -> Option<f64> {
    page.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn readyz_answers_once_the_database_and_search_index_are_ready() -> TestResult {
    let site = TestSite::start().await?;
    assert_eq!(site.get("/healthz").await?.status, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ready = site.get("/readyz").await?;
        if ready.status == 200 {
            assert_eq!(ready.body, "ready\n");
            break;
        }
        assert_eq!(ready.status, 503, "not ready is 503: {}", ready.body);
        assert!(Instant::now() < deadline, "ready within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[tokio::test]
async fn metrics_count_requests_cache_hits_and_view_flushes() -> TestResult {
    let proxy: ipnet::IpNet = "127.0.0.1/32".parse()?;
    let site = TestSite::start_with(|config| config.trusted_proxies = vec![proxy]).await?;
    let path = site.article("world", "tide-tables").save().await?;
    for _ in 0..3 {
        assert_eq!(site.get(&path).await?.status, 200);
    }
    assert_eq!(site.get("/no-such-page").await?.status, 404);
    site.read_as(&path, "10.1.2.3", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0").await?;
    site.state.views.flush(&site.state.store).await?;

    let page = site.get("/metrics").await?;
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"].to_str()?.starts_with("text/plain"));
    let body = &page.body;
    let ok = metric(body, r#"newsroom_http_requests_total{method="GET",status="2xx"}"#).ok_or(body.clone())?;
    assert!(ok >= 4.0, "four pages answered: {ok}");
    assert!(metric(body, r#"newsroom_http_requests_total{method="GET",status="4xx"}"#).is_some_and(|n| n >= 1.0));
    assert!(metric(body, "newsroom_cache_hits_total").is_some_and(|n| n >= 2.0), "{body}");
    assert!(metric(body, "newsroom_cache_misses_total").is_some_and(|n| n >= 1.0));
    assert!(metric(body, "newsroom_views_written_total").is_some_and(|n| n >= 1.0), "{body}");
    assert!(metric(body, "newsroom_view_flushes_total").is_some_and(|n| n >= 1.0));
    assert!(metric(body, "newsroom_db_connections").is_some_and(|n| n >= 1.0));
    assert!(metric(body, "newsroom_http_request_duration_seconds_count").is_some_and(|n| n >= 5.0));
    assert!(body.contains("# TYPE newsroom_cache_entries gauge"));
    Ok(())
}

#[tokio::test]
async fn metrics_are_only_for_the_addresses_allowed() -> TestResult {
    let site = TestSite::start_with(|config| config.metrics_from = vec![]).await?;
    let page = site.get("/metrics").await?;
    assert_eq!(page.status, 404, "a stranger sees nothing there");
    assert!(!page.body.contains("newsroom_"));
    Ok(())
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_proxys_id_is_kept() -> TestResult {
    let site = TestSite::start().await?;
    let first = site.get("/").await?;
    let second = site.get("/").await?;
    let id =
        |page: &crate::helpers::Page| page.headers.get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (first, second) = (id(&first).ok_or("an id")?, id(&second).ok_or("an id")?);
    assert_eq!(first.len(), 36, "a UUID: {first}");
    assert_ne!(first, second, "each request its own");
    let given = site.client.get(format!("{}/", site.base)).header("x-request-id", "lb-7f3a-42").send().await?;
    assert_eq!(given.headers()["x-request-id"], "lb-7f3a-42");
    Ok(())
}
