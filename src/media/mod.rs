//! Uploaded images: the type is read from the content (never the file name), size and pixel count are bounded
//! before decoding (so a small file that claims a huge picture, a decompression bomb, is refused without
//! allocating it), and resized copies are made for responsive pages: 480, 960 and 1600 pixels wide (never
//! wider than the original), in the original format and in WebP.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ImageFormat, ImageReader, Limits, imageops::FilterType};
use sha2::{Digest, Sha256};

/// The largest file accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// The most pixels a picture may have (a 40-megapixel camera's).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side accepted.
const MAX_SIDE: u32 = 12_000;
/// Widths of the resized copies.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Over [`MAX_UPLOAD_BYTES`].
    #[error("the file is larger than {} MB", MAX_UPLOAD_BYTES / 1024 / 1024)]
    TooLarge,
    /// Not JPEG, PNG, WebP or GIF, whatever its name says.
    #[error("this file is not a JPEG, PNG, WebP or GIF image")]
    NotAnImage,
    /// Too many pixels (or a side too long): refused before decoding.
    #[error(
        "the picture is {width} × {height} pixels; at most {} megapixels and {MAX_SIDE} pixels a side are accepted",
        MAX_PIXELS / 1_000_000
    )]
    TooManyPixels {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
    },
    /// The content is damaged or could not be decoded within the limits.
    #[error("the image could not be read: {0}")]
    Unreadable(String),
    /// Writing a file failed.
    #[error("saving the image: {0}")]
    Io(#[from] std::io::Error),
}

/// One resized copy (the content model's type, so lead images carry them).
pub use crate::content::ImageVariant as Variant;

/// A stored upload: the original and its copies.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Path of the original, relative to the media root.
    pub path: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Resized copies.
    pub variants: Vec<Variant>,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    limits
}

fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    reader
}

/// Checks an upload and returns its format and size, without decoding the pixels.
pub fn inspect(bytes: &[u8]) -> Result<(ImageFormat, u32, u32), MediaError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(MediaError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| MediaError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(MediaError::NotAnImage);
    }
    // Dimensions come from the header alone; with the side limits set, a huge claim fails here too.
    let mut unlimited = ImageReader::with_format(Cursor::new(bytes), format);
    unlimited.no_limits();
    let (width, height) = unlimited.into_dimensions().map_err(|e| MediaError::Unreadable(e.to_string()))?;
    if width == 0 || height == 0 {
        return Err(MediaError::Unreadable("the picture has no pixels".into()));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(MediaError::TooManyPixels { width, height });
    }
    Ok((format, width, height))
}

fn save(image: &DynamicImage, path: &Path, format: ImageFormat) -> Result<(), MediaError> {
    let image = match format {
        // JPEG has no alpha channel; WebP's encoder takes 8-bit RGB(A).
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()),
        _ => DynamicImage::ImageRgba8(image.to_rgba8()),
    };
    image.save_with_format(path, format).map_err(|e| MediaError::Unreadable(e.to_string()))
}

/// Checks, decodes and stores an upload under `media_dir/uploads/`, named by its content's hash, with its
/// resized copies. CPU-heavy: call from `spawn_blocking`.
pub fn store_file(bytes: &[u8], media_dir: &Path) -> Result<Upload, MediaError> {
    let (format, width, height) = inspect(bytes)?;
    let image = reader(bytes, format).decode().map_err(|e| MediaError::Unreadable(e.to_string()))?;
    let name = hex::encode(&Sha256::digest(bytes)[..12]);
    let extension = format.extensions_str().first().copied().unwrap_or("img");
    std::fs::create_dir_all(media_dir.join("uploads"))?;
    let path = format!("uploads/{name}.{extension}");
    std::fs::write(media_dir.join(&path), bytes)?;
    // Copies of an animated GIF would keep only its first frame: offer those as PNG instead.
    let (copy_format, copy_extension, copy_mime) = match format {
        ImageFormat::Gif => (ImageFormat::Png, "png", "image/png"),
        other => (other, extension, other.to_mime_type()),
    };
    let mut variants = Vec::new();
    for target in WIDTHS.into_iter().filter(|w| *w < width) {
        let target_height = ((u64::from(height) * u64::from(target)) / u64::from(width)).max(1) as u32;
        let resized = image.resize_exact(target, target_height, FilterType::Lanczos3);
        for (format, extension, mime) in
            [(copy_format, copy_extension, copy_mime), (ImageFormat::WebP, "webp", "image/webp")]
        {
            let variant = format!("uploads/{name}-{target}.{extension}");
            save(&resized, &media_dir.join(&variant), format)?;
            variants.push(Variant { path: variant, width: target, mime: mime.to_owned() });
        }
    }
    Ok(Upload { path, width, height, variants })
}

/// Why an image could not be added to the library.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The upload breaks a rule; the message says which, for the person who sent it.
    #[error("{0}")]
    Refused(String),
    /// The store failed, or the background task did.
    #[error("{0}")]
    Failed(String),
}

/// The texts that go with an image.
#[derive(Debug, Clone, Default)]
pub struct ImageText {
    /// What the image shows, for readers who cannot see it (required).
    pub alt: String,
    /// Caption.
    pub caption: String,
    /// Credit.
    pub credit: String,
}

/// Checks, resizes and stores an upload (off the async threads) and adds it to the library; the one path for
/// the back office and the API. Returns the image's id.
pub async fn add_to_library(
    store: &crate::store::Store,
    media_dir: std::path::PathBuf,
    file: Vec<u8>,
    text: &ImageText,
) -> Result<i64, LibraryError> {
    if file.is_empty() {
        return Err(LibraryError::Refused("choose an image file to upload".into()));
    }
    if text.alt.trim().is_empty() {
        return Err(LibraryError::Refused("describe the image in its alt text, for readers who cannot see it".into()));
    }
    for (field, value) in [("the alt text", &text.alt), ("the caption", &text.caption), ("the credit", &text.credit)] {
        crate::content::check_text(field, value).map_err(|e| LibraryError::Refused(e.to_string()))?;
    }
    let upload = tokio::task::spawn_blocking(move || store_file(&file, &media_dir))
        .await
        .map_err(|e| LibraryError::Failed(e.to_string()))?
        .map_err(|e| match e {
            MediaError::Io(error) => LibraryError::Failed(format!("saving the image: {error}")),
            refused => LibraryError::Refused(refused.to_string()),
        })?;
    let variants = serde_json::to_string(&upload.variants).unwrap_or_else(|_| "[]".into());
    let image = crate::store::NewImage {
        path: &upload.path,
        width: upload.width,
        height: upload.height,
        alt: &text.alt,
        caption: &text.caption,
        credit: &text.credit,
        variants: &variants,
    };
    store.add_library_image(&image).await.map_err(|e| LibraryError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Result<Vec<u8>, image::ImageError> {
        let mut bytes = Vec::new();
        DynamicImage::new_rgb8(width, height).write_to(&mut Cursor::new(&mut bytes), ImageFormat::Png)?;
        Ok(bytes)
    }

    #[test]
    fn stores_the_original_and_narrower_copies() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let upload = store_file(&png(1000, 500)?, dir.path())?;
        assert_eq!((upload.width, upload.height), (1000, 500));
        let widths: Vec<u32> = upload.variants.iter().map(|v| v.width).collect();
        assert_eq!(widths, [480, 480, 960, 960], "no copy wider than the original");
        for variant in &upload.variants {
            assert!(dir.path().join(&variant.path).is_file());
        }
        assert!(upload.variants.iter().any(|v| v.mime == "image/webp"));
        Ok(())
    }

    #[test]
    fn refuses_what_is_not_an_image_whatever_its_name() {
        assert!(inspect(b"GIF89a but not really").is_err(), "a damaged header is refused");
        assert!(matches!(inspect(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Err(MediaError::NotAnImage)));
    }
}
