//! The one-time pass that writes again, without camera metadata, the images stored before uploads were
//! rewritten: an upgraded site stops serving its photographers' locations without anyone uploading again.
//! It runs in the background at start, image by image in id order, and records how far it got in a setting, so
//! an interrupted pass resumes where it stopped and a finished one never runs again.

use std::path::{Path, PathBuf};

use super::{MediaError, rewrite};
use crate::store::{Store, StoreError};

pub use crate::store::SCRUB_MARKER;
const DONE: &str = "done";
/// How many images passed over (drawings, remote or unreadable files) may go unmarked: at most that many are
/// looked at again after an interruption.
const MARK_EVERY: u32 = 500;

/// What a pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ScrubReport {
    /// Files written again without metadata.
    pub rewritten: u32,
    /// Of those, the ones turned upright (their size and copies updated).
    pub turned: u32,
    /// Files left as they were: unreadable, too large to process, missing, or not a picture we write.
    pub left: u32,
}

/// Starts the pass in the background, unless it has run. Errors are logged: the site serves meanwhile.
pub fn spawn_scrub(store: Store, media_dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match scrub_stored(&store, &media_dir).await {
            Ok(None) => {}
            // Nothing to tell on a site whose images are all drawings or remote (a new site, say).
            Ok(Some(report)) if report == ScrubReport::default() => {}
            Ok(Some(report)) => tracing::info!(
                rewritten = report.rewritten,
                turned = report.turned,
                left_as_they_were = report.left,
                "stored images written again without camera metadata (once, after the upgrade)"
            ),
            Err(error) => tracing::warn!(%error, "writing stored images again stopped; it resumes at the next start"),
        }
    })
}

/// Writes every stored image file (library and lead images, not remote addresses) again without metadata, from
/// where an earlier pass stopped. `None` when the pass had already finished.
pub async fn scrub_stored(store: &Store, media_dir: &Path) -> Result<Option<ScrubReport>, StoreError> {
    let after = match store.setting(SCRUB_MARKER).await? {
        Some(marker) if marker == DONE => return Ok(None),
        Some(marker) => marker.parse().unwrap_or(0),
        None => 0,
    };
    let mut report = ScrubReport::default();
    let mut unmarked = 0_u32;
    for image in store.stored_image_files(after).await? {
        let local = !image.path.contains("://") && !image.path.starts_with('/') && !image.path.contains("..");
        // Drawings carry no camera metadata: not even read (a generated site has a hundred thousand).
        let drawing = image.path.to_ascii_lowercase().ends_with(".svg");
        let wrote = local && !drawing && scrub_one(store, media_dir, &image, &mut report).await?;
        unmarked += 1;
        // Each mark is a write: made after every file written again, and otherwise every few hundred images.
        if wrote || unmarked >= MARK_EVERY {
            store.set_marker(SCRUB_MARKER, &image.id.to_string()).await?;
            unmarked = 0;
        }
    }
    store.set_marker(SCRUB_MARKER, DONE).await?;
    Ok(Some(report))
}

/// Writes one stored image again; whether it did.
async fn scrub_one(
    store: &Store,
    media_dir: &Path,
    image: &crate::store::StoredImageFile,
    report: &mut ScrubReport,
) -> Result<bool, StoreError> {
    let file = media_dir.join(&image.path);
    let copies = (image.variants.trim() != "[]" && !image.variants.trim().is_empty()).then_some(image.path.as_str());
    match rewrite(&file, &file, media_dir, copies).await {
        Ok(done) => {
            report.rewritten += 1;
            if done.turned {
                report.turned += 1;
                let variants = match &done.variants {
                    Some(variants) => serde_json::to_string(variants).unwrap_or_else(|_| image.variants.clone()),
                    None => image.variants.clone(),
                };
                store.replace_image_files(image.id, done.width, done.height, &variants).await?;
            }
            Ok(true)
        }
        // A drawing (the demo's SVGs) carries no camera metadata; nothing to say.
        Err(MediaError::NotAnImage) => Ok(false),
        Err(reason) => {
            report.left += 1;
            tracing::warn!(path = %file.display(), %reason, "stored image left as it was: it could not be written again");
            Ok(false)
        }
    }
}
