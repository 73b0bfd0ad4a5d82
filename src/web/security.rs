//! Defensive response headers on everything the public site serves, and a small request body limit (readers
//! only ever send view beacons). The headers are added inside the page cache, so cached pages carry them at
//! no cost per request.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::settings::SiteSettings;

/// Scripts, styles and fonts only from the site itself, never inline; images also from data: URIs (the icon)
/// and https (an import not given the old site's files keeps featured images at their old addresses; bodies
/// never name another site's images); no plugins, no framing, no foreign form targets.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: https:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

/// The largest request body a reader may send.
const MAX_BODY_BYTES: usize = 16 * 1024;

const HEADERS: [(HeaderName, &str); 6] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
];

/// Wraps `router` with the defensive headers and the body limit.
pub fn harden<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    with_headers(router).layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
}

/// Refuses request bodies over `max_bytes` with 413, answered by `refuse(max_bytes)`: tower-http's own refusal
/// is bare text, which neither the API's JSON clients nor an editor in the back office can use.
pub fn limit_body<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    max_bytes: usize,
    refuse: fn(usize) -> axum::response::Response,
) -> Router<S> {
    router.layer(RequestBodyLimitLayer::new(max_bytes)).layer(axum::middleware::map_response(
        move |response: axum::response::Response| async move {
            let bare =
                response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/plain"));
            if response.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE && bare {
                refuse(max_bytes)
            } else {
                response
            }
        },
    ))
}

/// Adds the defensive headers to `headers`, for a page answered without the router.
pub fn add_defensive_headers(headers: &mut axum::http::HeaderMap) {
    for (name, value) in HEADERS {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
}

/// Wraps `router` with the defensive headers only (the back office sets its own body limit).
pub fn with_headers<S: Clone + Send + Sync + 'static>(mut router: Router<S>) -> Router<S> {
    for (name, value) in HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router
}

/// HTTP Strict Transport Security for a year, sent when the site's public address is https: a browser that has
/// seen it once never again tries the site over plain HTTP, where a network attacker could strip TLS.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Adds [`STRICT_TRANSPORT_SECURITY`] to every response while the base URL (a setting that can change at run
/// time) is https.
pub async fn strict_transport(
    axum::extract::State(state): axum::extract::State<crate::web::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    add_strict_transport(&state, response.headers_mut());
    response
}

/// Adds [`STRICT_TRANSPORT_SECURITY`] to `headers` while the site's base URL is https.
pub fn add_strict_transport(state: &crate::web::AppState, headers: &mut axum::http::HeaderMap) {
    if state.settings.with(SiteSettings::is_https) {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
}

/// The longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// The most header bytes (names and values) a request may carry.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses a request whose address or headers are larger than any browser or feed reader sends (414 and 431),
/// before any handler, cache lookup or log line spends work on it.
pub async fn limit_request_head(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    match head_refusal(&request) {
        Some(HeadRefusal::Address) => (StatusCode::URI_TOO_LONG, "The address is too long.\n").into_response(),
        Some(HeadRefusal::Headers) => {
            (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are too large.\n").into_response()
        }
        None => next.run(request).await,
    }
}

/// Which limit of the request head a request breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadRefusal {
    /// The address is longer than [`MAX_URI_BYTES`].
    Address,
    /// The headers are larger than [`MAX_HEADER_BYTES`].
    Headers,
}

/// Whether `request`'s head breaks a limit, and which.
pub fn head_refusal<B>(request: &axum::http::Request<B>) -> Option<HeadRefusal> {
    let uri_bytes = request.uri().path_and_query().map_or(0, |target| target.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return Some(HeadRefusal::Address);
    }
    let header_bytes: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    (header_bytes > MAX_HEADER_BYTES).then_some(HeadRefusal::Headers)
}
