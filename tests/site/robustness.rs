//! No address or query string a person can type gives a 500; unknown ones get the site's 404 page.

use crate::helpers::{TestResult, TestSite};

#[tokio::test]
async fn junk_paths_and_queries_never_give_a_server_error() -> TestResult {
    let site = TestSite::start().await?;
    let article = site.article("world", "real").save().await?;
    let long = "x".repeat(4_000);
    let junk = [
        "/?page=0".to_owned(),
        "/world/?page=-1".to_owned(),
        "/world/?page=abc".to_owned(),
        "/world/?page=99999999999999999999".to_owned(),
        "/world/?page=1&page=2".to_owned(),
        "/world/?page=%00".to_owned(),
        "/world/?%ZZ=%ZZ".to_owned(),
        format!("{article}?page=2&utm_source=x"),
        "/world/%ff%fe".to_owned(),
        "/%C0%AF%C0%AF/".to_owned(),
        "/%2e%2e/%2e%2e/etc/passwd".to_owned(),
        "/media/../newsroom.db".to_owned(),
        "/media/%2e%2e/newsroom.db".to_owned(),
        "/assets/style.css".to_owned(),
        "/assets/%ff".to_owned(),
        "/author/%ff".to_owned(),
        "/tag/".to_owned(),
        "/a/b/c/d".to_owned(),
        format!("/{long}"),
        format!("/world/{long}"),
        format!("/world/?page={long}"),
        "/world/real/".to_owned(),
    ];
    for path in &junk {
        let page = site.get(path).await?;
        assert!(page.status.is_client_error() || page.status.is_success(), "{path} gave {}", page.status);
        assert!(!page.body.contains("SQLite"), "no internals leak on {path}");
    }
    let db = site.get("/media/..%2fnewsroom.db").await?;
    assert_ne!(db.status, 200, "the database is never served");
    Ok(())
}

#[tokio::test]
async fn unknown_paths_get_the_styled_404_page() -> TestResult {
    let site = TestSite::start().await?;
    let page = site.get("/this/does/not/exist").await?;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Page not found"));
    assert!(page.body.contains("Test Ledger"), "in the site's style");
    assert!(page.body.contains(r#"href="/world/""#), "with the section navigation");
    let bad_encoding = site.get("/world/%ff").await?;
    assert_eq!(bad_encoding.status, 404);
    assert!(bad_encoding.body.contains("Page not found"));
    Ok(())
}

#[tokio::test]
async fn health_check_answers() -> TestResult {
    let site = TestSite::start().await?;
    let page = site.get("/healthz").await?;
    assert_eq!(page.status, 200);
    Ok(())
}

#[tokio::test]
async fn stylesheet_is_fingerprinted_and_cached_for_a_year() -> TestResult {
    let site = TestSite::start().await?;
    let home = site.get("/").await?.body;
    let css = home
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("/assets/style.") && h.ends_with(".css"))
        .ok_or("the page links a fingerprinted stylesheet")?
        .to_owned();
    let response = site.get(&css).await?;
    assert_eq!(response.status, 200);
    assert_eq!(response.headers.get("content-type").map(|v| v.as_bytes()), Some(&b"text/css"[..]));
    let cache = response.headers.get("cache-control").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(cache.contains("immutable") && cache.contains("max-age=31536000"), "{cache}");
    assert!(response.body.contains("prefers-color-scheme: dark"), "dark scheme");
    Ok(())
}

#[tokio::test]
async fn a_theme_directory_overrides_templates_without_recompiling() -> TestResult {
    let theme = tempfile::tempdir()?;
    std::fs::create_dir_all(theme.path().join("templates"))?;
    std::fs::write(
        theme.path().join("templates/not_found.html"),
        "{% extends \"base.html\" %}{% block content %}<p>Lost at sea: {{ message }}</p>{% endblock %}",
    )?;
    let dir = theme.path().to_path_buf();
    let site = TestSite::start_with(move |c| c.theme_dir = Some(dir)).await?;
    let page = site.get("/nowhere").await?;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Lost at sea"), "the override is used");
    assert!(page.body.contains("Skip to content"), "the rest of the default theme still applies");
    Ok(())
}

#[tokio::test]
async fn every_response_carries_the_defensive_headers() -> TestResult {
    let site = TestSite::start().await?;
    let article = site.article("world", "guarded").save().await?;
    for path in [article.as_str(), article.as_str(), "/", "/feed.xml", "/nowhere", "/healthz"] {
        let page = site.get(path).await?;
        let header = |name: &str| page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let policy = header("content-security-policy");
        assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{path}: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "strict-origin-when-cross-origin", "{path}");
        assert!(header("permissions-policy").contains("camera=()"), "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn oversized_request_bodies_are_refused() -> TestResult {
    let site = TestSite::start_with(|c| c.views = newsroom::config::CountingMode::Beacon).await?;
    let response = site.client.post(format!("{}/views/1", site.base)).body(vec![b'x'; 1024 * 1024]).send().await?;
    assert_eq!(response.status(), 413);
    Ok(())
}

#[tokio::test]
async fn https_sites_send_strict_transport_security_everywhere() -> TestResult {
    let plain = TestSite::start().await?;
    assert!(plain.get("/").await?.headers.get("strict-transport-security").is_none(), "not over plain HTTP");
    let site = TestSite::start_with(|c| c.base_url = Some("https://news.example.com".into())).await?;
    // Twice each: the second answer of a cacheable page comes from the cache, ahead of the router.
    for path in ["/", "/", "/nowhere", "/admin/sign-in", "/api/openapi.json", "/feed.xml", "/feed.xml"] {
        let page = site.get(path).await?;
        let hsts = page.headers.get("strict-transport-security").and_then(|v| v.to_str().ok());
        assert_eq!(hsts, Some("max-age=31536000"), "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn slow_and_idle_clients_are_cut_off_while_others_are_served() -> TestResult {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let site = TestSite::start().await?;
    let addr = site.base.trim_start_matches("http://").to_owned();
    // Fifty connections that never finish their headers (slowloris), and fifty that send nothing at all.
    let mut held = Vec::new();
    for n in 0..100 {
        let mut stream = tokio::net::TcpStream::connect(&addr).await?;
        if n % 2 == 0 {
            stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await?;
        }
        held.push(stream);
    }
    let started = std::time::Instant::now();
    assert_eq!(site.get("/").await?.status, 200, "readers are still served");
    // The server closes every one of them once the header deadline passes (10 s); the bound leaves room for
    // a loaded machine.
    for mut stream in held {
        let mut rest = Vec::new();
        let closed = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read_to_end(&mut rest)).await;
        assert!(closed.is_ok(), "a connection was still open after {:?}", started.elapsed());
        assert!(!String::from_utf8_lossy(&rest).contains("200 OK"), "no page for an unfinished request");
    }
    assert!(started.elapsed() >= newsroom::server::HEADER_TIMEOUT / 2, "not closed before the deadline");
    Ok(())
}

#[tokio::test]
async fn oversized_addresses_and_headers_are_refused() -> TestResult {
    let site = TestSite::start().await?;
    let long_path = format!("/search?q={}", "a".repeat(newsroom::web::security::MAX_URI_BYTES));
    assert_eq!(site.get(&long_path).await?.status, 414);
    let filler = "b".repeat(newsroom::web::security::MAX_HEADER_BYTES / 4);
    let mut request = site.client.get(format!("{}/", site.base));
    for n in 0..5 {
        request = request.header(format!("x-filler-{n}"), &filler);
    }
    assert_eq!(request.send().await?.status(), 431);
    assert_eq!(site.get("/search?q=harbour").await?.status, 200, "ordinary requests pass");
    Ok(())
}

#[tokio::test]
async fn a_flood_from_one_address_is_held_back_while_others_search() -> TestResult {
    let site = TestSite::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap_or_default()]).await?;
    site.article("world", "quay").headline("Quay wall repairs begin").save().await?;
    let flood = (0..150).map(|_| site.read_as("/search?q=quay", "203.0.113.9", "flood/1.0"));
    let pages: Vec<_> = futures_util::future::join_all(flood).await.into_iter().filter_map(Result::ok).collect();
    let refused: Vec<_> = pages.iter().filter(|p| p.status == 429).collect();
    assert!(refused.len() >= 80, "most of the flood is refused: {} of {}", refused.len(), pages.len());
    assert!(pages.iter().all(|p| matches!(p.status.as_u16(), 200 | 429)));
    assert!(refused.iter().all(|p| p.headers.get("retry-after").is_some()), "each says when to come back");
    let reader = site.read_as("/search?q=quay", "198.51.100.7", "Mozilla/5.0").await?;
    assert_eq!(reader.status, 200, "another reader is served");
    assert!(reader.body.contains("value=\"quay\""), "a results page for the query");
    assert_eq!(site.read_as("/world/quay", "203.0.113.9", "flood/1.0").await?.status, 200, "pages are not limited");

    // The API allows bursts of 200 and 50 a second: rounds of 300 drain it however slowly a loaded machine
    // sends them (one round alone took over two seconds under load, and the allowance refilled meanwhile).
    for _ in 0..10 {
        let api = (0..300).map(|_| site.read_as("/api/openapi.json", "203.0.113.9", "flood/1.0"));
        let pages = futures_util::future::join_all(api).await;
        if let Some(limited) = pages.iter().filter_map(|p| p.as_ref().ok()).find(|p| p.status == 429) {
            assert!(limited.body.contains("\"code\":\"rate_limited\""), "{}", limited.body);
            return Ok(());
        }
    }
    Err("the API is limited".into())
}
