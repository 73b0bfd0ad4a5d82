//! Knowing what you publish: an article's own SEO title, meta description and share image, saved from the
//! editor and the API, carried by revisions and exports, and given to search engines and social networks in
//! the page's head (falling back to the headline, standfirst and lead image); and the style check the editor
//! asks while one writes.

use image::ImageFormat;
use newsroom::auth::Role;
use newsroom::import::newsroom as own;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin_helpers::{Browser, Error, location};
use crate::admin_media::encoded;
use crate::helpers::{TestResult, TestSite};

/// An SEO title with every character HTML gives a meaning to.
const TITLE: &str = "Ferries \"back\" <b>on</b> time & the port's plan";
const DESCRIPTION: &str = "Why <the> night ferry \"runs\" late & what the port's new timetable changes.";

/// The content of the `<meta>` element whose `attribute` (`name` or `property`) is `key`, as written.
fn meta<'a>(html: &'a str, attribute: &str, key: &str) -> Option<&'a str> {
    let start = format!("<meta {attribute}=\"{key}\" content=\"");
    html.split(start.as_str()).nth(1).and_then(|rest| rest.split('"').next())
}

fn title(html: &str) -> Option<&str> {
    html.split("<title>").nth(1).and_then(|rest| rest.split("</title>").next())
}

/// Uploads an image to the library with `alt` and returns its id.
async fn upload(site: &TestSite, editor: &Browser<'_>, alt: &str) -> Result<i64, Error> {
    let text = [("alt", alt), ("caption", ""), ("credit", "")];
    let uploaded = editor.post_upload("/admin/media", &text, &encoded(1200, 630, ImageFormat::Jpeg)?).await?;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let images = site.library().await?;
    Ok(images.iter().find(|i| i.alt == alt).ok_or("uploaded")?.id)
}

/// The path of image `id` in the library.
async fn image_path(site: &TestSite, id: i64) -> Result<String, Error> {
    Ok(site.library().await?.into_iter().find(|i| i.id == id).ok_or("in the library")?.path)
}

#[tokio::test]
async fn seo_fields_drive_the_head_escaped_and_fall_back_when_empty() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let lead = upload(&site, &editor, "The night ferry at the quay").await?;
    let share = upload(&site, &editor, "A card for sharing").await?;
    let (lead, share) = (lead.to_string(), share.to_string());
    let mut fields = vec![
        ("headline", "Night ferry runs late again"),
        ("standfirst", "The harbour's timetable slips for a third week."),
        ("body", "The ferry left at midnight."),
        ("section", "world"),
        ("status", "published"),
        ("lead_image", lead.as_str()),
        ("seo_title", TITLE),
        ("seo_description", DESCRIPTION),
        ("share_image", share.as_str()),
        ("action", "save"),
    ];
    let saved = editor.post("/admin/articles", &fields).await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let edit = location(&saved).split('?').next().unwrap_or_default().to_owned();
    let form = editor.get(&edit).await?;
    assert!(form.body.contains("<details class=\"search-social\" id=\"search-social\" open"), "open when set");
    let field = form.body.split("id=\"seo_title\"").nth(1).unwrap_or_default().split('>').next().unwrap_or_default();
    assert!(field.contains("&lt;b&gt;on&lt;") && !form.body.contains("<b>on</b>"), "escaped in the form: {field}");

    let page = site.get("/world/night-ferry-runs-late-again").await?;
    assert_eq!(page.status, 200);
    let html = &page.body;
    let escaped_title = "Ferries &quot;back&quot; &lt;b&gt;on&lt;/b&gt; time &amp; the port&#39;s plan";
    assert!(title(html).is_some_and(|t| t.starts_with(&format!("{escaped_title} | "))), "{:?}", title(html));
    assert_eq!(meta(html, "property", "og:title"), title(html));
    assert_eq!(meta(html, "name", "twitter:title"), title(html));
    let escaped_description =
        "Why &lt;the&gt; night ferry &quot;runs&quot; late &amp; what the port&#39;s new timetable changes.";
    assert_eq!(meta(html, "name", "description"), Some(escaped_description));
    assert_eq!(meta(html, "property", "og:description"), Some(escaped_description));
    let share_path = image_path(&site, share.parse()?).await?;
    let og_image = meta(html, "property", "og:image").unwrap_or_default();
    assert!(shows(og_image, &share_path), "the share image: {og_image}");
    assert_eq!(meta(html, "property", "og:image:alt"), Some("A card for sharing"));
    assert!(!html.contains("<b>on</b>") && !html.contains("<the>"), "nothing unescaped reaches the page");
    // Structured data says what the meta description says; the headline stays the article's own.
    let json_ld = html.split("<script type=\"application/ld+json\">").nth(1).and_then(|r| r.split("</script>").next());
    let json_ld = json_ld.unwrap_or_default();
    assert!(json_ld.contains("\"headline\":\"Night ferry runs late again\""), "{json_ld}");
    assert!(json_ld.contains("new timetable changes.\"") && !json_ld.contains("slips for a third week"), "{json_ld}");
    assert!(!json_ld.contains("<the>"), "{json_ld}");
    assert!(shows(json_ld, &share_path), "{json_ld}");
    // Readers see the headline and standfirst as ever.
    assert!(html.contains("<h1 class=\"story-headline\">Night ferry runs late again</h1>"));

    // Emptied, each falls back: headline, standfirst, lead image.
    for (name, value) in &mut fields {
        if ["seo_title", "seo_description", "share_image"].contains(name) {
            *value = "";
        }
    }
    let modified = editor.get(&edit).await?.body;
    let version = modified.split("name=\"modified_at\" value=\"").nth(1).and_then(|r| r.split('"').next());
    fields.push(("modified_at", version.unwrap_or_default()));
    let emptied = editor.post(&edit, &fields).await?;
    assert_eq!(emptied.status, StatusCode::SEE_OTHER, "{}", emptied.body);
    let page = site.get("/world/night-ferry-runs-late-again").await?;
    assert!(title(&page.body).is_some_and(|t| t.starts_with("Night ferry runs late again | ")));
    assert_eq!(meta(&page.body, "name", "description"), Some("The harbour&#39;s timetable slips for a third week."));
    let lead_path = image_path(&site, lead.parse()?).await?;
    let og_image = meta(&page.body, "property", "og:image").unwrap_or_default();
    assert!(shows(og_image, &lead_path), "the lead image again: {og_image}");

    // The revision history shows what changed, and restoring the first save brings the texts back.
    let history = editor.revisions(edit.rsplit('/').next().unwrap_or_default().parse()?).await?;
    let (first, _) = *history.last().ok_or("a first revision")?;
    let diff = editor.get(&format!("/admin/revisions/{first}")).await?;
    assert!(diff.body.contains("SEO title: Ferries") && diff.body.contains("Share image: “A card for sharing”"));
    let restored = editor.post(&format!("/admin/revisions/{first}/restore"), &[]).await?;
    assert_eq!(restored.status, StatusCode::SEE_OTHER, "{}", restored.body);
    let page = site.get("/world/night-ferry-runs-late-again").await?;
    assert!(title(&page.body).is_some_and(|t| t.starts_with(escaped_title)));
    // An image in use as a share image cannot be deleted from under the article.
    let refused = editor.post(&format!("/admin/media/{share}/delete"), &[]).await?;
    assert!(refused.body.contains("lead or share image of 1 article"), "{}", refused.body);
    // And its page says where, with no Delete to offer.
    let item = editor.get(&format!("/admin/media/{share}")).await?;
    assert!(item.body.contains("Share image of <a href=\"/admin/articles/"), "{}", item.body);
    assert!(!item.body.contains(&format!("/admin/media/{share}/delete")), "{}", item.body);
    Ok(())
}

#[tokio::test]
async fn seo_texts_too_long_are_refused_with_the_reason_and_nothing_typed_is_lost() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let long_title = "Harbour ".repeat(26); // 208 characters, 207 once trimmed
    let fields = [
        ("headline", "Harbour plans"),
        ("body", "Plans were shown."),
        ("section", "world"),
        ("status", "draft"),
        ("seo_title", long_title.as_str()),
        ("seo_description", "Kept as typed."),
        ("action", "save"),
    ];
    let refused = editor.post("/admin/articles", &fields).await?;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("the SEO title has 207 characters; it may have at most 200"), "{}", refused.body);
    assert!(refused.body.contains(long_title.trim_end()) && refused.body.contains("Kept as typed."), "all kept");
    assert_eq!(site.article_total().await?, 0, "nothing saved");

    let token = site.api_token_of("editor@example.com").await?;
    let (status, answer) = site
        .api_create(
            &token,
            json!({ "headline": "Harbour plans", "section": "world", "body": "x", "seo_description": "d".repeat(501) }),
        )
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["message"], "the meta description has 501 characters; it may have at most 500");
    let (status, answer) = site
        .api_create(&token, json!({ "headline": "Harbour plans", "section": "world", "body": "x", "share_image": 999 }))
        .await?;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["message"], "there is no image 999");
    assert_eq!(site.article_total().await?, 0);
    Ok(())
}

#[tokio::test]
async fn seo_fields_round_trip_through_the_api_and_an_export() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let share = upload(&site, &editor, "Harbour at dawn").await?;
    let token = site.api_token_of("editor@example.com").await?;
    let (status, created) = site
        .api_create(
            &token,
            json!({ "headline": "Port reopens", "section": "world", "body": "Ships are back.", "status": "published",
                    "seo_title": "  Port reopens\nafter the storm ", "seo_description": "Ships are back at the quay.",
                    "share_image": share }),
        )
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let article = &created["article"];
    assert_eq!(article["seo_title"], "Port reopens after the storm", "one line, trimmed");
    assert_eq!(article["seo_description"], "Ships are back at the quay.");
    assert_eq!(article["share_image_id"], share);
    let id = article["id"].as_i64().ok_or("id")?;
    let read = site.api_article(id).await?.ok_or("read back")?;
    assert_eq!(read["seo_title"], "Port reopens after the storm");

    // A PUT replaces the whole article: fields left out are emptied, as for the lead image.
    let url = format!("{}/api/admin/articles/{id}", site.base);
    let put = json!({ "headline": "Port reopens", "section": "world", "body": "Ships are back.", "status": "published",
                      "seo_description": "Changed." });
    let updated: Value = site.client.put(&url).bearer_auth(&token).json(&put).send().await?.json().await?;
    assert_eq!(
        (&updated["article"]["seo_title"], &updated["article"]["seo_description"]),
        (&json!(""), &json!("Changed."))
    );
    assert_eq!(updated["article"]["share_image_id"], Value::Null);
    let again = json!({ "headline": "Port reopens", "section": "world", "body": "Ships are back.", "status": "published",
                        "seo_title": "Port reopens after the storm", "seo_description": "Changed.", "share_image": share });
    let saved = site.client.put(&url).bearer_auth(&token).json(&again).send().await?;
    assert_eq!(saved.status(), StatusCode::OK);

    // The OpenAPI document describes the fields.
    let document = site.get("/api/openapi.json").await?.body;
    assert!(document.contains("seo_title") && document.contains("seo_description") && document.contains("share_image"));

    // Export, import into an empty site, and the page there says the same.
    let work = tempfile::tempdir()?;
    let file = work.path().join("site.json");
    own::export(&site.state.store, &file, false).await?;
    let exported = std::fs::read_to_string(&file)?;
    assert!(exported.contains("\"seo_title\":\"Port reopens after the storm\""), "carried by the export");
    let empty_dir = tempfile::tempdir()?;
    let empty = TestSite::start_in(empty_dir.path(), |config| config.demo = false).await?;
    own::import(&empty.state.store, &file, &empty.state.config.media_dir(), |_, _| {}).await?;
    let page = empty.get("/world/port-reopens").await?;
    assert_eq!(page.status, 200);
    assert!(title(&page.body).is_some_and(|t| t.starts_with("Port reopens after the storm | ")));
    assert_eq!(meta(&page.body, "name", "description"), Some("Changed."));
    let path = image_path(&site, share).await?;
    assert!(meta(&page.body, "property", "og:image").is_some_and(|url| shows(url, &path)));
    let second = work.path().join("again.json");
    own::export(&empty.state.store, &second, false).await?;
    assert!(std::fs::read(&file)? == std::fs::read(&second)?, "export, import, export gives the same file");
    Ok(())
}

/// A slip the style guide catches without a glossary: one name written two ways, the second with a letter
/// outside ASCII (its place differs in bytes and in the browser's UTF-16 units).
const SLIPPED: &str = "Mark Rutte met ministers. Rutte said the talks went well.\n\nLater, L ü tte's aides disagreed.";

#[tokio::test]
async fn the_style_check_lists_findings_with_places_the_browser_can_select() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Author).await?;
    let checked = editor
        .post("/admin/style/check", &[("headline", "Rutte talks"), ("body", SLIPPED), ("language", "en")])
        .await?;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    assert!(checked.headers.get("content-type").is_some_and(|t| t.as_bytes().starts_with(b"application/json")));
    let answer: Value = serde_json::from_str(&checked.body)?;
    let findings = answer["findings"].as_array().ok_or("findings")?;
    let slip = findings.iter().find(|f| f["found"] == "L ü tte").ok_or(format!("the slip: {answer}"))?;
    assert_eq!((&slip["field"], &slip["suggestion"]), (&json!("body"), &json!("Rutte")));
    assert!(slip["rule"].as_str().is_some_and(|rule| !rule.is_empty()), "the rule is explained");
    let from = usize::try_from(slip["from"].as_u64().ok_or("from")?)?;
    let to = usize::try_from(slip["to"].as_u64().ok_or("to")?)?;
    let units: Vec<u16> = SLIPPED.encode_utf16().collect();
    assert_eq!(String::from_utf16(&units[from..to])?, "L ü tte", "UTF-16 places, as a textarea counts");
    assert_eq!((slip["line"].as_u64(), slip["occurrence"].as_u64()), (Some(3), Some(0)));
    // Nothing was saved by checking.
    assert_eq!(site.article_total().await?, 0);

    // Clean text has nothing to list.
    let clean = editor.post("/admin/style/check", &[("body", "Ministers met on Tuesday.")]).await?;
    assert_eq!(serde_json::from_str::<Value>(&clean.body)?["findings"], json!([]));
    // Without the form's token, or from another site, nothing is checked.
    let forged = editor.post_raw("/admin/style/check", &[("body", SLIPPED)], Some(&editor.origin.clone())).await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let token = editor.csrf_from("/admin/password").await?;
    let elsewhere = editor
        .post_raw("/admin/style/check", &[("csrf", &token), ("body", SLIPPED)], Some("https://evil.example"))
        .await?;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    // Signed out, the answer sends to the sign-in page.
    let stranger = site.browser();
    let token = stranger.csrf_from("/admin/sign-in").await?;
    let signed_out = stranger
        .post_raw("/admin/style/check", &[("csrf", &token), ("body", SLIPPED)], Some(&stranger.origin.clone()))
        .await?;
    assert_ne!(signed_out.status, StatusCode::OK);
    // Too much text at once is refused with the limit.
    let huge = "word ".repeat(120_000);
    let refused = editor.post("/admin/style/check", &[("body", huge.as_str())]).await?;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", refused.body);
    assert!(refused.body.contains("the style check takes at most 512 kB"), "{}", refused.body);
    Ok(())
}

/// Whether `text` names the library image stored at `path`: its file, or its 1200×630 share crop, which is
/// named after the file.
fn shows(text: &str, path: &str) -> bool {
    let stem = path.rsplit_once('.').map_or(path, |(stem, _)| stem);
    text.contains(&format!("/media/{stem}"))
}
