//! The dashboard, sections, tags, authors and settings: what is changed in the back office is on the public
//! site at once.

use chrono::Utc;
use newsroom::auth::Role;
use newsroom::content::ArticleStatus;

use crate::helpers::{TestResult, TestSite};

#[tokio::test]
async fn the_dashboard_shows_the_weeks_most_read_with_a_server_drawn_chart() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "popular").headline("The popular one").save().await?;
    site.article("world", "quiet").headline("The quiet one").save().await?;
    let (popular_id, quiet_id) = (site.api_id("/world/popular").await?, site.api_id("/world/quiet").await?);
    let today = Utc::now().date_naive();
    // Fixture: the day's views as the counter writes them, without 34 readers from 34 addresses.
    site.state.store.add_views(&[(popular_id, 30), (quiet_id, 4)], today).await?;
    let editor = site.signed_in(Role::Editor).await?;
    let page = editor.get("/admin").await?;
    let popular = page.body.find("The popular one").ok_or("listed")?;
    let quiet = page.body.find("The quiet one").ok_or("listed")?;
    assert!(popular < quiet, "most read first");
    assert!(page.body.contains("<svg"), "the chart is drawn on the server");
    assert!(page.body.contains("30 views from"), "{}", page.body);
    assert!(page.body.contains("Daily views of “The popular one”"), "the article's chart says whose it is");
    assert!(
        page.body.contains(r#"<td class="num">30</td><td class="num">30</td>"#),
        "the week's views and the page's count"
    );
    assert!(page.body.contains("34 views from"), "the whole site's chart");
    assert!(page.body.contains(r#"<tr><td>World</td><td class="num">34</td></tr>"#), "views by section");
    let chart = editor.get(&format!("/admin/articles/{quiet_id}/views.svg")).await?;
    assert_eq!(chart.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("image/svg+xml"));
    assert!(chart.body.contains(&format!("{}: 4", today.format("%Y-%m-%d"))));
    // Those who see only their own articles see neither the site's figures nor others' articles.
    let author = site.signed_in(Role::Author).await?;
    let theirs = author.get("/admin").await?;
    assert!(!theirs.body.contains("The popular one") && !theirs.body.contains("whole site"), "{}", theirs.body);
    Ok(())
}

#[tokio::test]
async fn the_dashboard_says_when_scheduled_articles_go_out() -> TestResult {
    let site = TestSite::start().await?;
    let at = Utc::now() + chrono::Duration::minutes(150);
    site.article("world", "later")
        .headline("Later today")
        .status(ArticleStatus::Scheduled)
        .published_at(at)
        .save()
        .await?;
    let page = site.signed_in(Role::Editor).await?.get("/admin").await?;
    let listed = page.body.find("Later today").ok_or("listed as scheduled")?;
    assert!(page.body[listed..].contains("(in 2 hours)"), "{}", page.body);
    Ok(())
}

#[tokio::test]
async fn the_demos_dashboard_agrees_with_its_pages() -> TestResult {
    let site = TestSite::start_with(|c| c.demo = true).await?;
    let page = site.signed_in(Role::Editor).await?.get("/admin").await?;
    // The first most-read row: its link, then its week's views and its views in all.
    let table = page.body.split("id=\"read-heading\"").nth(1).ok_or("the most read")?;
    let id: i64 =
        table.split("/admin/articles/").nth(1).and_then(|rest| rest.split('"').next()).ok_or("a row")?.parse()?;
    // As shown: digits grouped by commas, as on the public page.
    let shown: Vec<&str> = table
        .split(r#"<td class="num">"#)
        .skip(1)
        .take(2)
        .map(|cell| cell.split('<').next().unwrap_or_default())
        .collect();
    let figures: Vec<i64> = shown.iter().map(|figure| figure.replace(',', "").parse()).collect::<Result<_, _>>()?;
    let (week, total, grouped) = (figures[0], figures[1], shown[1]);
    assert!(week > 0 && week <= total, "the demo has a week of views: {week} of {total}");
    let article = site.api_article(id).await?.ok_or("the article")?;
    let language = article["language"].as_str().ok_or("language")?;
    let edition = if language == "en" { String::new() } else { format!("/{language}") };
    let (section, slug) = (article["section"].as_str().ok_or("section")?, article["slug"].as_str().ok_or("slug")?);
    let path = format!("{edition}/{section}/{slug}");
    assert!(total > 999 && grouped.contains(','), "the top story's count is grouped: {grouped}");
    let page = site.get(&path).await?.body;
    assert!(page.contains(grouped), "the page at {path} shows the same count, {grouped}");
    Ok(())
}

#[tokio::test]
async fn sections_tags_authors_and_settings_reach_the_public_site() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "tagged").tags(&["Harbour"]).save().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let made = editor.post("/admin/sections", &[("name", "Culture"), ("description", "Arts and books.")]).await?;
    assert_eq!(made.status, 303);
    let culture = site.get("/culture/").await?;
    assert_eq!(culture.status, 200);
    assert!(culture.body.contains("Arts and books."));
    assert!(site.get("/").await?.body.contains("href=\"/culture/\""), "in the navigation");

    let tag = site.api_entry("tags", "harbour").await?.ok_or("tag")?["id"].clone();
    editor.post(&format!("/admin/tags/{tag}"), &[("name", "The Harbour")]).await?;
    assert!(site.get("/tag/harbour").await?.body.contains("The Harbour"));

    editor
        .post("/admin/authors", &[("slug", "ann-author"), ("name", "Ann Author"), ("bio", "Covers the port.")])
        .await?;
    assert!(site.get("/author/ann-author").await?.body.contains("Covers the port."));

    editor.post(&format!("/admin/tags/{tag}/delete"), &[]).await?;
    assert_eq!(site.get("/tag/harbour").await?.status, 404);

    let admin = site.signed_in(Role::Administrator).await?;
    let saved =
        admin.post("/admin/settings", &[("name", "The Evening Ledger"), ("description", "News at dusk.")]).await?;
    assert!(saved.body.contains("Saved."));
    assert!(site.get("/").await?.body.contains("The Evening Ledger"));
    Ok(())
}

#[tokio::test]
async fn the_demo_site_is_editable_from_the_back_office() -> TestResult {
    let site = TestSite::start_with(|c| c.demo = true).await?;
    let editor = site.signed_in(Role::Editor).await?;
    for path in
        ["/admin", "/admin/articles", "/admin/articles?page=2", "/admin/authors", "/admin/tags", "/admin/sections"]
    {
        assert_eq!(editor.get(path).await?.status, 200, "{path}");
    }
    let authors = editor.get("/admin/authors").await?;
    let slug = authors
        .body
        .split("href=\"/admin/authors/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or("a link to an author's own page")?
        .to_owned();
    let one = editor.get(&format!("/admin/authors/{slug}")).await?;
    assert!(one.body.contains("Current portrait"), "the demo's drawn portraits are kept as choices");
    // The list's rows edit name and biography; the portrait stays.
    let portrait = site.api_entry("authors", &slug).await?.ok_or("the author")?["avatar"].clone();
    assert!(portrait.is_string(), "a portrait: {portrait}");
    editor.post("/admin/authors", &[("slug", slug.as_str()), ("name", "Renamed Writer"), ("bio", "Writes.")]).await?;
    let after = site.api_entry("authors", &slug).await?.ok_or("the author")?;
    assert_eq!((&after["name"], &after["avatar"]), (&"Renamed Writer".into(), &portrait));
    assert_eq!(editor.get("/admin/authors/no-such-author").await?.status, 404);
    let list = editor.get("/admin/articles?status=published").await?;
    let id = list
        .body
        .split("href=\"/admin/articles/")
        .filter_map(|s| s.split('"').next())
        .find(|id| id.parse::<i64>().is_ok())
        .ok_or("an article")?;
    let edit = editor.get(&format!("/admin/articles/{id}")).await?;
    assert_eq!(edit.status, 200);
    let lead = edit.body.split("id=\"lead_image\"").nth(1).and_then(|s| s.split("</select>").next()).ok_or("select")?;
    assert!(lead.contains(" selected>"), "the demo article's own lead image is offered and chosen: {lead}");
    Ok(())
}
