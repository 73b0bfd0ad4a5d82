//! Articles through the back office: writing, publishing, address changes, preview, revisions, conflicting
//! saves, the workflow of each role, and scheduled publication by the background job.

use std::time::{Duration, Instant};

use chrono::Utc;
use newsroom::auth::Role;
use reqwest::StatusCode;

use crate::admin_helpers::{Browser, Error, location};
use crate::helpers::{TestResult, TestSite};

/// The fields of the editor form for an article in World.
pub(crate) fn fields<'a>(headline: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("headline", headline),
        ("slug", ""),
        ("standfirst", "What happened, in one line."),
        ("body", "First paragraph.\n\nSecond paragraph."),
        ("section", "world"),
        ("author", ""),
        ("tags", "Harbour, Weather"),
        ("status", status),
        ("publish_date", ""),
        ("publish_time", ""),
        ("correction", ""),
        ("action", "save"),
    ]
}

/// Saves a new article through the form and returns its id.
pub(crate) async fn create(browser: &Browser<'_>, fields: &[(&str, &str)]) -> Result<i64, Error> {
    let page = browser.post("/admin/articles", fields).await?;
    let target = location(&page);
    let id = target
        .strip_prefix("/admin/articles/")
        .and_then(|rest| rest.split('?').next())
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| format!("no redirect to the article ({}): {}", page.status, page.body))?;
    Ok(id)
}

/// Replaces `name`'s value in `fields`.
pub(crate) fn with<'a>(mut fields: Vec<(&'a str, &'a str)>, name: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    fields.retain(|(key, _)| *key != name);
    fields.push((name, value));
    fields
}

/// `fields` with the publication time `at` written in the editor's date and time fields (in the site's zone).
fn at_time<'a>(fields: Vec<(&'a str, &'a str)>, date: &'a str, time: &'a str) -> Vec<(&'a str, &'a str)> {
    with(with(fields, "publish_date", date), "publish_time", time)
}

/// The `modified_at` hidden field of the editor for article `id`.
async fn modified_at(browser: &Browser<'_>, id: i64) -> Result<String, Error> {
    let page = browser.get(&format!("/admin/articles/{id}")).await?;
    let at = page.body.find("name=\"modified_at\" value=\"").ok_or("modified_at field")?;
    Ok(page.body[at + 26..].split('"').next().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn an_editor_writes_and_publishes_and_readers_see_it_at_once() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &fields("Harbour reopens after the storm", "published")).await?;
    let public = site.get("/world/harbour-reopens-after-the-storm").await?;
    assert_eq!(public.status, 200, "published at once, slug made from the headline");
    assert!(public.body.contains("Editor Person"), "the editor's own byline by default");
    assert!(public.body.contains("/tag/weather"), "tags created on the fly");
    let list = editor.get("/admin/articles?status=published&q=harbour").await?;
    assert!(list.body.contains(&format!("/admin/articles/{id}")), "the list finds it by status and title");
    let none = editor.get("/admin/articles?status=draft&q=harbour").await?;
    assert!(!none.body.contains(&format!("/admin/articles/{id}\"")));

    // A correction and an "Updated" time on the published article.
    let stamp = modified_at(&editor, id).await?;
    let fix = with(
        fields("Harbour reopens after the storm", "published"),
        "correction",
        "An earlier version gave the wrong date.",
    );
    let fix = with(with(fix, "modified_at", &stamp), "mark_updated", "1");
    let page = editor.post(&format!("/admin/articles/{id}"), &fix).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let public = site.get("/world/harbour-reopens-after-the-storm").await?;
    assert!(public.body.contains("An earlier version gave the wrong date."));
    assert!(public.body.contains("Updated"));
    assert!(
        public
            .body
            .contains(r#""correction":{"@type":"CorrectionComment","text":"An earlier version gave the wrong date."}"#),
        "the correction is in the NewsArticle data too"
    );
    Ok(())
}

#[tokio::test]
async fn changing_the_address_keeps_a_permanent_redirect() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &fields("Old name", "published")).await?;
    let stamp = modified_at(&editor, id).await?;
    let renamed = with(with(fields("New name", "published"), "slug", "new-name"), "modified_at", &stamp);
    let renamed = with(renamed, "section", "sport");
    assert_eq!(editor.post(&format!("/admin/articles/{id}"), &renamed).await?.status, StatusCode::SEE_OTHER);
    let old = site.get("/world/old-name").await?;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(location(&old), "/sport/new-name");
    assert_eq!(site.get("/sport/new-name").await?.status, 200);
    // Another article in the same section cannot take the new address.
    let clash = with(fields("Something else", "draft"), "slug", "new-name");
    let clash = with(clash, "section", "sport");
    let page = editor.post("/admin/articles", &clash).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("already has the address"), "{}", page.body);
    Ok(())
}

#[tokio::test]
async fn preview_shows_the_rendered_body_without_saving() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let mut preview = with(fields("Preview me", "draft"), "action", "preview");
    preview = with(preview, "body", "Some **bold** words.");
    let page = author.post("/admin/articles", &preview).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<strong>bold</strong>"));
    assert!(page.body.contains("Preview me"), "the form keeps what was typed");
    assert_eq!(site.article_total().await?, 0, "nothing saved");
    // With script, the same preview follows typing: the page loads it as an external, fingerprinted file.
    let script = page.body.split("<script src=\"").nth(1).and_then(|s| s.split('"').next()).ok_or("a script")?;
    assert!(script.starts_with("/assets/admin.") && script.ends_with(".js"), "{script}");
    assert!(!page.body.contains("<script>"), "no inline script (the CSP forbids it)");
    let served = site.get(script).await?;
    assert_eq!(served.status, 200);
    assert!(served.body.contains("live-preview"));
    assert!(page.body.contains("id=\"live-preview\""));
    Ok(())
}

#[tokio::test]
async fn a_newer_save_by_someone_else_warns_instead_of_overwriting() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let admin = site.signed_in(Role::Administrator).await?;
    let id = create(&editor, &fields("Shared story", "draft")).await?;
    let opened = modified_at(&editor, id).await?;
    let theirs = with(fields("Their headline", "draft"), "modified_at", &opened);
    assert_eq!(admin.post(&format!("/admin/articles/{id}"), &theirs).await?.status, StatusCode::SEE_OTHER);
    let mine = with(fields("My headline", "draft"), "modified_at", &opened);
    let page = editor.post(&format!("/admin/articles/{id}"), &mine).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Someone else saved this article"), "{}", page.body);
    assert!(page.body.contains("My headline"), "my text is kept in the form");
    assert!(page.body.contains("Compare their save with your version"), "and compared with theirs");
    assert!(page.body.contains("theirs: </span>Headline: <del>Their</del> headline"), "{}", page.body);
    assert!(page.body.contains("yours: </span>Headline: <ins>My</ins> headline"));
    let stored = site.api_article(id).await?.ok_or("article")?;
    assert_eq!(stored["headline"], "Their headline", "their save stands");
    let forced = with(mine, "overwrite", "1");
    assert_eq!(editor.post(&format!("/admin/articles/{id}"), &forced).await?.status, StatusCode::SEE_OTHER);
    assert_eq!(site.api_article(id).await?.ok_or("article")?["headline"], "My headline");
    Ok(())
}

#[tokio::test]
async fn a_revision_can_be_compared_and_restored() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let first = with(fields("First headline", "draft"), "body", "The original sentence.");
    let id = create(&editor, &first).await?;
    let stamp = modified_at(&editor, id).await?;
    let second = with(with(fields("Second headline", "draft"), "body", "A rewritten sentence."), "modified_at", &stamp);
    editor.post(&format!("/admin/articles/{id}"), &second).await?;
    let revisions = editor.revisions(id).await?;
    assert_eq!(revisions.len(), 2, "every save keeps a revision");
    assert_eq!(revisions[0].1, "Editor Person", "with who saved it");
    let oldest = revisions[1].0;
    let diff = editor.get(&format!("/admin/revisions/{oldest}")).await?;
    let removed =
        "class=\"diff-removed\"><span class=\"visually-hidden\">removed: </span>Headline: <del>First</del> headline";
    assert!(diff.body.contains(removed), "the changed word is marked, not the whole line: {}", diff.body);
    let added =
        "class=\"diff-added\"><span class=\"visually-hidden\">added: </span>Headline: <ins>Second</ins> headline";
    assert!(diff.body.contains(added));
    let restored = editor.post(&format!("/admin/revisions/{oldest}/restore"), &[]).await?;
    assert_eq!(location(&restored), format!("/admin/articles/{id}?notice=restored"));
    let article = site.api_article(id).await?.ok_or("article")?;
    assert_eq!(article["headline"], "First headline");
    assert_eq!(article["body"], "The original sentence.");
    assert_eq!(editor.revisions(id).await?.len(), 3, "the restore is itself a revision");
    Ok(())
}

#[tokio::test]
async fn contributors_submit_for_review_and_cannot_publish() -> TestResult {
    let site = TestSite::start().await?;
    let contributor = site.signed_in(Role::Contributor).await?;
    let refused = contributor.post("/admin/articles", &fields("Sneaky", "published")).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(site.article_total().await?, 0);
    let id = create(&contributor, &fields("My first piece", "submitted")).await?;
    let editor_page = contributor.get(&format!("/admin/articles/{id}")).await?;
    assert!(!editor_page.body.contains("value=\"published\""), "no publishing choice offered");
    let editor = site.signed_in(Role::Editor).await?;
    let dashboard = editor.get("/admin").await?;
    assert!(dashboard.body.contains("My first piece"), "waiting for review on the editor's dashboard");
    let stamp = modified_at(&editor, id).await?;
    let publish = with(fields("My first piece", "published"), "modified_at", &stamp);
    assert_eq!(editor.post(&format!("/admin/articles/{id}"), &publish).await?.status, StatusCode::SEE_OTHER);
    assert_eq!(site.get("/world/my-first-piece").await?.status, 200);
    let stamp = modified_at(&editor, id).await?;
    let after = with(fields("Changed by contributor", "submitted"), "modified_at", &stamp);
    let page = contributor.post(&format!("/admin/articles/{id}"), &after).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "a published piece belongs to the desk");
    Ok(())
}

#[tokio::test]
async fn authors_see_and_edit_only_their_own_articles() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let theirs = create(&editor, &fields("Editor's piece", "draft")).await?;
    let author = site.signed_in(Role::Author).await?;
    let own = create(&author, &fields("Author's piece", "published")).await?;
    let list = author.get("/admin/articles").await?;
    assert!(list.body.contains("Author&#39;s piece") && !list.body.contains("Editor&#39;s piece"), "{}", list.body);
    assert_eq!(author.get(&format!("/admin/articles/{theirs}")).await?.status, StatusCode::FORBIDDEN);
    let delete = author.post(&format!("/admin/articles/{theirs}/delete"), &[]).await?;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    assert!(site.api_article(theirs).await?.is_some());
    assert_eq!(author.post(&format!("/admin/articles/{own}/delete"), &[]).await?.status, StatusCode::SEE_OTHER);
    assert!(site.api_article(own).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn the_background_job_publishes_a_scheduled_article() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    // The form takes minutes; the current minute has begun, so the article is due at once.
    let now = Utc::now();
    let (date, time) = (now.format("%Y-%m-%d").to_string(), now.format("%H:%M").to_string());
    let scheduled = at_time(fields("Due now", "scheduled"), &date, &time);
    let id = create(&editor, &scheduled).await?;
    assert_eq!(site.get("/world/due-now").await?.status, 404, "not public until the job runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    while site.get("/world/due-now").await?.status != 200 {
        assert!(Instant::now() < deadline, "published within the job's interval");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // The change log has no page or API; read it from the store.
    assert_eq!(site.state.store.changes_of("article", id).await?, 2, "saved once, published once");
    let missing = fields("No time", "scheduled");
    let page = editor.post("/admin/articles", &missing).await?;
    assert!(page.body.contains("needs a publication date and time"));
    Ok(())
}

#[tokio::test]
async fn an_autosave_keeps_unsaved_text_apart_from_the_article_until_the_next_save() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &fields("Ferry timetable changes", "published")).await?;
    let version = modified_at(&editor, id).await?;
    let typed = with(
        with(fields("Ferry timetable changes", "published"), "body", "A sentence still being written"),
        "modified_at",
        &version,
    );

    let kept = editor.post(&format!("/admin/articles/{id}/autosave"), &typed).await?;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    let answer: serde_json::Value = serde_json::from_str(&kept.body)?;
    assert!(answer["saved_at"].as_str().is_some_and(|at| !at.is_empty()), "says when: {answer}");
    let article = site.api_article(id).await?.ok_or("the article")?;
    assert_eq!(article["body"], "First paragraph.\n\nSecond paragraph.", "an autosave is not a save");
    assert_eq!(editor.revisions(id).await?.len(), 1, "nor a revision");
    let public = site.get(&format!("/world/{}", article["slug"].as_str().ok_or("slug")?)).await?;
    assert!(!public.body.contains("still being written"), "readers never see it");

    let opened = editor.get(&format!("/admin/articles/{id}")).await?;
    assert!(opened.body.contains("that are not saved"), "the editor offers it back");
    assert!(opened.body.contains("First paragraph."), "the form shows the saved text until asked");
    let restored = editor.get(&format!("/admin/articles/{id}?autosave=restore")).await?;
    assert!(restored.body.contains("A sentence still being written"), "restored into the form");
    assert!(
        restored.body.contains(&format!("name=\"modified_at\" value=\"{version}\"")),
        "from the version it began on"
    );

    // Someone else's editor offers nothing: an autosave is its author's.
    let other = site.signed_in(Role::Administrator).await?;
    assert!(!other.get(&format!("/admin/articles/{id}")).await?.body.contains("that are not saved"));

    // Saving takes the text in; the offer goes.
    let saved = editor.post(&format!("/admin/articles/{id}"), &typed).await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(!editor.get(&format!("/admin/articles/{id}")).await?.body.contains("that are not saved"));

    // Discarding forgets one.
    let version = modified_at(&editor, id).await?;
    let again = with(typed.clone(), "modified_at", &version);
    assert_eq!(editor.post(&format!("/admin/articles/{id}/autosave"), &again).await?.status, StatusCode::OK);
    let discarded = editor.post(&format!("/admin/articles/{id}/autosave/discard"), &[]).await?;
    assert_eq!(discarded.status, StatusCode::SEE_OTHER);
    assert!(!editor.get(&format!("/admin/articles/{id}")).await?.body.contains("that are not saved"));
    Ok(())
}

#[tokio::test]
async fn an_autosave_is_refused_with_a_reason_where_a_save_would_be() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &fields("Lighthouse keeper retires", "draft")).await?;
    let bad_time = at_time(fields("Lighthouse keeper retires", "scheduled"), "next Tuesday", "09:00");
    let refused = editor.post(&format!("/admin/articles/{id}/autosave"), &bad_time).await?;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("is not a date: write the date as year-month-day"), "{}", refused.body);
    assert!(!editor.get(&format!("/admin/articles/{id}")).await?.body.contains("that are not saved"), "nothing kept");

    // An author may not autosave into someone else's article, nor one that does not exist.
    let author = site.signed_in(Role::Author).await?;
    let theirs = author.post(&format!("/admin/articles/{id}/autosave"), &fields("Mine now", "draft")).await?;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    let missing = editor.post("/admin/articles/999999/autosave", &fields("Nowhere", "draft")).await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn a_scheduled_save_says_when_it_goes_out_and_statuses_read_in_words() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    // Minutes in the form are the site's zone (UTC here); three hours and a half ahead reads "in 3 hours".
    let at = Utc::now() + chrono::Duration::minutes(210);
    let (date, time) = (at.format("%Y-%m-%d").to_string(), at.format("%H:%M").to_string());
    let id = create(&editor, &at_time(fields("Bridge closes for repairs", "scheduled"), &date, &time)).await?;
    let saved = editor.get(&format!("/admin/articles/{id}?notice=saved")).await?;
    assert!(saved.body.contains("Saved. Scheduled for "), "{}", saved.body);
    assert!(saved.body.contains("(in 3 hours)."), "how long until it goes out");
    assert!(saved.body.contains(r#"<option value="scheduled" selected>Scheduled</option>"#), "the status in words");
    assert!(saved.body.contains(r#"<option value="submitted">Submitted for review</option>"#));
    let list = editor.get("/admin/articles").await?;
    assert!(list.body.contains(r#"<span class="status status-scheduled">Scheduled</span>"#), "{}", list.body);
    assert!(list.body.contains("(in 3 hours)</td>"), "the list says when it goes out");
    Ok(())
}

#[tokio::test]
async fn tags_keep_the_order_they_were_typed_in() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let typed = with(fields("Ferry timetable for the winter", "published"), "tags", "Weather, Ferries, Harbour");
    let id = create(&editor, &typed).await?;
    let positions = |html: &str| -> Vec<usize> {
        ["/tag/weather\"", "/tag/ferries\"", "/tag/harbour\""].iter().filter_map(|tag| html.find(tag)).collect()
    };
    let page = site.get("/world/ferry-timetable-for-the-winter").await?;
    let found = positions(&page.body);
    assert_eq!(found.len(), 3, "the article page links its three tags");
    assert!(found.windows(2).all(|pair| pair[0] < pair[1]), "in the order typed, not by name: {found:?}");
    let form = editor.get(&format!("/admin/articles/{id}")).await?;
    assert!(form.body.contains("value=\"Weather, Ferries, Harbour\""), "the editor gives them back as typed");
    let api = site.api_article(id).await?.ok_or("the API has the article")?;
    assert_eq!(api["tags"], serde_json::json!(["Weather", "Ferries", "Harbour"]), "and so does the API");

    // Typed again in another order, they take it.
    let stamp = modified_at(&editor, id).await?;
    let reordered = with(
        with(fields("Ferry timetable for the winter", "published"), "tags", "Harbour, Weather, Ferries"),
        "modified_at",
        &stamp,
    );
    let saved = editor.post(&format!("/admin/articles/{id}"), &reordered).await?;
    assert_eq!(saved.status, 303, "saved: {}", saved.body);
    let page = site.get("/world/ferry-timetable-for-the-winter").await?;
    let [weather, ferries, harbour] = positions(&page.body)[..] else { return Err("three tags".into()) };
    assert!(harbour < weather && weather < ferries, "the new order on the public page");
    Ok(())
}
