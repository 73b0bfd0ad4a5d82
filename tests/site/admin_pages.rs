//! The dashboard, sections, tags, authors and settings: what is changed in the back office is on the public
//! site at once.

use chrono::Utc;
use newsroom::auth::Role;

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
    let chart = editor.get(&format!("/admin/articles/{quiet_id}/views.svg")).await?;
    assert_eq!(chart.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("image/svg+xml"));
    assert!(chart.body.contains(&format!("{}: 4", today.format("%Y-%m-%d"))));
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
