//! A NUL (or another control character) in an address or in a text someone sends: addresses answer 404 and
//! texts 422 with the reason, on SQLite and on PostgreSQL (whose text type cannot hold a NUL) alike, and
//! nothing is stored. `scripts/test-postgres` runs these on PostgreSQL.

use newsroom::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestResult, TestSite};

const NUL: &str = "a\u{0}b";

#[tokio::test]
async fn addresses_with_a_nul_are_not_found() -> TestResult {
    let site = TestSite::start().await?;
    site.set_languages("en,zh").await?;
    let article = site.article("world", "harbour").tags(&["Ferries"]).save().await?;
    let paths = [
        "/tag/a%00b",
        "/author/a%00b",
        "/world/a%00b",
        "/world%00/harbour",
        "/a%00b",
        "/a%00b/",
        "/zh/a%00b",
        "/zh/world/a%00b",
        "/zh/tag/a%00b",
        "/zh/author/a%00b",
        "/tag/a%00b/feed.xml",
        "/tag/a%00b/atom.xml",
        "/tag/a%00b/feed.json",
        "/author/a%00b/feed.xml",
        "/author/a%00b/atom.xml",
        "/author/a%00b/feed.json",
        "/a%00b/feed.xml",
        "/a%00b/atom.xml",
        "/a%00b/feed.json",
        "/zh/tag/a%00b/feed.xml",
        "/search?q=x&section=%00",
        "/search?q=x&author=a%00b",
        "/zh/search?q=x&section=a%00b",
        "/api/v1/search?q=x&section=%00",
        "/api/v1/search?q=x&author=%00",
    ];
    for path in paths {
        let page = site.get(path).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.body);
    }
    // A NUL in the words searched for is only text that matches nothing.
    assert_eq!(site.get("/search?q=a%00b").await?.status, StatusCode::OK);
    let editor = site.signed_in(Role::Editor).await?;
    assert_eq!(editor.get("/admin/authors/a%00b").await?.status, StatusCode::NOT_FOUND);
    assert_eq!(site.get(&article).await?.status, StatusCode::OK, "real addresses still answer");
    assert_eq!(site.get("/tag/ferries").await?.status, StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn a_control_character_in_any_text_of_the_api_is_refused_with_a_reason() -> TestResult {
    let site = TestSite::start().await?;
    let token = crate::admin_api::token(&site, Role::Editor).await?;
    let url = format!("{}/api/admin/articles", site.base);
    let good = json!({ "headline": "Harbour", "standfirst": "Boats.", "body": "Text.", "section": "world",
                       "authors": ["ann-author"], "tags": ["Ferries"], "status": "published", "correction": "" });
    let created = site.client.post(&url).bearer_auth(&token).json(&good).send().await?;
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await?["article"]["id"].as_i64().ok_or("id")?;

    let texts = ["headline", "standfirst", "body", "correction"];
    let others = ["slug", "section", "language", "status"];
    for field in texts.iter().chain(&others).copied().chain(["tags", "authors"]) {
        let mut article = good.clone();
        article[field] = if field == "tags" || field == "authors" { json!([NUL]) } else { json!(NUL) };
        let answers = [
            site.client.post(&url).bearer_auth(&token).json(&article).send().await?,
            site.client.put(format!("{url}/{id}")).bearer_auth(&token).json(&article).send().await?,
        ];
        for answer in answers {
            assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            let error: Value = answer.json().await?;
            assert_eq!(error["error"]["code"], "invalid", "{field}");
            let message = error["error"]["message"].as_str().unwrap_or_default();
            if texts.contains(&field) || field == "tags" {
                assert!(message.contains("control character (U+0000)"), "{field}: {message}");
            } else {
                assert!(!message.is_empty(), "{field}");
            }
        }
    }
    assert_eq!(site.article_total().await?, 1, "nothing new was stored");
    let page = site.get("/world/harbour").await?;
    assert!(page.body.contains("Harbour") && page.body.contains("Ferries"), "the article is as it was");
    Ok(())
}

#[tokio::test]
async fn a_control_character_in_a_back_office_form_is_refused_and_nothing_changes() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "harbour").tags(&["Ferries"]).save().await?;
    let tag = site.api_entry("tags", "ferries").await?.ok_or("the tag")?;
    let admin = site.signed_in(Role::Administrator).await?;
    let tag_form = format!("/admin/tags/{}", tag["id"]);
    let forms: [(&str, Vec<(&str, &str)>); 7] = [
        ("/admin/sections", vec![("name", NUL), ("slug", "docks"), ("description", "Docks.")]),
        ("/admin/sections", vec![("name", "Docks"), ("slug", "docks"), ("description", NUL)]),
        ("/admin/authors", vec![("name", "Nia Null"), ("slug", "nia-null"), ("bio", NUL)]),
        ("/admin/users", vec![("email", "new@example.com"), ("name", NUL), ("role", "author")]),
        ("/admin/settings", vec![("name", "Test Ledger"), ("description", NUL)]),
        (
            "/admin/articles",
            vec![
                ("headline", "Docks"),
                ("standfirst", NUL),
                ("body", "Text."),
                ("section", "world"),
                ("action", "save"),
            ],
        ),
        (&tag_form, vec![("name", NUL)]),
    ];
    for (path, fields) in &forms {
        let page = admin.post(path, fields).await?;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {fields:?}: {}", page.body);
        assert!(page.body.contains("control character (U+0000)"), "{path} says why: {}", page.body);
    }
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(40, 30).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    let upload = admin.post_upload("/admin/media", &[("alt", "A dock"), ("caption", NUL)], &png).await?;
    assert_eq!(upload.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", upload.body);
    assert!(upload.body.contains("control character (U+0000)"), "{}", upload.body);

    assert!(site.api_entry("sections", "docks").await?.is_none(), "no section was made");
    assert!(site.api_entry("authors", "nia-null").await?.is_none(), "no author was made");
    let users = admin.get("/admin/users").await?.body;
    assert!(users.contains("<td>administrator@example.com</td>"), "the users page lists accounts: {users}");
    assert!(!users.contains("new@example.com"), "no user was made");
    assert_eq!(admin.setting("description").await?, "Tests.", "settings unchanged");
    let tag = site.api_entry("tags", "ferries").await?.ok_or("the tag")?;
    assert_eq!(tag["name"], "Ferries", "the tag keeps its name");
    assert!(site.library().await?.is_empty(), "no image was stored");
    assert_eq!(site.article_total().await?, 1, "no article was made");
    Ok(())
}
