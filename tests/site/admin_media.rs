//! The media library: uploads are checked by content, bounded in size and pixels (decompression bombs
//! included), resized, usable as lead images, and not deletable while in use.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use newsroom::auth::Role;

use crate::admin_helpers::location;
use crate::helpers::{TestResult, TestSite};

pub(crate) fn encoded(width: u32, height: u32, format: ImageFormat) -> Result<Vec<u8>, image::ImageError> {
    let mut bytes = Vec::new();
    DynamicImage::new_rgb8(width, height).write_to(&mut Cursor::new(&mut bytes), format)?;
    Ok(bytes)
}

/// CRC-32 as PNG chunks use it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFF_u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A tiny, valid PNG whose header claims 50,000 × 50,000 pixels: decoding it would need 7.5 GB.
fn bomb() -> Result<Vec<u8>, image::ImageError> {
    let mut png = encoded(1, 1, ImageFormat::Png)?;
    // IHDR: 8-byte signature, 4-byte length, "IHDR", then width and height; its CRC follows the 13 data bytes.
    png[16..20].copy_from_slice(&50_000_u32.to_be_bytes());
    png[20..24].copy_from_slice(&50_000_u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    Ok(png)
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_bounded() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let text = [("alt", "A harbour at dawn"), ("caption", ""), ("credit", "")];
    let cases: [(Vec<u8>, u16, &str); 3] = [
        (b"<html>not a picture</html>".to_vec(), 422, "not a JPEG, PNG, WebP or GIF image"),
        (vec![0xFF; newsroom::media::MAX_UPLOAD_BYTES + 1], 413, "larger than 10 MB"),
        (bomb()?, 422, "50000 × 50000 pixels"),
    ];
    for (file, status, message) in cases {
        let page = author.post_upload("/admin/media", &text, &file).await?;
        assert_eq!(page.status, status, "{message}");
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    assert!(site.library().await?.is_empty(), "nothing refused was stored");
    let no_alt = author.post_upload("/admin/media", &[("alt", " ")], &encoded(10, 10, ImageFormat::Png)?).await?;
    assert!(no_alt.body.contains("alt text"), "alt text is required");

    // A JPEG sent under any name is stored with narrower copies in JPEG and WebP.
    let page = author.post_upload("/admin/media", &text, &encoded(1200, 800, ImageFormat::Jpeg)?).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let images = site.library().await?;
    let image = images.first().ok_or("stored")?;
    assert!(image.path.ends_with(".jpg"));
    let variants: Vec<newsroom::media::Variant> = serde_json::from_str(&image.variants)?;
    let described: Vec<(u32, &str)> = variants.iter().map(|v| (v.width, v.mime.as_str())).collect();
    assert_eq!(described, [(480, "image/jpeg"), (480, "image/webp"), (960, "image/jpeg"), (960, "image/webp")]);
    for variant in &variants {
        let served = site.get(&format!("/media/{}", variant.path)).await?;
        assert_eq!(served.status, 200, "{}", variant.path);
    }
    Ok(())
}

/// The body editor's upload (an image dropped or pasted into the text) joins the library like any upload and
/// answers JSON: where to show it, or why not.
#[tokio::test]
async fn an_image_dropped_into_the_body_joins_the_library_and_says_where_it_is() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let text = [("alt", "Nets drying on the quay"), ("caption", "Nets dry by noon."), ("credit", "Harbour Ledger")];
    let page = author.post_upload("/admin/media/insert", &text, &encoded(2000, 1000, ImageFormat::Jpeg)?).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let answer: serde_json::Value = serde_json::from_str(&page.body)?;
    // The widest copy in the original's format, not the camera's full picture.
    let src = answer["src"].as_str().ok_or("src")?;
    assert!(src.starts_with("/media/uploads/") && src.ends_with("-1600.jpg"), "{src}");
    assert_eq!((answer["width"].as_i64(), answer["height"].as_i64()), (Some(1600), Some(800)));
    assert_eq!(answer["caption"], "Nets dry by noon.");
    assert_eq!(site.get(src).await?.status, 200, "the address serves the image");
    let library = site.library().await?;
    assert_eq!(library.len(), 1);
    assert_eq!(library.first().map(|i| i.credit.as_str()), Some("Harbour Ledger"));

    let no_alt = author.post_upload("/admin/media/insert", &[("alt", "")], &encoded(10, 10, ImageFormat::Png)?).await?;
    assert_eq!(no_alt.status, 422);
    let refusal: serde_json::Value = serde_json::from_str(&no_alt.body)?;
    assert!(refusal["error"].as_str().is_some_and(|e| e.contains("alt text")), "{}", no_alt.body);
    let not_a_picture = author.post_upload("/admin/media/insert", &text, b"<svg/>").await?;
    assert_eq!(not_a_picture.status, 422, "{}", not_a_picture.body);
    assert_eq!(site.library().await?.len(), 1, "nothing refused was stored");
    Ok(())
}

#[tokio::test]
async fn a_library_image_becomes_a_lead_image_and_cannot_be_deleted_while_used() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let text = [("alt", "Fishing boats in the rain"), ("caption", "Boats waiting"), ("credit", "Staff")];
    editor.post_upload("/admin/media", &text, &encoded(600, 400, ImageFormat::Png)?).await?;
    let image = site.library().await?.first().ok_or("stored")?.id;
    let image_id = image.to_string();
    let fields = [
        ("headline", "Boats stay in port"),
        ("section", "world"),
        ("body", "Rain."),
        ("status", "published"),
        ("lead_image", image_id.as_str()),
        ("action", "save"),
    ];
    let saved = editor.post("/admin/articles", &fields).await?;
    assert!(location(&saved).starts_with("/admin/articles/"), "{}", saved.body);
    let public = site.get("/world/boats-stay-in-port").await?;
    assert!(public.body.contains("alt=\"Fishing boats in the rain\""), "the lead image is on the page");
    assert!(public.body.contains("Boats waiting"));
    let srcsets: Vec<&str> = public.body.split("srcset=\"").skip(1).filter_map(|s| s.split('"').next()).collect();
    let [webp, original] = srcsets[..] else { return Err(format!("a WebP source and an image: {srcsets:?}").into()) };
    let widths =
        |set: &str| -> Vec<String> { set.split(", ").filter_map(|c| c.split(' ').nth(1)).map(String::from).collect() };
    assert_eq!(widths(original), ["480w", "600w"], "the narrower copy, then the original: {original}");
    assert!(public.body.contains("<picture><source type=\"image/webp\""), "WebP is offered first");
    assert_eq!(widths(webp), ["480w"], "the WebP copy: {webp}");
    let copy = site.get(webp.split(' ').next().unwrap_or_default()).await?;
    assert_eq!(copy.status, 200, "the WebP copy is served");
    assert_eq!(copy.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("image/webp"));
    assert!(public.body.contains("sizes=\""));
    let refused = editor.post(&format!("/admin/media/{image}/delete"), &[]).await?;
    assert!(refused.body.contains("lead or share image of 1 article"), "{}", refused.body);
    assert_eq!(site.library().await?.len(), 1);
    let author = site.signed_in(Role::Author).await?;
    assert_eq!(author.post(&format!("/admin/media/{image}/delete"), &[]).await?.status, 403);
    Ok(())
}

/// The article form's fields for a new published article in World.
fn article_fields<'a>(headline: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("headline", headline), ("section", "world"), ("body", "Rain."), ("status", "published")];
    fields.extend_from_slice(extra);
    fields.push(("action", "save"));
    fields
}

#[tokio::test]
async fn the_editor_uploads_a_lead_image_with_the_article() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let png = encoded(800, 450, ImageFormat::Png)?;

    // Refused uploads save nothing, say why, and keep what was typed about the image.
    let no_alt = article_fields("Ferry timetable changes", &[("lead_alt", ""), ("lead_caption", "The quay")]);
    let page = author.post_file("/admin/articles", &no_alt, "lead_file", &png).await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("the lead image was not uploaded: describe the image"), "{}", page.body);
    assert!(page.body.contains("value=\"The quay\"") && page.body.contains("<details class=\"lead-upload\" open>"));
    let not_image = article_fields("Ferry timetable changes", &[("lead_alt", "A ferry")]);
    let page = author.post_file("/admin/articles", &not_image, "lead_file", b"%PDF-1.7 a document").await?;
    assert!(page.body.contains("not a JPEG, PNG, WebP or GIF image"), "{}", page.body);
    assert!(site.library().await?.is_empty());
    assert_eq!(site.get("/world/ferry-timetable-changes").await?.status, 404, "no article was saved");

    let fields =
        article_fields("Ferry timetable changes", &[("lead_alt", "A ferry at the quay"), ("lead_credit", "Desk")]);
    let saved = author.post_file("/admin/articles", &fields, "lead_file", &png).await?;
    assert!(location(&saved).starts_with("/admin/articles/"), "{}", saved.body);
    let images = site.library().await?;
    assert_eq!(images.len(), 1, "the upload joined the library");
    let public = site.get("/world/ferry-timetable-changes").await?;
    assert!(public.body.contains("alt=\"A ferry at the quay\"") && public.body.contains("Desk"), "{}", public.body);
    let editor_page = author.get(location(&saved)).await?;
    assert!(
        editor_page.body.contains(&format!("<option value=\"{}\" selected>", images[0].id)),
        "chosen in the editor"
    );

    // A form without a file (or with an empty file input) keeps the chosen image.
    let id = location(&saved).trim_start_matches("/admin/articles/").split('?').next().unwrap_or_default().to_owned();
    let stamp = editor_page.body.split("name=\"modified_at\" value=\"").nth(1).and_then(|s| s.split('"').next());
    let image_id = images[0].id.to_string();
    let again =
        article_fields("Ferry timetable changes", &[("lead_image", &image_id), ("modified_at", stamp.unwrap_or(""))]);
    let resaved = author.post_file(&format!("/admin/articles/{id}"), &again, "lead_file", b"").await?;
    assert!(location(&resaved).contains("notice=saved"), "{}", resaved.body);
    assert_eq!(site.library().await?.len(), 1, "nothing more was stored");
    Ok(())
}

/// Rewrites a stored revision's snapshot with an SQL expression (`sqlite` or `postgres`, for the database the
/// site runs on), as an older version would have saved it.
async fn rewrite_revision(site: &TestSite, revision: i64, sqlite: &str, postgres: &str) -> TestResult {
    use sqlx::Connection;
    // Written behind the server's back, where the configuration the test started the site with says.
    match &site.state.config.database_url {
        Some(url) => {
            let mut db = sqlx::PgConnection::connect(url.expose()).await?;
            sqlx::query(&format!("UPDATE article_revisions SET snapshot = {postgres} WHERE id = $1"))
                .bind(revision)
                .execute(&mut db)
                .await?;
            db.close().await?;
        }
        None => {
            let url = format!("sqlite://{}", site.state.config.database_path().display());
            let mut db = sqlx::SqliteConnection::connect(&url).await?;
            sqlx::query(&format!("UPDATE article_revisions SET snapshot = {sqlite} WHERE id = $1"))
                .bind(revision)
                .execute(&mut db)
                .await?;
            db.close().await?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn restoring_a_revision_from_before_the_media_library_keeps_the_lead_image() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let text = [("alt", "Nets drying on the quay"), ("caption", ""), ("credit", "")];
    editor.post_upload("/admin/media", &text, &encoded(300, 200, ImageFormat::Png)?).await?;
    let image = site.library().await?.first().ok_or("stored")?.id;
    let image_id = image.to_string();
    let saved =
        editor.post("/admin/articles", &article_fields("Nets and weather", &[("lead_image", &image_id)])).await?;
    let id: i64 = location(&saved).trim_start_matches("/admin/articles/").split('?').next().unwrap_or("").parse()?;
    let revision = editor.revisions(id).await?.first().ok_or("a revision")?.0;

    // Revisions saved before the media library carried no lead_image at all.
    rewrite_revision(
        &site,
        revision,
        "json_remove(snapshot, '$.lead_image')",
        "(snapshot::jsonb - 'lead_image')::text",
    )
    .await?;
    let restored = editor.post(&format!("/admin/revisions/{revision}/restore"), &[]).await?;
    assert!(location(&restored).contains("notice=restored"), "{}", restored.body);
    let article = site.api_article(id).await?.ok_or("article")?;
    assert_eq!(article["lead_image_id"], image, "the lead image stays");

    // A revision that says it had no image does remove it.
    let without = editor.revisions(id).await?.first().ok_or("a revision")?.0;
    rewrite_revision(
        &site,
        without,
        "json_set(snapshot, '$.lead_image', json('null'))",
        "jsonb_set(snapshot::jsonb, '{lead_image}', 'null'::jsonb)::text",
    )
    .await?;
    editor.post(&format!("/admin/revisions/{without}/restore"), &[]).await?;
    let article = site.api_article(id).await?.ok_or("article")?;
    assert_eq!(article.get("lead_image_id"), Some(&serde_json::Value::Null));
    Ok(())
}
