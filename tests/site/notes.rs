//! Notes on a passage of a draft, over HTTP: left, listed, resolved, reopened and deleted by those allowed;
//! bad input refused with a reason; and never shown to readers, anywhere.

use newsroom::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::admin_articles::{create, fields, with};
use crate::admin_helpers::{Browser, Error, location};
use crate::helpers::{Page, TestResult, TestSite};

const BODY: &str = "The harbour wall was built in 1887.\n\nThe council will rebuild the harbour wall in spring.";
const NOTE: &str = "Check the year with the archive: zebra-quill-note";

/// The editor form's fields for an article in World with [`BODY`].
fn article<'a>(headline: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    with(fields(headline, status), "body", BODY)
}

/// A note on the second "harbour wall" (told from the first by the text around it).
fn note_fields(body: &str) -> Vec<(&str, &str)> {
    vec![
        ("body", body),
        ("quote", "harbour wall"),
        ("prefix", "The council will rebuild the "),
        ("suffix", " in spring."),
    ]
}

/// A note's fields as sent, the status they are refused with, and words of the reason given.
type Refusal<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);

/// POSTs `fields` to `path` as the editor's script does: with the page's CSRF token, our Origin, and asking
/// for JSON.
async fn post_json(browser: &Browser<'_>, path: &str, fields: &[(&str, &str)]) -> Result<(StatusCode, Value), Error> {
    let token = browser.csrf_from("/admin/password").await?;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    let origin = browser.origin.clone();
    let page = browser.post_with_headers(path, &all, &[("origin", &origin), ("accept", "application/json")]).await?;
    let answer =
        serde_json::from_str(&page.body).map_err(|e| format!("{path} ({}): {e}: {}", page.status, page.body))?;
    Ok((page.status, answer))
}

/// The notes of article `id` as the editor's script reads them.
async fn notes_of(browser: &Browser<'_>, id: i64) -> Result<Vec<Value>, Error> {
    let page = browser.get(&format!("/admin/articles/{id}/notes")).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut answer: Value = serde_json::from_str(&page.body)?;
    match answer["notes"].take() {
        Value::Array(notes) => Ok(notes),
        other => Err(format!("no notes in {other}").into()),
    }
}

fn first_id(notes: &[Value]) -> Result<i64, Error> {
    notes.first().and_then(|n| n["id"].as_i64()).ok_or_else(|| "a note".into())
}

#[tokio::test]
async fn notes_are_left_listed_resolved_reopened_and_deleted_without_touching_the_text() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &article("Harbour wall to be rebuilt", "draft")).await?;
    let stored = site.api_article(id).await?.ok_or("the article")?["body"].clone();

    // Without script: the form posts and comes back to the editor's notes.
    let left = editor.post(&format!("/admin/articles/{id}/notes"), &note_fields(NOTE)).await?;
    assert_eq!(left.status, StatusCode::SEE_OTHER, "{}", left.body);
    assert_eq!(location(&left), format!("/admin/articles/{id}#notes"));
    let page = editor.get(&format!("/admin/articles/{id}")).await?;
    assert!(page.body.contains(NOTE), "the editor lists the note");
    assert!(page.body.contains("<blockquote class=\"note-quote\">harbour wall</blockquote>"), "with its passage");
    assert!(page.body.contains("Editor Person"), "and who wrote it");
    assert!(page.body.contains("/notes/") && page.body.contains("Resolve"), "with a Resolve button");

    // As the script does it: JSON in, every note out.
    let (status, answer) =
        post_json(&editor, &format!("/admin/articles/{id}/notes"), &[("body", "On the whole piece")]).await?;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let notes = answer["notes"].as_array().ok_or("notes")?;
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["quote"], "harbour wall");
    assert_eq!(notes[0]["prefix"], "The council will rebuild the ");
    assert_eq!(notes[0]["suffix"], " in spring.");
    assert_eq!(notes[1]["quote"], "", "a note with no passage is on the whole article");
    assert_eq!(notes[0]["resolved"], Value::Null);
    let note = first_id(notes)?;

    // Resolved by another editor: kept, marked with who resolved it, and out of the open list.
    let desk = site.signed_in(Role::Administrator).await?;
    let (status, answer) = post_json(&desk, &format!("/admin/articles/{id}/notes/{note}/resolve"), &[]).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["notes"][0]["resolved"].is_string());
    assert_eq!(answer["notes"][0]["resolved_by"], "Administrator Person");
    let page = editor.get(&format!("/admin/articles/{id}")).await?;
    assert!(page.body.contains("Show resolved notes (<span class=\"notes-resolved-count\">1</span>)"), "{}", page.body);
    assert!(page.body.contains("Resolved by Administrator Person"));
    assert!(page.body.contains("Reopen"));

    // Reopened without script.
    let reopened = editor.post(&format!("/admin/articles/{id}/notes/{note}/reopen"), &[]).await?;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER, "{}", reopened.body);
    assert_eq!(notes_of(&editor, id).await?[0]["resolved"], Value::Null);

    // Only its writer deletes it; anyone else is told why.
    let (status, answer) = post_json(&desk, &format!("/admin/articles/{id}/notes/{note}/delete"), &[]).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(answer["error"].as_str().is_some_and(|e| e.contains("only the person who wrote a note")), "{answer}");
    assert_eq!(notes_of(&editor, id).await?.len(), 2);
    let (status, answer) = post_json(&editor, &format!("/admin/articles/{id}/notes/{note}/delete"), &[]).await?;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(notes_of(&editor, id).await?.len(), 1);

    // None of it touched the article's text, and no save was made.
    let after = site.api_article(id).await?.ok_or("the article")?;
    assert_eq!(after["body"], stored);
    assert_eq!(editor.revisions(id).await?.len(), 1, "a note is not a save");
    Ok(())
}

#[tokio::test]
async fn bad_notes_are_refused_with_a_reason_and_nothing_is_kept() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &article("Harbour wall to be rebuilt", "draft")).await?;
    let path = format!("/admin/articles/{id}/notes");
    let long_note = "n".repeat(2_001);
    let long_quote = "q".repeat(1_001);
    let long_prefix = "p".repeat(65);
    let cases: [Refusal; 6] = [
        (vec![("body", "")], StatusCode::BAD_REQUEST, "the note is empty"),
        (vec![("body", "   \n ")], StatusCode::BAD_REQUEST, "the note is empty"),
        (vec![("body", &long_note)], StatusCode::BAD_REQUEST, "at most 2000"),
        (vec![("body", "ok"), ("quote", &long_quote)], StatusCode::BAD_REQUEST, "the quoted passage is 1001"),
        (vec![("body", "ok"), ("prefix", &long_prefix)], StatusCode::BAD_REQUEST, "at most 64"),
        (vec![("body", "a\u{0}b")], StatusCode::UNPROCESSABLE_ENTITY, ""),
    ];
    for (fields, expected, reason) in cases {
        let (status, answer) = post_json(&editor, &path, &fields).await?;
        assert_eq!(status, expected, "{answer}");
        assert!(answer["error"].as_str().is_some_and(|e| e.contains(reason)), "{reason:?} in {answer}");
        // Without script, the same refusal on a page.
        let page = editor.post(&path, &fields).await?;
        assert_eq!(page.status, expected);
        assert!(page.body.contains(reason), "{reason:?} in the page");
    }
    assert!(notes_of(&editor, id).await?.is_empty(), "nothing refused was kept");

    // Unknown article or note.
    let (status, _) = post_json(&editor, "/admin/articles/999999/notes", &[("body", "lost")]).await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for action in ["resolve", "reopen", "delete"] {
        let (status, answer) = post_json(&editor, &format!("{path}/424242/{action}"), &[]).await?;
        assert_eq!(status, StatusCode::NOT_FOUND, "{action}: {answer}");
    }

    // No CSRF token, another site's Origin, or nobody signed in: refused before anything is done.
    let page = editor.post_raw(&path, &[("body", "forged")], Some(&editor.origin.clone())).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let token = editor.csrf_from("/admin/password").await?;
    let page =
        editor.post_raw(&path, &[("csrf", &token), ("body", "forged")], Some("https://elsewhere.example")).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let stranger = site.browser();
    let page = stranger.post_raw(&path, &[("body", "anonymous")], Some(&stranger.origin.clone())).await?;
    assert!(matches!(page.status, StatusCode::FORBIDDEN | StatusCode::SEE_OTHER), "{}", page.status);
    assert_eq!(stranger.get(&path).await?.status, StatusCode::SEE_OTHER, "signed out: sign in first");
    assert!(notes_of(&editor, id).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn contributors_note_their_own_drafts_and_no_one_elses() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let theirs = create(&editor, &article("Desk piece", "draft")).await?;
    let contributor = site.signed_in(Role::Contributor).await?;
    let own = create(&contributor, &article("My first piece", "submitted")).await?;

    let left =
        contributor.post(&format!("/admin/articles/{own}/notes"), &note_fields("Is this the right year?")).await?;
    assert_eq!(left.status, StatusCode::SEE_OTHER, "{}", left.body);
    // The desk answers on the contributor's draft, and resolves it.
    let (status, answer) =
        post_json(&editor, &format!("/admin/articles/{own}/notes"), &[("body", "Yes: 1887.")]).await?;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let note = first_id(&notes_of(&contributor, own).await?)?;
    let (status, _) = post_json(&editor, &format!("/admin/articles/{own}/notes/{note}/resolve"), &[]).await?;
    assert_eq!(status, StatusCode::OK);

    // Someone else's article: neither read nor written.
    assert_eq!(contributor.get(&format!("/admin/articles/{theirs}/notes")).await?.status, StatusCode::FORBIDDEN);
    let (status, _) = post_json(&contributor, &format!("/admin/articles/{theirs}/notes"), &[("body", "x")]).await?;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(notes_of(&editor, theirs).await?.is_empty());

    // Deleting the article deletes its notes.
    assert_eq!(contributor.post(&format!("/admin/articles/{own}/delete"), &[]).await?.status, StatusCode::SEE_OTHER);
    assert_eq!(editor.get(&format!("/admin/articles/{own}/notes")).await?.status, StatusCode::NOT_FOUND);
    // Fixture: the store itself, to see that no note outlives its article.
    assert!(site.state.store.notes_of(own).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn notes_never_reach_readers() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &article("Harbour wall to be rebuilt", "published")).await?;
    let left = editor.post(&format!("/admin/articles/{id}/notes"), &note_fields(NOTE)).await?;
    assert_eq!(left.status, StatusCode::SEE_OTHER, "{}", left.body);
    let resolved = editor.post(&format!("/admin/articles/{id}/notes"), &[("body", "zebra-quill-resolved")]).await?;
    assert_eq!(resolved.status, StatusCode::SEE_OTHER);
    let second = notes_of(&editor, id).await?.get(1).and_then(|n| n["id"].as_i64()).ok_or("a second note")?;
    editor.post(&format!("/admin/articles/{id}/notes/{second}/resolve"), &[]).await?;

    let path = "/world/harbour-wall-to-be-rebuilt";
    let mut seen: Vec<(String, Page)> = Vec::new();
    for address in [
        path,
        "/",
        "/world/",
        "/tag/harbour",
        "/feed.xml",
        "/world/feed.xml",
        "/sitemap.xml",
        "/sitemaps/articles-1.xml",
        "/search?q=harbour",
        "/api/v1/search?q=harbour",
    ] {
        seen.push((address.to_owned(), site.get(address).await?));
    }
    assert_eq!(seen[0].1.status, StatusCode::OK, "the article is public");
    assert!(seen[0].1.body.contains("The council will rebuild the harbour wall"));
    // The back office's own preview of the page shows the article as readers will see it: no notes either.
    seen.push(("preview".into(), editor.get(&format!("/admin/articles/{id}/preview/page")).await?));
    // The admin API reads articles for other programs; notes are not part of an article there.
    let api = site.api_article(id).await?.ok_or("the article in the API")?;
    for (address, page) in &seen {
        for secret in ["zebra-quill", "Check the year"] {
            assert!(!page.body.contains(secret), "{address} shows a note");
        }
    }
    assert!(!api.to_string().contains("zebra-quill"), "the API's article holds no note");
    // Searching for a note's words does not find the article (the page repeats what was searched for).
    for search in ["/search?q=zebra-quill-note", "/search?q=archive", "/api/v1/search?q=zebra-quill-note"] {
        let found = site.get(search).await?;
        assert_eq!(found.status, StatusCode::OK, "{search}");
        assert!(!found.body.contains("harbour-wall-to-be-rebuilt"), "{search} finds the article by its note");
    }

    // `newsroom export` (the whole site, for moving it) leaves notes out.
    let data = site.state.config.data_dir.clone();
    let file = data.join("export.json");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsroom"));
    command.env_remove("NEWSROOM_DATA").arg("export").arg(&file).arg("--data").arg(&data).current_dir(&data);
    crate::helpers::use_test_database(&mut command, &data).await?;
    let output = command.output()?;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let exported = std::fs::read_to_string(&file)?;
    assert!(exported.contains("The council will rebuild the harbour wall"), "the export holds the article");
    assert!(!exported.contains("zebra-quill"), "and none of its notes");
    Ok(())
}
