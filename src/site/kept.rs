//! Kept article pages, the site's side: a render of an article page leaves two places open (the view count
//! and the Latest block, which change without any edit of the article), is kept in the database, and is served
//! on later page-cache misses with those places filled. A miss then reads one row instead of rendering.
//!
//! Every article page is made this way, kept or not: a fresh render is opened and filled exactly as a kept
//! one is, so the two cannot differ. Which pages are stale is the store's business (a change forgets what
//! shows it); which were made with other templates, settings or sections is this module's, through the
//! fingerprint each kept page carries.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use sha2::{Digest, Sha256};

use super::SiteState;
use super::edition::Edition;
use super::view::{Presenter, SiteFrame};
use super::{SiteError, recommend::KEPT_FOR_SECONDS};
pub use crate::cache::KeptStats;
use crate::config::Config;
use crate::settings::SiteSettings;
use crate::store::{PageToKeep, Store};
use crate::theme::Theme;

/// Articles the filler looks at a time. Most are current after a restart, so looking at many at once keeps that
/// pass short (on 100,000 articles: 35 s at 64 a time, 19 s at 1,024, mostly reading).
const FILL_WINDOW: i64 = 1024;
/// Pages the filler renders and writes together at most; the rest of a window waits for the next batch.
const RENDER_BATCH: usize = 64;
/// How often the filler, having kept every page, looks again: to refresh pages about to expire and to keep
/// those that came (or were forgotten) since, which readers have not asked for.
const FILL_AGAIN: Duration = Duration::from_secs(3600);
/// How often the filler checks, between passes, whether the fingerprint changed (a settings save, say).
const FILL_CHECK: Duration = Duration::from_secs(1);

/// The version of what the program puts into an article page beyond the templates and translations (which are
/// hashed themselves): raise it with any change to how an article page reads, and every kept page is rendered
/// again. A new build that reads the same keeps using them, so a restart or an upgrade renders nothing again.
/// `tests/site/snapshots.rs` records the article page each format makes and fails until the number is raised.
pub const PAGE_FORMAT: u32 = 1;

/// Pages waiting to be written at most, in bytes; beyond this (a burst of misses on pages not yet kept, or a
/// database that does not answer) new ones are dropped and kept on a later render.
const PENDING_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The two places a render leaves open, marked by words no content can contain (random for each render).
#[derive(Debug)]
pub(super) struct Openings {
    /// Put where the view count goes.
    pub views: String,
    /// Put where the Latest block goes.
    pub latest: String,
}

/// A render with its two places found and taken out.
#[derive(Debug, Clone)]
pub(super) struct OpenPage {
    /// The page without the markers.
    pub html: String,
    /// Byte offset of the view count.
    pub views_at: usize,
    /// Byte offset of the Latest block.
    pub latest_at: usize,
}

impl Openings {
    /// Fresh markers.
    pub fn new() -> Openings {
        let word = format!("newsroom{:032x}", rand::random::<u128>());
        Openings { views: format!("{word}views"), latest: format!("{word}latest") }
    }

    /// Takes the markers out of `html`; `None` unless each is there exactly once (a theme that leaves one out
    /// cannot have its pages kept).
    pub fn open(&self, html: &str) -> Option<OpenPage> {
        let views = single(html, &self.views)?;
        let latest = single(html, &self.latest)?;
        let ((first, first_len), (second, second_len)) = if views < latest {
            ((views, self.views.len()), (latest, self.latest.len()))
        } else {
            ((latest, self.latest.len()), (views, self.views.len()))
        };
        let mut out = String::with_capacity(html.len());
        out.push_str(&html[..first]);
        out.push_str(&html[first + first_len..second]);
        out.push_str(&html[second + second_len..]);
        let (views_at, latest_at) =
            if views < latest { (views, latest - self.views.len()) } else { (views - self.latest.len(), latest) };
        Some(OpenPage { html: out, views_at, latest_at })
    }
}

/// Where `marker` is in `html`, if it is there exactly once.
fn single(html: &str, marker: &str) -> Option<usize> {
    let at = html.find(marker)?;
    html[at + marker.len()..].find(marker).is_none().then_some(at)
}

/// `html` with `views` put in at `views_at` and `latest` at `latest_at`; `None` if an offset is not a place
/// in the page (a kept page from a damaged row).
pub(super) fn fill(html: &str, views_at: usize, latest_at: usize, views: &str, latest: &str) -> Option<String> {
    let (first, first_text, second, second_text) =
        if views_at <= latest_at { (views_at, views, latest_at, latest) } else { (latest_at, latest, views_at, views) };
    if second > html.len() || !html.is_char_boundary(first) || !html.is_char_boundary(second) {
        return None;
    }
    let mut out = String::with_capacity(html.len() + views.len() + latest.len());
    out.push_str(&html[..first]);
    out.push_str(first_text);
    out.push_str(&html[first..second]);
    out.push_str(second_text);
    out.push_str(&html[second..]);
    Some(out)
}

/// This node's kept pages: the fingerprint pages must carry to be used here, and the pages rendered on this
/// node waiting to be written.
#[derive(Debug)]
pub struct KeptPages {
    /// A hash of what shapes every page and changes only with a restart: the theme, the translations, the
    /// page format and the counting mode.
    base: String,
    /// The full fingerprint for the settings and sections in force (compared by identity), and the year.
    current: Mutex<Option<(FingerprintKey, Arc<str>)>>,
    pending: Mutex<(HashMap<i64, PageToKeep>, usize)>,
    stats: Arc<KeptStats>,
}

/// What a full fingerprint was made from: the settings' and the sections' addresses in memory, and the year.
type FingerprintKey = (usize, usize, i32);

impl KeptPages {
    /// The kept pages of a node started with `config` and `theme`.
    pub fn new(config: &Config, theme: &Theme) -> KeptPages {
        let mut hasher = Sha256::new();
        hasher.update(theme.fingerprint());
        hasher.update(format!("\0{:?}\0", config.views));
        hash_directory(&mut hasher, &config.locales_dir());
        hasher.update(PAGE_FORMAT.to_le_bytes());
        KeptPages {
            base: hex::encode(hasher.finalize()),
            current: Mutex::new(None),
            pending: Default::default(),
            stats: Arc::default(),
        }
    }

    /// The fingerprint of pages made now with `presenter`'s settings and sections.
    pub(super) fn fingerprint(&self, presenter: &Presenter<'_>) -> Arc<str> {
        let (site, frame) = presenter.inputs();
        let year = chrono::Utc::now().with_timezone(&site.timezone).year();
        let key = (Arc::as_ptr(site) as usize, Arc::as_ptr(frame) as usize, year);
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((held, fingerprint)) = current.as_ref()
            && *held == key
        {
            return Arc::clone(fingerprint);
        }
        let fingerprint: Arc<str> = fingerprint_of(&self.base, site, frame, year).into();
        *current = Some((key, Arc::clone(&fingerprint)));
        fingerprint
    }

    /// The figures `/metrics` reports, shared.
    pub fn stats(&self) -> Arc<KeptStats> {
        Arc::clone(&self.stats)
    }

    /// Notes a miss answered from a kept page.
    pub(super) fn served(&self) {
        self.stats.served.fetch_add(1, Ordering::Relaxed);
    }

    /// Queues `page` to be written by the next [`KeptPages::write`].
    pub(super) fn push(&self, page: PageToKeep) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let (pages, bytes) = &mut *pending;
        if *bytes + page.html.len() <= PENDING_MAX_BYTES {
            *bytes += page.html.len();
            if let Some(replaced) = pages.insert(page.article_id, page) {
                *bytes -= replaced.html.len();
            }
        }
    }

    /// Writes the pages rendered since the last call, in one transaction. On failure they are dropped: they
    /// are derived, and kept on a later render.
    pub async fn write(&self, store: &Store) {
        let pages: Vec<PageToKeep> = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.1 = 0;
            std::mem::take(&mut pending.0).into_values().collect()
        };
        match store.keep_pages(&pages).await {
            Ok(written) => {
                self.stats.written.fetch_add(written as u64, Ordering::Relaxed);
            }
            Err(error) => {
                store.note_unavailable(&error);
                tracing::warn!(%error, pages = pages.len(), "keeping rendered pages failed");
            }
        }
    }
}

/// Keeps every public article's page, in the background: from the newest article down, a batch at a time,
/// resting after each batch as long as it took, so that it takes at most about half a core from readers. A
/// pass starts when the node starts, when the fingerprint changes (settings, sections, a new year) and every
/// [`FILL_AGAIN`]; it renders the pages that are missing, stale, or more than half their life old. Pages are
/// rendered only once the search index is ready, so that their Recommend blocks are the index's.
pub fn spawn_filler(state: SiteState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut pass: Option<(Arc<str>, Instant)> = None;
        let mut below = i64::MAX;
        loop {
            if !state.search.is_ready() {
                tokio::time::sleep(FILL_CHECK).await;
                continue;
            }
            let fingerprint = match Presenter::load(&state, &Edition::default_of(&state.site())).await {
                Ok(presenter) => state.kept.fingerprint(&presenter),
                Err(error) => {
                    tracing::warn!(%error, "keeping pages: loading the site's sections failed");
                    tokio::time::sleep(FILL_CHECK).await;
                    continue;
                }
            };
            match &pass {
                Some((held, started)) if *held == fingerprint && started.elapsed() < FILL_AGAIN => {}
                _ => {
                    pass = Some((Arc::clone(&fingerprint), Instant::now()));
                    below = i64::MAX;
                }
            }
            if below == i64::MIN {
                tokio::time::sleep(FILL_CHECK).await;
                continue;
            }
            let started = Instant::now();
            match fill_batch(&state, &fingerprint, below).await {
                Ok(Some(lowest)) => below = lowest,
                Ok(None) => {
                    below = i64::MIN;
                    state.kept.stats.passes.fetch_add(1, Ordering::Relaxed);
                }
                Err(error) => {
                    tracing::warn!(%error, "keeping pages failed; trying again");
                    tokio::time::sleep(FILL_CHECK).await;
                }
            }
            tokio::time::sleep(started.elapsed()).await;
        }
    })
}

/// Renders and writes one batch of pages to keep below `below`; the id to go on below, or `None` when there was
/// nothing left.
async fn fill_batch(state: &SiteState, fingerprint: &str, below: i64) -> Result<Option<i64>, SiteError> {
    let now = Utc::now();
    let refresh_after = now.timestamp() - KEPT_FOR_SECONDS / 2;
    let (window, addresses) = state.store.pages_to_keep(fingerprint, refresh_after, now, below, FILL_WINDOW).await?;
    let Some(&lowest) = window.last() else { return Ok(None) };
    // Highest first: what is left of the window after a full batch is looked at again from below its last page.
    let next = if addresses.len() > RENDER_BATCH { addresses[RENDER_BATCH - 1].id } else { lowest };
    let mut pages = Vec::with_capacity(addresses.len().min(RENDER_BATCH));
    for address in addresses.into_iter().take(RENDER_BATCH) {
        match super::article::render_to_keep(state, &address.language, &address.section, &address.slug, now).await {
            Ok(Some(page)) => pages.push(page),
            // Unpublished since, or a theme whose pages cannot be kept.
            Ok(None) | Err(SiteError::NotFound) => {}
            Err(error) => return Err(error),
        }
    }
    let written = state.store.keep_pages(&pages).await?;
    state.kept.stats.written.fetch_add(written as u64, Ordering::Relaxed);
    Ok(Some(next))
}

/// The whole fingerprint: `base` with the settings, the sections and the year (the footer's copyright).
fn fingerprint_of(base: &str, site: &SiteSettings, frame: &SiteFrame, year: i32) -> String {
    let mut hasher = Sha256::new();
    hasher.update(format!("{base}\0{site:?}\0{:?}\0{:?}\0{year}", frame.sections, frame.names));
    hex::encode(&hasher.finalize()[..16])
}

/// Adds the names and contents of the files in `dir` (not below it), in name order; nothing when it does not
/// exist.
fn hash_directory(hasher: &mut Sha256, dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut files: Vec<_> = entries.flatten().map(|entry| entry.path()).filter(|path| path.is_file()).collect();
    files.sort();
    for path in files {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&path).unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_opened_and_filled_is_the_page_rendered_with_the_values() {
        let openings = Openings::new();
        let template = |views: &str, latest: &str| {
            format!("<h1>Harbour</h1><p>{views}</p><article>Ferries run late.</article>{latest}</div>")
        };
        let rendered = template(&openings.views, &openings.latest);
        let open = openings.open(&rendered).map(|page| (page.html.clone(), page.views_at, page.latest_at));
        let Some((html, views_at, latest_at)) = open else { panic!("both markers are in the page") };
        assert!(!html.contains("newsroom"), "markers are taken out: {html}");
        let filled = fill(&html, views_at, latest_at, "views:208", "<aside>Latest</aside>");
        assert_eq!(filled.as_deref(), Some(template("views:208", "<aside>Latest</aside>").as_str()));
    }

    #[test]
    fn the_latest_block_may_come_before_the_count() {
        let openings = Openings::new();
        let rendered = format!("a{}b{}c", openings.latest, openings.views);
        let Some(open) = openings.open(&rendered) else { panic!("both markers are in the page") };
        assert_eq!(fill(&open.html, open.views_at, open.latest_at, "V", "L").as_deref(), Some("aLbVc"));
    }

    #[test]
    fn a_marker_missing_or_repeated_leaves_the_page_unkept() {
        let openings = Openings::new();
        assert!(openings.open(&openings.views).is_none());
        assert!(openings.open(&format!("{0}{0}{1}", openings.views, openings.latest)).is_none());
    }

    #[test]
    fn an_offset_outside_the_page_or_inside_a_character_is_refused() {
        assert_eq!(fill("abc", 1, 9, "x", "y"), None);
        assert_eq!(fill("é", 1, 1, "x", "y"), None);
        assert_eq!(fill("abc", 1, 3, "x", "y").as_deref(), Some("axbcy"));
    }
}
