//! Feeds, sitemaps, robots.txt and page metadata, read the way machines read them.

use chrono::{Duration, Utc};
use newsroom::content::ArticleStatus;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use crate::helpers::{TestResult, TestSite};

async fn site_with_articles() -> Result<(TestSite, Vec<String>), Box<dyn std::error::Error + Send + Sync>> {
    let site = TestSite::start_with(|c| c.base_url = Some("https://news.example.com".to_owned())).await?;
    let mut paths = Vec::new();
    paths.push(
        site.article("world", "summit")
            .headline("Ministers meet <again> & talk")
            .tags(&["NATO", "Europe"])
            .authors(&["ann-author", "ben-writer"])
            .image("demo/lead/summit.svg", "A globe", "Caption", "Credit")
            .hours_ago(1)
            .save()
            .await?,
    );
    paths.push(site.article("sport", "final").tags(&["Football"]).hours_ago(30).save().await?);
    paths.push(site.article("opinion", "old-column").authors(&["ben-writer"]).hours_ago(24 * 10).save().await?);
    site.article("world", "secret-draft").status(ArticleStatus::Draft).save().await?;
    site.article("world", "tomorrow").published_at(Utc::now() + Duration::days(1)).save().await?;
    Ok((site, paths))
}

fn parse_feed(body: &str) -> Result<feed_rs::model::Feed, feed_rs::parser::ParseFeedError> {
    feed_rs::parser::parse(body.as_bytes())
}

#[tokio::test]
async fn site_feeds_in_three_formats_parse_and_agree() -> TestResult {
    let (site, paths) = site_with_articles().await?;
    for (path, mime) in [
        ("/feed.xml", "application/rss+xml"),
        ("/atom.xml", "application/atom+xml"),
        ("/feed.json", "application/feed+json"),
    ] {
        let response = site.get(path).await?;
        assert_eq!(response.status, 200, "{path}");
        let content_type = response.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(content_type.starts_with(mime), "{path}: {content_type}");
        let feed = parse_feed(&response.body)?;
        let links: Vec<String> = feed.entries.iter().filter_map(|e| e.links.first().map(|l| l.href.clone())).collect();
        let expected: Vec<String> = paths.iter().map(|p| format!("https://news.example.com{p}")).collect();
        assert_eq!(links, expected, "{path}: public articles, newest first, absolute links");
        let first = &feed.entries[0];
        assert_eq!(first.title.as_ref().map(|t| t.content.as_str()), Some("Ministers meet <again> & talk"), "{path}");
        assert!(first.published.is_some(), "{path}: publication date");
        assert!(first.authors.iter().any(|a| a.name.as_deref() == Some("Ben Writer")), "{path}: authors");
        assert!(first.categories.iter().any(|c| c.term == "NATO"), "{path}: tags as categories");
        let full = first.content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
        assert!(full.contains("A second paragraph."), "{path}: full content by default");
    }
    Ok(())
}

#[tokio::test]
async fn section_tag_and_author_feeds_hold_only_their_articles() -> TestResult {
    let (site, paths) = site_with_articles().await?;
    let entries = |body: String| -> Result<Vec<String>, feed_rs::parser::ParseFeedError> {
        Ok(parse_feed(&body)?.entries.into_iter().filter_map(|e| e.links.first().map(|l| l.href.clone())).collect())
    };
    let sport = entries(site.get("/sport/feed.xml").await?.body)?;
    assert_eq!(sport, [format!("https://news.example.com{}", paths[1])]);
    let nato = entries(site.get("/tag/nato/atom.xml").await?.body)?;
    assert_eq!(nato, [format!("https://news.example.com{}", paths[0])]);
    let ben = entries(site.get("/author/ben-writer/feed.json").await?.body)?;
    assert_eq!(ben.len(), 2);
    for missing in
        ["/nowhere/feed.xml", "/tag/nothing/feed.xml", "/author/nobody/atom.xml", "/author/ann-author/feed.txt"]
    {
        assert_eq!(site.get(missing).await?.status, 404, "{missing}");
    }
    Ok(())
}

#[tokio::test]
async fn summary_feeds_leave_the_body_out() -> TestResult {
    let site = TestSite::start_with(|c| c.feed_content = newsroom::config::FeedContent::Summary).await?;
    site.article("world", "short").standfirst("Only this.").save().await?;
    let feed = parse_feed(&site.get("/atom.xml").await?.body)?;
    let entry = feed.entries.first().ok_or("one entry")?;
    assert!(entry.content.is_none(), "no full content");
    assert_eq!(entry.summary.as_ref().map(|s| s.content.as_str()), Some("Only this."));
    Ok(())
}

#[tokio::test]
async fn feeds_answer_conditional_requests() -> TestResult {
    let (site, _) = site_with_articles().await?;
    let url = format!("{}/feed.xml", site.base);
    let first = site.client.get(&url).send().await?;
    let etag = first.headers().get(ETAG).cloned().ok_or("ETag")?;
    let modified = first.headers().get(LAST_MODIFIED).cloned().ok_or("Last-Modified")?;
    assert_eq!(site.client.get(&url).header(IF_NONE_MATCH, etag).send().await?.status(), 304);
    assert_eq!(site.client.get(&url).header(IF_MODIFIED_SINCE, modified).send().await?.status(), 304);
    let old = "Mon, 01 Jan 2001 00:00:00 GMT";
    assert_eq!(site.client.get(&url).header(IF_MODIFIED_SINCE, old).send().await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn pages_announce_their_feeds() -> TestResult {
    let (site, paths) = site_with_articles().await?;
    let home = site.get("/").await?.body;
    assert!(
        home.contains(
            r#"<link rel="alternate" type="application/rss+xml" title="Test Ledger (RSS)" href="/feed.xml">"#
        )
    );
    assert!(site.get("/sport/").await?.body.contains(r#"href="/sport/atom.xml""#));
    assert!(site.get("/tag/nato").await?.body.contains(r#"href="/tag/nato/feed.json""#));
    let article = site.get(&paths[0]).await?.body;
    assert!(article.contains(r#"href="/feed.xml""#) && article.contains(r#"href="/world/feed.xml""#));
    Ok(())
}

#[tokio::test]
async fn sitemaps_list_every_public_article_with_images_and_news() -> TestResult {
    let (site, paths) = site_with_articles().await?;
    let index = site.get("/sitemap.xml").await?;
    assert_eq!(index.status, 200);
    for file in ["pages.xml", "news.xml", "articles-1.xml"] {
        assert!(index.body.contains(&format!("<loc>https://news.example.com/sitemaps/{file}</loc>")), "{file}");
    }
    assert!(!index.body.contains("articles-2.xml"));

    let articles = site.get("/sitemaps/articles-1.xml").await?.body;
    for path in &paths {
        assert!(articles.contains(&format!("<loc>https://news.example.com{path}</loc>")), "{path}");
    }
    assert!(!articles.contains("secret-draft") && !articles.contains("tomorrow"));
    assert!(articles.contains("<image:loc>https://news.example.com/media/demo/lead/summit.svg</image:loc>"));
    assert!(articles.contains("<lastmod>"));

    let news = site.get("/sitemaps/news.xml").await?.body;
    assert!(news.contains(&format!("https://news.example.com{}", paths[0])) && news.contains(&paths[1]));
    assert!(!news.contains(&paths[2]), "ten days old is not news");
    assert!(news.contains("<news:name>Test Ledger</news:name>") && news.contains("<news:language>en</news:language>"));
    assert!(news.contains("<news:title>Ministers meet &lt;again&gt; &amp; talk</news:title>"));

    let pages = site.get("/sitemaps/pages.xml").await?.body;
    for page in ["/</loc>", "/world/</loc>", "/author/ben-writer</loc>", "/tag/nato</loc>"] {
        assert!(pages.contains(page), "{page}");
    }
    for missing in ["/sitemaps/articles-2.xml", "/sitemaps/articles-0.xml", "/sitemaps/other.xml"] {
        assert_eq!(site.get(missing).await?.status, 404, "{missing}");
    }
    let robots = site.get("/robots.txt").await?.body;
    assert!(robots.contains("Sitemap: https://news.example.com/sitemap.xml"));
    Ok(())
}

fn json_ld(html: &str) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
    let start = html.find(r#"<script type="application/ld+json">"#).ok_or("a JSON-LD script")? + 35;
    let end = html[start..].find("</script>").ok_or("its end")? + start;
    Ok(serde_json::from_str(&html[start..end])?)
}

#[tokio::test]
async fn article_pages_carry_news_article_data_and_social_cards() -> TestResult {
    let (site, paths) = site_with_articles().await?;
    let html = site.get(&paths[0]).await?.body;
    let graph = json_ld(&html)?;
    let items = graph["@graph"].as_array().ok_or("a graph")?;
    let article = items.iter().find(|i| i["@type"] == "NewsArticle").ok_or("a NewsArticle")?;
    assert_eq!(article["headline"], "Ministers meet <again> & talk");
    assert_eq!(article["image"][0], "https://news.example.com/media/demo/lead/summit.svg");
    assert!(article["datePublished"].as_str().is_some_and(|d| d.contains('T')));
    assert!(article["dateModified"].is_string());
    assert_eq!(article["author"][1]["name"], "Ben Writer");
    assert_eq!(article["author"][1]["url"], "https://news.example.com/author/ben-writer");
    assert_eq!(article["articleSection"], "World");
    assert_eq!(article["keywords"], serde_json::json!(["NATO", "Europe"]), "the tags, in the order they were given");
    assert_eq!(article["isAccessibleForFree"], true);
    let publisher = items.iter().find(|i| i["@type"] == "NewsMediaOrganization").ok_or("a publisher")?;
    assert!(publisher["logo"]["url"].as_str().is_some_and(|u| u.starts_with("https://news.example.com/assets/logo.")));
    let trail = items.iter().find(|i| i["@type"] == "BreadcrumbList").ok_or("breadcrumbs")?;
    assert_eq!(trail["itemListElement"][1]["item"], "https://news.example.com/world/");
    assert!(!html.contains("<again>"), "no raw markup from the headline anywhere");
    assert!(html.contains(r#"<meta property="og:type" content="article">"#));
    assert!(
        html.contains(r#"<meta property="og:image" content="https://news.example.com/media/demo/lead/summit.svg">"#)
    );
    assert!(html.contains(r#"<meta property="og:image:width" content="1600">"#));
    assert!(html.contains(r#"<meta name="twitter:card" content="summary_large_image">"#));

    let home = json_ld(&site.get("/").await?.body)?;
    assert!(home["@graph"].as_array().is_some_and(|g| g.iter().any(|i| i["@type"] == "WebSite")));
    Ok(())
}
