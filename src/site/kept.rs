//! Kept article pages, the site's side: a render of an article page leaves three places open (the view count
//! and the Latest block, which change without any edit of the article, and the body, which is stored already),
//! is kept in the database compressed, and is served on later page-cache misses with those places filled. A
//! miss then reads one row instead of rendering.
//!
//! Every article page is made this way, kept or not: a fresh render is opened and filled exactly as a kept
//! one is, so the two cannot differ. Which pages are stale is the store's business (a change forgets what
//! shows it); which were made with other templates, settings or sections is this module's, through the
//! fingerprint, which names the dictionary each kept page is compressed against.
//!
//! A kept page is stored as the three places' byte offsets (little-endian `u32`s) followed by the page's HTML
//! without them, compressed with zstd and with a checksum, so that a damaged row is rendered again rather than
//! served. The dictionary is the first page kept with the page's fingerprint, stored once for all nodes: pages
//! made with the same templates and settings share most of their markup, and compress to about a third of
//! what they would alone.

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
use crate::store::{KeptDictionary, KeptPage, PageToKeep, Store, StoreError};
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
/// How old a kept page gets before the filler renders it again, so that its Recommend block shows the day's
/// articles: half the life of a Recommend list. An older page is still served until then.
const REFRESH_AFTER_SECONDS: i64 = KEPT_FOR_SECONDS / 2;
/// The rest after a batch that only refreshed pages: such work is spread over hours, so that a node started
/// after a day or more away does not render every page again at once (a batch every 10 s is about 23,000 pages
/// an hour, at about one percent of a core).
const REFRESH_REST: Duration = Duration::from_secs(10);
/// How long a dictionary no page uses is kept (a node may be about to compress its first pages with it).
const UNUSED_DICTIONARY_SECONDS: i64 = 86_400;

/// The version of what the program puts into an article page beyond the templates and translations (which are
/// hashed themselves): raise it with any change to how an article page reads, and every kept page is rendered
/// again. A new build that reads the same keeps using them, so a restart or an upgrade renders nothing again.
/// `tests/site/snapshots.rs` records the article page each format makes and fails until the number is raised.
pub const PAGE_FORMAT: u32 = 2;

/// Pages waiting to be written at most, in bytes; beyond this (a burst of misses on pages not yet kept, or a
/// database that does not answer) new ones are dropped and kept on a later render.
const PENDING_MAX_BYTES: usize = 16 * 1024 * 1024;

/// The places a render leaves open, in the order their offsets are kept: the view count, the Latest block
/// and the body.
const PLACES: usize = 3;

/// The places a render leaves open: two marked by words no content can contain (random for each render), and
/// the body, found as itself.
#[derive(Debug)]
pub(super) struct Openings {
    /// Put where the view count goes.
    pub views: String,
    /// Put where the Latest block goes.
    pub latest: String,
}

/// A render with its places found and taken out.
#[derive(Debug, Clone)]
pub(super) struct OpenPage {
    /// The page without them.
    pub html: String,
    /// Byte offsets of the view count, the Latest block and the body.
    pub at: [usize; PLACES],
}

impl Openings {
    /// Fresh markers.
    pub fn new() -> Openings {
        let word = format!("newsroom{:032x}", rand::random::<u128>());
        Openings { views: format!("{word}views"), latest: format!("{word}latest") }
    }

    /// Takes the markers and `body` out of `html`; `None` unless each is there exactly once, apart from the
    /// others (a theme that leaves one out, or shows the body twice, cannot have its pages kept).
    pub fn open(&self, html: &str, body: &str) -> Option<OpenPage> {
        let needles = [self.views.as_str(), self.latest.as_str(), body];
        let mut found = Vec::with_capacity(PLACES);
        for (place, needle) in needles.iter().enumerate() {
            // An empty body can go anywhere: filled with itself, it leaves the page as it was.
            let at = if needle.is_empty() { 0 } else { single(html, needle)? };
            found.push((at, place));
        }
        found.sort_unstable();
        let mut out = String::with_capacity(html.len());
        let mut at = [0; PLACES];
        let mut from = 0;
        for (start, place) in found {
            if start < from || (start == from && from > 0) {
                // Overlapping or touching: their order could not be told apart when filled.
                return None;
            }
            out.push_str(&html[from..start]);
            at[place] = out.len();
            from = start + needles[place].len();
        }
        out.push_str(&html[from..]);
        Some(OpenPage { html: out, at })
    }
}

/// Where `needle` is in `html`, if it is there exactly once.
fn single(html: &str, needle: &str) -> Option<usize> {
    let at = html.find(needle)?;
    html[at + needle.len()..].find(needle).is_none().then_some(at)
}

/// `html` with `values` (the view count, the Latest block, the body) put in at `at`; `None` if an offset is
/// not a place in the page (a kept page from a damaged row).
pub(super) fn fill(html: &str, at: [usize; PLACES], values: [&str; PLACES]) -> Option<String> {
    let mut order = [0, 1, 2];
    order.sort_by_key(|&place| at[place]);
    let mut out = String::with_capacity(html.len() + values.iter().map(|v| v.len()).sum::<usize>());
    let mut from = 0;
    for place in order {
        let start = at[place];
        if start < from || start > html.len() || !html.is_char_boundary(start) {
            return None;
        }
        out.push_str(&html[from..start]);
        out.push_str(values[place]);
        from = start;
    }
    out.push_str(&html[from..]);
    Some(out)
}

/// An article page rendered and opened, waiting to be kept.
#[derive(Debug, Clone)]
pub(super) struct RenderedPage {
    pub article_id: i64,
    /// The change sequence number seen before the render read anything.
    pub seq: i64,
    pub fingerprint: Arc<str>,
    /// Unix seconds.
    pub rendered_at: i64,
    pub open: OpenPage,
    /// The other articles it shows.
    pub shows: Vec<i64>,
}

/// How hard pages are compressed: off the request path, and zstd reads as fast whatever the level. On the
/// generated site, 6 made pages 1.5% larger than 9 in about half the time.
const PACK_LEVEL: i32 = 6;
/// The largest page read back, in bytes: a row that claims more is damaged.
const UNPACK_MAX: usize = 16 * 1024 * 1024;
/// Dictionaries a node holds at most: one for each edition's fingerprint, and a past one or two.
const DICTIONARIES_HELD: usize = 8;

/// The dictionary kept pages of one fingerprint are compressed against (see the module's documentation).
pub(super) struct Dictionary {
    /// What the store knows it by.
    id: i64,
    /// Its bytes, for the encoder.
    bytes: Vec<u8>,
    /// Made when a page is first compressed with it: costly at the level pages are packed at, and needed only
    /// off the request path (a miss only decompresses).
    encoder: std::sync::OnceLock<zstd::dict::EncoderDictionary<'static>>,
    decoder: zstd::dict::DecoderDictionary<'static>,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dictionary({})", self.id)
    }
}

impl Dictionary {
    /// What the store knows it by.
    pub(super) fn id(&self) -> i64 {
        self.id
    }

    fn new(stored: KeptDictionary) -> Dictionary {
        Dictionary {
            id: stored.id,
            encoder: std::sync::OnceLock::new(),
            decoder: zstd::dict::DecoderDictionary::copy(&stored.dictionary),
            bytes: stored.dictionary,
        }
    }

    /// A compressor for [`Dictionary::pack`], to be used for a whole batch: zstd's context is large to make.
    fn compressor(&self) -> std::io::Result<zstd::bulk::Compressor<'_>> {
        let encoder = self.encoder.get_or_init(|| zstd::dict::EncoderDictionary::copy(&self.bytes, PACK_LEVEL));
        let mut compressor = zstd::bulk::Compressor::with_prepared_dictionary(encoder)?;
        compressor.include_checksum(true)?;
        Ok(compressor)
    }

    /// `page` in the form it is stored in (see the module's documentation), through `compressor`.
    fn pack(compressor: &mut zstd::bulk::Compressor<'_>, page: &OpenPage) -> std::io::Result<Vec<u8>> {
        let mut packed = Vec::with_capacity(page.html.len() / 4);
        for at in page.at {
            let at = u32::try_from(at).map_err(|_| std::io::Error::other("a page over 4 GB"))?;
            packed.extend_from_slice(&at.to_le_bytes());
        }
        packed.extend_from_slice(&compressor.compress(page.html.as_bytes())?);
        Ok(packed)
    }

    /// A page from its stored form; `None` if the row is damaged.
    fn unpack(&self, packed: &[u8]) -> Option<OpenPage> {
        let (offsets, compressed) = packed.split_at_checked(4 * PLACES)?;
        let mut at = [0; PLACES];
        for (place, bytes) in at.iter_mut().zip(offsets.chunks_exact(4)) {
            *place = usize::try_from(u32::from_le_bytes(bytes.try_into().ok()?)).ok()?;
        }
        let size = zstd::zstd_safe::get_frame_content_size(compressed).ok()??;
        let size = usize::try_from(size).ok().filter(|size| *size <= UNPACK_MAX)?;
        let mut html = Vec::with_capacity(size);
        let written = DECOMPRESSOR.with_borrow_mut(|context| {
            if context.is_none() {
                *context = zstd::zstd_safe::DCtx::try_create();
            }
            context.as_mut()?.decompress_using_ddict(&mut html, compressed, self.decoder.as_ddict()).ok()
        })?;
        (written == size).then_some(())?;
        Some(OpenPage { html: String::from_utf8(html).ok()?, at })
    }
}

thread_local! {
    /// One decompression context a thread, used again: zstd's is about 160 KB, and a fresh one for each miss
    /// cost more than the decompression itself.
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::zstd_safe::DCtx<'static>>> =
        const { std::cell::RefCell::new(None) };
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
    pending: Mutex<(HashMap<i64, RenderedPage>, usize)>,
    /// The dictionaries of the fingerprints in use, as read from the store or stored by this node.
    dictionaries: Mutex<HashMap<Arc<str>, Arc<Dictionary>>>,
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
            dictionaries: Default::default(),
            stats: Arc::default(),
        }
    }

    /// The dictionary of pages made with `fingerprint`, if one is stored; with `or_make`, one is made of that
    /// page and stored when there is none.
    pub(super) async fn dictionary(
        &self,
        store: &Store,
        fingerprint: &Arc<str>,
        or_make: Option<&OpenPage>,
    ) -> Result<Option<Arc<Dictionary>>, StoreError> {
        let held = |dictionaries: &Mutex<HashMap<Arc<str>, Arc<Dictionary>>>| {
            dictionaries.lock().unwrap_or_else(PoisonError::into_inner).get(fingerprint).cloned()
        };
        if let Some(dictionary) = held(&self.dictionaries) {
            return Ok(Some(dictionary));
        }
        let stored = match (store.kept_dictionary(fingerprint).await?, or_make) {
            (Some(stored), _) => stored,
            (None, Some(page)) => store.keep_dictionary(fingerprint, page.html.as_bytes(), Utc::now()).await?,
            (None, None) => return Ok(None),
        };
        let dictionary = Arc::new(Dictionary::new(stored));
        let mut dictionaries = self.dictionaries.lock().unwrap_or_else(PoisonError::into_inner);
        if dictionaries.len() >= DICTIONARIES_HELD {
            dictionaries.clear();
        }
        dictionaries.insert(Arc::clone(fingerprint), Arc::clone(&dictionary));
        Ok(Some(dictionary))
    }

    /// `kept`'s page, compressed against `dictionary`, filled with the view count `views`, the Latest block
    /// `latest` and its body; `None` if its row is damaged.
    pub(super) fn fill(&self, dictionary: &Dictionary, kept: &KeptPage, views: &str, latest: &str) -> Option<String> {
        let Some(open) = dictionary.unpack(&kept.page) else {
            tracing::warn!(article = kept.article_id, "a kept page could not be read back; rendering it again");
            return None;
        };
        fill(&open.html, open.at, [views, latest, &kept.body_html])
    }

    /// `pages` in the form the store keeps, compressed off the async threads; a page that cannot be compressed
    /// (memory ran out, or the store did not answer for its dictionary) is left out.
    async fn pack(&self, store: &Store, pages: Vec<RenderedPage>) -> Vec<PageToKeep> {
        // Nearly always one fingerprint; several after a settings save, or with language editions.
        let mut by_fingerprint: HashMap<Arc<str>, Vec<RenderedPage>> = HashMap::new();
        for page in pages {
            by_fingerprint.entry(Arc::clone(&page.fingerprint)).or_default().push(page);
        }
        let mut packed = Vec::new();
        for (fingerprint, pages) in by_fingerprint {
            let dictionary = match self.dictionary(store, &fingerprint, pages.first().map(|page| &page.open)).await {
                Ok(Some(dictionary)) => dictionary,
                Ok(None) => continue,
                Err(error) => {
                    store.note_unavailable(&error);
                    tracing::warn!(%error, "keeping rendered pages: storing their dictionary failed");
                    continue;
                }
            };
            let packing = move || {
                let Ok(mut compressor) = dictionary.compressor() else { return Vec::new() };
                let pack = |rendered: RenderedPage| {
                    Some(PageToKeep {
                        page: Dictionary::pack(&mut compressor, &rendered.open).ok()?,
                        article_id: rendered.article_id,
                        seq: rendered.seq,
                        dictionary: dictionary.id,
                        rendered_at: rendered.rendered_at,
                        shows: rendered.shows,
                    })
                };
                pages.into_iter().filter_map(pack).collect::<Vec<_>>()
            };
            packed.extend(tokio::task::spawn_blocking(packing).await.unwrap_or_default());
        }
        packed
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

    /// Deletes the stored dictionaries no page has used for a day, and forgets those this node holds (to read
    /// them again, or make them again if they were among those deleted).
    async fn forget_unused_dictionaries(&self, store: &Store) {
        let made_before = Utc::now().timestamp() - UNUSED_DICTIONARY_SECONDS;
        if let Err(error) = store.forget_dictionaries(made_before).await {
            tracing::warn!(%error, "keeping pages: deleting unused dictionaries failed");
        }
        self.dictionaries.lock().unwrap_or_else(PoisonError::into_inner).clear();
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
    pub(super) fn push(&self, page: RenderedPage) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let (pages, bytes) = &mut *pending;
        if *bytes + page.open.html.len() <= PENDING_MAX_BYTES {
            *bytes += page.open.html.len();
            if let Some(replaced) = pages.insert(page.article_id, page) {
                *bytes -= replaced.open.html.len();
            }
        }
    }

    /// Writes the pages rendered since the last call, in one transaction. On failure they are dropped: they
    /// are derived, and kept on a later render.
    pub async fn write(&self, store: &Store) {
        let rendered: Vec<RenderedPage> = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.1 = 0;
            std::mem::take(&mut pending.0).into_values().collect()
        };
        if rendered.is_empty() {
            return;
        }
        let pages = self.pack(store, rendered).await;
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
/// [`FILL_AGAIN`]; it renders the pages that are missing or stale, and more slowly ([`REFRESH_REST`]) those
/// older than [`REFRESH_AFTER_SECONDS`]. Pages are rendered only once the search index is ready, so that their
/// Recommend blocks are the index's.
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
            let mut rest = Duration::ZERO;
            match fill_batch(&state, &fingerprint, below).await {
                Ok(Some((lowest, refreshed_only))) => {
                    below = lowest;
                    if refreshed_only {
                        rest = REFRESH_REST;
                    }
                }
                Ok(None) => {
                    below = i64::MIN;
                    state.kept.stats.passes.fetch_add(1, Ordering::Relaxed);
                    state.kept.forget_unused_dictionaries(&state.store).await;
                }
                Err(error) => {
                    tracing::warn!(%error, "keeping pages failed; trying again");
                    rest = FILL_CHECK;
                }
            }
            tokio::time::sleep(rest.max(started.elapsed())).await;
        }
    })
}

/// Renders and writes one batch of pages to keep below `below`: the id to go on below and whether the batch
/// only refreshed pages that were kept already, or `None` when there was nothing left.
async fn fill_batch(state: &SiteState, fingerprint: &Arc<str>, below: i64) -> Result<Option<(i64, bool)>, SiteError> {
    let now = Utc::now();
    let dictionary = state.kept.dictionary(&state.store, fingerprint, None).await?.map(|dictionary| dictionary.id);
    let refresh_before = now.timestamp() - REFRESH_AFTER_SECONDS;
    let (window, addresses) = state.store.pages_to_keep(dictionary, refresh_before, now, below, FILL_WINDOW).await?;
    let Some(&lowest) = window.last() else { return Ok(None) };
    // Highest first: what is left of the window after a full batch is looked at again from below its last page.
    let next = if addresses.len() > RENDER_BATCH { addresses[RENDER_BATCH - 1].id } else { lowest };
    let refreshed_only = !addresses.is_empty() && addresses.iter().take(RENDER_BATCH).all(|a| a.kept_at.is_some());
    let mut pages = Vec::with_capacity(addresses.len().min(RENDER_BATCH));
    for address in addresses.into_iter().take(RENDER_BATCH) {
        match super::article::render_to_keep(state, &address.language, &address.section, &address.slug, now).await {
            Ok(Some(page)) => pages.push(page),
            // Unpublished since, or a theme whose pages cannot be kept.
            Ok(None) | Err(SiteError::NotFound) => {}
            Err(error) => return Err(error),
        }
    }
    let written = state.store.keep_pages(&state.kept.pack(&state.store, pages).await).await?;
    state.kept.stats.written.fetch_add(written as u64, Ordering::Relaxed);
    Ok(Some((next, refreshed_only)))
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

    const BODY: &str = "<p>Ferries run late.</p>";

    #[test]
    fn a_page_opened_and_filled_is_the_page_rendered_with_the_values() {
        let openings = Openings::new();
        let template = |views: &str, latest: &str| {
            format!("<h1>Harbour</h1><p>{views}</p><article>{BODY}</article>{latest}</div>")
        };
        let rendered = template(&openings.views, &openings.latest);
        let Some(open) = openings.open(&rendered, BODY) else { panic!("both markers and the body are in the page") };
        assert!(!open.html.contains("newsroom") && !open.html.contains("Ferries"), "places taken out: {}", open.html);
        let filled = fill(&open.html, open.at, ["views:208", "<aside>Latest</aside>", BODY]);
        assert_eq!(filled.as_deref(), Some(template("views:208", "<aside>Latest</aside>").as_str()));
    }

    #[test]
    fn the_places_may_come_in_any_order_and_an_empty_body_anywhere() {
        let openings = Openings::new();
        let rendered = format!("a{}b{BODY}c{}d", openings.latest, openings.views);
        let Some(open) = openings.open(&rendered, BODY) else { panic!("every place is in the page") };
        assert_eq!(fill(&open.html, open.at, ["V", "L", "B"]).as_deref(), Some("aLbBcVd"));
        let rendered = format!("a{}b{}c", openings.views, openings.latest);
        let Some(open) = openings.open(&rendered, "") else { panic!("an empty body needs no place") };
        assert_eq!(fill(&open.html, open.at, ["V", "L", ""]).as_deref(), Some("aVbLc"));
    }

    #[test]
    fn a_place_missing_repeated_or_touching_another_leaves_the_page_unkept() {
        let openings = Openings::new();
        let (views, latest) = (&openings.views, &openings.latest);
        assert!(openings.open(&format!("{views}{BODY}"), BODY).is_none(), "no Latest block");
        assert!(openings.open(&format!("{views}{views}{latest}{BODY}"), BODY).is_none(), "views twice");
        assert!(openings.open(&format!("{views} {latest} {BODY}{BODY}"), BODY).is_none(), "the body twice");
        assert!(openings.open(&format!("x{views}{latest} {BODY}"), BODY).is_none(), "touching");
        assert!(openings.open(&format!("x{views} {latest} {BODY}"), BODY).is_some());
    }

    #[test]
    fn an_offset_outside_the_page_or_inside_a_character_is_refused() {
        assert_eq!(fill("abc", [1, 9, 0], ["x", "y", ""]), None);
        assert_eq!(fill("é", [1, 1, 0], ["x", "y", ""]), None);
        assert_eq!(fill("abc", [1, 3, 0], ["x", "y", "z"]).as_deref(), Some("zaxbcy"));
    }

    #[test]
    fn a_page_is_stored_smaller_and_read_back_whole_and_a_damaged_one_is_not_read() {
        let page_of = |words: &str| {
            let html = format!(
                "<!doctype html><html><body><nav>{}</nav><main>{words}</main></body></html>",
                "<a href=\"/world\">World</a>".repeat(40)
            );
            OpenPage { html, at: [16, 40, 60] }
        };
        let first = page_of("<p>Ferries run late.</p>");
        let dictionary = Dictionary::new(KeptDictionary { id: 1, dictionary: first.html.into_bytes() });
        let page = page_of("<p>The bridge opens in May.</p>");
        let mut compressor = dictionary.compressor().unwrap_or_else(|e| panic!("a compressor: {e}"));
        let packed = Dictionary::pack(&mut compressor, &page).unwrap_or_else(|e| panic!("packs: {e}"));
        let again = Dictionary::pack(&mut compressor, &page).unwrap_or_else(|e| panic!("packs again: {e}"));
        assert_eq!(packed, again, "a compressor used again keeps its dictionary and checksum");
        assert!(packed.len() * 4 < page.html.len(), "{} bytes for {}", packed.len(), page.html.len());
        let back = dictionary.unpack(&packed).unwrap_or_else(|| panic!("reads back"));
        assert_eq!((back.html.as_str(), back.at), (page.html.as_str(), page.at));
        let mut damaged = packed.clone();
        let last = damaged.len() - 6;
        damaged[last] ^= 0x55;
        assert!(dictionary.unpack(&damaged).is_none(), "a damaged page fails its checksum");
        assert!(dictionary.unpack(&packed[..10]).is_none(), "a cut one too");
        let other = Dictionary::new(KeptDictionary { id: 2, dictionary: page_of("<p>Other.</p>").html.into_bytes() });
        assert!(other.unpack(&packed).is_none(), "a page is read only with its own dictionary");
    }
}
