//! The media library as editors use it after an upload: searching it page by page, seeing which articles use
//! an image (and being refused its deletion while any does), editing its texts, and setting the focal point
//! that its crops (16:9, 4:3, 1:1 and the 1200 × 630 share image) are cut around.

use std::io::Cursor;

use image::{DynamicImage, GenericImageView, ImageFormat, Rgb, RgbImage};
use newsroom::auth::Role;
use reqwest::StatusCode;

use crate::admin_helpers::location;
use crate::admin_media::encoded;
use crate::helpers::{TestResult, TestSite};
use crate::media_uploads::fetch;

/// The article form's fields for a new published article in World.
fn article<'a>(headline: &'a str, body: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("headline", headline), ("section", "world"), ("body", body), ("status", "published")];
    fields.extend_from_slice(extra);
    fields.push(("action", "save"));
    fields
}

/// A JPEG whose left half is black and right half white, so a crop shows which side it was cut from.
fn halves(width: u32, height: u32) -> Result<Vec<u8>, image::ImageError> {
    let picture = RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([0, 0, 0]) } else { Rgb([255; 3]) });
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(picture).write_to(&mut Cursor::new(&mut bytes), ImageFormat::Jpeg)?;
    Ok(bytes)
}

/// The crops recorded for library image `id`: shape, address and size.
async fn crops(
    site: &TestSite,
    id: i64,
) -> Result<Vec<newsroom::media::Crop>, Box<dyn std::error::Error + Send + Sync>> {
    let image = site.state.store.image(id).await?.ok_or("the image")?;
    Ok(serde_json::from_str(&image.crops)?)
}

/// The content of the `<meta>` named `name` (by `name` or `property`) on `html`.
fn meta<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    [format!("<meta name=\"{name}\" content=\""), format!("<meta property=\"{name}\" content=\"")]
        .iter()
        .find_map(|start| html.split(start.as_str()).nth(1))
        .and_then(|rest| rest.split('"').next())
}

#[tokio::test]
async fn media_library_searches_pages_and_shows_where_each_image_is_used() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    for (n, (alt, caption, credit)) in [
        ("Harbour at dawn", "", "Ana Ruiz"),
        ("Market stalls", "The fish market opens", ""),
        ("Lighthouse in fog", "", ""),
    ]
    .into_iter()
    .enumerate()
    {
        // Pictures of different sizes, so that each is a file of its own.
        let png = encoded(640 + u32::try_from(n)?, 360, ImageFormat::Png)?;
        let page =
            editor.post_upload("/admin/media", &[("alt", alt), ("caption", caption), ("credit", credit)], &png).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    }
    let library = site.library().await?;
    let id_of = |alt: &str| library.iter().find(|i| i.alt == alt).map(|i| i.id).ok_or(format!("{alt} stored"));
    let (harbour, market, lighthouse) =
        (id_of("Harbour at dawn")?, id_of("Market stalls")?, id_of("Lighthouse in fog")?);

    // Searched by alt text, caption, credit or file name, in any case; wildcards are plain characters.
    for (query, found, not_found) in [
        ("harbour", "Harbour at dawn", "Market stalls"),
        ("FISH MARKET", "Market stalls", "Lighthouse in fog"),
        ("ruiz", "Harbour at dawn", "Lighthouse in fog"),
    ] {
        let page = editor.get(&format!("/admin/media?q={}", query.replace(' ', "+"))).await?;
        assert!(page.body.contains(found), "{query} finds {found}");
        assert!(!page.body.contains(&format!(">{not_found}<")), "{query} leaves out {not_found}");
    }
    let path = &library.iter().find(|i| i.id == lighthouse).ok_or("lighthouse")?.path;
    let file_name = path.trim_start_matches("uploads/");
    assert!(editor.get(&format!("/admin/media?q={file_name}")).await?.body.contains(">Lighthouse in fog<"));
    let wildcard = editor.get("/admin/media?q=%25").await?;
    assert!(wildcard.body.contains("No image matches"), "% is not a wildcard: {}", wildcard.body);

    // One image leads an article; another is in the text of a second, at the address of one of its copies.
    let harbour_id = harbour.to_string();
    let lead =
        editor.post("/admin/articles", &article("Boats come home", "Rain.", &[("lead_image", &harbour_id)])).await?;
    assert!(location(&lead).starts_with("/admin/articles/"), "{}", lead.body);
    let variants: Vec<newsroom::media::Variant> =
        serde_json::from_str(&library.iter().find(|i| i.id == market).ok_or("market")?.variants)?;
    let copy = variants.first().ok_or("a copy")?;
    let body = format!("The stalls open at six.\n\n![Market stalls](/media/{})\n", copy.path);
    let inline = editor.post("/admin/articles", &article("Market day", &body, &[])).await?;
    let inline_path = location(&inline).split('?').next().unwrap_or_default().to_owned();

    let grid = editor.get("/admin/media").await?;
    assert!(grid.body.contains("Lead image of <a href=\"/admin/articles/"), "{}", grid.body);
    assert!(grid.body.contains(">Boats come home</a>") && grid.body.contains(">Market day</a>"));
    assert!(grid.body.contains("In the text of <a href=\"/admin/articles/"));
    // Delete is offered only for the unused image.
    assert!(!grid.body.contains(&format!("/admin/media/{harbour}/delete")), "no Delete for a lead image");
    assert!(!grid.body.contains(&format!("/admin/media/{market}/delete")), "no Delete for an image in a text");
    assert!(grid.body.contains(&format!("/admin/media/{lighthouse}/delete")));

    // The server refuses too, with the reason, and keeps the image.
    let refused = editor.post(&format!("/admin/media/{market}/delete"), &[]).await?;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("shown in the text of 1 article"), "{}", refused.body);
    let refused = editor.post(&format!("/admin/media/{harbour}/delete"), &[]).await?;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body.contains("lead or share image of 1 article"), "{}", refused.body);
    assert_eq!(site.library().await?.len(), 3);

    // Once the text no longer shows it, it can go, files and all.
    let form = editor.get(&inline_path).await?;
    let stamp = form.body.split("name=\"modified_at\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("");
    let resaved =
        editor.post(&inline_path, &article("Market day", "The stalls open at six.", &[("modified_at", stamp)])).await?;
    assert!(location(&resaved).contains("notice=saved"), "{}", resaved.body);
    let deleted = editor.post(&format!("/admin/media/{market}/delete"), &[]).await?;
    assert_eq!(location(&deleted), "/admin/media");
    assert_eq!(site.get(&format!("/media/{}", copy.path)).await?.status, StatusCode::NOT_FOUND);
    assert_eq!(site.library().await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn media_library_pages_through_a_large_library() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    // Fixture: records without files, as many as a page and a half, straight into the store.
    let per_page = newsroom::store::LIBRARY_PAGE;
    for n in 0..per_page + per_page / 2 {
        let path = format!("uploads/fixture-{n}.png");
        let alt = format!("Fixture picture {n}");
        let image = newsroom::store::NewImage {
            path: &path,
            width: 10,
            height: 10,
            alt: &alt,
            caption: "",
            credit: "",
            variants: "[]",
            crops: "[]",
        };
        site.state.store.add_library_image(&image).await?;
    }
    let first = editor.get("/admin/media").await?;
    let count = |html: &str| html.matches("<a href=\"/admin/media/").count() / 2;
    assert_eq!(count(&first.body) as i64, per_page, "one page, not the whole library");
    assert!(first.body.contains(&format!(">Fixture picture {}<", per_page + per_page / 2 - 1)), "newest first");
    assert!(first.body.contains("rel=\"next\""));
    let second = editor.get("/admin/media?q=&page=2").await?;
    assert_eq!(count(&second.body) as i64, per_page / 2);
    assert!(second.body.contains(">Fixture picture 0<") && !second.body.contains("rel=\"next\""));
    // The search is paged too, and keeps its words in the page links.
    let searched = editor.get("/admin/media?q=picture+1").await?;
    assert!(searched.body.contains(">Fixture picture 1<") && !searched.body.contains(">Fixture picture 2<"));
    Ok(())
}

#[tokio::test]
async fn media_texts_are_edited_after_upload_and_lead_images_show_them() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let text = [("alt", "A boat"), ("caption", "Old caption"), ("credit", "Old credit")];
    editor.post_upload("/admin/media", &text, &encoded(800, 450, ImageFormat::Png)?).await?;
    let id = site.library().await?.first().ok_or("stored")?.id;
    let id_text = id.to_string();
    editor.post("/admin/articles", &article("Boats at rest", "Rain.", &[("lead_image", &id_text)])).await?;
    assert!(site.get("/world/boats-at-rest").await?.body.contains("alt=\"A boat\""));

    let item = format!("/admin/media/{id}");
    let page = editor.get(&item).await?;
    assert!(page.body.contains("value=\"Old caption\"") && page.body.contains("Lead image of"), "{}", page.body);
    let missing_alt = editor.post(&item, &[("alt", "  "), ("caption", "Kept?"), ("credit", "")]).await?;
    assert_eq!(missing_alt.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing_alt.body.contains("alt text"), "{}", missing_alt.body);
    let control = editor.post(&item, &[("alt", "Bell\u{7}"), ("caption", ""), ("credit", "")]).await?;
    assert!(control.status.is_client_error(), "a control character is refused");
    let forged = editor.post_raw(&item, &[("alt", "Forged"), ("caption", ""), ("credit", "")], None).await?;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "the form needs its CSRF token");
    let image = site.state.store.image(id).await?.ok_or("the image")?;
    assert_eq!((image.alt.as_str(), image.caption.as_str()), ("A boat", "Old caption"), "nothing refused was saved");

    let saved = editor
        .post(
            &item,
            &[("alt", "A fishing boat moored at dusk"), ("caption", "Moored for the night"), ("credit", "J. Bay")],
        )
        .await?;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert!(saved.body.contains("Saved."));
    let public = site.get("/world/boats-at-rest").await?;
    assert!(public.body.contains("alt=\"A fishing boat moored at dusk\""), "the article shows the new alt text");
    assert!(public.body.contains("Moored for the night") && public.body.contains("J. Bay"));
    assert_eq!(editor.get("/admin/media/999999").await?.status, StatusCode::NOT_FOUND);
    Ok(())
}

#[tokio::test]
async fn media_focal_point_drives_every_crop_and_the_share_image() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let text = [("alt", "Half dark, half light"), ("caption", ""), ("credit", "")];
    editor.post_upload("/admin/media", &text, &halves(2400, 1000)?).await?;
    let id = site.library().await?.first().ok_or("stored")?.id;
    let image = site.state.store.image(id).await?.ok_or("the image")?;
    assert_eq!((image.focal_x, image.focal_y), (0.5, 0.5), "the centre until someone says otherwise");

    // Every shape, at the sizes it is made in, decoded from what the server serves.
    let sizes = |crops: &[newsroom::media::Crop]| -> Vec<(String, u32, u32)> {
        crops.iter().map(|c| (c.shape.clone(), c.width, c.height)).collect()
    };
    let expected: Vec<(String, u32, u32)> = [
        ("16:9", 480, 270),
        ("16:9", 960, 540),
        ("16:9", 1600, 900),
        ("4:3", 1200, 900),
        ("1:1", 1000, 1000),
        ("share", 1200, 630),
    ]
    .iter()
    .map(|(s, w, h)| (s.to_string(), *w, *h))
    .collect();
    let centred = crops(&site, id).await?;
    assert_eq!(sizes(&centred), expected);
    for crop in &centred {
        let served = image::load_from_memory(&fetch(&site, &format!("/media/{}", crop.path)).await?)?;
        assert_eq!(served.dimensions(), (crop.width, crop.height), "{}", crop.path);
    }

    // A click on the right edge: the square is cut from the white half, and the old files go.
    let item = format!("/admin/media/{id}");
    let moved = editor.post(&format!("{item}/focus"), &[("x", "1"), ("y", "0.5")]).await?;
    assert_eq!(location(&moved), item);
    let image = site.state.store.image(id).await?.ok_or("the image")?;
    assert_eq!((image.focal_x, image.focal_y), (1.0, 0.5), "stored");
    let right = crops(&site, id).await?;
    assert_eq!(sizes(&right), expected, "the same shapes and sizes");
    let square = right.iter().find(|c| c.shape == "1:1").ok_or("a square")?;
    let pixels = image::load_from_memory(&fetch(&site, &format!("/media/{}", square.path)).await?)?.to_rgb8();
    assert!(pixels.get_pixel(10, 500)[0] > 200, "cut from the right, white half");
    for old in &centred {
        assert_eq!(site.get(&format!("/media/{}", old.path)).await?.status, StatusCode::NOT_FOUND, "{}", old.path);
    }
    let page = editor.get(&item).await?;
    assert!(
        page.body.contains("id=\"focus-x\" name=\"x\" type=\"number\" min=\"0\" max=\"1\" step=\"0.001\" value=\"1")
    );

    editor.post(&format!("{item}/focus"), &[("x", "0"), ("y", "0.5")]).await?;
    let left = crops(&site, id).await?;
    let square = left.iter().find(|c| c.shape == "1:1").ok_or("a square")?;
    let pixels = image::load_from_memory(&fetch(&site, &format!("/media/{}", square.path)).await?)?.to_rgb8();
    assert!(pixels.get_pixel(990, 500)[0] < 50, "cut from the left, black half");

    // Bad points are refused with the reason, and nothing changes.
    for (x, y) in [("2", "0.5"), ("-0.1", "0"), ("left", "0.5"), ("NaN", "0.5"), ("", "")] {
        let refused = editor.post(&format!("{item}/focus"), &[("x", x), ("y", y)]).await?;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{x}, {y}");
        assert!(refused.body.contains("two numbers from 0 to 1"), "{}", refused.body);
    }
    assert_eq!(crops(&site, id).await?, left);

    // The article leading with it: the share crop for social cards, the 16:9 cut on cards, a large preview.
    let id_text = id.to_string();
    editor.post("/admin/articles", &article("Light and dark", "Rain.", &[("lead_image", &id_text)])).await?;
    let public = site.get("/world/light-and-dark").await?;
    let share = left.iter().find(|c| c.shape == "share").ok_or("a share image")?;
    let og = meta(&public.body, "og:image").ok_or("og:image")?;
    assert!(og.starts_with("http") && og.ends_with(&format!("/media/{}", share.path)), "{og}");
    assert_eq!(meta(&public.body, "og:image:width"), Some("1200"));
    assert_eq!(meta(&public.body, "og:image:height"), Some("630"));
    assert_eq!(meta(&public.body, "twitter:image"), Some(og));
    assert_eq!(meta(&public.body, "robots"), Some("max-image-preview:large"));
    let section = site.get("/world/").await?;
    let wide = left.iter().filter(|c| c.shape == "16:9").max_by_key(|c| c.width).ok_or("16:9")?;
    assert!(section.body.contains(&format!("src=\"/media/{}\"", wide.path)), "the card shows the 16:9 cut");
    Ok(())
}

#[tokio::test]
async fn media_a_narrow_lead_image_is_pointed_out_and_shared_at_its_own_size() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    editor.post_upload("/admin/media", &[("alt", "A small chart")], &encoded(800, 400, ImageFormat::Png)?).await?;
    let id = site.library().await?.first().ok_or("stored")?.id;
    let id_text = id.to_string();
    let saved = editor.post("/admin/articles", &article("Small chart", "Rain.", &[("lead_image", &id_text)])).await?;
    let form = editor.get(location(&saved)).await?;
    assert!(form.body.contains("This image is only 800 pixels wide."), "{}", form.body);
    // Not upscaled: the share cut keeps the shape at the size the original allows.
    let public = site.get("/world/small-chart").await?;
    assert_eq!(meta(&public.body, "og:image:width"), Some("761"));
    assert_eq!(meta(&public.body, "og:image:height"), Some("400"));
    // Previews stay out of search.
    let id_path = location(&saved).split('?').next().unwrap_or_default().to_owned();
    let preview = editor.get(&format!("{id_path}/preview/page")).await?;
    assert_eq!(meta(&preview.body, "robots"), Some("noindex"), "{}", preview.body);
    Ok(())
}
