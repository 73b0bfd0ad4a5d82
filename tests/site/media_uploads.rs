//! Uploads as readers and editors meet them (issue 23): no camera metadata on anything served, photos turned
//! as the camera said, pictures too large to process refused with a reason, the documented size limits, and
//! upload files left by a killed import removed at the next start.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageEncoder, ImageFormat, Rgb, RgbImage};
use newsroom::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::admin_helpers::location;
use crate::helpers::{TestResult, TestSite};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// What the camera wrote: a serial number and where the photo was taken.
const SERIAL: &[u8] = b"SN-4242-HARBOUR";

/// A little-endian TIFF structure as EXIF carries it: IFD0 with the orientation and pointers to an Exif IFD (the
/// body's serial number) and a GPS IFD (51° 30' 26" N, 0° 7' 39" W).
fn exif(orientation: u16) -> Vec<u8> {
    fn entry(out: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]) {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value);
    }
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    const RATIONAL: u16 = 5;
    let (ifd0, exif_ifd, serial, gps_ifd) = (8_u32, 50_u32, 68_u32, 84_u32);
    let (latitude, longitude) = (gps_ifd + 54, gps_ifd + 78);
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&ifd0.to_le_bytes());
    out.extend_from_slice(&3_u16.to_le_bytes());
    let [a, b] = orientation.to_le_bytes();
    entry(&mut out, 0x0112, SHORT, 1, [a, b, 0, 0]);
    entry(&mut out, 0x8769, LONG, 1, exif_ifd.to_le_bytes());
    entry(&mut out, 0x8825, LONG, 1, gps_ifd.to_le_bytes());
    out.extend_from_slice(&0_u32.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes());
    entry(&mut out, 0xA431, ASCII, SERIAL.len() as u32 + 1, serial.to_le_bytes());
    out.extend_from_slice(&0_u32.to_le_bytes());
    out.extend_from_slice(SERIAL);
    out.push(0);
    out.extend_from_slice(&4_u16.to_le_bytes());
    entry(&mut out, 0x0001, ASCII, 2, *b"N\0\0\0");
    entry(&mut out, 0x0002, RATIONAL, 3, latitude.to_le_bytes());
    entry(&mut out, 0x0003, ASCII, 2, *b"W\0\0\0");
    entry(&mut out, 0x0004, RATIONAL, 3, longitude.to_le_bytes());
    out.extend_from_slice(&0_u32.to_le_bytes());
    for (numerator, denominator) in [(51_u32, 1_u32), (30, 1), (26, 1), (0, 1), (7, 1), (39, 1)] {
        out.extend_from_slice(&numerator.to_le_bytes());
        out.extend_from_slice(&denominator.to_le_bytes());
    }
    out
}

/// A 2000 × 1200 JPEG, grey with a red block in its top-left corner (as stored), carrying [`exif`].
pub fn camera_photo(orientation: u16) -> Result<Vec<u8>, image::ImageError> {
    let picture =
        RgbImage::from_fn(2000, 1200, |x, y| if x < 300 && y < 300 { Rgb([220, 20, 20]) } else { Rgb([90; 3]) });
    let mut bytes = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut bytes, 90);
    encoder.set_exif_metadata(exif(orientation)).map_err(image::ImageError::Unsupported)?;
    encoder.write_image(picture.as_raw(), 2000, 1200, image::ExtendedColorType::Rgb8)?;
    Ok(bytes)
}

/// Whether `bytes` carry camera metadata: an EXIF block, the serial number or an XMP packet.
pub fn carries_metadata(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
    has(b"Exif\0\0") || has(b"EXIF") || has(SERIAL) || has(b"http://ns.adobe.com/xap/1.0/")
}

pub async fn fetch(site: &TestSite, path: &str) -> Result<Vec<u8>, Error> {
    let response = site.client.get(format!("{}{path}", site.base)).send().await?;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    Ok(response.bytes().await?.to_vec())
}

#[tokio::test]
async fn served_photos_carry_no_location_and_are_turned_as_the_camera_said() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let photo = camera_photo(6)?;
    assert!(carries_metadata(&photo), "the test photo has what a camera writes");
    let text = [("alt", "The harbour wall"), ("caption", "High tide"), ("credit", "Staff photographer")];
    let page = editor.post_upload("/admin/media", &text, &photo).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let image = site.library().await?.into_iter().next().ok_or("stored")?;

    // The photo as readers get it: the lead image of a published article, and its og:image.
    let id = image.id.to_string();
    let fields = [
        ("headline", "Tide reaches the wall"),
        ("section", "world"),
        ("body", "Water."),
        ("status", "published"),
        ("lead_image", id.as_str()),
        ("action", "save"),
    ];
    assert!(location(&editor.post("/admin/articles", &fields).await?).starts_with("/admin/articles/"));
    let article = site.get("/world/tide-reaches-the-wall").await?;
    let og_image =
        article.body.split("<meta property=\"og:image\" content=\"").nth(1).and_then(|s| s.split('"').next());
    let og_path = og_image.and_then(|url| url.find("/media/").map(|at| &url[at..])).ok_or("an og:image")?;
    // Social cards get the share crop, cut from the cleaned pixels.
    let crops: Vec<newsroom::media::Crop> = serde_json::from_str(&image.crops)?;
    let share = crops.iter().find(|c| c.shape == "share").ok_or("a share crop")?;
    assert_eq!(og_path, format!("/media/{}", share.path));
    for crop in &crops {
        let path = format!("/media/{}", crop.path);
        assert!(!carries_metadata(&fetch(&site, &path).await?), "{path} carries camera metadata");
    }

    let variants: Vec<newsroom::media::Variant> = serde_json::from_str(&image.variants)?;
    let mut paths = vec![format!("/media/{}", image.path)];
    paths.extend(variants.iter().map(|v| format!("/media/{}", v.path)));
    let mut served = Vec::new();
    for path in &paths {
        let bytes = fetch(&site, path).await?;
        assert!(!carries_metadata(&bytes), "{path} carries camera metadata");
        served.push((path, bytes));
    }
    // Credit and caption stay in the database, where the page shows them.
    assert!(article.body.contains("High tide") && article.body.contains("Staff photographer"));

    assert_eq!((image.width, image.height), (1200, 2000), "orientation 6 turns the 2000 × 1200 photo upright");
    assert_eq!(variants.iter().map(|v| v.width).collect::<Vec<_>>(), [480, 480, 960, 960]);
    for (path, served) in served {
        assert_upright(path, &served)?;
    }
    Ok(())
}

/// Asserts that `served`, [`camera_photo`] taken with orientation 6, shows upright.
pub fn assert_upright(path: &str, served: &[u8]) -> Result<(), image::ImageError> {
    let decoded = image::load_from_memory(served)?.to_rgb8();
    let (width, height) = decoded.dimensions();
    assert!(height > width, "{path} is upright: {width} × {height}");
    // Turned a quarter clockwise, the stored top-left corner is the top-right one.
    let corner = |x: u32, y: u32| decoded.get_pixel(x, y).0;
    let [red, green, _] = corner(width - 1 - width / 40, height / 40);
    assert!(red > 150 && green < 100, "{path}: the red corner is at the top right");
    let [red, _, _] = corner(width / 40, height / 40);
    assert!(red < 150, "{path}: the top left is grey");
    Ok(())
}

/// Waits for the start's one-time pass over stored images to finish (it runs in the background).
async fn scrub_finished(site: &TestSite) -> TestResult {
    for _ in 0..2400 {
        // The pass marks its end in a setting no page or API shows.
        if site.state.store.setting(newsroom::media::SCRUB_MARKER).await?.as_deref() == Some("done") {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err("the pass over stored images never finished".into())
}

#[tokio::test]
async fn photos_stored_before_the_upgrade_lose_their_metadata_at_the_next_start() -> TestResult {
    // The site as an older version left it: the upload stored byte for byte and its copy made from the unturned
    // pixels (so on its side), the library row written through the store; and a damaged file.
    let data = tempfile::tempdir()?;
    let config = crate::helpers::test_config(data.path()).await?;
    let uploads = config.media_dir().join("uploads");
    std::fs::create_dir_all(&uploads)?;
    let photo = camera_photo(6)?;
    std::fs::write(uploads.join("0a1b2c3d4e5f60718293a4b5.jpg"), &photo)?;
    image::load_from_memory(&photo)?
        .resize_exact(480, 288, image::imageops::FilterType::Triangle)
        .save(uploads.join("0a1b2c3d4e5f60718293a4b5-480.jpg"))?;
    // Cut short inside its EXIF block: no decoder can read it.
    let damaged = photo[..180].to_vec();
    std::fs::write(uploads.join("ffeeddccbbaa998877665544.jpg"), &damaged)?;
    let store = config.open_store().await?;
    for (path, variants) in [
        (
            "uploads/0a1b2c3d4e5f60718293a4b5.jpg",
            r#"[{"path":"uploads/0a1b2c3d4e5f60718293a4b5-480.jpg","width":480,"mime":"image/jpeg"}]"#,
        ),
        ("uploads/ffeeddccbbaa998877665544.jpg", "[]"),
    ] {
        let image = newsroom::store::NewImage {
            path,
            width: 2000,
            height: 1200,
            alt: "The harbour wall",
            caption: "",
            credit: "",
            variants,
            crops: "[]",
        };
        store.add_library_image(&image).await?;
    }
    store.close().await;

    let site = TestSite::start_in(data.path(), |_| {}).await?;
    scrub_finished(&site).await?;
    let served = fetch(&site, "/media/uploads/0a1b2c3d4e5f60718293a4b5.jpg").await?;
    assert!(!carries_metadata(&served), "the stored photo no longer carries its location");
    assert_upright("the original at its old address", &served)?;
    let images = site.library().await?;
    let stored = images.iter().find(|i| i.path.starts_with("uploads/0a1b")).ok_or("the photo is in the library")?;
    assert_eq!((stored.width, stored.height), (1200, 2000), "its size as shown");
    let variants: Vec<newsroom::media::Variant> = serde_json::from_str(&stored.variants)?;
    assert_eq!(variants.iter().map(|v| v.width).collect::<Vec<_>>(), [480, 480, 960, 960]);
    for variant in &variants {
        let path = format!("/media/{}", variant.path);
        let bytes = fetch(&site, &path).await?;
        assert!(!carries_metadata(&bytes), "{path}");
        assert_upright(&path, &bytes)?;
    }
    let kept = fetch(&site, "/media/uploads/ffeeddccbbaa998877665544.jpg").await?;
    assert_eq!(kept, damaged, "a file that cannot be read is left as it was");
    site.stop().await?;
    Ok(())
}

/// A GIF of two frames with a comment naming where it was made: the animation stays, the comment goes.
#[tokio::test]
async fn animated_gifs_keep_their_frames_and_lose_their_comments() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let mut gif = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut gif, 4, 4, &[0, 0, 0, 255, 255, 255])?;
        encoder.set_repeat(gif::Repeat::Infinite)?;
        encoder.write_raw_extension(gif::Extension::Comment.into(), &[SERIAL])?;
        for index in [0_u8, 1] {
            let mut frame = gif::Frame::from_indexed_pixels(4, 4, vec![index; 16], None);
            frame.delay = 50;
            encoder.write_frame(&frame)?;
        }
    }
    assert!(carries_metadata(&gif));
    let page = author.post_upload("/admin/media", &[("alt", "A blinking square")], &gif).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let image = site.library().await?.into_iter().next().ok_or("stored")?;
    let served = fetch(&site, &format!("/media/{}", image.path)).await?;
    assert!(!carries_metadata(&served), "the comment is gone");
    let decoder = image::codecs::gif::GifDecoder::new(Cursor::new(&served))?;
    let frames = image::AnimationDecoder::into_frames(decoder).collect_frames()?;
    assert_eq!(frames.len(), 2, "the animation is kept");
    Ok(())
}

async fn api_token(site: &TestSite) -> Result<String, Error> {
    site.api_token_for("uploader@example.com", "Api Uploader", Role::Author).await
}

/// POSTs `file` to the API's media library with alt text.
async fn api_upload(site: &TestSite, token: &str, file: &[u8]) -> Result<reqwest::Response, Error> {
    let boundary = "media-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nA picture\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"picture\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Ok(site
        .client
        .post(format!("{}/api/admin/media", site.base))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await?)
}

/// A PNG of `width` × `height` pixels that weighs little: one colour compresses to almost nothing.
fn large_png(width: u32, height: u32) -> Result<Vec<u8>, image::ImageError> {
    let mut bytes = Vec::new();
    DynamicImage::new_rgba8(width, height).write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)?;
    Ok(bytes)
}

#[tokio::test]
async fn a_picture_too_large_to_process_is_refused_with_the_reason() -> TestResult {
    let site = TestSite::start().await?;
    let token = api_token(&site).await?;
    // 6,300 × 6,300 with transparency: under 40 megapixels, but 159 MB of pixels and a 161 MB resampling buffer.
    let png = large_png(6300, 6300)?;
    let refused = api_upload(&site, &token, &png).await?;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = refused.json().await?;
    let message = error["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("6300 × 6300 pixels") && message.contains("MB of memory"), "{error}");

    let author = site.signed_in(Role::Author).await?;
    let page = author.post_upload("/admin/media", &[("alt", "A huge square")], &png).await?;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Not uploaded: the picture is 6300 × 6300 pixels"), "{}", page.body);
    assert!(page.body.contains("</html>"), "a page in the back office's style");
    assert!(site.library().await?.is_empty(), "nothing was stored");
    Ok(())
}

/// A JPEG of about `bytes` bytes: noise does not compress.
fn heavy_jpeg(bytes: usize) -> Result<Vec<u8>, image::ImageError> {
    let mut state = 0x2545_F491_u32;
    let mut noise = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state.to_le_bytes()[0]
    };
    let side = 1200;
    let picture = RgbImage::from_fn(side, side, |_, _| Rgb([noise(), noise(), noise()]));
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 100).write_image(
        picture.as_raw(),
        side,
        side,
        image::ExtendedColorType::Rgb8,
    )?;
    // Padding after the end of the image is ignored by decoders and weighs what it weighs.
    jpeg.resize(bytes.max(jpeg.len()), 0);
    Ok(jpeg)
}

#[tokio::test]
async fn uploads_up_to_the_documented_10_mb_are_taken_and_larger_ones_refused_with_a_reason() -> TestResult {
    let site = TestSite::start().await?;
    let token = api_token(&site).await?;
    let nine = heavy_jpeg(9 * 1024 * 1024)?;
    let eleven = heavy_jpeg(11 * 1024 * 1024)?;

    let created = api_upload(&site, &token, &nine).await?;
    assert_eq!(created.status(), StatusCode::CREATED, "{}", created.text().await?);
    let refused = api_upload(&site, &token, &eleven).await?;
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let error: Value = refused.json().await?;
    assert_eq!(error["error"]["code"], "too_large", "{error}");
    assert!(error["error"]["message"].as_str().is_some_and(|m| m.contains("10 MB")), "{error}");

    let author = site.signed_in(Role::Author).await?;
    let page = author.post_upload("/admin/media", &[("alt", "Noise")], &nine).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(site.library().await?.len(), 2);
    let page = author.post_upload("/admin/media", &[("alt", "Noise")], &eleven).await?;
    assert_eq!(page.status, 413);
    assert!(page.body.contains("larger than the 10 MB"), "{}", page.body);
    assert!(page.body.contains("</html>") && page.body.contains("<link"), "a styled page: {}", page.body);
    assert_eq!(site.library().await?.len(), 2, "nothing more was stored");
    Ok(())
}

#[tokio::test]
async fn uploads_left_by_a_killed_import_are_removed_at_the_next_start() -> TestResult {
    let site = TestSite::start().await?;
    let data = site.stop().await?.ok_or("a data directory")?;
    let uploads = data.path().join("uploads");
    std::fs::create_dir_all(&uploads)?;
    // What a kill -9 in the middle of an import leaves, next to a file the app did not name.
    let stale = uploads.join("import-0123456789abcdef.upload");
    std::fs::write(&stale, vec![b'<'; 1024 * 1024])?;
    let other = uploads.join("notes.txt");
    std::fs::write(&other, "not ours")?;
    let media = data.path().join("media").join("uploads");
    std::fs::create_dir_all(&media)?;
    let photo = media.join("import-fedcba9876543210.upload");
    std::fs::write(&photo, "user media is never touched")?;

    let restarted = TestSite::start_in(data.path(), |_| {}).await?;
    assert!(!stale.exists(), "the partial upload is gone");
    assert!(other.exists() && photo.exists(), "nothing else was removed");
    restarted.stop().await?;
    Ok(())
}
