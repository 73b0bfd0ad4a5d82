//! Site settings edited in the back office (public address, time zone, date format, logo) are on every
//! public page, feed and sitemap as soon as the save returns; values the operator fixed in the server's
//! configuration cannot be changed from the browser.

use std::io::Cursor;

use chrono::{DateTime, Utc};
use image::{DynamicImage, ImageFormat};
use newsroom::auth::Role;

use crate::helpers::{TestResult, TestSite};

fn png(width: u32, height: u32) -> Result<Vec<u8>, image::ImageError> {
    let mut bytes = Vec::new();
    DynamicImage::new_rgb8(width, height).write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)?;
    Ok(bytes)
}

fn at(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    Ok(DateTime::parse_from_rfc3339(text)?.with_timezone(&Utc))
}

#[tokio::test]
async fn address_zone_and_date_format_reach_every_page_at_once() -> TestResult {
    let site = TestSite::start().await?;
    let path = site.article("world", "night-ferry").published_at(at("2025-12-02T23:21:00Z")?).save().await?;
    let before = site.get(&path).await?.body;
    assert!(before.contains(">Dec. 2, 2025, 11:21 p.m.</time>"), "AP style in UTC by default");

    let admin = site.signed_in(Role::Administrator).await?;
    let fields = [
        ("name", "The Harbour Times"),
        ("description", "Port news."),
        ("base_url", "https://harbour.example.org/"),
        ("timezone", "Asia/Shanghai"),
        ("date_format", "day-month"),
        ("pattern", ""),
        ("logo", ""),
    ];
    let saved = admin.post("/admin/settings", &fields).await?;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Saved.") && saved.body.contains("value=\"https://harbour.example.org\""));

    // The cached page is gone: the next request shows the new zone, format and address.
    let after = site.get(&path).await?.body;
    assert!(after.contains("<time datetime=\"2025-12-03T07:21:00+08:00\">3 December 2025, 07:21</time>"), "{after}");
    assert!(after.contains("<link rel=\"canonical\" href=\"https://harbour.example.org/world/night-ferry\">"));
    let feed = site.get("/feed.xml").await?.body;
    assert!(feed.contains("https://harbour.example.org/world/night-ferry"), "feeds use the address");
    assert!(site.get("/robots.txt").await?.body.contains("Sitemap: https://harbour.example.org/sitemap.xml"));

    let custom = [("date_format", "custom"), ("pattern", "%d.%m.%Y %H:%M")];
    admin.post("/admin/settings", &custom).await?;
    assert!(site.get(&path).await?.body.contains(">03.12.2025 07:21</time>"), "an own pattern");
    Ok(())
}

#[tokio::test]
async fn bad_values_are_refused_with_a_reason_and_change_nothing() -> TestResult {
    let site = TestSite::start().await?;
    let admin = site.signed_in(Role::Administrator).await?;
    let cases: [(&str, &str, &str); 4] = [
        ("base_url", "news.example.com", "is not a site address"),
        ("base_url", "https://news.example.com/path", "is not a site address"),
        ("timezone", "Mars/Olympus", "is not a time zone"),
        ("pattern", "%Q", "is not a strftime pattern"),
    ];
    let before = admin.settings_form().await?;
    for (field, value, message) in cases {
        let mut fields = vec![(field, value)];
        if field == "pattern" {
            fields.push(("date_format", "custom"));
        }
        let page = admin.post("/admin/settings", &fields).await?;
        assert_eq!(page.status, 422, "{field}={value}");
        assert!(page.body.contains(message), "{field}={value}: {}", page.body);
        assert!(page.body.contains(&format!("value=\"{value}\"")) || field == "timezone", "what was typed is kept");
    }
    assert_eq!(admin.settings_form().await?, before, "nothing was saved");
    let editor = site.signed_in(Role::Editor).await?;
    assert_eq!(editor.post("/admin/settings", &[("timezone", "Asia/Tokyo")]).await?.status, 403);
    Ok(())
}

#[tokio::test]
async fn a_logo_replaces_the_name_in_the_masthead_and_cannot_be_deleted_while_used() -> TestResult {
    let site = TestSite::start().await?;
    let path = site.article("world", "logo-day").save().await?;
    let admin = site.signed_in(Role::Administrator).await?;
    let refused = admin.post_file("/admin/settings", &[], "logo_file", b"GIF89a not really").await?;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("The logo was not uploaded"), "{}", refused.body);

    let saved = admin.post_file("/admin/settings", &[("name", "Quay Post")], "logo_file", &png(600, 120)?).await?;
    assert!(saved.body.contains("Saved."), "{}", saved.body);
    let logo = site.library().await?.into_iter().next().ok_or("the logo is in the library")?;
    let chosen = format!("<option value=\"{}\" selected>", logo.id);
    assert!(admin.settings_form().await?.contains(&chosen), "a logo is set");
    let logo_url = newsroom::media::media_url(&logo.path);
    for page in ["/", path.as_str(), "/world/"] {
        let html = site.get(page).await?.body;
        let expected = format!("<img class=\"masthead-logo\" src=\"{logo_url}\" alt=\"Quay Post\" width=\"600\"");
        assert!(html.contains(&expected), "{page}: {html}");
    }
    let article = site.get(&path).await?.body;
    let publisher_logo = format!("\"logo\":{{\"@type\":\"ImageObject\",\"url\":\"{}{logo_url}\"", site.base);
    assert!(article.contains(&publisher_logo), "the publisher's logo in structured data: {article}");

    let deleted = admin.post(&format!("/admin/media/{}/delete", logo.id), &[]).await?;
    assert!(deleted.body.contains("logo; choose another logo first"), "{}", deleted.body);
    admin.post("/admin/settings", &[("logo", "")]).await?;
    assert!(site.get("/").await?.body.contains("<a href=\"/\">Quay Post</a>"), "the name again");
    Ok(())
}

#[tokio::test]
async fn values_fixed_in_the_configuration_are_shown_but_not_changed() -> TestResult {
    let site = TestSite::start_with(|c| {
        c.base_url = Some("https://fixed.example.com".into());
        c.timezone = Some(chrono_tz::Europe::London);
    })
    .await?;
    let admin = site.signed_in(Role::Administrator).await?;
    let page = admin.get("/admin/settings").await?;
    assert!(page.body.contains("value=\"https://fixed.example.com\" readonly"), "{}", page.body);
    assert!(page.body.contains("Fixed in the server"), "the page says why");
    let saved =
        admin.post("/admin/settings", &[("base_url", "https://other.example"), ("timezone", "Asia/Tokyo")]).await?;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let kept = (admin.setting("base_url").await?, admin.setting("timezone").await?);
    assert_eq!(kept, ("https://fixed.example.com".to_owned(), "Europe/London".to_owned()));
    Ok(())
}

#[tokio::test]
async fn a_setting_saved_elsewhere_shows_within_seconds() -> TestResult {
    let site = TestSite::start().await?;
    // Another node, or a command on the same data directory, writes the database directly.
    let batch = newsroom::store::Batch {
        settings: vec![("site.date_format".into(), "numeric".into()), ("site.name".into(), "Elsewhere Daily".into())],
        ..Default::default()
    };
    site.state.store.apply(&batch).await?;
    let started = std::time::Instant::now();
    while !site.get("/").await?.body.contains("<title>Elsewhere Daily</title>") {
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "the server noticed within 3 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let admin = site.signed_in(Role::Administrator).await?;
    assert!(admin.settings_form().await?.contains("value=\"numeric\" checked"), "the date format came too");
    Ok(())
}
