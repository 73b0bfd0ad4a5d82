//! The admin JSON API: a whole article's life over HTTP, JSON errors, and the OpenAPI document.

use newsroom::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestResult, TestSite};

/// An API token of a new account with `role`, bylined "Api Person".
pub async fn token(site: &TestSite, role: Role) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    site.api_token_for(&format!("{}@example.com", role.as_str()), "Api Person", role).await
}

#[tokio::test]
async fn an_article_is_created_published_updated_unpublished_and_deleted() -> TestResult {
    let site = TestSite::start().await?;
    let token = token(&site, Role::Author).await?;
    let url = |path: &str| format!("{}{path}", site.base);
    let created: Value = site
        .client
        .post(url("/api/admin/articles"))
        .bearer_auth(&token)
        .json(&json!({ "headline": "Ferry timetable changes", "section": "world", "body": "From **Monday**.",
                       "authors": ["ben-writer", "api-person"], "tags": ["Ferries"] }))
        .send()
        .await?
        .json()
        .await?;
    let article = &created["article"];
    assert_eq!(article["slug"], "ferry-timetable-changes");
    assert_eq!(article["status"], "draft");
    assert_eq!(article["authors"], json!(["ben-writer", "api-person"]), "byline order kept");
    let id = article["id"].as_i64().ok_or("id")?;
    let modified = article["modified_at"].as_i64().ok_or("modified_at")?;
    let public = "/world/ferry-timetable-changes";
    assert_eq!(site.get(public).await?.status, 404);

    let published =
        site.client.post(url(&format!("/api/admin/articles/{id}/publish"))).bearer_auth(&token).send().await?;
    assert_eq!(published.status(), 200);
    assert!(site.get(public).await?.body.contains("<strong>Monday</strong>"));

    // An update from a stale copy is refused with 409 and a JSON error.
    let stale = site
        .client
        .put(url(&format!("/api/admin/articles/{id}")))
        .bearer_auth(&token)
        .json(&json!({ "headline": "Stale", "section": "world", "body": "x", "status": "published", "modified_at": modified }))
        .send()
        .await?;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let error: Value = stale.json().await?;
    assert_eq!(error["error"]["code"], "conflict");
    assert!(error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));

    let unpublished =
        site.client.post(url(&format!("/api/admin/articles/{id}/unpublish"))).bearer_auth(&token).send().await?;
    assert_eq!(unpublished.json::<Value>().await?["article"]["status"], "unpublished");
    assert_eq!(site.get(public).await?.status, 404, "gone from the site at once");
    let deleted = site.client.delete(url(&format!("/api/admin/articles/{id}"))).bearer_auth(&token).send().await?;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let gone = site.client.get(url(&format!("/api/admin/articles/{id}"))).bearer_auth(&token).send().await?;
    assert_eq!(gone.status(), 404);
    assert_eq!(gone.json::<Value>().await?["error"]["code"], "not_found");
    Ok(())
}

#[tokio::test]
async fn errors_are_json_with_a_code_and_a_message() -> TestResult {
    let site = TestSite::start().await?;
    let token = token(&site, Role::Editor).await?;
    let url = |path: &str| format!("{}{path}", site.base);
    let cases = [
        (site.client.get(url("/api/admin/tags")), StatusCode::UNAUTHORIZED, "unauthorized"),
        (site.client.get(url("/api/admin/tags")).bearer_auth("not-a-token"), StatusCode::UNAUTHORIZED, "unauthorized"),
        (site.client.get(url("/api/admin/nothing-here")).bearer_auth(&token), StatusCode::NOT_FOUND, "not_found"),
        (
            site.client
                .post(url("/api/admin/articles"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body("{"),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            site.client
                .post(url("/api/admin/articles"))
                .bearer_auth(&token)
                .json(&json!({ "headline": "", "section": "world" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            site.client
                .post(url("/api/admin/articles"))
                .bearer_auth(&token)
                .json(&json!({ "headline": "A", "section": "nowhere", "body": "b" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await?;
        assert_eq!(response.status(), status, "{code}");
        assert_eq!(response.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
        let body: Value = response.json().await?;
        assert_eq!(body["error"]["code"], code);
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
    Ok(())
}

/// Every string literal in `src/` that names an address under `/api/`.
fn api_addresses_in_source() -> Result<std::collections::BTreeSet<String>, Box<dyn std::error::Error + Send + Sync>> {
    fn walk(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, found)?;
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path)?;
                // `"/api/"` alone is a prefix test, not an address.
                found.extend(source.split('"').filter(|t| t.starts_with("/api/") && t.len() > 5).map(str::to_owned));
            }
        }
        Ok(())
    }
    let mut found = std::collections::BTreeSet::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found)?;
    Ok(found)
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() -> TestResult {
    let site = TestSite::start().await?;
    let doc: Value = site.client.get(format!("{}/api/openapi.json", site.base)).send().await?.json().await?;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().ok_or("paths")?;
    // Every address under /api/ that the code names is described, but the document itself and the JSON 404.
    let named = api_addresses_in_source()?;
    assert!(named.len() >= 10, "{named:?}");
    for route in named.iter().filter(|r| !["/api/openapi.json", "/api/{*rest}"].contains(&r.as_str())) {
        assert!(paths.contains_key(route), "{route} is named in the code but not described");
    }
    // Every operation described is a route that answers: without a token, admin routes refuse with 401 and
    // the public search answers.
    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().ok_or("a path item")? {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())?;
            let address = format!("{}{}", site.base, path.replace("{id}", "1"));
            let response = site.client.request(method.clone(), &address).send().await?;
            let public = operation["security"].as_array().is_some_and(|s| s.iter().all(|r| r == &json!({})));
            let expected = if public { StatusCode::OK } else { StatusCode::UNAUTHORIZED };
            assert_eq!(response.status(), expected, "{method} {path}");
            assert!(operation["responses"].get("503").is_some(), "{method} {path} documents 503");
            operations += 1;
        }
    }
    assert_eq!(operations, 16, "the admin API's 15 operations and the search");
    for schema in ["ArticleDraft", "EditableArticle", "ErrorBody", "Finding", "LibraryImage"] {
        assert!(doc["components"]["schemas"].get(schema).is_some(), "{schema} is described");
    }
    Ok(())
}

#[tokio::test]
async fn images_are_uploaded_and_become_lead_images() -> TestResult {
    let site = TestSite::start().await?;
    let token = token(&site, Role::Contributor).await?;
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(800, 600).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    let boundary = "api-test-boundary";
    let multipart = |alt: &str, file: &[u8]| {
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n--{boundary}\r\n\
             Content-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        site.client
            .post(format!("{}/api/admin/media", site.base))
            .bearer_auth(&token)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
    };
    let refused = multipart("A text file", b"just words").send().await?;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json::<Value>().await?["error"]["code"], "invalid");
    let no_alt = multipart("", &png).send().await?;
    assert!(no_alt.json::<Value>().await?["error"]["message"].as_str().is_some_and(|m| m.contains("alt text")));
    let created = multipart("A grey rectangle", &png).send().await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let image: Value = created.json().await?;
    let id = image["image"]["id"].as_i64().ok_or("an id")?;
    assert_eq!(image["image"]["width"], 800);
    let article: Value = site
        .client
        .post(format!("{}/api/admin/articles", site.base))
        .bearer_auth(&token)
        .json(&json!({ "headline": "With a picture", "section": "world", "body": "b", "lead_image": id }))
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(article["article"]["lead_image_id"], id);
    assert_eq!(article["article"]["lead_image"]["alt"], "A grey rectangle");
    Ok(())
}

#[tokio::test]
async fn a_revoked_token_stops_working_and_others_cannot_revoke_it() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let made = author.post("/admin/tokens", &[("label", "my script")]).await?;
    let token =
        made.body.split("id=\"token\" type=\"text\" readonly value=\"").nth(1).and_then(|s| s.split('"').next());
    let token = token.ok_or("the token is shown once")?.to_owned();
    let call = || site.client.get(format!("{}/api/admin/tags", site.base)).bearer_auth(&token).send();
    let unused = author.get("/admin/tokens").await?;
    assert!(unused.body.contains("<td>Never</td>"), "a new token was never used: {}", unused.body);
    assert_eq!(call().await?.status(), 200);
    let listed = author.get("/admin/tokens").await?;
    assert!(listed.body.contains("my script") && !listed.body.contains(&token), "listed, but never shown again");
    assert!(!listed.body.contains("<td>Never</td>"), "its use is recorded");
    assert!(listed.body.contains("<title>API tokens · "), "the list is on the page, not in its title");
    // The page shows the last use to the minute in the site's format; the stored second says it was this call.
    let (user, _) = site.state.store.user_by_email("author@example.com").await?.ok_or("author")?;
    let listed = site.state.store.api_tokens_of(user.id).await?;
    let made = listed.first().ok_or("a token")?;
    let used = made.last_used_at.ok_or("the last use is stored")?;
    assert!((chrono::Utc::now().timestamp() - used).abs() < 60, "used just now");
    let id = made.id;
    let editor = site.signed_in(Role::Editor).await?;
    assert_eq!(editor.post(&format!("/admin/tokens/{id}/delete"), &[]).await?.status, 404, "only one's own");
    assert_eq!(call().await?.status(), 200);
    assert_eq!(author.post(&format!("/admin/tokens/{id}/delete"), &[]).await?.status, 303);
    assert_eq!(call().await?.status(), 401);
    Ok(())
}

#[tokio::test]
async fn articles_take_a_language_the_site_publishes_in() -> TestResult {
    let site = TestSite::start().await?;
    site.set_languages("en, zh").await?;
    let token = token(&site, Role::Editor).await?;
    let create = |body: Value| {
        site.client.post(format!("{}/api/admin/articles", site.base)).bearer_auth(&token).json(&body).send()
    };
    let made: Value = create(json!({ "headline": "港口工人罢工", "slug": "strike", "section": "world", "body": "x",
                                     "language": "zh", "status": "published" }))
    .await?
    .json()
    .await?;
    assert_eq!(made["article"]["language"], "zh", "{made}");
    assert_eq!(site.get("/zh/world/strike").await?.status, 200);
    let refused = create(json!({ "headline": "Grève", "section": "world", "body": "x", "language": "fr" })).await?;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = refused.json().await?;
    assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains("does not publish in \"fr\"")), "{error}");
    Ok(())
}

/// An article created through the API by the token's user, and its id.
async fn create_article(
    site: &TestSite,
    token: &str,
    headline: &str,
) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    let created: Value = site
        .client
        .post(format!("{}/api/admin/articles", site.base))
        .bearer_auth(token)
        .json(&json!({ "headline": headline, "section": "world", "body": "Text.", "authors": ["ann-author"] }))
        .send()
        .await?
        .json()
        .await?;
    Ok(created["article"]["id"].as_i64().ok_or("an id")?)
}

#[tokio::test]
async fn a_stale_update_never_overwrites_another_article() -> TestResult {
    let site = TestSite::start().await?;
    let editor = token(&site, Role::Editor).await?;
    let url = |id: i64| format!("{}/api/admin/articles/{id}", site.base);
    create_article(&site, &editor, "Older story").await?;
    let deleted = create_article(&site, &editor, "Story about to be deleted").await?;
    assert_eq!(site.client.delete(url(deleted)).bearer_auth(&editor).send().await?.status(), 204);
    let draft = create_article(&site, &editor, "An author's new draft").await?;
    assert_ne!(draft, deleted, "a deleted article's id is not given again");

    // The editor's update meant for the deleted article finds nothing, and the new draft is untouched.
    let stale = site
        .client
        .put(url(deleted))
        .bearer_auth(&editor)
        .json(&json!({ "headline": "Editor's fix", "section": "world", "body": "Fixed." }))
        .send()
        .await?;
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    let got = site.client.get(url(draft)).bearer_auth(&editor).send().await?;
    assert_eq!(got.json::<Value>().await?["article"]["headline"], "An author's new draft");
    Ok(())
}

#[tokio::test]
async fn updates_based_on_an_old_version_are_refused() -> TestResult {
    let site = TestSite::start().await?;
    let token = token(&site, Role::Editor).await?;
    let id = create_article(&site, &token, "First words").await?;
    let url = format!("{}/api/admin/articles/{id}", site.base);
    let got = site.client.get(&url).bearer_auth(&token).send().await?;
    let etag = got.headers().get("etag").and_then(|v| v.to_str().ok()).ok_or("an ETag")?.to_owned();
    let version = got.json::<Value>().await?["article"]["version"].as_i64().ok_or("a version")?;
    assert_eq!(etag, format!("\"{version}\""), "the ETag is the version");
    let edit = |headline: &str| json!({ "headline": headline, "section": "world", "body": "Text." });

    // Someone saves with the current version: accepted, and the version moves on.
    let saved =
        site.client.put(&url).bearer_auth(&token).header("if-match", &etag).json(&edit("Second words")).send().await?;
    assert_eq!(saved.status(), StatusCode::OK);
    let new_etag = saved.headers().get("etag").and_then(|v| v.to_str().ok()).ok_or("an ETag")?.to_owned();
    assert_ne!(new_etag, etag);

    // Another client still holding the first version is refused, whichever way it says so.
    let by_header =
        site.client.put(&url).bearer_auth(&token).header("if-match", &etag).json(&edit("Lost")).send().await?;
    assert_eq!(by_header.status(), StatusCode::PRECONDITION_FAILED);
    let error: Value = by_header.json().await?;
    assert_eq!(error["error"]["code"], "precondition_failed");
    assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains("If-Match")), "{error}");
    let mut in_body = edit("Lost too");
    in_body["version"] = json!(version);
    let by_field = site.client.put(&url).bearer_auth(&token).json(&in_body).send().await?;
    assert_eq!(by_field.status(), StatusCode::CONFLICT);
    assert_eq!(by_field.json::<Value>().await?["error"]["code"], "conflict");
    let weak = format!("W/{new_etag}");
    let by_weak = site.client.put(&url).bearer_auth(&token).header("if-match", weak).json(&edit("Weak")).send().await?;
    assert_eq!(by_weak.status(), StatusCode::PRECONDITION_FAILED, "If-Match compares strongly");
    let now = site.client.get(&url).bearer_auth(&token).send().await?.json::<Value>().await?;
    assert_eq!(now["article"]["headline"], "Second words", "nothing was overwritten");

    // Without a precondition an update still applies to what is current.
    let blind = site.client.put(&url).bearer_auth(&token).json(&edit("Third words")).send().await?;
    assert_eq!(blind.status(), StatusCode::OK);
    let any = site.client.put(&url).bearer_auth(&token).header("if-match", "*").json(&edit("Fourth")).send().await?;
    assert_eq!(any.status(), StatusCode::OK);
    Ok(())
}
