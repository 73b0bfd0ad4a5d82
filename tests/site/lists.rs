//! Home, section, author and tag pages, and their pagination.

use crate::helpers::{TestResult, TestSite, hrefs, links_in_block};

#[tokio::test]
async fn home_has_top_story_latest_most_read_and_section_blocks() -> TestResult {
    let site = TestSite::start().await?;
    let top = site.article("world", "top").image("t.svg", "Alt", "", "").hours_ago(1).views(5).save().await?;
    let popular = site.article("sport", "popular").hours_ago(30).views(9_000).save().await?;
    let column = site.article("opinion", "column").hours_ago(2).views(20).save().await?;
    let html = site.get("/").await?.body;
    assert!(html.contains("<title>Test Ledger</title>"));
    assert!(links_in_block(&html, "class=\"top-story\"").contains(&top.as_str()));
    assert!(links_in_block(&html, "id=\"latest-heading\"").contains(&column.as_str()));
    let most_read = links_in_block(&html, "id=\"most-read-heading\"");
    assert_eq!(most_read.first(), Some(&popular.as_str()), "{most_read:?}");
    assert!(html.contains("9,000 views"));
    for section in ["/world/", "/sport/", "/opinion/"] {
        assert!(hrefs(&html).contains(&section), "a block or nav link for {section}");
    }
    Ok(())
}

#[tokio::test]
async fn section_pages_paginate_by_twenty() -> TestResult {
    let site = TestSite::start().await?;
    for i in 0..45 {
        site.article("sport", &format!("match-{i:02}")).hours_ago(i).save().await?;
    }
    site.article("world", "elsewhere").save().await?;

    let first = site.get("/sport/").await?;
    assert_eq!(first.status, 200);
    let on_page = |html: &str| hrefs(html).into_iter().filter(|h| h.starts_with("/sport/match-")).count();
    assert_eq!(on_page(&first.body), 20);
    assert!(first.body.contains("<h1 class=\"list-title\">Sport</h1>"));
    assert!(first.body.contains("Page 1 of 3"));
    assert!(first.body.contains(r#"href="/sport/?page=2" rel="next""#));
    assert!(!first.body.contains("/world/elsewhere\""), "only the section's articles");
    assert!(first.body.contains("/sport/match-00\""), "newest first");

    let last = site.get("/sport/?page=3").await?;
    assert_eq!(last.status, 200);
    assert_eq!(on_page(&last.body), 5);
    assert!(last.body.contains(r#"href="/sport/?page=2" rel="prev""#));
    assert!(!last.body.contains("rel=\"next\""));

    let second = site.get("/sport/?page=2").await?;
    assert!(second.body.contains(r#"href="/sport/" rel="prev""#), "page 1 has the plain address");

    for missing in ["/sport/?page=4", "/sport/?page=0", "/sport/?page=-1", "/sport/?page=abc"] {
        assert_eq!(site.get(missing).await?.status, 404, "{missing}");
    }
    Ok(())
}

#[tokio::test]
async fn author_and_tag_pages_list_their_articles() -> TestResult {
    let site = TestSite::start().await?;
    let by_ben = site.article("world", "by-ben").authors(&["ben-writer"]).tags(&["Port Calder"]).save().await?;
    let by_both = site.article("sport", "by-both").authors(&["ann-author", "ben-writer"]).save().await?;
    let by_ann = site.article("opinion", "by-ann").tags(&["Port Calder"]).save().await?;

    let author = site.get("/author/ben-writer").await?;
    assert_eq!(author.status, 200);
    assert!(author.body.contains("Ben Writer writes here."), "bio");
    let links = hrefs(&author.body);
    assert!(links.contains(&by_ben.as_str()) && links.contains(&by_both.as_str()));
    assert!(!links.contains(&by_ann.as_str()));

    let tag = site.get("/tag/port-calder").await?;
    assert_eq!(tag.status, 200);
    assert!(tag.body.contains("<h1 class=\"list-title\">Port Calder</h1>"));
    let links = hrefs(&tag.body);
    assert!(links.contains(&by_ben.as_str()) && links.contains(&by_ann.as_str()));
    assert!(!links.contains(&by_both.as_str()));

    assert_eq!(site.get("/author/nobody").await?.status, 404);
    assert_eq!(site.get("/tag/nothing").await?.status, 404);
    Ok(())
}

#[tokio::test]
async fn empty_section_says_so_and_section_without_slash_redirects() -> TestResult {
    let site = TestSite::start().await?;
    let empty = site.get("/opinion/").await?;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Nothing published here yet."));
    let redirect = site.get("/opinion").await?;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.headers.get("location").map(|v| v.as_bytes()), Some(&b"/opinion/"[..]));
    assert_eq!(site.get("/no-such-section").await?.status, 404);
    assert_eq!(site.get("/no-such-section/").await?.status, 404);
    Ok(())
}

#[tokio::test]
async fn tags_and_authors_with_no_visible_article_are_not_shown() -> TestResult {
    let site = TestSite::start().await?;
    let secret = site.article("world", "secret-plan").authors(&["cy-third"]).tags(&["Takeover Plans"]);
    secret.status(newsroom::content::ArticleStatus::Draft).save().await?;
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    site.article("world", "embargoed")
        .authors(&["cy-third"])
        .tags(&["Takeover Plans"])
        .published_at(later)
        .save()
        .await?;
    site.article("world", "public").tags(&["Harbour"]).save().await?;

    // Neither the tag's name nor the author's page reaches readers while only drafts and embargoed articles
    // carry them, as the sitemap already leaves them out.
    for path in [
        "/tag/takeover-plans",
        "/tag/takeover-plans/feed.xml",
        "/tag/takeover-plans/atom.xml",
        "/tag/takeover-plans/feed.json",
        "/author/cy-third",
        "/author/cy-third/feed.xml",
        "/author/cy-third/atom.xml",
        "/author/cy-third/feed.json",
    ] {
        let page = site.get(path).await?;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains("Takeover Plans") && !page.body.contains("Cy Third"), "{path}: {}", page.body);
    }
    for path in ["/tag/harbour", "/tag/harbour/feed.xml", "/author/ann-author", "/author/ann-author/feed.json"] {
        assert_eq!(site.get(path).await?.status, 200, "{path}");
    }
    Ok(())
}
