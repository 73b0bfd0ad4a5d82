//! Uploaded images: the type is read from the content (never the file name), size, pixel count and the memory
//! that processing will take are bounded before decoding (so a small file that claims a huge picture, a
//! decompression bomb, is refused without allocating it), and resized copies are made for responsive pages:
//! 480, 960 and 1600 pixels wide (never wider than the original), in the original format and in WebP.
//!
//! Nothing is stored as uploaded: the original is written again from its decoded pixels, turned as its EXIF
//! orientation says, so the camera's metadata (GPS position, serial number, XMP, IPTC) never reaches readers.
//! Colour profiles are kept. GIFs are rewritten frame by frame (see [`rewrite_gif`]), keeping their animation.
//! The same rewriting serves imported images ([`rewrite`]) and, once, images stored before it existed
//! ([`scrub`]). Every file is written to a temporary name and renamed, so an interruption leaves either the old
//! file or the new one.

mod scrub;

use std::io::{BufWriter, Cursor, Write};
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, PngDecoder, PngEncoder};
use image::codecs::webp::{WebPDecoder, WebPEncoder};
use image::metadata::Orientation;
use image::{
    DynamicImage, GenericImageView, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits, imageops::FilterType,
};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

pub use scrub::{SCRUB_MARKER, scrub_stored, spawn_scrub};

/// Media paths are relative to the media root unless they are already absolute URLs (imported sites).
pub fn media_url(path: &str) -> String {
    if is_elsewhere(path) { path.to_owned() } else { format!("/media/{path}") }
}

/// Whether a stored image path is an address on another site (an imported image) rather than a file here.
pub fn is_elsewhere(path: &str) -> bool {
    path.starts_with("https://") || path.starts_with("http://")
}

/// The largest file accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// The largest request that carries an upload: the file and room for the other fields and multipart framing.
pub const MAX_UPLOAD_REQUEST_BYTES: usize = MAX_UPLOAD_BYTES + 64 * 1024;
/// The most pixels a picture may have (a 40-megapixel camera's).
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side accepted.
const MAX_SIDE: u32 = 12_000;
/// The narrowest lead image that search and social networks show large (Google Discover asks for 1200 pixels
/// wide); the editor warns below it.
pub const LEAD_MIN_WIDTH: u32 = 1200;
/// Widths of the resized copies.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// The memory that processing uploads may take at once, all uploads together, in MiB; one picture that would
/// need more is refused. Eight worst-case uploads at once then keep the server under 400 MB resident
/// (`scripts/acceptance/upload-memory`): they wait for each other instead of adding up.
pub const WORKING_MEMORY_MIB: u32 = 192;
/// Quality of re-encoded JPEG originals: high enough that a second compression is not visible.
const JPEG_QUALITY: u8 = 90;

/// Memory for image work, in MiB, shared by every upload in the process (memory is the process's).
static WORKING_MEMORY: Semaphore = Semaphore::const_new(WORKING_MEMORY_MIB as usize);

/// The one thread that decodes and resizes uploads. The allocator keeps memory a thread freed for that thread
/// (and in the resident set) for a while, so the same work spread over the runtime's blocking threads left each
/// of them holding a picture's worth: eight large uploads measured 300 to 400 MiB resident that way, and under
/// 320 MiB on one thread, which reuses its own. Uploads wait for the memory budget anyway, so one thread costs
/// them no time. `None` if the thread could not be started; then the runtime's blocking threads do the work.
static IMAGE_THREAD: std::sync::LazyLock<Option<rayon::ThreadPool>> = std::sync::LazyLock::new(|| {
    rayon::ThreadPoolBuilder::new().num_threads(1).thread_name(|_| "images".to_owned()).build().ok()
});

/// Runs `work` on [`IMAGE_THREAD`] and waits for it without blocking the runtime; a panic in it is an error,
/// not the end of the process.
async fn on_image_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let guarded = move || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|_| "image processing failed".to_owned())
    };
    match IMAGE_THREAD.as_ref() {
        Some(pool) => {
            let (answer, answered) = tokio::sync::oneshot::channel();
            pool.spawn(move || {
                let done = guarded();
                give_back_freed_memory();
                let _ = answer.send(done);
            });
            answered.await.map_err(|e| e.to_string())?
        }
        None => tokio::task::spawn_blocking(guarded).await.map_err(|e| e.to_string())?,
    }
}

/// Hands the memory freed on this thread back to the system now. mimalloc does so only after a delay (a second,
/// ten for large blocks), so the next picture's buffers came on top of the last one's: eight large uploads
/// peaked anywhere from 308 to 412 MiB resident, and at 278 to 291 MiB when freed memory went back at once.
#[allow(unsafe_code)]
fn give_back_freed_memory() {
    // SAFETY: mi_collect takes no pointers and may be called on any thread at any time. It only reaches the
    // allocator when mimalloc is the global one (the `newsroom` binary); elsewhere it tidies an unused heap.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Why an upload was refused.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Over [`MAX_UPLOAD_BYTES`].
    #[error("the file is larger than {} MB", MAX_UPLOAD_BYTES / 1024 / 1024)]
    TooLarge,
    /// Not JPEG, PNG, WebP or GIF, whatever its name says.
    #[error("this file is not a JPEG, PNG, WebP or GIF image")]
    NotAnImage,
    /// An animated PNG or WebP: only GIF animations are kept when the file is written again.
    #[error("animated PNG and WebP images are not accepted; send the animation as a GIF")]
    Animated,
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
    /// Decoding and resizing would take more memory than [`WORKING_MEMORY_MIB`]: refused before decoding.
    #[error(
        "the picture is {width} × {height} pixels, which would take {needed_mib} MB of memory to process; at most \
         {WORKING_MEMORY_MIB} MB are allowed (about 24 megapixels for a photo, fewer for a tall picture or one \
         with transparency)"
    )]
    TooMuchMemory {
        /// Width as shown.
        width: u32,
        /// Height as shown.
        height: u32,
        /// The estimate, in MiB.
        needed_mib: u64,
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

/// One cropped copy (the content model's type, so lead images carry them).
pub use crate::content::ImageCrop as Crop;
use crate::content::{CARD_CROP, SHARE_CROP};

/// The shapes cut around an image's focal point: name, width and height of the shape, and the widths made
/// (never wider than the cut itself). Cards show 16:9 at many sizes, so it gets a `srcset`; `share` is the
/// 1200 × 630 picture social networks and Google Discover show.
pub const CROP_SHAPES: [(&str, u32, u32, &[u32]); 4] = [
    (CARD_CROP, 16, 9, &[480, 960, 1600]),
    ("4:3", 4, 3, &[1200]),
    ("1:1", 1, 1, &[1200]),
    (SHARE_CROP, 1200, 630, &[1200]),
];

/// Where a picture's subject is: fractions of its width and height from the top left, each 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FocalPoint {
    /// From the left edge.
    pub x: f64,
    /// From the top edge.
    pub y: f64,
}

impl FocalPoint {
    /// The middle of the picture, where crops centre until an editor says otherwise.
    pub const CENTRE: FocalPoint = FocalPoint { x: 0.5, y: 0.5 };

    /// A point within the picture; `None` for anything outside 0 to 1 (or not a number).
    pub fn new(x: f64, y: f64) -> Option<FocalPoint> {
        let within = |v: f64| (0.0..=1.0).contains(&v);
        (within(x) && within(y)).then_some(FocalPoint { x, y })
    }
}

/// The largest `shape_w` × `shape_h` rectangle inside a `width` × `height` picture, placed so that `focus` is as
/// near its middle as the picture's edges allow: left, top, width, height.
pub fn crop_box(width: u32, height: u32, shape_w: u32, shape_h: u32, focus: FocalPoint) -> (u32, u32, u32, u32) {
    let (w, h, sw, sh) = (u64::from(width), u64::from(height), u64::from(shape_w), u64::from(shape_h));
    let (cut_w, cut_h) = if w * sh >= h * sw { ((h * sw / sh).clamp(1, w), h) } else { (w, (w * sh / sw).clamp(1, h)) };
    let place = |full: u64, cut: u64, at: f64| {
        let centre = (at * full as f64).round() as i64 - (cut / 2) as i64;
        centre.clamp(0, (full - cut) as i64) as u32
    };
    (place(w, cut_w, focus.x), place(h, cut_h, focus.y), cut_w as u32, cut_h as u32)
}

/// Cuts every shape of [`CROP_SHAPES`] out of `image` around `focus` and writes them next to the original as
/// `{stem}-{shape}-{x}-{y}-{width}.{extension}` (the focal point in thousandths is in the name, so that a moved
/// point gives new addresses and no cache keeps an old cut).
fn write_crops(
    image: &DynamicImage,
    format: ImageFormat,
    stem: &str,
    media_dir: &Path,
    focus: FocalPoint,
) -> Result<Vec<Crop>, MediaError> {
    let (format, extension, mime) = copy_format(format);
    let at = |v: f64| (v * 1000.0).round() as u32;
    let mut crops = Vec::new();
    for (shape, shape_w, shape_h, widths) in CROP_SHAPES {
        let (left, top, cut_w, cut_h) = crop_box(image.width(), image.height(), shape_w, shape_h, focus);
        // A view, not a copy: the cut is read from the decoded pixels, which keeps the work within the memory
        // that `working_bytes` counted.
        let cut = image.view(left, top, cut_w, cut_h);
        let mut made = Vec::new();
        for target in widths.iter().map(|w| (*w).min(cut_w)) {
            if made.contains(&target) {
                continue;
            }
            made.push(target);
            let target_h = ((u64::from(cut_h) * u64::from(target)) / u64::from(cut_w)).max(1) as u32;
            let sized = DynamicImage::ImageRgba8(if target == cut_w {
                cut.to_image()
            } else {
                image::imageops::resize(&*cut, target, target_h, FilterType::Lanczos3)
            });
            let name = shape.replace(':', "x");
            let path = format!("{stem}-{name}-{}-{}-{target}.{extension}", at(focus.x), at(focus.y));
            save(&sized, &media_dir.join(&path), format)?;
            crops.push(Crop { shape: shape.to_owned(), path, width: target, height: target_h, mime: mime.to_owned() });
        }
    }
    Ok(crops)
}

/// Cuts the crops of the stored picture at `path` (relative to `media_dir`) again around `focus`, within the
/// memory budget uploads share. The files of the earlier cut are left for the caller to remove once the new
/// ones are recorded.
pub async fn recrop(media_dir: &Path, path: &str, focus: FocalPoint) -> Result<Vec<Crop>, MediaError> {
    if is_elsewhere(path) {
        return Err(MediaError::Unreadable("the image is stored on another site".into()));
    }
    let bytes = tokio::fs::read(media_dir.join(path)).await?;
    let inspected = inspect_picture(&bytes)?;
    let needed = u32::try_from(inspected.working_mib).unwrap_or(WORKING_MEMORY_MIB);
    let permit = WORKING_MEMORY.acquire_many(needed).await.map_err(std::io::Error::other)?;
    let media_dir = media_dir.to_owned();
    let stem = path.rsplit_once('.').map_or(path, |(stem, _)| stem).to_owned();
    on_image_thread(move || {
        let _permit = permit;
        let mut reader = ImageReader::with_format(Cursor::new(&bytes), inspected.format);
        reader.limits(limits());
        // Stored originals are already upright (see `write_clean`).
        let image = reader.decode().map_err(unreadable)?;
        write_crops(&image, inspected.format, &stem, &media_dir, focus)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The format, extension and MIME type copies of a `format` original are written in. Copies of an animated
/// GIF would keep only its first frame: they are offered as PNG instead.
fn copy_format(format: ImageFormat) -> (ImageFormat, &'static str, &'static str) {
    match format {
        ImageFormat::Gif => (ImageFormat::Png, "png", "image/png"),
        other => (other, other.extensions_str().first().copied().unwrap_or("img"), other.to_mime_type()),
    }
}

/// A stored upload: the original and its copies.
#[derive(Debug, Clone)]
pub struct Upload {
    /// Path of the original, relative to the media root.
    pub path: String,
    /// Width in pixels, as shown (after the EXIF orientation).
    pub width: u32,
    /// Height in pixels, as shown.
    pub height: u32,
    /// Resized copies.
    pub variants: Vec<Variant>,
    /// Copies cut around the centre (the focal point of a new upload).
    pub crops: Vec<Crop>,
}

/// What the header says about an upload, read before any pixel is decoded.
#[derive(Debug, Clone, Copy)]
pub struct Inspected {
    /// The format, read from the content.
    pub format: ImageFormat,
    /// Width as shown, after the EXIF orientation.
    pub width: u32,
    /// Height as shown.
    pub height: u32,
    /// What decoding, turning and resizing it will take at most, in MiB.
    pub working_mib: u64,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(u64::from(WORKING_MEMORY_MIB) * 1024 * 1024);
    limits
}

fn unreadable(error: image::ImageError) -> MediaError {
    MediaError::Unreadable(error.to_string())
}

/// Whether turning an image by `orientation` swaps its width and height.
fn swaps_sides(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH
    )
}

/// The most memory processing a picture of `width` × `height` (as shown) with `decoded` bytes of pixels
/// takes: the pixels, plus the larger of a second copy (a progressive JPEG's coefficients while decoding, or
/// the turned copy while the orientation is applied) and the resampler's buffer for the widest copy (four
/// `f32` channels, as wide as the source and as tall as the copy).
fn working_bytes(width: u32, height: u32, decoded: u64) -> u64 {
    let resampler =
        WIDTHS.into_iter().filter(|w| *w < width).max().map_or(0, |target| 16 * u64::from(target) * u64::from(height));
    decoded + decoded.max(resampler)
}

/// Whether a PNG or WebP is animated (GIF animations are kept; see [`rewrite_gif`]).
fn is_animated(bytes: &[u8], format: ImageFormat) -> Result<bool, MediaError> {
    Ok(match format {
        ImageFormat::Png => PngDecoder::new(Cursor::new(bytes)).and_then(|d| d.is_apng()).map_err(unreadable)?,
        ImageFormat::WebP => WebPDecoder::new(Cursor::new(bytes)).map_err(unreadable)?.has_animation(),
        _ => false,
    })
}

/// Checks an upload from its header alone: type, size, pixels, animation and the memory it would take.
pub fn inspect(bytes: &[u8]) -> Result<Inspected, MediaError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(MediaError::TooLarge);
    }
    inspect_picture(bytes)
}

/// [`inspect`] without the upload's size limit, for files already on disk: what bounds them is the memory
/// their processing takes.
fn inspect_picture(bytes: &[u8]) -> Result<Inspected, MediaError> {
    let format = image::guess_format(bytes).map_err(|_| MediaError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif) {
        return Err(MediaError::NotAnImage);
    }
    // The header is read without limits, so a huge claim is refused below with its size named.
    let mut unlimited = ImageReader::with_format(Cursor::new(bytes), format);
    unlimited.no_limits();
    let mut decoder = unlimited.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(MediaError::Unreadable("the picture has no pixels".into()));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(MediaError::TooManyPixels { width, height });
    }
    if is_animated(bytes, format)? {
        return Err(MediaError::Animated);
    }
    let orientation = decoder.orientation().map_err(unreadable)?;
    let (width, height) = if swaps_sides(orientation) { (height, width) } else { (width, height) };
    let working_mib = working_bytes(width, height, decoder.total_bytes()).div_ceil(1024 * 1024);
    if working_mib > u64::from(WORKING_MEMORY_MIB) {
        return Err(MediaError::TooMuchMemory { width, height, needed_mib: working_mib });
    }
    Ok(Inspected { format, width, height, working_mib })
}

/// Writes a file through `write` to a temporary name in its folder and renames it into place, so that an
/// interruption (a crash, a kill) leaves the old file or the new one, never half of one.
fn write_file(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&mut std::fs::File>) -> Result<(), MediaError>,
) -> Result<(), MediaError> {
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".partial-");
    // Readable by a web server in front, as files written with `std::fs::write` were.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut temporary = builder.tempfile_in(folder)?;
    {
        let mut out = BufWriter::new(temporary.as_file_mut());
        write(&mut out)?;
        out.flush()?;
    }
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| MediaError::Io(e.error))?;
    Ok(())
}

fn save(image: &DynamicImage, path: &Path, format: ImageFormat) -> Result<(), MediaError> {
    let image = match format {
        // JPEG has no alpha channel; WebP's encoder takes 8-bit RGB(A).
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()),
        _ => DynamicImage::ImageRgba8(image.to_rgba8()),
    };
    write_file(path, |out| image.write_to(out, format).map_err(unreadable))
}

/// Writes the original again from its pixels, in its own format, with its colour profile and nothing else.
fn save_original(
    image: &DynamicImage,
    icc: Option<Vec<u8>>,
    out: impl Write,
    format: ImageFormat,
) -> Result<(), MediaError> {
    match format {
        ImageFormat::Jpeg => encode(image, icc, JpegEncoder::new_with_quality(out, JPEG_QUALITY)),
        ImageFormat::Png => {
            let filter = image::codecs::png::FilterType::Adaptive;
            encode(image, icc, PngEncoder::new_with_quality(out, CompressionType::Default, filter))
        }
        _ => encode(image, icc, WebPEncoder::new_lossless(out)),
    }
}

fn encode(image: &DynamicImage, icc: Option<Vec<u8>>, mut encoder: impl ImageEncoder) -> Result<(), MediaError> {
    if let Some(icc) = icc {
        // All three encoders take a profile; were one not to, the picture would show in sRGB, as a copy does.
        let _ = encoder.set_icc_profile(icc);
    }
    image.write_with_encoder(encoder).map_err(unreadable)
}

/// Copies a GIF frame by frame, still compressed, with its palettes, timing and loop count, and drops every
/// other block: comments and application extensions (XMP among them) go. Re-encoding the frames with the image
/// crate would quantise colours again; the gif crate copies them unchanged.
fn rewrite_gif(bytes: &[u8], out: impl Write) -> Result<(), MediaError> {
    let gif_error = |e: gif::DecodingError| MediaError::Unreadable(e.to_string());
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let mut decoder = options.read_info(Cursor::new(bytes)).map_err(gif_error)?;
    let encode_error = |e: gif::EncodingError| MediaError::Unreadable(e.to_string());
    let palette = decoder.global_palette().unwrap_or_default().to_vec();
    let mut encoder = gif::Encoder::new(out, decoder.width(), decoder.height(), &palette).map_err(encode_error)?;
    let mut first = true;
    while let Some(frame) = decoder.read_next_frame().map_err(gif_error)? {
        let frame = frame.clone();
        if std::mem::take(&mut first) {
            // The loop count is known once the blocks before the first frame have been read.
            encoder.set_repeat(decoder.repeat()).map_err(encode_error)?;
        }
        encoder.write_lzw_pre_encoded_frame(&frame).map_err(encode_error)?;
    }
    Ok(())
}

/// A picture decoded within the limits and turned as its EXIF orientation says.
struct Decoded {
    image: DynamicImage,
    format: ImageFormat,
    /// Whether the orientation turned or flipped it.
    turned: bool,
}

/// Decodes `bytes` (checked by [`inspect_picture`]) and writes the picture again at `path`, upright and with its
/// colour profile only; the one rewriting that uploads, imports and the scrub of stored images share.
fn write_clean(bytes: &[u8], format: ImageFormat, path: &Path) -> Result<Decoded, MediaError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let orientation = decoder.orientation().map_err(unreadable)?;
    let icc = decoder.icc_profile().map_err(unreadable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    match format {
        ImageFormat::Gif => write_file(path, |out| rewrite_gif(bytes, out))?,
        _ => write_file(path, |out| save_original(&image, icc, out, format))?,
    }
    Ok(Decoded { image, format, turned: orientation != Orientation::NoTransforms })
}

/// Makes the resized copies of `decoded` as `{stem}-{width}.{extension}` under `media_dir`.
fn write_copies(decoded: &Decoded, stem: &str, media_dir: &Path) -> Result<Vec<Variant>, MediaError> {
    let (width, height) = (decoded.image.width(), decoded.image.height());
    let (copy_format, copy_extension, copy_mime) = copy_format(decoded.format);
    let mut variants = Vec::new();
    for target in WIDTHS.into_iter().filter(|w| *w < width) {
        let target_height = ((u64::from(height) * u64::from(target)) / u64::from(width)).max(1) as u32;
        let resized = decoded.image.resize_exact(target, target_height, FilterType::Lanczos3);
        for (format, extension, mime) in
            [(copy_format, copy_extension, copy_mime), (ImageFormat::WebP, "webp", "image/webp")]
        {
            let variant = format!("{stem}-{target}.{extension}");
            save(&resized, &media_dir.join(&variant), format)?;
            variants.push(Variant { path: variant, width: target, mime: mime.to_owned() });
        }
    }
    Ok(variants)
}

/// Checks, decodes and stores an upload under `media_dir/uploads/`, named by its content's hash, with its
/// resized copies. CPU-heavy: call off the runtime (as [`add_to_library`] does, on the image thread, within the
/// memory budget).
pub fn store_file(bytes: &[u8], media_dir: &Path) -> Result<Upload, MediaError> {
    let format = inspect(bytes)?.format;
    let name = hex::encode(&Sha256::digest(bytes)[..12]);
    let extension = format.extensions_str().first().copied().unwrap_or("img");
    std::fs::create_dir_all(media_dir.join("uploads"))?;
    let path = format!("uploads/{name}.{extension}");
    let decoded = write_clean(bytes, format, &media_dir.join(&path))?;
    let stem = format!("uploads/{name}");
    let variants = write_copies(&decoded, &stem, media_dir)?;
    let crops = write_crops(&decoded.image, format, &stem, media_dir, FocalPoint::CENTRE)?;
    Ok(Upload { path, width: decoded.image.width(), height: decoded.image.height(), variants, crops })
}

/// A file written again by [`rewrite`].
#[derive(Debug, Clone)]
pub struct Rewritten {
    /// Width as shown, after the orientation was applied.
    pub width: u32,
    /// Height as shown.
    pub height: u32,
    /// Whether the orientation turned or flipped it (its width and height may then have changed places).
    pub turned: bool,
    /// Its resized copies made again, when asked for and it was turned (copies made from the unturned pixels
    /// showed it on its side).
    pub variants: Option<Vec<Variant>>,
}

/// Writes the picture in `from` again at `to` (which may be `from`) without its metadata and upright, within
/// the memory budget uploads share; with `copies` (the path, relative to `media_dir`, that copies are named
/// after), a picture that had to be turned gets its copies made again. A file that is not a picture we can
/// process is refused with the reason and nothing is written.
pub async fn rewrite(from: &Path, to: &Path, media_dir: &Path, copies: Option<&str>) -> Result<Rewritten, MediaError> {
    let bytes = tokio::fs::read(from).await?;
    let inspected = inspect_picture(&bytes)?;
    let needed = u32::try_from(inspected.working_mib).unwrap_or(WORKING_MEMORY_MIB);
    let permit = WORKING_MEMORY.acquire_many(needed).await.map_err(std::io::Error::other)?;
    let (to, media_dir) = (to.to_owned(), media_dir.to_owned());
    let stem = copies.map(|path| path.rsplit_once('.').map_or(path, |(stem, _)| stem).to_owned());
    on_image_thread(move || {
        let _permit = permit;
        let decoded = write_clean(&bytes, inspected.format, &to)?;
        let variants = match stem {
            Some(stem) if decoded.turned => Some(write_copies(&decoded, &stem, &media_dir)?),
            _ => None,
        };
        let (width, height) = (decoded.image.width(), decoded.image.height());
        Ok(Rewritten { width, height, turned: decoded.turned, variants })
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Why an image could not be added to the library.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The upload breaks a rule; the message says which, for the person who sent it.
    #[error("{0}")]
    Refused(String),
    /// The file is larger than [`MAX_UPLOAD_BYTES`] (HTTP's 413 rather than 422).
    #[error("{0}")]
    TooLarge(String),
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
    let refusal = |error: MediaError| match error {
        MediaError::Io(error) => LibraryError::Failed(format!("saving the image: {error}")),
        MediaError::TooLarge => LibraryError::TooLarge(error.to_string()),
        refused => LibraryError::Refused(refused.to_string()),
    };
    // The header says what the work will cost before any of it is done; uploads then take turns within the
    // budget, so eight large ones at once wait for each other instead of adding up.
    let needed = u32::try_from(inspect(&file).map_err(refusal)?.working_mib).unwrap_or(WORKING_MEMORY_MIB);
    let permit = WORKING_MEMORY.acquire_many(needed).await.map_err(|e| LibraryError::Failed(e.to_string()))?;
    let upload = on_image_thread(move || {
        // Held until the work is done, even if the request that asked for it has gone.
        let _permit = permit;
        store_file(&file, &media_dir)
    })
    .await
    .map_err(LibraryError::Failed)?
    .map_err(refusal)?;
    let variants = serde_json::to_string(&upload.variants).unwrap_or_else(|_| "[]".into());
    let crops = serde_json::to_string(&upload.crops).unwrap_or_else(|_| "[]".into());
    let image = crate::store::NewImage {
        path: &upload.path,
        width: upload.width,
        height: upload.height,
        alt: &text.alt,
        caption: &text.caption,
        credit: &text.credit,
        variants: &variants,
        crops: &crops,
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
        let sizes: Vec<(&str, u32, u32)> = upload.crops.iter().map(|c| (c.shape.as_str(), c.width, c.height)).collect();
        assert_eq!(
            sizes,
            [("16:9", 480, 270), ("16:9", 888, 500), ("4:3", 666, 500), ("1:1", 500, 500), ("share", 952, 500)]
        );
        Ok(())
    }

    #[test]
    fn crops_keep_the_focal_point_in_view() {
        let right = FocalPoint { x: 1.0, y: 0.5 };
        assert_eq!(crop_box(1000, 500, 1, 1, right), (500, 0, 500, 500), "pushed against the right edge");
        assert_eq!(crop_box(1000, 500, 1, 1, FocalPoint::CENTRE), (250, 0, 500, 500));
        assert_eq!(crop_box(400, 1000, 16, 9, FocalPoint { x: 0.5, y: 0.1 }), (0, 0, 400, 225));
        assert_eq!(crop_box(4000, 3000, 1200, 630, FocalPoint::CENTRE), (0, 450, 4000, 2100));
        assert!(FocalPoint::new(1.5, 0.5).is_none() && FocalPoint::new(f64::NAN, 0.5).is_none());
    }

    #[test]
    fn refuses_what_is_not_an_image_whatever_its_name() {
        assert!(inspect(b"GIF89a but not really").is_err(), "a damaged header is refused");
        assert!(matches!(inspect(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Err(MediaError::NotAnImage)));
    }
}
