//! Search (`/search`, `/api/v1/search`) and the Recommend block, against the real server and index.

use std::time::{Duration, Instant};

use chrono::Utc;
use newsroom::content::{ArticleStatus, KeptRecommendations};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{TestResult, TestSite, links_in_block};

/// Brings the index up to date with everything saved so far, as the background follower would.
async fn indexed(site: &TestSite) -> TestResult {
    site.state.search.catch_up(&site.state.store).await?;
    Ok(())
}

async fn api(site: &TestSite, query: &str) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    let page = site.get(&format!("/api/v1/search?{query}")).await?;
    assert_eq!(page.status, StatusCode::OK, "{query}: {}", page.body);
    Ok(serde_json::from_str(&page.body)?)
}

fn headlines(results: &Value) -> Vec<String> {
    results["results"]
        .as_array()
        .map(|list| list.iter().filter_map(|r| r["headline"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn headline_matches_rank_first_and_snippets_highlight_the_words() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "mention")
        .headline("Councils publish spending plans")
        .body("Among many items, the harbour tunnel gets a line in the budget.\n\nEverything else is about roads.")
        .save()
        .await?;
    site.article("world", "tunnel").headline("Harbour tunnel opens to traffic").save().await?;
    site.article("sport", "other").headline("Rowing club wins regatta").save().await?;
    indexed(&site).await?;

    let results = api(&site, "q=tunnel").await?;
    assert_eq!(results["total"], 2);
    assert_eq!(headlines(&results), ["Harbour tunnel opens to traffic", "Councils publish spending plans"]);
    let snippet = results["results"][1]["snippet_html"].as_str().unwrap_or_default();
    assert!(snippet.contains("harbour <mark>tunnel</mark> gets"), "{snippet}");

    let page = site.get("/search?q=tunnel").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2 articles found"), "{}", page.body);
    assert!(page.body.contains("<mark>tunnel</mark>"));
    assert!(page.body.contains(r#"<meta name="robots" content="noindex, follow">"#));
    assert!(page.body.contains(r#"value="tunnel""#), "the box keeps the query");
    Ok(())
}

#[tokio::test]
async fn stems_phrases_and_exclusions_work_as_readers_expect() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "vote").headline("Voters rejected the plan").body("Turnout was high.").save().await?;
    site.article("world", "plan").headline("A plan for the river").body("Voting comes later.").save().await?;
    indexed(&site).await?;

    assert_eq!(api(&site, "q=voting").await?["total"], 2, "voting, voters and vote share a stem");
    assert_eq!(headlines(&api(&site, "q=%22rejected+the+plan%22").await?), ["Voters rejected the plan"]);
    assert_eq!(api(&site, "q=%22plan+the+rejected%22").await?["total"], 0, "a phrase keeps its order");
    assert_eq!(headlines(&api(&site, "q=plan+-river").await?), ["Voters rejected the plan"]);
    assert_eq!(headlines(&api(&site, "q=plan+-%22for+the+river%22").await?), ["Voters rejected the plan"]);
    Ok(())
}

#[tokio::test]
async fn filters_order_and_pages_narrow_the_results() -> TestResult {
    let site = TestSite::start().await?;
    for n in 0..25 {
        let (section, author) = if n % 2 == 0 { ("world", "ann-author") } else { ("sport", "ben-writer") };
        site.article(section, &format!("ferry-{n}"))
            .headline(&format!("Ferry timetable change number {n}"))
            .authors(&[author])
            .hours_ago(24 * i64::from(n) + 1)
            .save()
            .await?;
    }
    indexed(&site).await?;

    let all = api(&site, "q=ferry").await?;
    assert_eq!((all["total"].as_u64(), all["pages"].as_u64(), headlines(&all).len()), (Some(25), Some(3), 10));
    let second = api(&site, "q=ferry&page=2").await?;
    let first_ids: Vec<&Value> =
        all["results"].as_array().map(|r| r.iter().map(|x| &x["id"]).collect()).unwrap_or_default();
    assert!(second["results"].as_array().is_some_and(|r| r.iter().all(|x| !first_ids.contains(&&x["id"]))));

    assert_eq!(api(&site, "q=ferry&section=world").await?["total"], 13);
    assert_eq!(api(&site, "q=ferry&author=ben-writer").await?["total"], 12);
    let newest = api(&site, "q=ferry&sort=newest&per_page=3").await?;
    assert_eq!(
        headlines(&newest),
        ["Ferry timetable change number 0", "Ferry timetable change number 1", "Ferry timetable change number 2"]
    );
    let today = Utc::now().date_naive();
    let from = today - chrono::Duration::days(4);
    let recent = api(&site, &format!("q=ferry&from={from}&to={today}")).await?;
    assert!(matches!(recent["total"].as_u64(), Some(4..=5)), "{recent}");
    let dates_only = api(&site, &format!("from={from}&to={today}")).await?;
    assert_eq!(dates_only["total"], recent["total"], "dates alone list what was published then");
    let page = site.get("/search?q=ferry&section=sport").await?;
    assert!(page.body.contains("12 articles found"));
    assert!(page.body.contains(r#"<option value="sport" selected>"#));
    assert!(page.body.contains("q=ferry&amp;section=sport&amp;page=2"), "pages keep the filters");
    Ok(())
}

#[tokio::test]
async fn small_typos_in_longer_words_are_corrected() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "gov").headline("The government changes course").save().await?;
    site.article("world", "cat").headline("A cat on the quay").save().await?;
    indexed(&site).await?;

    let results = api(&site, "q=goverment").await?;
    assert_eq!(results["corrected"], "government");
    assert_eq!(headlines(&results), ["The government changes course"]);
    let page = site.get("/search?q=govenrment").await?;
    assert!(page.body.contains("Showing results for"), "a transposition is one edit");
    assert_eq!(api(&site, "q=cst").await?["total"], 0, "short words are not guessed at");
    Ok(())
}

#[tokio::test]
async fn chinese_text_is_searchable() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "zh").headline("北京大学宣布新的研究计划").body("该计划将持续五年。").save().await?;
    indexed(&site).await?;
    assert_eq!(headlines(&api(&site, "q=研究计划").await?), ["北京大学宣布新的研究计划"]);
    assert_eq!(api(&site, "q=%E4%BA%94%E5%B9%B4").await?["total"], 1, "五年 in the body");
    assert_eq!(api(&site, "q=研京").await?["total"], 0, "characters must be adjacent");
    Ok(())
}

#[tokio::test]
async fn anything_typed_gives_a_results_page() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "a").headline("Quay wall repairs begin").save().await?;
    indexed(&site).await?;
    // Long, but within the 8 KB address limit (longer addresses get 414; see robustness.rs).
    let long = "quay ".repeat(1000);
    let hostile = [
        "%FF%FE%FD",
        "%22",
        "((((",
        "-",
        "*",
        "title:quay",
        "%5Ba+TO+z%5D",
        "quay%5E100",
        "%27%3B+DROP+TABLE+articles%3B+--",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "AND+OR+NOT",
        "%00",
        long.as_str(),
    ];
    for query in hostile {
        let page = site.get(&format!("/search?q={query}")).await?;
        assert_eq!(page.status, StatusCode::OK, "/search?q={query}");
        assert!(!page.body.contains("<script>alert"), "{query} must come back escaped");
        api(&site, &format!("q={query}")).await?;
    }
    assert_eq!(headlines(&api(&site, "q=title:quay").await?), ["Quay wall repairs begin"]);
    let page = site.get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await?;
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    Ok(())
}

/// Polls the API until `check` holds, for at most one second after `since`; panics with what it saw if not.
async fn within_a_second(site: &TestSite, query: &str, since: Instant, check: impl Fn(&Value) -> bool) -> TestResult {
    loop {
        let results = api(site, query).await?;
        if check(&results) {
            return Ok(());
        }
        if since.elapsed() > Duration::from_secs(1) {
            return Err(format!("after {:?}, {query} still gives {results}", since.elapsed()).into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn publishing_editing_and_unpublishing_show_in_results_within_a_second() -> TestResult {
    let site = TestSite::start().await?;
    indexed(&site).await?;

    let saved = Instant::now();
    site.article("world", "retirement").headline("Lighthouse keeper retires").body("Forty years.").save().await?;
    within_a_second(&site, "q=lighthouse", saved, |r| r["total"] == 1).await?;

    let saved = Instant::now();
    site.article("world", "retirement")
        .headline("Lamp keeper retires after forty years")
        .body("Forty years.")
        .save()
        .await?;
    within_a_second(&site, "q=lamp", saved, |r| r["total"] == 1).await?;
    within_a_second(&site, "q=lighthouse", saved, |r| r["total"] == 0).await?;

    let saved = Instant::now();
    site.article("world", "retirement")
        .headline("Lamp keeper retires after forty years")
        .body("Forty years.")
        .status(ArticleStatus::Draft)
        .save()
        .await?;
    within_a_second(&site, "q=lamp", saved, |r| r["total"] == 0).await?;
    Ok(())
}

#[tokio::test]
async fn deleting_an_article_or_renaming_its_tag_shows_in_results_within_a_second() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "pier").headline("Pier collapses in storm").tags(&["Weather"]).save().await?;
    site.article("world", "quay").headline("Quay repairs finished").tags(&["Weather"]).save().await?;
    indexed(&site).await?;
    assert_eq!(api(&site, "q=weather").await?["total"], 2, "tags are searched");

    // Written as another node would: the index follows the change log, not only this node's own saves.
    let store = &site.state.store;
    let tag = store.all_tags().await?.into_iter().find(|t| t.name == "Weather").ok_or("the tag")?;
    let saved = Instant::now();
    store.rename_tag(tag.id, "Storms").await?;
    within_a_second(&site, "q=storms+quay", saved, |r| r["total"] == 1).await?;

    let pier = api(&site, "q=pier").await?["results"][0]["id"].as_i64().ok_or("the pier article")?;
    let saved = Instant::now();
    assert!(store.delete_article(pier).await?);
    within_a_second(&site, "q=pier", saved, |r| r["total"] == 0).await?;
    Ok(())
}

#[tokio::test]
async fn a_node_started_on_an_existing_database_catches_up() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "before").headline("Bridge inspection finds cracks").save().await?;
    indexed(&site).await?;
    let dir = site.stop().await?.ok_or("a data directory")?;

    // A write while this node is down (another node, or the command line).
    let stopped = TestSite::start_in(dir.path(), |config| config.demo = false).await?;
    stopped.stop().await?;
    let store = crate::helpers::open_store(dir.path()).await?;
    let offline = TestSite::start_in(dir.path(), |config| config.demo = false).await?;
    offline.article("world", "after").headline("Bridge reopens after repairs").save().await?;
    offline.stop().await?;
    store.close().await;

    let restarted = TestSite::start_in(dir.path(), |config| config.demo = false).await?;
    within_a_second(&restarted, "q=bridge", Instant::now(), |r| r["total"] == 2).await?;
    Ok(())
}

#[tokio::test]
async fn recommend_shows_articles_on_the_same_subject_and_never_the_wrong_ones() -> TestResult {
    let site = TestSite::start().await?;
    let volcano = "The volcano erupted again overnight, sending lava down the northern slope and ash over \
                   the villages. Volcanologists said the eruption was the largest since the crater collapsed.";
    let football = "The striker scored twice as the league leaders won at home. The goalkeeper saved a \
                    penalty and the manager praised the defence after the match.";
    for n in 0..5 {
        site.article("world", &format!("volcano-{n}"))
            .headline(&format!("Volcano report {n}: lava and ash"))
            .body(&format!("{volcano} Update {n}."))
            .save()
            .await?;
        site.article("sport", &format!("football-{n}"))
            .headline(&format!("Match report {n}: striker scores"))
            .body(&format!("{football} Round {n}."))
            .save()
            .await?;
    }
    site.article("world", "volcano-draft")
        .headline("Volcano draft")
        .body(volcano)
        .status(ArticleStatus::Draft)
        .save()
        .await?;
    site.article("world", "volcano-later")
        .headline("Volcano later")
        .body(volcano)
        .status(ArticleStatus::Scheduled)
        .published_at(Utc::now() + chrono::Duration::days(1))
        .save()
        .await?;
    site.article("world", "volcano-copy").headline("Volcano report 0: lava and ash!").body(volcano).save().await?;
    indexed(&site).await?;

    let page = site.get("/world/volcano-1").await?;
    let links = links_in_block(&page.body, r#"id="recommend-heading""#);
    let articles: Vec<&str> =
        links.iter().copied().filter(|l| l.matches('/').count() == 2 && !l.ends_with('/')).collect();
    // Four other reports, and of report 0 and its copy only one.
    assert_eq!(articles.len(), 4, "{links:?}");
    assert!(articles.iter().all(|l| l.starts_with("/world/volcano-")), "{articles:?}");
    assert!(!articles.contains(&"/world/volcano-1"), "never the article itself");
    assert!(!articles.iter().any(|l| l.ends_with("-draft") || l.ends_with("-later")), "{articles:?}");
    assert!(
        !(articles.contains(&"/world/volcano-0") && articles.contains(&"/world/volcano-copy")),
        "one of two near-identical articles: {articles:?}"
    );
    Ok(())
}

#[tokio::test]
async fn recommend_lists_are_kept_after_a_render_and_dropped_by_an_edit() -> TestResult {
    let site = TestSite::start().await?;
    let tide = "The spring tide flooded the harbour road and the ferry pier; the harbour master closed the quay \
                until the water fell.";
    for n in 0..4 {
        site.article("world", &format!("tide-{n}"))
            .headline(&format!("Tide report {n}: the harbour floods"))
            .body(&format!("{tide} Report {n}."))
            .save()
            .await?;
    }
    indexed(&site).await?;
    // The kept list is the store's alone: no page or API shows it.
    let kept =
        async || site.state.store.article("world", "tide-1", Utc::now()).await.map(|a| a.and_then(|a| a.recommended));
    assert_eq!(kept().await?, None, "nothing is kept before the page is first shown");

    let page = site.get("/world/tide-1").await?;
    let shown: Vec<String> = links_in_block(&page.body, r#"id="recommend-heading""#)
        .into_iter()
        .filter(|link| link.starts_with("/world/tide-"))
        .map(str::to_owned)
        .collect();
    assert_eq!(shown.len(), 3, "the other three reports: {shown:?}");
    // The node writes the lists it computed once a second.
    let started = Instant::now();
    let list = loop {
        if let Some(list) = kept().await? {
            break list;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "the list was never kept");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let cards = site.state.store.cards_by_ids(&list.ids, Utc::now()).await?;
    let kept_links: Vec<String> = cards.iter().map(|c| format!("/world/{}", c.slug)).collect();
    assert_eq!(kept_links, shown, "the kept list is the one shown, in order");

    site.article("world", "tide-1").headline("Tide report 1: the harbour floods again").body(tide).save().await?;
    assert_eq!(kept().await?, None, "an edit drops the list, to be computed again");
    Ok(())
}

#[tokio::test]
async fn two_lists_for_one_article_in_one_write_keep_the_later() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "quay").headline("The quay reopens").save().await?;
    site.article("world", "pier").headline("The pier is repaired").save().await?;
    let (id, other) = (site.api_id("/world/quay").await?, site.api_id("/world/pier").await?);
    let list = |ids: Vec<i64>, computed_at: i64| KeptRecommendations { language: String::new(), ids, computed_at };
    // Two renders of one page under two addresses can compute its list twice before a write; the kept list is
    // the store's alone, so it is written and read there.
    site.state.store.keep_recommendations(&[(id, list(vec![], 1)), (id, list(vec![other], 2))]).await?;
    let kept = site.state.store.article("world", "quay", Utc::now()).await?.and_then(|a| a.recommended);
    assert_eq!(kept, Some(list(vec![other], 2)));
    Ok(())
}
