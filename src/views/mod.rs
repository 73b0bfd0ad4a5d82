//! View counting: exact counts of readers without cookies or stored personal data.
//!
//! A view is an increment in memory; a background task writes the collected counts to the store in one
//! transaction every second (and once more at shutdown), so a crash loses at most the last second of views and
//! never content. A repeat by the same reader of the same article within 30 minutes does not count: the reader is
//! recognised by a keyed hash of client address, User-Agent and article, whose key is random, lives only in
//! memory and changes every day, so no one (not even the operator) can turn the hash back into a person.

pub(crate) mod reader;

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName, Method};
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use ipnet::IpNet;

use crate::settings::LiveSettings;
use crate::store::{Store, StoreError};
pub use reader::client_ip;

/// A repeat within this window is the same view.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(30 * 60);
/// How often collected views are written to the store.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// Readers remembered at once for the repeat rule; beyond this the older half is forgotten early.
const MAX_REMEMBERED: usize = 4_000_000;
/// Independent parts of the repeat memory, so that concurrent requests seldom wait for one another.
const SHARDS: usize = 16;

/// Why a request did or did not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// A new view.
    Counted,
    /// Only GET counts (HEAD, for instance, is a check, not a read).
    NotARead,
    /// Browsers fetching a page ahead of time, before anyone reads it.
    Prefetch,
    /// A crawler, link previewer, monitor or script.
    Bot,
    /// The same reader read this article within the window.
    Repeat,
}

/// The in-memory counter shared by all requests of a node.
#[derive(Debug, Clone)]
pub struct ViewCounter {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pending: Mutex<HashMap<i64, i64>>,
    seen: RecentReaders,
    salt: Mutex<DailySalt>,
    bots: isbot::Bots,
    trusted_proxies: Vec<IpNet>,
    /// Views are dated in the site's time zone, which the back office may change while the server runs.
    settings: Arc<LiveSettings>,
    flushes: AtomicU64,
    failed_flushes: AtomicU64,
    views_written: AtomicU64,
}

/// What the counter has written since the node started (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushStats {
    /// Flushes that wrote something.
    pub flushes: u64,
    /// Flushes the database refused (their views were kept for the next).
    pub failed: u64,
    /// Views written to the database.
    pub views_written: u64,
    /// Views counted and not yet written.
    pub pending: u64,
}

/// The readers seen lately, for the repeat rule, as fingerprints in two generations of one window each: a
/// reader is remembered for at least [`REPEAT_WINDOW`] and at most twice that. Plain sets of hashes cost
/// about 16 bytes a reader, a twentieth of a general-purpose cache's entry, so a flood of new readers costs
/// little memory, and it is all given back as the generations turn over.
#[derive(Debug)]
struct RecentReaders {
    shards: Vec<Mutex<Generations>>,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashSet<u64>,
    previous: HashSet<u64>,
    started: Option<Instant>,
}

impl Default for RecentReaders {
    fn default() -> RecentReaders {
        RecentReaders { shards: (0..SHARDS).map(|_| Mutex::default()).collect() }
    }
}

impl RecentReaders {
    /// Whether `fingerprint` is new within the window, remembering it either way.
    fn first_sight(&self, fingerprint: u64, now: Instant) -> bool {
        let shard = &self.shards[(fingerprint % SHARDS as u64) as usize];
        let mut readers = shard.lock().unwrap_or_else(PoisonError::into_inner);
        let age = readers.started.map(|started| now.saturating_duration_since(started));
        if age.is_none_or(|age| age >= REPEAT_WINDOW) {
            // A quiet spell longer than two windows leaves nothing worth remembering.
            readers.previous = if age.is_some_and(|age| age < 2 * REPEAT_WINDOW) {
                std::mem::take(&mut readers.current)
            } else {
                HashSet::new()
            };
            readers.current = HashSet::new();
            readers.started = Some(now);
        }
        if readers.current.contains(&fingerprint) || readers.previous.contains(&fingerprint) {
            return false;
        }
        if readers.current.len() + readers.previous.len() >= MAX_REMEMBERED / SHARDS {
            readers.previous = std::mem::take(&mut readers.current);
            readers.started = Some(now);
        }
        readers.current.insert(fingerprint);
        true
    }
}

/// The hash key, replaced at the first count of each new day.
#[derive(Debug)]
struct DailySalt {
    day: NaiveDate,
    key: std::collections::hash_map::RandomState,
}

impl ViewCounter {
    /// A counter that trusts `X-Forwarded-For` only from `trusted_proxies` and dates views in the site's time
    /// zone.
    pub fn new(trusted_proxies: Vec<IpNet>, settings: Arc<LiveSettings>) -> ViewCounter {
        let seen = RecentReaders::default();
        ViewCounter {
            inner: Arc::new(Inner {
                pending: Mutex::new(HashMap::new()),
                seen,
                salt: Mutex::new(DailySalt { day: today(settings.get().timezone), key: Default::default() }),
                bots: isbot::Bots::default(),
                trusted_proxies,
                settings,
                flushes: AtomicU64::new(0),
                failed_flushes: AtomicU64::new(0),
                views_written: AtomicU64::new(0),
            }),
        }
    }

    /// Counts a read of `article_id` by the request described by `method`, `headers` and `peer` (the
    /// direct connection's address), unless one of the rules says it is not a new read.
    pub fn record(&self, article_id: i64, method: &Method, headers: &HeaderMap, peer: IpAddr) -> Verdict {
        let verdict = self.judge(article_id, method, headers, peer);
        if verdict == Verdict::Counted {
            *self.lock_pending().entry(article_id).or_insert(0) += 1;
        }
        verdict
    }

    fn judge(&self, article_id: i64, method: &Method, headers: &HeaderMap, peer: IpAddr) -> Verdict {
        if method != Method::GET && method != Method::POST {
            return Verdict::NotARead;
        }
        if is_prefetch(headers) {
            return Verdict::Prefetch;
        }
        let user_agent = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        if user_agent.trim().is_empty() || self.inner.bots.is_bot(user_agent) {
            return Verdict::Bot;
        }
        let ip = client_ip(headers, peer, &self.inner.trusted_proxies);
        let fingerprint = self.fingerprint(ip, user_agent, article_id);
        if self.inner.seen.first_sight(fingerprint, Instant::now()) { Verdict::Counted } else { Verdict::Repeat }
    }

    fn fingerprint(&self, ip: IpAddr, user_agent: &str, article_id: i64) -> u64 {
        let mut salt = self.inner.salt.lock().unwrap_or_else(PoisonError::into_inner);
        let day = today(self.inner.settings.get().timezone);
        if salt.day != day {
            *salt = DailySalt { day, key: Default::default() };
        }
        salt.key.hash_one((ip, user_agent, article_id))
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, HashMap<i64, i64>> {
        self.inner.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the views collected so far to the store in one transaction. If the write fails, the views go
    /// back into the counter for the next attempt, so a passing database error loses nothing.
    pub async fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        if self.lock_pending().is_empty() {
            return Ok(0);
        }
        // The views are taken once the writer is free, so that waiting for it (behind a save, say) does not
        // widen what a crash could lose beyond the views of the last interval.
        let writer = store.view_writer().await?;
        let batch: Vec<(i64, i64)> = std::mem::take(&mut *self.lock_pending()).into_iter().collect();
        if batch.is_empty() {
            return Ok(0);
        }
        match writer.write(&batch, today(self.inner.settings.get().timezone)).await {
            Ok(()) => {
                let views: i64 = batch.iter().map(|(_, views)| views).sum();
                self.inner.flushes.fetch_add(1, Ordering::Relaxed);
                self.inner.views_written.fetch_add(u64::try_from(views).unwrap_or(0), Ordering::Relaxed);
                Ok(batch.len())
            }
            Err(error) => {
                self.inner.failed_flushes.fetch_add(1, Ordering::Relaxed);
                let mut pending = self.lock_pending();
                for (id, views) in batch {
                    *pending.entry(id).or_insert(0) += views;
                }
                Err(error)
            }
        }
    }

    /// Flushes so far and views waiting to be written.
    pub fn stats(&self) -> FlushStats {
        let pending: i64 = self.lock_pending().values().sum();
        FlushStats {
            flushes: self.inner.flushes.load(Ordering::Relaxed),
            failed: self.inner.failed_flushes.load(Ordering::Relaxed),
            views_written: self.inner.views_written.load(Ordering::Relaxed),
            pending: u64::try_from(pending).unwrap_or(0),
        }
    }

    /// Flushes every [`FLUSH_INTERVAL`] until the returned handle is aborted.
    pub fn spawn_flusher(&self, store: Store) -> tokio::task::JoinHandle<()> {
        let counter = self.clone();
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(FLUSH_INTERVAL);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                if let Err(error) = counter.flush(&store).await {
                    store.note_unavailable(&error);
                    tracing::warn!(%error, "writing view counts failed; will retry");
                }
            }
        })
    }
}

/// Browsers announce speculative loads; those are not reads.
fn is_prefetch(headers: &HeaderMap) -> bool {
    // Names made once: looking a header up by a string parses the string on every call.
    const SPECULATION_HEADERS: [HeaderName; 4] = [
        HeaderName::from_static("sec-purpose"),
        HeaderName::from_static("purpose"),
        HeaderName::from_static("x-moz"),
        HeaderName::from_static("x-purpose"),
    ];
    SPECULATION_HEADERS.iter().any(|name| {
        headers.get(name).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("prefetch") || v.contains("preview") || v.contains("prerender")
        })
    })
}

fn today(zone: Tz) -> NaiveDate {
    Utc::now().with_timezone(&zone).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_is_remembered_for_one_window_and_forgotten_after_two() {
        let readers = RecentReaders::default();
        let start = Instant::now();
        assert!(readers.first_sight(7, start));
        assert!(!readers.first_sight(7, start + Duration::from_secs(60)), "a repeat");
        assert!(!readers.first_sight(7, start + REPEAT_WINDOW + Duration::from_secs(1)), "still within two windows");
        assert!(readers.first_sight(7, start + 3 * REPEAT_WINDOW), "forgotten after a long quiet spell");
        assert!(readers.first_sight(8, start + 3 * REPEAT_WINDOW), "another reader is new");
    }
    use axum::http::HeaderValue;

    const BROWSER: &str =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

    fn headers(user_agent: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(user_agent) {
            headers.insert(axum::http::header::USER_AGENT, value);
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn counts_a_reader_once_per_article() {
        let counter = ViewCounter::new(vec![], Arc::default());
        let get = Method::GET;
        assert_eq!(counter.record(1, &get, &headers(BROWSER), ip("203.0.113.5")), Verdict::Counted);
        assert_eq!(counter.record(1, &get, &headers(BROWSER), ip("203.0.113.5")), Verdict::Repeat);
        assert_eq!(counter.record(2, &get, &headers(BROWSER), ip("203.0.113.5")), Verdict::Counted, "other article");
        assert_eq!(counter.record(1, &get, &headers(BROWSER), ip("203.0.113.6")), Verdict::Counted, "other reader");
        assert_eq!(
            counter.record(1, &get, &headers("Firefox/1"), ip("203.0.113.5")),
            Verdict::Counted,
            "other browser"
        );
        assert_eq!(counter.lock_pending().get(&1), Some(&3));
    }

    #[test]
    fn bots_heads_and_prefetches_do_not_count() {
        let counter = ViewCounter::new(vec![], Arc::default());
        let peer = ip("203.0.113.5");
        for bot in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "facebookexternalhit/1.1",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
            "curl/8.5.0",
            "",
        ] {
            assert_eq!(counter.record(1, &Method::GET, &headers(bot), peer), Verdict::Bot, "{bot}");
        }
        assert_eq!(counter.record(1, &Method::HEAD, &headers(BROWSER), peer), Verdict::NotARead);
        for (name, value) in
            [("sec-purpose", "prefetch"), ("purpose", "prefetch"), ("sec-purpose", "prefetch;prerender")]
        {
            let mut prefetch = headers(BROWSER);
            prefetch.insert(name, HeaderValue::from_static(value));
            assert_eq!(counter.record(1, &Method::GET, &prefetch, peer), Verdict::Prefetch);
        }
        assert!(counter.lock_pending().is_empty());
    }
}
