//! Script injection through every text field the back office takes comes out escaped on every admin page,
//! public page and feed, and as plain data in the API.

use newsroom::auth::Role;
use serde_json::Value;

use crate::admin_helpers::location;
use crate::helpers::{TestResult, TestSite};

const SCRIPT: &str = "<script>alert(1)</script>";
const ATTRIBUTE: &str = "\"><img src=x onerror=alert(2)>";

fn assert_clean(path: &str, body: &str) {
    assert!(!body.contains("<script>alert"), "{path} carries a live script");
    assert!(!body.contains("<img src=x"), "{path} carries a live attribute breakout");
    assert!(!body.contains("onerror=alert(2)>"), "{path} carries a live handler");
}

#[tokio::test]
async fn script_in_every_back_office_field_comes_out_escaped() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let evil = format!("Evil {SCRIPT} {ATTRIBUTE}");
    let section = editor.post("/admin/sections", &[("name", &evil), ("slug", "evil"), ("description", &evil)]).await?;
    assert_eq!(section.status, 303, "{}", section.body);
    let author = editor.post("/admin/authors", &[("name", &evil), ("slug", "evil-author"), ("bio", &evil)]).await?;
    assert_eq!(author.status, 303);
    let mut png = Vec::new();
    image::DynamicImage::new_rgb8(40, 30).write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    let uploaded =
        editor.post_upload("/admin/media", &[("alt", &evil), ("caption", &evil), ("credit", &evil)], &png).await?;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let image = site.library().await?.first().ok_or("uploaded")?.id.to_string();
    let body = format!("Para {SCRIPT}\n\n[link](javascript:alert(3)) {ATTRIBUTE}");
    let fields = [
        ("headline", evil.as_str()),
        ("slug", "evil-story"),
        ("standfirst", evil.as_str()),
        ("body", body.as_str()),
        ("section", "evil"),
        ("author", "evil-author"),
        ("tags", "Evil <script>alert(1)</script> tag"),
        ("status", "published"),
        ("correction", evil.as_str()),
        ("lead_image", image.as_str()),
        ("action", "save"),
    ];
    let saved = editor.post("/admin/articles", &fields).await?;
    let edit_path = location(&saved).split('?').next().unwrap_or_default().to_owned();
    assert!(edit_path.starts_with("/admin/articles/"), "{}", saved.body);
    // The correction field shows once the article is published: save again with it.
    let editor_page = editor.get(&edit_path).await?;
    assert!(editor_page.body.contains("Evil &lt;script&gt;alert(1)&lt;/script&gt;"), "escaped, not dropped");
    let id = edit_path.trim_start_matches("/admin/articles/");
    let revision = editor.revisions(id.parse()?).await?.first().ok_or("revision")?.0;
    let preview: Vec<(&str, &str)> =
        fields.iter().map(|(k, v)| (*k, if *k == "action" { "preview" } else { *v })).collect();
    let previewed = editor.post(&edit_path, &preview).await?;
    assert_clean("preview", &previewed.body);
    assert!(!previewed.body.contains("href=\"javascript:"), "preview links are sanitised");
    assert!(previewed.body.contains("class=\"preview-body\""));

    let admin_pages = [
        "/admin".to_owned(),
        "/admin/articles".to_owned(),
        edit_path.clone(),
        format!("{edit_path}/revisions"),
        format!("/admin/revisions/{revision}"),
        format!("{edit_path}/views.svg"),
        "/admin/sections".to_owned(),
        "/admin/tags".to_owned(),
        "/admin/authors".to_owned(),
        "/admin/media".to_owned(),
    ];
    for path in &admin_pages {
        let page = editor.get(path).await?;
        assert_eq!(page.status, 200, "{path}");
        assert_clean(path, &page.body);
    }
    let public = [
        "/evil/evil-story",
        "/evil/",
        "/",
        "/author/evil-author",
        "/tag/evil-script-alert-1-script-tag",
        "/feed.xml",
        "/atom.xml",
        "/evil/feed.xml",
        "/sitemaps/news.xml",
    ];
    for path in public {
        let page = site.get(path).await?;
        assert_eq!(page.status, 200, "{path}");
        assert_clean(path, &page.body);
    }
    let article = site.get("/evil/evil-story").await?;
    assert!(article.body.contains("Correction"));
    assert!(article.body.contains("&lt;script&gt;"), "shown as text");
    assert!(article.body.contains("<figure"), "with its lead image, whose alt and caption are escaped");

    let token = site.api_token_of("editor@example.com").await?;
    let response = site.client.get(format!("{}/api/admin/articles/{id}", site.base)).bearer_auth(&token).send().await?;
    assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
    assert_eq!(response.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    let json: Value = response.json().await?;
    assert_eq!(json["article"]["headline"], evil.as_str(), "the API returns the text as data");
    Ok(())
}
