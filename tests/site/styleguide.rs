//! The style guide: the glossary kept in the back office, names spelled two ways caught in the editor before
//! publishing with one-click corrections, the same check in the API, and `newsroom lint` over the whole site.

use newsroom::auth::Role;
use serde_json::{Value, json};

use crate::admin_helpers::location;
use crate::helpers::{TestResult, TestSite};

/// Our own sentences, with the captured page's slip: one name written three ways.
const SLIPPED: &str = "NATO Secretary General Mark Rutte met foreign ministers on Tuesday. Rutte said the \
    alliance would stay united.\n\nLater, Lute's aides played down the quarrel, and critics called L ü tte's calm \
    a tactic.";
const CLEAN: &str = "Ministers met on Tuesday and agreed to meet again in March.\n\nThe talks ran late.";

fn article<'a>(headline: &'a str, body: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("headline", headline), ("section", "world"), ("body", body), ("status", status), ("action", "save")]
}

#[tokio::test]
async fn editors_keep_the_glossary_and_everyone_who_writes_can_read_it() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let term = [("accepted", "Rutte"), ("avoid", "Lute, Lütte"), ("language", "en"), ("note", "NATO chief")];
    assert_eq!(editor.post("/admin/glossary", &term).await?.status, 303);
    let again = editor.post("/admin/glossary", &term).await?;
    assert_eq!(again.status, 422, "one entry per spelling and language");
    assert!(again.body.contains("already has “Rutte” in en"), "{}", again.body);
    let empty = editor.post("/admin/glossary", &[("accepted", "Rutte"), ("avoid", ""), ("language", "en")]).await?;
    assert!(empty.body.contains("forms to avoid"), "{}", empty.body);

    let author = site.signed_in(Role::Author).await?;
    let listed = author.get("/admin/glossary").await?;
    assert!(listed.body.contains("<td>Lute, Lütte</td>") && !listed.body.contains("action=\"/admin/glossary\""));
    assert_eq!(author.post("/admin/glossary", &term).await?.status, 403, "authors read, editors keep it");

    let glossary = async || site.api_list("/api/admin/glossary", "glossary").await;
    let id = glossary().await?.first().ok_or("a term")?["id"].clone();
    let changed = [("accepted", "Rutte"), ("avoid", "Lute, Lütte, Rute"), ("language", "en"), ("note", "")];
    editor.post(&format!("/admin/glossary/{id}"), &changed).await?;
    assert_eq!(glossary().await?.first().ok_or("the term")?["avoid"], json!(["Lute", "Lütte", "Rute"]));
    editor.post(&format!("/admin/glossary/{id}/delete"), &[]).await?;
    assert!(glossary().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn the_editor_stops_a_slip_before_publishing_and_corrects_it_in_one_click() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;

    // No glossary yet: the names written two ways are enough.
    let stopped = editor.post("/admin/articles", &article("Allies close ranks", SLIPPED, "published")).await?;
    assert_eq!(stopped.status, 422, "not published");
    assert!(stopped.body.contains("the style guide flags 2 spellings"), "{}", stopped.body);
    assert!(stopped.body.contains("Change “Lute” to “Rutte”") && stopped.body.contains("Change “L ü tte” to “Rutte”"));
    assert!(stopped.body.contains("body, line 3, column 8"), "positions are given: {}", stopped.body);
    assert_eq!(site.get("/world/allies-close-ranks").await?.status, 404);

    let mut fix = article("Allies close ranks", SLIPPED, "published");
    fix.retain(|(k, _)| *k != "action");
    fix.push(("action", "fix-all"));
    let corrected = editor.post("/admin/articles", &fix).await?;
    assert!(corrected.body.contains("Corrected 2 spellings; not saved yet."), "{}", corrected.body);
    let body = corrected.body.split("name=\"body\"").nth(1).and_then(|s| s.split("</textarea>").next()).unwrap_or("");
    assert!(body.contains("Later, Rutte&#39;s aides") && body.contains("called Rutte&#39;s calm"), "{body}");
    assert!(!corrected.body.contains("style-findings"), "nothing left to flag");

    let fixed_text = SLIPPED.replace("Lute", "Rutte").replace("L ü tte", "Rutte");
    let saved = editor.post("/admin/articles", &article("Allies close ranks", &fixed_text, "published")).await?;
    assert!(location(&saved).contains("notice=saved"), "{}", saved.body);
    let page = site.get("/world/allies-close-ranks").await?.body;
    assert!(page.contains("Mark Rutte met") && !page.contains("Lute") && !page.contains("L ü tte"), "{page}");

    // An editor who means it can publish as written; drafts are never stopped.
    let draft = editor.post("/admin/articles", &article("Draft with a slip", SLIPPED, "draft")).await?;
    assert!(location(&draft).contains("notice=saved"));
    let mut anyway = article("Published as written", SLIPPED, "published");
    anyway.push(("style_ok", "1"));
    assert!(location(&editor.post("/admin/articles", &anyway).await?).contains("notice=saved"));
    let clean = editor.post("/admin/articles", &article("Talks run late", CLEAN, "published")).await?;
    assert!(location(&clean).contains("notice=saved"), "clean text publishes at once");
    Ok(())
}

#[tokio::test]
async fn one_finding_at_a_time_and_the_glossary_in_the_editor() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    editor.add_glossary_term("email", "e-mail").await?;
    let text = "Send an e-mail to the desk.\n\nE-mail is read at nine.";
    let mut fields = article("Letters", text, "draft");
    fields.retain(|(k, _)| *k != "action");
    fields.push(("action", "fix-1"));
    let page = editor.post("/admin/articles", &fields).await?;
    assert!(page.body.contains("Corrected 1 spelling; not saved yet."), "{}", page.body);
    assert!(
        page.body.contains("Send an e-mail to the desk.\n\nEmail is read at nine."),
        "only the second: {}",
        page.body
    );
    assert!(page.body.contains("“e-mail” is listed to avoid; the style guide spells it “email”."));
    Ok(())
}

#[tokio::test]
async fn the_api_checks_text_and_saved_articles() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    editor.add_glossary_term("Rutte", "Lute, Lütte").await?;
    let made = editor.post("/admin/tokens", &[("label", "checker")]).await?;
    let token = made.body.split("readonly value=\"").nth(1).and_then(|s| s.split('"').next()).ok_or("token")?;
    let checked: Value = site
        .client
        .post(format!("{}/api/admin/style-check", site.base))
        .bearer_auth(token)
        .json(&json!({ "headline": "Lute speaks", "body": SLIPPED }))
        .send()
        .await?
        .json()
        .await?;
    let findings = checked["findings"].as_array().ok_or("findings")?;
    let found: Vec<&str> = findings.iter().filter_map(|f| f["found"].as_str()).collect();
    assert_eq!(found, ["Lute", "Lute", "L ü tte"], "{checked}");
    assert!(findings.iter().all(|f| f["kind"] == "avoided" && f["suggestion"] == "Rutte"));
    assert_eq!(findings[0]["field"], "headline");
    assert_eq!(checked["corrected"]["headline"], "Rutte speaks");
    assert!(!checked["corrected"]["body"].as_str().unwrap_or("Lute").contains("Lute"));

    let mut anyway = article("Saved with a slip", SLIPPED, "draft");
    anyway.push(("style_ok", "1"));
    let id = location(&editor.post("/admin/articles", &anyway).await?)
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let saved: Value = site
        .client
        .get(format!("{}/api/admin/articles/{id}/style", site.base))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(saved["findings"].as_array().map(Vec::len), Some(2), "{saved}");
    let glossary: Value =
        site.client.get(format!("{}/api/admin/glossary", site.base)).bearer_auth(token).send().await?.json().await?;
    assert_eq!(glossary["glossary"][0]["avoid"], json!(["Lute", "Lütte"]));
    Ok(())
}

#[tokio::test]
async fn lint_lists_every_finding_with_its_article_and_position() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "slip").body(SLIPPED).save().await?;
    site.article("world", "clean").body(CLEAN).save().await?;
    let dir = site.stop().await?.ok_or("the data directory")?;
    let database = crate::helpers::test_config(dir.path()).await?.database_url;
    let lint = |extra: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsroom"));
        if let Some(url) = &database {
            command.env("NEWSROOM_DATABASE_URL", url.expose());
        }
        command.arg("lint").args(extra).arg("--data").arg(dir.path()).current_dir(dir.path()).output()
    };
    let output = lint(&[])?;
    assert_eq!(output.status.code(), Some(1), "findings fail the command");
    let stdout = String::from_utf8(output.stdout)?;
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].starts_with("/world/slip (article 1, en) body 3:8: “Lute” is spelled “Rutte”"), "{stdout}");
    let stderr = String::from_utf8(output.stderr)?;
    assert!(stderr.contains("2 findings in 1 of 2 articles"), "{stderr}");

    let json_lines = String::from_utf8(lint(&["--json"])?.stdout)?;
    let first: Value = serde_json::from_str(json_lines.lines().next().unwrap_or("{}"))?;
    assert_eq!((first["path"].as_str(), first["finding"]["suggestion"].as_str()), (Some("/world/slip"), Some("Rutte")));
    let other_language = lint(&["--language", "zh"])?;
    assert!(other_language.status.success(), "no Chinese articles, nothing to flag");
    Ok(())
}
