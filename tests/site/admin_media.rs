//! The media library: uploads are checked by content, bounded in size and pixels (decompression bombs
//! included), resized, usable as lead images, and not deletable while in use.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use newsroom::auth::Role;

use crate::admin_helpers::location;
use crate::helpers::{TestResult, TestSite};

fn encoded(width: u32, height: u32, format: ImageFormat) -> Result<Vec<u8>, image::ImageError> {
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
    let cases: [(Vec<u8>, &str); 3] = [
        (b"<html>not a picture</html>".to_vec(), "not a JPEG, PNG, WebP or GIF image"),
        (vec![0xFF; newsroom::media::MAX_UPLOAD_BYTES + 1], "larger than 10 MB"),
        (bomb()?, "50000 × 50000 pixels"),
    ];
    for (file, message) in cases {
        let page = author.post_upload("/admin/media", &text, &file).await?;
        assert_eq!(page.status, 422, "{message}");
        assert!(page.body.contains(message), "{message}: {}", page.body);
    }
    assert!(site.state.store.library_images().await?.is_empty(), "nothing refused was stored");
    let no_alt = author.post_upload("/admin/media", &[("alt", " ")], &encoded(10, 10, ImageFormat::Png)?).await?;
    assert!(no_alt.body.contains("alt text"), "alt text is required");

    // A JPEG sent under any name is stored with narrower copies in JPEG and WebP.
    let page = author.post_upload("/admin/media", &text, &encoded(1200, 800, ImageFormat::Jpeg)?).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let images = site.state.store.library_images().await?;
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

#[tokio::test]
async fn a_library_image_becomes_a_lead_image_and_cannot_be_deleted_while_used() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let text = [("alt", "Fishing boats in the rain"), ("caption", "Boats waiting"), ("credit", "Staff")];
    editor.post_upload("/admin/media", &text, &encoded(600, 400, ImageFormat::Png)?).await?;
    let image = site.state.store.library_images().await?.first().ok_or("stored")?.id;
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
    let srcset = public.body.split("srcset=\"").nth(1).and_then(|s| s.split('"').next()).ok_or("a srcset")?;
    let widths: Vec<&str> = srcset.split(", ").filter_map(|c| c.split(' ').nth(1)).collect();
    assert_eq!(widths, ["480w", "600w"], "the narrower copy, then the original: {srcset}");
    assert!(public.body.contains("sizes=\""));
    let refused = editor.post(&format!("/admin/media/{image}/delete"), &[]).await?;
    assert!(refused.body.contains("lead image of 1 article"), "{}", refused.body);
    assert_eq!(site.state.store.library_images().await?.len(), 1);
    let author = site.signed_in(Role::Author).await?;
    assert_eq!(author.post(&format!("/admin/media/{image}/delete"), &[]).await?.status, 403);
    Ok(())
}
