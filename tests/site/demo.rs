//! The demo site: a fresh start shows a complete, browsable news site.

use crate::helpers::{TestResult, TestSite, hrefs};

#[tokio::test]
async fn demo_site_is_complete_and_every_linked_page_answers() -> TestResult {
    let site = TestSite::start_with(|c| c.demo = true).await?;
    let home = site.get("/").await?;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("The Harbour Ledger"));
    assert!(home.body.contains("Columns and Opinions"));

    // The demo publishes in English and, under /zh/, in Chinese.
    let chinese_home = site.get("/zh/").await?;
    assert_eq!(chinese_home.status, 200);
    assert!(chinese_home.body.contains("<html lang=\"zh-Hans\">") && chinese_home.body.contains("盟友团结"));

    // Walk both editions from their home pages: sections, then every page of every section, then every
    // article.
    let sections: Vec<String> = hrefs(&home.body)
        .into_iter()
        .chain(hrefs(&chinese_home.body))
        .filter(|h| is_section(h))
        .map(str::to_owned)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(sections.len() >= 12, "at least six sections in each edition: {sections:?}");
    let mut articles = std::collections::BTreeSet::new();
    let mut others = std::collections::BTreeSet::new();
    for section in &sections {
        let mut next = Some(section.clone());
        while let Some(url) = next.take() {
            let page = site.get(&url).await?;
            assert_eq!(page.status, 200, "{url}");
            for link in hrefs(&page.body) {
                if is_article(link) {
                    articles.insert(link.to_owned());
                } else if ["/author/", "/tag/", "/media/"].iter().any(|p| unprefixed(link).starts_with(p)) {
                    others.insert(link.to_owned());
                }
            }
            next = page
                .body
                .split("href=\"")
                .filter_map(|s| s.split_once("\" rel=\"next\""))
                .map(|(u, _)| u.replace("&amp;", "&"))
                .next();
        }
    }
    assert!(articles.len() >= 40, "at least 40 published articles, found {}", articles.len());
    let mut image_sources = std::collections::BTreeSet::new();
    // What the body's editor can make, each on some demo page.
    let mut shown = std::collections::BTreeSet::new();
    for article in &articles {
        let page = site.get(article).await?;
        assert_eq!(page.status, 200, "{article}");
        assert!(page.body.contains("id=\"recommend-heading\""), "{article} has Recommend");
        assert!(page.body.contains("id=\"latest-heading\""), "{article} has Latest");
        assert!(
            page.body.contains(" views<") || page.body.contains(" view<") || page.body.contains(" 次阅读<"),
            "{article} shows its views"
        );
        for (made, markup) in
            [("pull quote", "<aside class=\"pull-quote\">"), ("table", "<table>"), ("footnote", "class=\"footnote\"")]
        {
            if page.body.contains(markup) {
                shown.insert(made);
            }
        }
        for src in page.body.split("src=\"").skip(1).filter_map(|s| s.split('"').next()) {
            image_sources.insert(src.to_owned());
        }
        for link in hrefs(&page.body) {
            if unprefixed(link).starts_with("/author/") || unprefixed(link).starts_with("/tag/") {
                others.insert(link.to_owned());
            }
        }
    }
    assert_eq!(shown.len(), 3, "the demo shows a pull quote, a table and a footnote: {shown:?}");
    for link in others.iter().chain(image_sources.iter()) {
        assert_eq!(site.get(link).await?.status, 200, "{link}");
    }
    let lead = image_sources.iter().find(|s| s.starts_with("/media/demo/lead/")).ok_or("lead images")?;
    let image = site.get(lead).await?;
    assert_eq!(image.headers.get("content-type").map(|v| v.as_bytes()), Some(&b"image/svg+xml"[..]));

    // One story leads with a photograph from the media library, shared as its crop around the focal point.
    let photo_story = site.get("/world/storm-hit-sister-port-halvik-reopens-harbour").await?;
    let shared =
        photo_story.body.split("<meta property=\"og:image\" content=\"").nth(1).and_then(|s| s.split('"').next());
    assert!(shared.is_some_and(|s| s.contains("/media/uploads/") && s.contains("-share-800-620-")), "{shared:?}");
    assert!(photo_story.body.contains("<meta property=\"og:image:width\" content=\"1200\">"));
    let editor = site.signed_in(newsroom::auth::Role::Editor).await?;
    let library = editor.get("/admin/media").await?;
    assert!(library.body.contains("Lead image of <a href=\"/admin/articles/"), "{}", library.body);
    Ok(())
}

/// The address within its edition: the Chinese edition's `/zh/opinion/` is the section `/opinion/`.
fn unprefixed(href: &str) -> &str {
    href.strip_prefix("/zh").filter(|rest| rest.starts_with('/')).unwrap_or(href)
}

fn is_section(href: &str) -> bool {
    let href = unprefixed(href);
    href.len() > 2
        && href.starts_with('/')
        && href.ends_with('/')
        && href[1..href.len() - 1].chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

fn is_article(href: &str) -> bool {
    let parts: Vec<&str> = unprefixed(href).trim_start_matches('/').split('/').collect();
    parts.len() == 2
        && !["author", "tag", "media", "assets", "search"].contains(&parts[0])
        && !parts[1].is_empty()
        && !parts[1].contains('.')
        && !parts[1].starts_with('?')
}
