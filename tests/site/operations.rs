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
    // Views are written on a timer no client can hurry: write them now instead of sleeping.
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
async fn behind_a_trusted_proxy_metrics_are_for_the_allowed_clients_only() -> TestResult {
    // A proxy on the node itself, as in the nginx setup: every request's peer is 127.0.0.1.
    let proxy: ipnet::IpNet = "127.0.0.1/32".parse()?;
    let site = TestSite::start_with(|config| config.trusted_proxies = vec![proxy]).await?;
    let stranger = site.read_as("/metrics", "203.0.113.9", "curl/8.0").await?;
    assert_eq!(stranger.status, 404, "a reader on the internet, forwarded by the proxy, sees nothing there");
    assert!(!stranger.body.contains("newsroom_"));
    let local = site.read_as("/metrics", "127.0.0.1", "Prometheus/3.0").await?;
    assert_eq!(local.status, 200, "a scraper on the node itself, through the proxy, is answered");
    assert!(local.body.contains("newsroom_http_requests_total"));
    assert_eq!(site.get("/metrics").await?.status, 200, "and so is one that asks the node directly");
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
    let (prefix, counter) = first.split_once('-').ok_or(first.clone())?;
    assert_eq!(prefix.len(), 12, "the node's random prefix: {first}");
    assert!(u64::from_str_radix(counter, 16).is_ok(), "and a counter: {first}");
    assert_ne!(first, second, "each request its own");
    let given = site.client.get(format!("{}/", site.base)).header("x-request-id", "lb-7f3a-42").send().await?;
    assert_eq!(given.headers()["x-request-id"], "lb-7f3a-42");
    Ok(())
}

/// The database of the (stopped) test site on `dir`, named as `newsroom copy` takes it.
async fn database_name(dir: &std::path::Path) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let config = crate::helpers::test_config(dir).await?;
    Ok(config.database_url.map_or_else(|| dir.display().to_string(), |url| url.expose().to_owned()))
}

#[tokio::test]
async fn copy_moves_a_whole_site_to_a_new_database_with_matching_checksums() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "bridge").headline("Bridge reopens").tags(&["Roads"]).views(12).save().await?;
    site.article("opinion", "ferries").headline("Why the ferries matter").save().await?;
    let dir = site.stop().await?.ok_or("a data directory")?;
    let source = database_name(dir.path()).await?;
    let target_dir = tempfile::tempdir()?;
    let target = format!("sqlite:{}", target_dir.path().join("copy.db").display());

    let copy = std::process::Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(["copy", "--from", &source, "--to", &target])
        .env("NEWSROOM_LOG", "warn")
        .output()?;
    let report = String::from_utf8(copy.stdout)?;
    assert!(copy.status.success(), "{report}{}", String::from_utf8_lossy(&copy.stderr));
    assert!(report.contains("every count and checksum matches"), "{report}");
    let articles = report.lines().find(|line| line.starts_with("articles ")).ok_or(report.clone())?;
    let figures: Vec<&str> = articles.split_whitespace().collect();
    assert_eq!((figures[1], figures[2]), ("2", "2"), "{articles}");
    assert_eq!(figures[3], figures[4], "checksums agree: {articles}");

    // The copy is the site: same articles, bodies, tags and views.
    let copied = newsroom::store::Store::open_url(&target).await?;
    let article = copied.article("world", "bridge", chrono::Utc::now()).await?.ok_or("the copied article")?;
    assert_eq!(article.card.headline, "Bridge reopens");
    assert_eq!(article.card.view_count, 12);
    assert_eq!(article.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["Roads"]);
    copied.close().await;

    // A second copy into the same database is refused and changes nothing.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .args(["copy", "--from", &source, "--to", &target])
        .env("NEWSROOM_LOG", "warn")
        .output()?;
    assert!(!again.status.success());
    assert!(String::from_utf8(again.stderr)?.contains("not empty"));
    Ok(())
}

#[tokio::test]
async fn backup_writes_a_checked_copy_while_the_site_runs() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "harbour").headline("Harbour dredging starts").save().await?;
    let file = tempfile::tempdir()?;
    let backup_file = file.path().join("backup.db");
    // The data directory and database the test started the site with, as its operator knows them.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsroom"));
    command.arg("backup").arg(&backup_file).arg("--data").arg(&site.state.config.data_dir).env("NEWSROOM_LOG", "warn");
    crate::helpers::use_test_database(&mut command, &site.state.config.data_dir).await?;
    let output = command.output()?;
    if site.state.config.database_url.is_some() {
        assert!(!output.status.success());
        assert!(String::from_utf8(output.stderr)?.contains("pg_dump"), "PostgreSQL sites are pointed to pg_dump");
        return Ok(());
    }
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8(output.stdout)?.contains("(1 articles)"));
    let copy = newsroom::store::Store::open_sqlite(&backup_file).await?;
    let article = copy.article("world", "harbour", chrono::Utc::now()).await?.ok_or("in the backup")?;
    assert_eq!(article.card.headline, "Harbour dredging starts");
    copy.close().await;
    assert_eq!(site.get("/world/harbour").await?.status, 200, "the site kept serving");
    Ok(())
}

#[tokio::test]
async fn a_copy_never_gives_a_deleted_articles_id_again() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "kept").save().await?;
    site.article("world", "deleted").save().await?;
    let deleted = site.api_id("/world/deleted").await?;
    // Written as a command would, then copied as the command that moves a site to another database copies it.
    assert!(site.state.store.delete_article(deleted).await?);
    let target_dir = tempfile::tempdir()?;
    let target = crate::helpers::open_store(target_dir.path()).await?;
    site.state.store.copy_to(&target).await?;

    let input = newsroom::content::ArticleInput {
        section: newsroom::content::Slug::parse("world")?,
        slug: newsroom::content::Slug::parse("written-on-the-copy")?,
        headline: "Written on the copy".into(),
        standfirst: String::new(),
        body_markdown: "Text.".into(),
        authors: vec![newsroom::content::Slug::parse("ann-author")?],
        tags: vec![],
        lead_image: None,
        language: "en".into(),
        status: newsroom::content::ArticleStatus::Draft,
        published_at: None,
        updated_at: None,
        view_count: 0,
    };
    let id = target.save_article(&input.prepare()?).await?;
    assert!(id > deleted, "the copy gave id {id}; {deleted} was a deleted article's");
    target.close().await;
    Ok(())
}
