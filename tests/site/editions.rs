//! Language editions: a site that publishes in English and Chinese serves each language's pages, lists, feeds
//! and sitemaps under its own addresses, in its own interface language and date style, and tells readers
//! and search engines where the other edition of each page is.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use newsroom::auth::Role;

use crate::admin_helpers::location;
use crate::helpers::{TestResult, TestSite, hrefs};

fn at(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

/// The `<html lang>` of a page.
fn html_lang(html: &str) -> Option<&str> {
    html.split("<html lang=\"").nth(1)?.split('"').next()
}

/// The (hreflang, href) pairs a page declares with `<link rel="alternate" hreflang>`.
fn alternates(html: &str) -> BTreeSet<(String, String)> {
    html.split("<link rel=\"alternate\" hreflang=\"")
        .skip(1)
        .filter_map(|rest| {
            let (lang, rest) = rest.split_once('"')?;
            let href = rest.split("href=\"").nth(1)?.split('"').next()?;
            Some((lang.to_owned(), href.to_owned()))
        })
        .collect()
}

/// Whether `tag` is shaped like a BCP 47 language tag (a primary subtag and optional subtags) or `x-default`.
fn valid_hreflang(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or_default();
    tag == "x-default"
        || ((2..=3).contains(&primary.len())
            && primary.chars().all(|c| c.is_ascii_lowercase())
            && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())))
}

/// A site in English and Chinese with one column in both languages, an English-only story and a second
/// Chinese article; returns the site and the column's two addresses.
async fn bilingual_site() -> Result<(TestSite, String, String), Box<dyn std::error::Error + Send + Sync>> {
    let site = TestSite::start().await?;
    site.set_languages("en, zh").await?;
    let english = site
        .article("opinion", "allied-unity")
        .headline("Allied unity is a resource")
        .tags(&["NATO"])
        .image("demo/lead/unity.svg", "A globe", "Caption", "Credit")
        .published_at(at("2025-12-02T23:21:00Z")?)
        .views(1208)
        .save()
        .await?;
    let chinese = site
        .article("opinion", "allied-unity-zh")
        .headline("盟友团结是一种资源")
        .body("外交圈有一种习惯，把团结当作一种情绪。")
        .tags(&["NATO"])
        .language("zh")
        .published_at(at("2025-12-02T23:21:00Z")?)
        .views(1208)
        .save()
        .await?;
    // Fixture: two saved articles are linked as editions as an import links them; the back office only makes new ones.
    site.state.store.link_translation("opinion", "allied-unity", "allied-unity-zh").await?;
    site.article("world", "harbour-strike")
        .headline("Harbour workers strike")
        .tags(&["NATO"])
        .hours_ago(3)
        .save()
        .await?;
    site.article("world", "harbour-strike-report-zh")
        .headline("港口工人罢工")
        .tags(&["NATO"])
        .language("zh")
        .hours_ago(2)
        .save()
        .await?;
    // Search and Recommend read the index: bring it up to date, as the follower does within a second.
    site.state.search.catch_up(&site.state.store).await?;
    Ok((site, english, format!("/zh{chinese}")))
}

#[tokio::test]
async fn every_page_kind_exists_per_language_with_its_lang() -> TestResult {
    let (site, english, chinese) = bilingual_site().await?;
    let pages = [
        ("/", "en"),
        ("/zh/", "zh-Hans"),
        ("/opinion/", "en"),
        ("/zh/opinion/", "zh-Hans"),
        ("/author/ann-author", "en"),
        ("/zh/author/ann-author", "zh-Hans"),
        ("/tag/nato", "en"),
        ("/zh/tag/nato", "zh-Hans"),
        ("/search?q=harbour", "en"),
        ("/zh/search?q=港口", "zh-Hans"),
        (english.as_str(), "en"),
        (chinese.as_str(), "zh-Hans"),
    ];
    for (path, lang) in pages {
        let page = site.get(path).await?;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(html_lang(&page.body), Some(lang), "{path}");
        // Each edition's lists hold only its own language's articles, linked under its own prefix.
        let body = page.body.split("<body").nth(1).unwrap_or_default();
        let articles: Vec<&str> =
            hrefs(body).into_iter().filter(|h| h.contains("allied-unity") || h.contains("harbour-strike")).collect();
        let (own, other): (Vec<&str>, Vec<&str>) =
            articles.iter().partition(|h| h.starts_with("/zh/") == (lang != "en"));
        // The language switcher is the one place that links the other edition.
        let switcher = page.body.split("language-switcher").nth(1).unwrap_or_default().split("</nav>").next();
        assert!(
            other.iter().all(|h| switcher.is_some_and(|s| s.contains(h))),
            "{path} links another language's article outside the switcher: {other:?}"
        );
        if path.contains("opinion") || path.contains("search") || path == "/" || path == "/zh/" {
            assert!(!own.is_empty(), "{path} lists its own edition's articles");
        }
    }
    // A missing page answers in the language of the address it was asked at.
    let missing = site.get("/zh/no-such-page").await?;
    assert_eq!(missing.status, 404);
    assert_eq!(html_lang(&missing.body), Some("zh-Hans"));
    assert!(missing.body.contains("找不到该页面"), "{}", missing.body);
    assert!(site.get("/no-such-page").await?.body.contains("Page not found"));
    Ok(())
}

#[tokio::test]
async fn hreflang_pairs_are_reciprocal_and_valid() -> TestResult {
    let (site, english, chinese) = bilingual_site().await?;
    let start = ["/", "/zh/", "/opinion/", "/zh/world/", "/tag/nato", english.as_str(), chinese.as_str()];
    for path in start {
        let declared = alternates(&site.get(path).await?.body);
        assert!(declared.len() >= 3, "{path} declares both editions and x-default: {declared:?}");
        let own = format!("{}{}", site.base, path);
        assert!(declared.iter().any(|(_, href)| *href == own), "{path} lists itself: {declared:?}");
        assert!(declared.iter().any(|(lang, _)| lang == "x-default"), "{path} has x-default");
        for (lang, href) in &declared {
            assert!(valid_hreflang(lang), "{path}: {lang:?} is not a language tag");
            let other = href.strip_prefix(&site.base).ok_or("alternates are absolute addresses on the site")?;
            let page = site.get(other).await?;
            assert_eq!(page.status, 200, "{path} names {other}, which must exist");
            assert_eq!(alternates(&page.body), declared, "{other} declares the same set as {path}");
            if lang != "x-default" {
                assert_eq!(html_lang(&page.body), Some(lang.as_str()), "{other} is in the language it is named for");
            }
        }
    }
    // The column's two editions name each other; the English-only story declares no alternates.
    let column = alternates(&site.get(&english).await?.body);
    assert!(column.contains(&("zh-Hans".to_owned(), format!("{}{chinese}", site.base))));
    assert!(alternates(&site.get("/world/harbour-strike").await?.body).is_empty());
    Ok(())
}

#[tokio::test]
async fn chinese_pages_take_their_dates_and_text_from_the_translation_file() -> TestResult {
    let (site, english, chinese) = bilingual_site().await?;
    let zh = site.get(&chinese).await?.body;
    assert!(zh.contains(">2025年12月2日 23:21</time>"), "Chinese date style: {zh}");
    assert!(zh.contains("1,208 次阅读"), "views with grouped digits and the Chinese label");
    assert!(zh.contains("作者："), "the byline from zh.ftl");
    assert!(zh.contains(">最新<"), "the Latest block's heading from zh.ftl");
    assert!(zh.contains("aria-label=\"语言\""), "the switcher's label from zh.ftl");
    for english_text in ["Skip to content", ">Latest<", "views<", ">By "] {
        assert!(!zh.contains(english_text), "no English interface text on the Chinese page: {english_text}");
    }
    let en = site.get(&english).await?.body;
    assert!(en.contains(">Dec. 2, 2025, 11:21 p.m.</time>") && en.contains("1,208 views"), "English stays AP style");
    // The language switcher links the editions under their own names.
    assert!(en.contains(&format!("<a href=\"{chinese}\" hreflang=\"zh-Hans\" lang=\"zh-Hans\">中文</a>")), "{en}");
    Ok(())
}

#[tokio::test]
async fn recommend_and_latest_show_the_readers_language() -> TestResult {
    let (site, english, chinese) = bilingual_site().await?;
    let zh = site.get(&chinese).await?.body;
    let latest = crate::helpers::links_in_block(&zh, "id=\"latest-heading\"");
    assert_eq!(latest, ["/zh/world/harbour-strike-report-zh"], "Latest in Chinese holds the other Chinese article");
    let recommend = crate::helpers::links_in_block(&zh, "id=\"recommend-heading\"");
    assert!(recommend.iter().all(|h| h.starts_with("/zh/")), "{recommend:?}");
    let en = site.get(&english).await?.body;
    for block in ["id=\"latest-heading\"", "id=\"recommend-heading\""] {
        let links = crate::helpers::links_in_block(&en, block);
        assert!(links.iter().all(|h| !h.starts_with("/zh/") && !h.contains("-zh")), "{block}: {links:?}");
    }
    // An English article asked for under the Chinese prefix is sent to its own address, and the reverse.
    let moved = site.get(&format!("/zh{english}")).await?;
    assert_eq!((moved.status.as_u16(), moved.headers["location"].to_str()?), (301, english.as_str()));
    let moved = site.get(chinese.trim_start_matches("/zh")).await?;
    assert_eq!((moved.status.as_u16(), moved.headers["location"].to_str()?), (301, chinese.as_str()));
    // The default language needs no prefix: `/en/…` is the same page without it.
    let moved = site.get("/en/opinion/").await?;
    assert_eq!((moved.status.as_u16(), moved.headers["location"].to_str()?), (301, "/opinion/"));
    Ok(())
}

#[tokio::test]
async fn feeds_and_sitemaps_exist_per_language_with_alternates() -> TestResult {
    let (site, english, chinese) = bilingual_site().await?;
    let zh_feed = site.get("/zh/feed.xml").await?.body;
    assert!(zh_feed.contains(&format!("{}{chinese}", site.base)), "{zh_feed}");
    assert!(!zh_feed.contains(&format!("{}{english}<", site.base)), "only Chinese articles in the Chinese feed");
    let en_feed = site.get("/opinion/feed.xml").await?.body;
    assert!(en_feed.contains(&english) && !en_feed.contains("allied-unity-zh"));

    let index = site.get("/sitemap.xml").await?.body;
    for file in ["/sitemaps/articles-1.xml", "/zh/sitemaps/articles-1.xml", "/zh/sitemaps/pages.xml"] {
        assert!(index.contains(&format!("<loc>{}{file}</loc>", site.base)), "{file} in {index}");
    }
    let zh_articles = site.get("/zh/sitemaps/articles-1.xml").await?.body;
    assert!(zh_articles.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    assert!(zh_articles.contains(&format!("<loc>{}{chinese}</loc>", site.base)));
    assert!(!zh_articles.contains("/world/harbour-strike<"), "English articles stay in the English sitemap");
    for (lang, path) in [("en", english.as_str()), ("zh-Hans", chinese.as_str())] {
        let link = format!("<xhtml:link rel=\"alternate\" hreflang=\"{lang}\" href=\"{}{path}\"/>", site.base);
        assert!(zh_articles.contains(&link), "{link} in {zh_articles}");
    }
    let en_pages = site.get("/sitemaps/pages.xml").await?.body;
    assert!(en_pages.contains(&format!("hreflang=\"zh-Hans\" href=\"{}/zh/opinion/\"", site.base)), "{en_pages}");
    let news = site.get("/zh/sitemaps/news.xml").await?.body;
    assert!(news.contains("<news:language>zh</news:language>") && !news.contains("harbour-strike<"), "{news}");
    Ok(())
}

#[tokio::test]
async fn a_single_language_site_lists_every_article_whatever_its_language() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "imported-in-french").headline("Grève au port").language("fr").save().await?;
    let home = site.get("/").await?.body;
    assert!(home.contains("href=\"/world/imported-in-french\""), "an article in another language is still listed");
    assert!(!home.contains("hreflang=") && !home.contains("language-switcher"), "no alternates on a one-language site");
    assert_eq!(site.get("/fr/").await?.status, 404, "a language the site does not publish in has no edition");
    Ok(())
}

#[tokio::test]
async fn an_operator_adds_a_language_with_a_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("locales"))?;
    std::fs::write(
        dir.path().join("locales/fr.ftl"),
        "locale-tag = fr\nlocale-name = Français\ndate-pattern = %-d/%m/%Y %H:%M\nlatest-heading = Dernières nouvelles\n",
    )?;
    let site = TestSite::start_in(dir.path(), |_| {}).await?;
    let admin = site.signed_in(Role::Administrator).await?;
    let saved = admin.post("/admin/settings", &[("languages", "en, fr")]).await?;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let section = admin.post("/admin/sections", &[("name", "Monde"), ("slug", "monde"), ("description", "")]).await?;
    assert_eq!(section.status, 303, "{}", section.body);
    let author = admin.post("/admin/authors", &[("name", "Ann Author"), ("slug", "ann-author"), ("bio", "")]).await?;
    assert_eq!(author.status, 303, "{}", author.body);
    site.article("monde", "la-greve").language("fr").published_at(at("2025-12-02T23:21:00Z")?).save().await?;
    site.article("monde", "la-suite").language("fr").hours_ago(1).save().await?;
    let page = site.get("/fr/monde/la-greve").await?.body;
    assert_eq!(html_lang(&page), Some("fr"));
    assert!(page.contains(">2/12/2025 23:21</time>"), "the file's date pattern");
    assert!(page.contains(">Dernières nouvelles<"), "the file's text");
    assert!(page.contains("Skip to content"), "what the file leaves out falls back to English");
    // A language with no file is refused, with the ones on offer named.
    let refused = admin.post("/admin/settings", &[("languages", "en, xx")]).await?;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("no translation for") && refused.body.contains("fr, "), "{}", refused.body);
    Ok(())
}

#[tokio::test]
async fn editors_make_translations_and_see_which_are_out_of_date() -> TestResult {
    let site = TestSite::start().await?;
    site.set_languages("en, zh").await?;
    let path = site
        .article("opinion", "allied-unity")
        .tags(&["NATO"])
        .image("demo/lead/unity.svg", "A globe", "Caption", "Credit")
        .save()
        .await?;
    let original_id = site.api_id(&path).await?;
    let original = site.api_article(original_id).await?.ok_or("saved")?;
    let editor = site.signed_in(Role::Editor).await?;
    let made = editor.post(&format!("/admin/articles/{original_id}/translate"), &[("language", "zh")]).await?;
    assert_eq!(made.status, 303, "{}", made.body);
    let translation_url = location(&made).to_owned();
    let translation_id: i64 = translation_url.rsplit('/').next().ok_or("an id")?.parse()?;
    let copy = site.api_article(translation_id).await?.ok_or("the translation exists")?;
    assert_eq!((&copy["language"], &copy["status"]), (&"zh".into(), &"draft".into()));
    assert_eq!((&copy["section"], &copy["slug"]), (&"opinion".into(), &"allied-unity-zh".into()));
    assert_eq!(copy["tags"], serde_json::json!(["NATO"]));
    assert_eq!(copy["lead_image"]["path"], "demo/lead/unity.svg");
    assert_eq!(copy["body"], original["body"], "the text to translate is the original's");

    // The editor lists both editions; a second Chinese edition is refused with a reason.
    let form = editor.get(&translation_url).await?.body;
    assert!(form.contains("Editions") && form.contains("Original") && form.contains("Up to date"), "{form}");
    let again = editor.post(&format!("/admin/articles/{original_id}/translate"), &[("language", "zh")]).await?;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("already has an edition"), "{}", again.body);

    // Translate and publish: the Chinese edition is public at its own address and linked from the original.
    let fields = [
        ("headline", "盟友团结是一种资源"),
        ("slug", "allied-unity-zh"),
        ("body", "外交圈有一种习惯。"),
        ("section", "opinion"),
        ("language", "zh"),
        ("status", "published"),
        ("tags", "NATO"),
        ("action", "save"),
        ("style_ok", "1"),
        ("modified_at", &copy["modified_at"].to_string()),
    ];
    let saved = editor.post(&translation_url, &fields).await?;
    assert!(saved.status.is_redirection() || saved.status == 200, "{}", saved.body);
    assert_eq!(site.get("/zh/opinion/allied-unity-zh").await?.status, 200);
    assert!(site.get(&path).await?.body.contains("href=\"/zh/opinion/allied-unity-zh\""));

    // Editing the original afterwards marks the translation out of date, until it is saved again.
    // Saves are told apart by the second: let one pass, and the next, which the translation's save may hold.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let current = site.api_article(original_id).await?.ok_or("original")?;
    let original_fields = [
        ("headline", "Allied unity is a resource, revised"),
        ("slug", "allied-unity"),
        ("body", current["body"].as_str().ok_or("a body")?),
        ("section", "opinion"),
        ("status", "published"),
        ("action", "save"),
        ("modified_at", &current["modified_at"].to_string()),
    ];
    editor.post(&format!("/admin/articles/{original_id}"), &original_fields).await?;
    let form = editor.get(&translation_url).await?.body;
    assert!(form.contains("Out of date"), "{form}");

    // The list filters by language.
    let list = editor.get("/admin/articles?language=zh").await?.body;
    assert!(list.contains("盟友团结是一种资源") && !list.contains("Allied unity is a resource, revised"), "{list}");
    Ok(())
}

#[tokio::test]
async fn sections_and_the_site_are_named_in_each_language() -> TestResult {
    let (site, _, chinese) = bilingual_site().await?;
    let admin = site.signed_in(Role::Administrator).await?;
    let form = admin.get("/admin/sections").await?.body;
    assert!(form.contains("name=\"name_zh\"") && form.contains("Name in 中文"), "{form}");
    let section = [
        ("slug", "opinion"),
        ("name", "Columns and Opinions"),
        ("description", "All about opinion."),
        ("position", "0"),
        ("name_zh", "专栏与评论"),
        ("description_zh", "观点与分析。"),
    ];
    assert_eq!(admin.post("/admin/sections", &section).await?.status, 303);
    let settings = [("name_zh", "测试纪事报"), ("description_zh", "测试用的报纸。")];
    assert_eq!(admin.post("/admin/settings", &settings).await?.status, 200);

    let zh = site.get("/zh/opinion/").await?.body;
    assert!(zh.contains("<title>专栏与评论 | 测试纪事报</title>"), "{zh}");
    assert!(zh.contains("<p class=\"list-description\">观点与分析。</p>"));
    assert!(site.get(&chinese).await?.body.contains("<a href=\"/zh/opinion/\">专栏与评论</a>"), "the kicker");
    assert!(site.get("/zh/feed.xml").await?.body.contains("<title>测试纪事报</title>"));
    // The default language keeps its own names; a section without a translation keeps its name everywhere.
    let en = site.get("/opinion/").await?.body;
    assert!(en.contains("<title>Columns and Opinions | Test Ledger</title>"), "{en}");
    assert!(site.get("/zh/world/").await?.body.contains("<h1 class=\"list-title\">World</h1>"));
    Ok(())
}
