//! Request figures: the node's Prometheus registry, counted as requests finish, and the request id every
//! request and its log lines carry. The cache, view-flush, database and search figures are read from their
//! owners at each scrape, so that serving pays nothing for them.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::AppState;
use crate::cache::{KeptStats, PageCache};
use crate::search::SearchIndex;
use crate::store::Store;
use crate::views::ViewCounter;

/// The header carrying a request's id, taken from the proxy when it sends one, made here otherwise.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Labels of the request counter.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The standard methods by name, anything else as `OTHER`: no allocation per request, few series.
    method: &'static str,
    /// `2xx`, `3xx`, `4xx` or `5xx`: few series, and what an alert needs.
    status: &'static str,
}

/// The node's metrics registry and the figures counted as requests finish.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    /// The `GET 2xx` series, most requests', looked up once: the family's lookup takes a lock on every call.
    get_ok: Counter,
    latency: Histogram,
}

impl Metrics {
    /// A registry with the request metrics and a collector reading the other parts at each scrape.
    pub fn new(
        store: Store,
        cache: PageCache,
        views: ViewCounter,
        search: Arc<SearchIndex>,
        kept: Arc<KeptStats>,
    ) -> Metrics {
        let mut registry = Registry::with_prefix("newsroom");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by method and status class", requests.clone());
        // From 0.1 ms (a cached page) to about 6 s.
        let latency = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0001, 3.0, 11));
        registry.register("http_request_duration_seconds", "Time to answer a request", latency.clone());
        registry.register_collector(Box::new(Parts { store, cache, views, search, kept }));
        let get_ok = requests.get_or_create(&RequestLabels { method: "GET", status: "2xx" }).clone();
        Metrics { registry, requests, get_ok, latency }
    }

    /// Counts one answered request and its time.
    pub fn observe(&self, method: &'static str, status: StatusCode, seconds: f64) {
        let status = match status.as_u16() {
            0..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        if (method, status) == ("GET", "2xx") {
            self.get_ok.inc();
        } else {
            self.requests.get_or_create(&RequestLabels { method, status }).inc();
        }
        self.latency.observe(seconds);
    }

    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Reads the cache, view counter, database pool, change sequence and search index at each scrape.
#[derive(Debug)]
struct Parts {
    store: Store,
    cache: PageCache,
    views: ViewCounter,
    search: Arc<SearchIndex>,
    kept: Arc<KeptStats>,
}

fn counter(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: u64) -> Result<(), std::fmt::Error> {
    let metric = ConstCounter::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

fn gauge(encoder: &mut DescriptorEncoder, name: &str, help: &str, value: i64) -> Result<(), std::fmt::Error> {
    let metric = ConstGauge::new(value);
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

impl Collector for Parts {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let cache = self.cache.stats();
        counter(&mut encoder, "cache_hits", "Pages answered from the page cache", cache.hits)?;
        counter(&mut encoder, "cache_misses", "Page requests that found nothing cached", cache.misses)?;
        counter(
            &mut encoder,
            "cache_invalidations",
            "Times a content change emptied the page cache",
            cache.invalidations,
        )?;
        gauge(
            &mut encoder,
            "cache_entries",
            "Pages in the page cache",
            i64::try_from(cache.entries).unwrap_or(i64::MAX),
        )?;
        gauge(
            &mut encoder,
            "cache_bytes",
            "Bytes the page cache holds",
            i64::try_from(cache.bytes).unwrap_or(i64::MAX),
        )?;
        let served = self.kept.served.load(std::sync::atomic::Ordering::Relaxed);
        counter(&mut encoder, "kept_pages_served", "Page-cache misses answered from a kept article page", served)?;
        let written = self.kept.written.load(std::sync::atomic::Ordering::Relaxed);
        counter(&mut encoder, "kept_pages_written", "Rendered article pages written to be kept", written)?;
        let passes = self.kept.passes.load(std::sync::atomic::Ordering::Relaxed);
        counter(&mut encoder, "kept_page_passes", "Passes of the page keeper over every public article", passes)?;
        let views = self.views.stats();
        counter(&mut encoder, "view_flushes", "View-count writes to the database", views.flushes)?;
        counter(&mut encoder, "view_flush_failures", "View-count writes the database refused", views.failed)?;
        counter(&mut encoder, "views_written", "Views written to the database", views.views_written)?;
        gauge(
            &mut encoder,
            "views_pending",
            "Views counted, not yet written",
            i64::try_from(views.pending).unwrap_or(i64::MAX),
        )?;
        let (open, idle) = self.store.connection_stats();
        gauge(&mut encoder, "db_connections", "Database connections open", i64::from(open))?;
        gauge(&mut encoder, "db_connections_idle", "Database connections open and idle", i64::from(idle))?;
        gauge(&mut encoder, "db_change_seq", "The last change this node has seen", self.store.seen_change())?;
        gauge(&mut encoder, "search_ready", "1 once the search index is built", i64::from(self.search.is_ready()))?;
        Ok(())
    }
}

/// Hex digits of a request id's per-process prefix.
const PREFIX_DIGITS: usize = 12;

/// Request ids of this process: a random 48-bit prefix drawn at start and a counter, so ids from different
/// nodes and restarts practically never meet, without a random draw per request (a UUID costs a system call).
/// Clones share the counter.
#[derive(Debug, Clone)]
pub struct RequestIds {
    prefix: [u8; PREFIX_DIGITS],
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    /// A new prefix and a counter from zero.
    pub fn new() -> RequestIds {
        let mut prefix = [0; PREFIX_DIGITS];
        // Six random bytes make twelve hex digits, which always fit.
        let _ = hex::encode_to_slice(&rand::random::<u64>().to_be_bytes()[2..], &mut prefix);
        RequestIds { prefix, next: Arc::default() }
    }

    fn next_id(&self) -> Option<HeaderValue> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // `prefix-counter`, the counter in sixteen hex digits; made without the formatting machinery, which
        // showed in the profile of cached pages.
        let mut id = [b'-'; PREFIX_DIGITS + 1 + 16];
        id[..PREFIX_DIGITS].copy_from_slice(&self.prefix);
        hex::encode_to_slice(n.to_be_bytes(), &mut id[PREFIX_DIGITS + 1..]).ok()?;
        HeaderValue::from_bytes(&id).ok()
    }

    /// The id of a request with these headers: the proxy's, when it sent one, else the next of this node's.
    pub fn for_request(&self, headers: &axum::http::HeaderMap) -> Option<HeaderValue> {
        headers.get(REQUEST_ID).cloned().or_else(|| self.next_id())
    }
}

impl Default for RequestIds {
    fn default() -> RequestIds {
        RequestIds::new()
    }
}

impl tower_http::request_id::MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<tower_http::request_id::RequestId> {
        self.next_id().map(tower_http::request_id::RequestId::new)
    }
}

/// Gives every request an id (the proxy's `X-Request-Id`, or one of this node's), returns it in the response
/// and puts it on every log line written while the request is handled. The span carries the id alone (each
/// field costs formatting on every request); the method and path are logged at debug level as a request
/// starts.
pub fn with_request_ids(router: axum::Router, ids: RequestIds) -> axum::Router {
    use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
    let span = |request: &Request| {
        let id = request.headers().get(REQUEST_ID).and_then(|id| id.to_str().ok()).unwrap_or_default();
        tracing::info_span!("request", id)
    };
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(span).on_request(
            |request: &Request, _: &tracing::Span| {
                tracing::debug!(method = %request.method(), path = %request.uri().path(), "request");
            },
        ))
        .layer(SetRequestIdLayer::new(REQUEST_ID, ids))
}

/// Counts and times every request (the outermost layer of the router, so that it sees every answer; the page
/// cache, outside it, counts the pages it answers itself).
pub async fn measure(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let response = next.run(request).await;
    state.metrics.observe(method, response.status(), started.elapsed().as_secs_f64());
    response
}

/// The metrics label of `method`: the standard methods by name, anything else as `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "OTHER",
    }
}
