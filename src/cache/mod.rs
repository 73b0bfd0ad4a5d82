//! The page cache: rendered public pages kept in memory, with compressed copies made once, so that a cached
//! page costs a lookup and a copy of bytes.
//!
//! Entries live a few seconds at most (so the view count on a page lags by at most that, plus the one-second
//! flush) and are bounded by size. Concurrent misses for one page render it once: the others wait for that
//! render. Any content change bumps the cache's generation before the write returns; the generation is part
//! of every key, so a render that started before the change can never be served after it.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use bytes::Bytes;

/// How long a rendered page is served from memory.
pub const PAGE_TTL: Duration = Duration::from_secs(4);
/// How long a page is kept the first time it is rendered in a [`SIGHTING_WINDOW`]: long enough for the
/// readers who asked at the same moment, short enough that pages read once (a crawl of the archive, a long
/// tail of old articles) do not fill memory. Asked for again, a page is kept for [`PAGE_TTL`].
pub const FIRST_SIGHT_TTL: Duration = Duration::from_secs(1);
/// How long the cache remembers that a page was rendered.
const SIGHTING_WINDOW: Duration = Duration::from_secs(60);
/// How long the cache remembers that a kept page was served (see [`PageCache::offer`]).
const OFFER_WINDOW: Duration = Duration::from_secs(5);
/// Bits remembering rendered pages (by hash): 2^20, 128 KiB. A collision only keeps a page longer.
const SIGHTING_BITS: usize = 1 << 20;
/// How long the last good copy of a page is kept, to answer with while the database is unavailable.
const LAST_GOOD_TTL: Duration = Duration::from_secs(600);
/// The share of the cache's bytes given to last good copies (they are mostly the cached pages themselves,
/// shared, so this counts them twice and the bound holds).
const LAST_GOOD_SHARE: u64 = 8;

/// A rendered page and what is needed to answer for it.
#[derive(Debug)]
pub struct CachedPage {
    /// Headers of every answer from it: the render's (content type, cache control), the ETag and `Vary`.
    pub headers: HeaderMap,
    /// The uncompressed body.
    pub body: Bytes,
    /// Strong validator derived from the body.
    pub etag: HeaderValue,
    /// The article shown, when the page is an article page (for view counting on hits).
    pub article_id: Option<i64>,
    /// How long it is kept (see [`FIRST_SIGHT_TTL`]).
    ttl: Duration,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

/// A content coding the client accepts and we offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Brotli: smallest.
    Brotli,
    /// gzip: understood everywhere.
    Gzip,
    /// No compression.
    Identity,
}

impl Encoding {
    /// Picks the best coding from an `Accept-Encoding` header: brotli, then gzip, honouring `q=0`.
    pub fn negotiate(accept: Option<&HeaderValue>) -> Encoding {
        let Some(accept) = accept.and_then(|v| v.to_str().ok()) else { return Encoding::Identity };
        let accepts = |name: &str| {
            accept.split(',').any(|item| {
                let mut parts = item.split(';').map(str::trim);
                parts.next().is_some_and(|coding| coding.eq_ignore_ascii_case(name))
                    && parts
                        .all(|p| p.replace(' ', "").trim_start_matches("q=").parse::<f32>().map_or(true, |q| q > 0.0))
            })
        };
        if accepts("br") {
            Encoding::Brotli
        } else if accepts("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<HeaderValue> {
        match self {
            Encoding::Brotli => Some(HeaderValue::from_static("br")),
            Encoding::Gzip => Some(HeaderValue::from_static("gzip")),
            Encoding::Identity => None,
        }
    }
}

impl CachedPage {
    /// Wraps a rendered body. The headers of every answer from it are made here, once: the render's, with the
    /// ETag and `Vary` added and the length left to the server (it depends on the coding).
    pub fn new(mut headers: HeaderMap, body: Bytes, article_id: Option<i64>) -> CachedPage {
        // A validator, not a signature: a 128-bit hash that is the same on every node and costs a tenth of
        // SHA-256 (which took a tenth of a cache miss's CPU).
        let digest = xxhash_rust::xxh3::xxh3_128(&body);
        let etag = HeaderValue::from_str(&format!("\"{digest:032x}\"")).unwrap_or(HeaderValue::from_static("\"\""));
        headers.insert(axum::http::header::ETAG, etag.clone());
        headers.insert(axum::http::header::VARY, HeaderValue::from_static("Accept-Encoding"));
        headers.remove(axum::http::header::CONTENT_LENGTH);
        CachedPage { headers, body, etag, article_id, ttl: PAGE_TTL, gzip: OnceLock::new(), brotli: OnceLock::new() }
    }

    /// The body in `encoding`, compressing on first use; compression failures fall back to no compression.
    pub fn body_for(&self, encoding: Encoding) -> (Encoding, Bytes) {
        let compressed = match encoding {
            Encoding::Identity => return (Encoding::Identity, self.body.clone()),
            Encoding::Gzip => self.gzip.get_or_init(|| gzip(&self.body).unwrap_or_default()),
            Encoding::Brotli => self.brotli.get_or_init(|| brotli(&self.body).unwrap_or_default()),
        };
        if compressed.is_empty() && !self.body.is_empty() {
            (Encoding::Identity, self.body.clone())
        } else {
            (encoding, compressed.clone())
        }
    }

    /// Whether `If-None-Match` names this page's current version.
    pub fn matches(&self, if_none_match: Option<&HeaderValue>) -> bool {
        let Some(tags) = if_none_match.and_then(|v| v.to_str().ok()) else { return false };
        let ours = self.etag.to_str().unwrap_or_default();
        tags.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == ours)
    }

    /// Whether the client already has this version: its `If-None-Match` names our ETag, or (when it sends no
    /// ETag) its `If-Modified-Since` is not older than our `Last-Modified`.
    pub fn is_fresh_for(&self, request: &HeaderMap) -> bool {
        if let Some(tags) = request.get(axum::http::header::IF_NONE_MATCH) {
            return self.matches(Some(tags));
        }
        let parse = |value: Option<&HeaderValue>| {
            value.and_then(|v| v.to_str().ok()).and_then(|v| httpdate::parse_http_date(v).ok())
        };
        match (
            parse(self.headers.get(axum::http::header::LAST_MODIFIED)),
            parse(request.get(axum::http::header::IF_MODIFIED_SINCE)),
        ) {
            (Some(modified), Some(since)) => modified <= since,
            _ => false,
        }
    }
}

fn gzip(body: &[u8]) -> std::io::Result<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 3), flate2::Compression::new(6));
    encoder.write_all(body)?;
    Ok(Bytes::from(encoder.finish()?))
}

fn brotli(body: &[u8]) -> std::io::Result<Bytes> {
    let mut out = Vec::with_capacity(body.len() / 3);
    {
        // Quality 5 compresses HTML nearly as well as 11 at a small fraction of the time.
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        writer.write_all(body)?;
    }
    Ok(Bytes::from(out))
}

/// A page that must not be cached (an error, a redirect), kept whole so that every request that waited for
/// the same render can be answered with it.
#[derive(Debug, Clone)]
pub struct UncachedResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

/// Where a page lives in the cache: the content generation and the request's path and query.
#[derive(Debug, Clone)]
pub struct PageKey((u64, String));

/// The cache of one node.
#[derive(Debug, Clone)]
pub struct PageCache {
    pages: moka::future::Cache<(u64, String), Arc<CachedPage>, foldhash::fast::RandomState>,
    /// The last page rendered or cached at each address since the last content change, kept for
    /// [`LAST_GOOD_TTL`]: what readers get while the database cannot render it (see [`PageCache::last_good`]).
    last_good: moka::future::Cache<String, Arc<CachedPage>, foldhash::fast::RandomState>,
    generation: Arc<AtomicU64>,
    hits: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
    sightings: Arc<Sightings>,
    offers: Arc<Sightings>,
}

/// Each page keeps its own time to live.
struct PageExpiry;

impl moka::Expiry<(u64, String), Arc<CachedPage>> for PageExpiry {
    fn expire_after_create(
        &self,
        _: &(u64, String),
        page: &Arc<CachedPage>,
        _: std::time::Instant,
    ) -> Option<Duration> {
        Some(page.ttl)
    }
}

/// Which pages were rendered in the current window, as bits set by address hash (a doorkeeper, as in TinyLFU):
/// a page's first render is kept briefly, a second one for the full time.
#[derive(Debug)]
struct Sightings {
    bits: Box<[AtomicU64]>,
    hasher: foldhash::fast::RandomState,
    started: std::time::Instant,
    /// Seconds a window lasts.
    window_seconds: u64,
    /// The window (counted from `started`) the bits belong to.
    window: AtomicU64,
}

impl Sightings {
    fn new(window: Duration) -> Sightings {
        Sightings {
            bits: (0..SIGHTING_BITS / 64).map(|_| AtomicU64::new(0)).collect(),
            hasher: foldhash::fast::RandomState::default(),
            started: std::time::Instant::now(),
            window_seconds: window.as_secs().max(1),
            window: AtomicU64::new(0),
        }
    }

    /// Whether `key` was noted before in this window (rendered, or served from a kept page); notes it now.
    fn seen_before(&self, key: &(u64, String)) -> bool {
        let window = self.started.elapsed().as_secs() / self.window_seconds;
        if self.window.swap(window, Ordering::AcqRel) != window {
            // A new window: forget the old one (two racing resets both clear; nothing is lost but bits).
            for word in &*self.bits {
                word.store(0, Ordering::Relaxed);
            }
        }
        let bit = (std::hash::BuildHasher::hash_one(&self.hasher, &key.1) as usize) % SIGHTING_BITS;
        let mask = 1_u64 << (bit % 64);
        self.bits[bit / 64].fetch_or(mask, Ordering::Relaxed) & mask != 0
    }
}

/// What the cache has done since the node started, and what it holds now (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Requests answered from the cache.
    pub hits: u64,
    /// Requests that found nothing cached.
    pub misses: u64,
    /// Times every page was dropped after a content change.
    pub invalidations: u64,
    /// Pages held.
    pub entries: u64,
    /// Bytes held, as the size bound counts them.
    pub bytes: u64,
}

impl PageCache {
    /// A cache holding at most `max_bytes` of pages.
    pub fn new(max_bytes: u64) -> PageCache {
        let last_good_bytes = max_bytes / LAST_GOOD_SHARE;
        let pages = moka::future::Cache::builder()
            .max_capacity(max_bytes - last_good_bytes)
            // Compressed copies are made later; count room for them now so the bound holds.
            .weigher(|key: &(u64, String), page: &Arc<CachedPage>| weight(&key.1, page))
            .expire_after(PageExpiry)
            // Keys are addresses readers choose, so the hash is seeded per process; foldhash is several times
            // faster than the standard SipHash on them.
            .build_with_hasher(foldhash::fast::RandomState::default());
        let last_good = moka::future::Cache::builder()
            .max_capacity(last_good_bytes)
            .weigher(|address: &String, page: &Arc<CachedPage>| weight(address, page))
            .time_to_live(LAST_GOOD_TTL)
            .build_with_hasher(foldhash::fast::RandomState::default());
        PageCache {
            pages,
            last_good,
            generation: Arc::new(AtomicU64::new(0)),
            hits: Arc::new(AtomicU64::new(0)),
            misses: Arc::new(AtomicU64::new(0)),
            sightings: Arc::new(Sightings::new(SIGHTING_WINDOW)),
            offers: Arc::new(Sightings::new(OFFER_WINDOW)),
        }
    }

    /// The cache key of `uri` now: a content change moves every page to a new key.
    pub fn key(&self, uri: String) -> PageKey {
        PageKey((self.generation.load(Ordering::Acquire), uri))
    }

    /// The page under `key`, if cached, counting a hit. A miss is counted by what answers it:
    /// [`PageCache::get_or_render`] or [`PageCache::offer`].
    pub async fn get(&self, key: &PageKey) -> Option<Arc<CachedPage>> {
        let page = self.pages.get(&key.0).await;
        if page.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        page
    }

    /// Hits, misses and invalidations so far, and the pages and bytes held now.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            invalidations: self.generation.load(Ordering::Relaxed),
            entries: self.pages.entry_count(),
            bytes: self.pages.weighted_size(),
        }
    }

    /// The page under `key`, rendering it with `render` on a miss. Concurrent misses share one render. A
    /// render that must not be cached (anything but a 200) is returned as the error, to every waiter. A page
    /// rendered for the first time in a while is kept for [`FIRST_SIGHT_TTL`], else for [`PAGE_TTL`].
    pub async fn get_or_render<F>(&self, key: PageKey, render: F) -> Result<Arc<CachedPage>, Arc<UncachedResponse>>
    where
        F: Future<Output = Result<CachedPage, UncachedResponse>>,
    {
        // Called after a lookup found nothing: a miss, whether this call renders or waits for another's render.
        self.misses.fetch_add(1, Ordering::Relaxed);
        let sightings = &self.sightings;
        let rendering = async {
            let mut page = render.await?;
            page.ttl = if sightings.seen_before(&key.0) { PAGE_TTL } else { FIRST_SIGHT_TTL };
            let page = Arc::new(page);
            self.last_good.insert(key.0.1.clone(), Arc::clone(&page)).await;
            Ok(page)
        };
        self.pages.try_get_with_by_ref(&key.0, rendering).await
    }

    /// Counts a miss answered without a render (from a kept page), and caches `page` under `key` for
    /// [`PAGE_TTL`] if it was offered before in the last few seconds: a page readers are asking for now. One
    /// read now and then is cheaper to read again than to cache.
    pub async fn offer(&self, key: PageKey, page: CachedPage) -> Arc<CachedPage> {
        self.misses.fetch_add(1, Ordering::Relaxed);
        let page = Arc::new(page);
        if self.offers.seen_before(&key.0) {
            self.last_good.insert(key.0.1.clone(), Arc::clone(&page)).await;
            self.pages.insert(key.0, Arc::clone(&page)).await;
        }
        page
    }

    /// The last good copy of the page under `key`'s address, rendered or cached since the last content change
    /// this node knows of and at most [`LAST_GOOD_TTL`] ago: the answer while the database is unavailable, so
    /// that readers still get the pages they were getting. It is forgotten with every change, like the cache,
    /// so it never shows what a change on this node replaced.
    pub async fn last_good(&self, key: &PageKey) -> Option<Arc<CachedPage>> {
        self.last_good.get(&key.0.1).await
    }

    /// The current content generation (it changes with every content write).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets every page. Called by the store after each content change commits, before the write returns.
    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.pages.invalidate_all();
        self.last_good.invalidate_all();
    }
}

/// What a page counts against the cache's bound: compressed copies are made later, so room for them is
/// counted now.
fn weight(address: &str, page: &CachedPage) -> u32 {
    let bytes = address.len() + page.body.len() + page.body.len() / 2 + 512;
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

/// One value shared by many renders (the site's frame, say), reloaded when the content generation changes or
/// after [`PAGE_TTL`], whichever comes first; the time limit catches what changes without a write (a scheduled
/// article's time arriving).
#[derive(Debug)]
pub struct Memo<T> {
    slot: std::sync::Mutex<Option<(u64, std::time::Instant, Arc<T>)>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Memo<T> {
        Memo { slot: std::sync::Mutex::new(None) }
    }
}

impl<T> Memo<T> {
    /// The value for `generation`, loading it with `load` when missing or stale. Two loads may race on a
    /// change; both are correct, and the later one stays.
    pub async fn get_or_load<E, F>(&self, generation: u64, load: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        if let Some((held, loaded, value)) =
            self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref()
            && *held == generation
            && loaded.elapsed() < PAGE_TTL
        {
            return Ok(Arc::clone(value));
        }
        let value = Arc::new(load().await?);
        *self.slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((generation, std::time::Instant::now(), Arc::clone(&value)));
        Ok(value)
    }
}

/// One [`Memo`] per key (the Latest list of each language, say), made on first use.
#[derive(Debug)]
pub struct Memos<T> {
    by_key: std::sync::Mutex<std::collections::HashMap<String, Arc<Memo<T>>>>,
}

impl<T> Default for Memos<T> {
    fn default() -> Memos<T> {
        Memos { by_key: std::sync::Mutex::new(std::collections::HashMap::new()) }
    }
}

impl<T> Memos<T> {
    /// The memo kept for `key`.
    pub fn memo(&self, key: &str) -> Arc<Memo<T>> {
        let mut by_key = self.by_key.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(by_key.entry(key.to_owned()).or_default())
    }
}

/// What `/metrics` reports of kept pages (article pages kept rendered in the database by the site).
#[derive(Debug, Default)]
pub struct KeptStats {
    /// Page-cache misses answered from a kept page.
    pub served: AtomicU64,
    /// Pages written to be kept.
    pub written: AtomicU64,
    /// Passes of the filler over the whole site completed.
    pub passes: AtomicU64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_brotli_then_gzip_and_honours_q_zero() {
        let pick = |v: &'static str| Encoding::negotiate(Some(&HeaderValue::from_static(v)));
        assert_eq!(pick("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(pick("gzip"), Encoding::Gzip);
        assert_eq!(pick("br;q=0, gzip;q=0.8"), Encoding::Gzip);
        assert_eq!(pick("identity"), Encoding::Identity);
        assert_eq!(Encoding::negotiate(None), Encoding::Identity);
    }

    #[test]
    fn compressed_copies_decode_to_the_page() -> std::io::Result<()> {
        let html = "<p>The harbour at dawn.</p>".repeat(200);
        let page = CachedPage::new(HeaderMap::new(), Bytes::from(html.clone()), None);
        let (coding, gz) = page.body_for(Encoding::Gzip);
        assert_eq!(coding, Encoding::Gzip);
        let mut decoded = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut decoded)?;
        assert_eq!(decoded, html);
        let (coding, br) = page.body_for(Encoding::Brotli);
        assert_eq!(coding, Encoding::Brotli);
        assert!(br.len() < html.len() / 10);
        Ok(())
    }

    #[tokio::test]
    async fn memo_reloads_on_a_new_generation_only() -> Result<(), std::convert::Infallible> {
        let memo: Memo<u32> = Memo::default();
        let loads = std::sync::atomic::AtomicU32::new(0);
        let load = || async { Ok::<u32, std::convert::Infallible>(loads.fetch_add(1, Ordering::SeqCst) + 1) };
        assert_eq!(*memo.get_or_load(1, load).await?, 1);
        assert_eq!(*memo.get_or_load(1, load).await?, 1, "same generation: no reload");
        assert_eq!(*memo.get_or_load(2, load).await?, 2, "new generation: reload");
        Ok(())
    }

    #[test]
    fn a_page_is_seen_before_from_its_second_render_on() {
        let sightings = Sightings::new(SIGHTING_WINDOW);
        let page = |path: &str| (0, path.to_owned());
        assert!(!sightings.seen_before(&page("/columns/harbour")));
        assert!(sightings.seen_before(&page("/columns/harbour")));
        assert!(!sightings.seen_before(&page("/columns/ferry")), "another page is new");
        // A content change moves pages to a new generation; the address alone decides how often it is read.
        assert!(sightings.seen_before(&(1, "/columns/harbour".to_owned())));
    }

    #[tokio::test]
    async fn first_renders_are_kept_briefly_and_later_ones_longer() {
        let cache = PageCache::new(1 << 20);
        let render = || async { Ok(CachedPage::new(HeaderMap::new(), Bytes::from_static(b"page"), None)) };
        let first = cache.get_or_render(cache.key("/a".into()), render()).await.map_err(|_| "uncached");
        assert_eq!(first.map(|page| page.ttl), Ok(FIRST_SIGHT_TTL));
        cache.invalidate_all();
        let second = cache.get_or_render(cache.key("/a".into()), render()).await.map_err(|_| "uncached");
        assert_eq!(second.map(|page| page.ttl), Ok(PAGE_TTL));
    }

    #[test]
    fn etag_matching() {
        let page = CachedPage::new(HeaderMap::new(), Bytes::from_static(b"x"), None);
        let etag = page.etag.clone();
        assert!(page.matches(Some(&etag)));
        assert!(page.matches(Some(&HeaderValue::from_static("\"other\", *"))));
        assert!(!page.matches(Some(&HeaderValue::from_static("\"other\""))));
        assert!(!page.matches(None));
    }
}
