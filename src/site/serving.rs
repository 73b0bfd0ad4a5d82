//! How public pages reach readers: through the page cache, one layer around the whole application with one
//! key per page, with conditional GET, compression and view counting on every serve of an article, whether the
//! page came from the cache, from its kept copy or was rendered now.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use std::convert::Infallible;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::Service;

use super::SiteState;
use crate::cache::{CachedPage, Encoding, PageKey, UncachedResponse};
use crate::config::CountingMode;
use crate::web::security::{add_strict_transport, head_refusal};
use crate::web::{REQUEST_ID, RequestIds, method_label};

/// Largest page the cache will buffer; a page beyond this is a bug, not content.
const MAX_PAGE_BYTES: usize = 16 * 1024 * 1024;

/// Marks an article page's response with the article shown, for view counting.
#[derive(Debug, Clone, Copy)]
pub struct ArticleShown(pub i64);

/// Paths that are pages (not files with their own caching, not probes, not search results, which follow the
/// index rather than the page cache's generations and whose queries are endless).
fn is_page(path: &str) -> bool {
    !(path.starts_with("/assets/")
        || path.starts_with("/media/")
        || path == "/healthz"
        || path.starts_with("/views/")
        || path == "/search"
        || path.starts_with("/api/"))
}

/// Whether a request may be answered from the page cache: a GET or HEAD of a page.
fn is_page_request(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::HEAD) && is_page(path)
}

/// The part of a request's address that names a page, its path and query: an absolute-form request
/// (`GET http://host/path`) names the same page as the origin-form one, and slicing it out costs no formatting.
fn page_address(uri: &Uri) -> &str {
    uri.path_and_query().map_or_else(|| uri.path(), |address| address.as_str())
}

/// The reader's address, as the server recorded it in the request's extensions.
pub fn peer_of(extensions: &axum::http::Extensions) -> IpAddr {
    extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// Puts the page cache around the application's whole router (site, back office and API), outermost. A GET or
/// HEAD of a public page is looked up here under the one key this layer derives (the address as sent, language
/// prefix included): a page the cache holds, or an article page that is kept rendered, is answered at once,
/// before the router's layers (trace span, request ids, head limits, metrics) cost anything, and is given here
/// what those layers would give it: its request id, HSTS on an https site, a count and time in the metrics.
/// Anything else goes to the router; a page carries its key there, and the site's [`render_and_cache`] renders
/// and caches it under that key.
///
/// It wraps the router whole, as a service, rather than as one of its layers: a router's layers run after it
/// has matched the route, which on a hit cost a fifth of the hot article's throughput.
pub fn with_page_cache(
    router: Router,
    state: SiteState,
    ids: RequestIds,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send> + Clone + Send + 'static {
    tower::Layer::layer(&axum::middleware::from_fn_with_state(Door { state, ids }, front), router)
}

/// What the outer layer holds: the site, and the request ids the router's own layer hands out.
#[derive(Clone)]
struct Door {
    state: SiteState,
    ids: RequestIds,
}

async fn front(State(door): State<Door>, mut request: Request, next: Next) -> Response {
    if !is_page_request(request.method(), request.uri().path()) || head_refusal(&request).is_some() {
        return next.run(request).await;
    }
    let started = Instant::now();
    let state = &door.state;
    // Taken before anything is read: a change committed meanwhile moves the cache to a new generation.
    let key = state.cache.key(page_address(request.uri()).to_owned());
    let page = match state.cache.get(&key).await {
        Some(page) => page,
        None => match super::article::kept_at(state, request.uri().path()).await {
            Some((html, article)) => {
                state.cache.offer(key, CachedPage::new(super::kept_page_headers(), html.into(), Some(article))).await
            }
            None => {
                request.extensions_mut().insert(key);
                return next.run(request).await;
            }
        },
    };
    let method = request.method();
    let mut response = serve_page(state, &page, method, request.headers(), peer_of(request.extensions()));
    let headers = response.headers_mut();
    if let Some(id) = door.ids.for_request(request.headers()) {
        headers.insert(REQUEST_ID, id);
    }
    add_strict_transport(state, headers);
    state.metrics.observe(method_label(method), response.status(), started.elapsed().as_secs_f64());
    response
}

/// Renders a page that [`with_page_cache`] found neither cached nor kept, under the key it derived, and caches
/// it; concurrent misses of one page share one render. Requests without a key (not pages) pass through.
pub async fn render_and_cache(State(state): State<SiteState>, request: Request, next: Next) -> Response {
    let Some(key) = request.extensions().get::<PageKey>().cloned() else { return next.run(request).await };
    let method = request.method().clone();
    let peer = peer_of(request.extensions());
    let (mut parts, body) = request.into_parts();
    let headers = parts.headers.clone();
    // Render as GET even for HEAD, so the cached body is the full page; the server drops it for HEAD.
    parts.method = Method::GET;
    let request = Request::from_parts(parts, body);
    match state.cache.get_or_render(key.clone(), render(request, next)).await {
        Ok(page) => serve_page(&state, &page, &method, &headers, peer),
        // The database cannot render it now: the page readers were getting is better than an error page.
        Err(uncached) if uncached.status == StatusCode::SERVICE_UNAVAILABLE => {
            match state.cache.last_good(&key).await {
                Some(page) => serve_page(&state, &page, &method, &headers, peer),
                None => rebuild(&uncached),
            }
        }
        Err(uncached) => rebuild(&uncached),
    }
}

/// Counts the view (article pages, server mode) and answers from the page.
fn serve_page(state: &SiteState, page: &CachedPage, method: &Method, headers: &HeaderMap, peer: IpAddr) -> Response {
    if let (Some(id), CountingMode::Server) = (page.article_id, state.config.views) {
        state.views.record(id, method, headers, peer);
    }
    respond(page, headers)
}

async fn render(request: Request, next: Next) -> Result<CachedPage, UncachedResponse> {
    let response = next.run(request).await;
    let article = response.extensions().get::<ArticleShown>().map(|shown| shown.0);
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "page body could not be read");
            return Err(UncachedResponse {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                headers: HeaderMap::new(),
                body: Default::default(),
            });
        }
    };
    if parts.status == StatusCode::OK {
        Ok(CachedPage::new(parts.headers, body, article))
    } else {
        Err(UncachedResponse { status: parts.status, headers: parts.headers, body })
    }
}

/// Answers from a cached page: 304 when the reader has this version, else the body in the best coding.
fn respond(page: &CachedPage, request: &HeaderMap) -> Response {
    let mut headers = page.headers.clone();
    if page.is_fresh_for(request) {
        headers.remove(header::CONTENT_TYPE);
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let (encoding, body) = page.body_for(Encoding::negotiate(request.get(header::ACCEPT_ENCODING)));
    if let Some(coding) = encoding.header() {
        headers.insert(header::CONTENT_ENCODING, coding);
    }
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = headers;
    response
}

fn rebuild(uncached: &UncachedResponse) -> Response {
    let mut response = Response::new(Body::from(uncached.body.clone()));
    *response.status_mut() = uncached.status;
    *response.headers_mut() = uncached.headers.clone();
    response
}
