//! View counting: exact counts of readers without cookies or stored personal data.
//!
//! A view is an increment in memory; a background task writes the collected counts to the store in one
//! transaction every second (and once more at shutdown), so a crash loses at most the last second of views and
//! never content. A repeat by the same reader of the same article within 30 minutes does not count: the reader is
//! recognised by a keyed hash of client address, User-Agent and article, whose key is random, lives only in
//! memory and changes every day, so no one (not even the operator) can turn the hash back into a person.

pub(crate) mod reader;

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::http::{HeaderMap, Method};
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
/// Readers remembered at once for the repeat rule; beyond this the oldest are forgotten first.
const MAX_REMEMBERED: u64 = 4_000_000;

/// How views reach the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CountingMode {
    /// The server counts article pages as it serves them.
    #[default]
    Server,
    /// Pages carry a small script that reports the view to `/views/{id}`: for sites behind a CDN, where the
    /// server never sees most page requests.
    Beacon,
}

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
    seen: moka::sync::Cache<u64, ()>,
    salt: Mutex<DailySalt>,
    bots: isbot::Bots,
    trusted_proxies: Vec<IpNet>,
    /// Views are dated in the site's time zone, which the back office may change while the server runs.
    settings: Arc<LiveSettings>,
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
        let seen = moka::sync::Cache::builder().max_capacity(MAX_REMEMBERED).time_to_live(REPEAT_WINDOW).build();
        ViewCounter {
            inner: Arc::new(Inner {
                pending: Mutex::new(HashMap::new()),
                seen,
                salt: Mutex::new(DailySalt { day: today(settings.get().timezone), key: Default::default() }),
                bots: isbot::Bots::default(),
                trusted_proxies,
                settings,
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
        if self.inner.seen.entry(fingerprint).or_insert(()).is_fresh() { Verdict::Counted } else { Verdict::Repeat }
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
        let batch: Vec<(i64, i64)> = std::mem::take(&mut *self.lock_pending()).into_iter().collect();
        if batch.is_empty() {
            return Ok(0);
        }
        match store.add_views(&batch, today(self.inner.settings.get().timezone)).await {
            Ok(()) => Ok(batch.len()),
            Err(error) => {
                let mut pending = self.lock_pending();
                for (id, views) in batch {
                    *pending.entry(id).or_insert(0) += views;
                }
                Err(error)
            }
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
                    tracing::warn!(%error, "writing view counts failed; will retry");
                }
            }
        })
    }
}

/// Browsers announce speculative loads; those are not reads.
fn is_prefetch(headers: &HeaderMap) -> bool {
    ["sec-purpose", "purpose", "x-moz", "x-purpose"].iter().any(|name| {
        headers.get(*name).and_then(|v| v.to_str().ok()).is_some_and(|v| {
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
