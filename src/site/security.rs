//! Defensive response headers on everything the public site serves, and a small request body limit (readers
//! only ever send view beacons). The headers are added inside the page cache, so cached pages carry them at
//! no cost per request.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Scripts, styles and fonts only from the site itself, never inline; images also from data: URIs (the icon)
/// and https (imported articles may keep their images where they were); no plugins, no framing, no foreign
/// form targets.
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

/// Wraps `router` with the defensive headers only (the back office sets its own body limit).
pub fn with_headers<S: Clone + Send + Sync + 'static>(mut router: Router<S>) -> Router<S> {
    for (name, value) in HEADERS {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router
}
