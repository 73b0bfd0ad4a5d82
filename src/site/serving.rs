//! How public pages reach readers: through the page cache, with conditional GET, compression and view
//! counting on every serve of an article, whether the page came from the cache or was rendered now.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::SiteState;
use crate::cache::{CachedPage, Encoding, UncachedResponse};
use crate::config::CountingMode;

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

/// Answers a request for a public page before any routing (the front door's fast paths): from the page
/// cache, or for an article page the cache does not hold, from the article's kept page. `None` leaves the
/// request to the router.
///
/// Outside the router the language prefix is still on the address, so the address as sent is the page's key:
/// [`serve_cached`] keys a page by its edition's prefix and the address without it, which puts the prefix
/// back. A kept page asked for again within a while is put in the cache; one read once is not, as reading its
/// kept page again costs little.
pub async fn answer_at_door(
    state: &SiteState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    peer: IpAddr,
) -> Option<Response> {
    if !is_page_request(method, uri.path()) {
        return None;
    }
    // Taken before the kept page is read: a change committed meanwhile moves the cache to a new generation.
    let key = state.cache.key(page_address(uri).to_owned());
    if let Some(page) = state.cache.get_hit(&key).await {
        return Some(serve_page(state, &page, method, headers, peer));
    }
    let (html, article) = super::article::kept_at(state, uri.path()).await?;
    let page = CachedPage::new(super::front_door_page_headers(), html.into(), Some(article));
    let page = state.cache.offer(key, page).await;
    Some(serve_page(state, &page, method, headers, peer))
}

/// Serves GET and HEAD requests for pages from the cache, rendering on a miss.
pub async fn serve_cached(State(state): State<SiteState>, request: Request, next: Next) -> Response {
    if !is_page_request(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let peer = peer_of(request.extensions());
    // Keyed by the address as the reader wrote it: `/zh/` and `/` are one route but two pages.
    let edition = request.extensions().get::<super::Edition>().map(|e| e.path("")).unwrap_or_default();
    let key = state.cache.key(format!("{edition}{}", page_address(request.uri())));
    if let Some(page) = state.cache.get(&key).await {
        return serve_page(&state, &page, &method, request.headers(), peer);
    }
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
