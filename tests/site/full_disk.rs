//! A full disk: saves are refused with 503 and `Retry-After` (never answered as stored when they were not),
//! `/readyz` says why, sign-ins hand out no cookie that does not work, and saving works again as soon as there
//! is room, without a restart and without losing anything saved before. The disk is filled with SQLite's own
//! page limit on the writer (`Store::limit_pages`), which fails writes with "database or disk is full" exactly
//! as a full file system does. (PostgreSQL's unavailability is tested in `tests/cluster.rs`.)

use std::time::{Duration, Instant};

use newsroom::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin_helpers::{Error, PASSWORD, location};
use crate::helpers::{POSTGRES_VARIABLE, Page, TestResult, TestSite};

/// An API token of an editor.
async fn api_token(site: &TestSite) -> Result<String, Error> {
    site.api_token_for("api-editor@example.com", "Api Editor", Role::Editor).await
}

/// Sends an article through the API (POST to create, PUT to `id` to update); returns the status, the
/// `Retry-After` header and the JSON body.
async fn send_article(
    site: &TestSite,
    token: &str,
    id: Option<i64>,
    headline: &str,
    body: &str,
) -> Result<(StatusCode, Option<String>, Value), Error> {
    let article = json!({ "headline": headline, "section": "world", "status": "published", "body": body,
                          "authors": ["ann-author"] });
    let request = match id {
        Some(id) => site.client.put(format!("{}/api/admin/articles/{id}", site.base)),
        None => site.client.post(format!("{}/api/admin/articles", site.base)),
    };
    let response = request.bearer_auth(token).json(&article).send().await?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    Ok((status, retry_after, response.json().await?))
}

/// Asserts that `status` and `retry_after` say "could not save, try again later".
fn assert_try_again(what: &str, status: StatusCode, retry_after: Option<&str>) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{what}: 503");
    let seconds = retry_after.and_then(|value| value.parse::<u64>().ok());
    assert!(seconds.is_some_and(|s| s > 0), "{what}: Retry-After in seconds, got {retry_after:?}");
}

/// Polls `/readyz` until it answers 200 (the search index may still be building), within 20 s.
async fn ready(site: &TestSite) -> Result<Page, Error> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = site.get("/readyz").await?;
        if page.status == 200 || Instant::now() > deadline {
            return Ok(page);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_full_disk_refuses_saves_with_503_and_saving_resumes_when_space_returns() -> TestResult {
    if std::env::var(POSTGRES_VARIABLE).is_ok() {
        // The page limit is SQLite's; on PostgreSQL the cluster suite cuts the server off instead.
        return Ok(());
    }
    let site = TestSite::start().await?;
    let token = api_token(&site).await?;
    let editor = site.signed_in(Role::Editor).await?;
    let (status, _, created) = send_article(&site, &token, None, "Harbour reopens", "Saved before the fault.").await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let kept_id = created["article"]["id"].as_i64().ok_or("an id")?;
    let kept_path = "/world/harbour-reopens";
    assert_eq!(ready(&site).await?.status, 200);

    // The disk fills up: the file may not grow by a page.
    site.state.store.limit_pages(Some(0)).await?;
    let long_body = "The tide tables were rewritten after the storm moved the sandbanks. ".repeat(5_000);
    for attempt in 1..=4 {
        let headline = format!("Tide tables rewritten, take {attempt}");
        let (status, retry_after, error) = send_article(&site, &token, None, &headline, &long_body).await?;
        assert_try_again(&format!("new article, attempt {attempt}"), status, retry_after.as_deref());
        assert_eq!(error["error"]["code"], "unavailable", "{error}");
        assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains("could not save")), "{error}");
        let slug = format!("/world/tide-tables-rewritten-take-{attempt}");
        assert_eq!(site.get(&slug).await?.status, 404, "a refused save is not stored");
    }
    let (status, retry_after, _) = send_article(&site, &token, Some(kept_id), "Harbour reopens", &long_body).await?;
    assert_try_again("an update", status, retry_after.as_deref());
    // A save refused for another reason (someone saved since) in the middle of it: this is what used to leave
    // the writer inside a transaction that never commits.
    let stale = site
        .client
        .put(format!("{}/api/admin/articles/{kept_id}", site.base))
        .bearer_auth(&token)
        .json(&json!({ "headline": "Stale", "section": "world", "body": "x", "status": "published",
                       "authors": ["ann-author"], "modified_at": 1 }))
        .send()
        .await?;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    // A small save may still fit; if it is answered as stored, it is stored.
    let (status, retry_after, small) = send_article(&site, &token, None, "Buoy relit", "One line.").await?;
    if status == StatusCode::CREATED {
        assert_eq!(site.get("/world/buoy-relit").await?.status, 200, "a save answered as stored is stored");
    } else {
        assert_try_again("a small save", status, retry_after.as_deref());
        assert_eq!(small["error"]["code"], "unavailable", "{small}");
    }

    // The back office says the same, on its own styled page.
    let form = [
        ("headline", "Sandbanks move again"),
        ("slug", ""),
        ("standfirst", "What happened, in one line."),
        ("body", long_body.as_str()),
        ("section", "world"),
        ("author", ""),
        ("tags", ""),
        ("status", "published"),
        ("publish_date", ""),
        ("publish_time", ""),
        ("correction", ""),
        ("action", "save"),
    ];
    let page = editor.post("/admin/articles", &form).await?;
    let retry_after = page.headers.get("retry-after").and_then(|v| v.to_str().ok());
    assert_try_again("the back office's form", page.status, retry_after);
    assert!(page.body.contains("<html") && page.body.contains("could not save"), "{}", page.body);

    // Readiness says why.
    let readiness = site.get("/readyz").await?;
    assert_eq!(readiness.status, 503, "not ready while writes fail");
    assert!(readiness.body.contains("database") && readiness.body.contains("full"), "{}", readiness.body);

    // A sign-in either fails the same way or hands out a cookie that works.
    let browser = site.browser();
    let signed_in = browser.sign_in("editor@example.com", PASSWORD).await?;
    if signed_in.status == StatusCode::SEE_OTHER {
        assert_eq!(location(&signed_in), "/admin");
        assert_eq!(browser.get("/admin").await?.status, 200, "the session handed out during the fault works");
    } else {
        assert_try_again(
            "a sign-in",
            signed_in.status,
            signed_in.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        );
        assert!(
            signed_in
                .headers
                .get("set-cookie")
                .is_none_or(|c| !c.to_str().is_ok_and(|c| c.contains("newsroom_session=")))
        );
    }

    // What was saved before the fault is still there.
    let page = site.get(kept_path).await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Saved before the fault."));

    // Space returns: saving works again at once, and readiness follows.
    site.state.store.limit_pages(None).await?;
    let (status, _, created) = send_article(&site, &token, None, "Tide tables rewritten", &long_body).await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let page = site.get("/world/tide-tables-rewritten").await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("moved the sandbanks"));
    let (status, _, updated) =
        send_article(&site, &token, Some(kept_id), "Harbour reopens", "Updated after the fault.").await?;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let ready_again = ready(&site).await?;
    assert_eq!(ready_again.status, 200, "ready again once writes go through: {}", ready_again.body);
    let browser = site.browser();
    assert_eq!(browser.sign_in("editor@example.com", PASSWORD).await?.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/admin").await?.status, 200, "signing in works again");

    // Nothing acknowledged is lost across a clean stop and start.
    let data = site.stop().await?.ok_or("the data directory")?;
    let site = TestSite::start_in(data.path(), |_| {}).await?;
    let page = site.get(kept_path).await?;
    assert!(page.body.contains("Updated after the fault."), "{}", page.status);
    assert_eq!(site.get("/world/tide-tables-rewritten").await?.status, 200);
    assert_eq!(site.get("/world/sandbanks-move-again").await?.status, 404, "the refused form save was not stored");
    Ok(())
}
