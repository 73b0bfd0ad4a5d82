//! What every face (the public site, the back office, the API, the operators' endpoints) shares over HTTP:
//! the state handlers reach ([`AppState`]), the defensive headers and size limits, per-address rate limits,
//! the one answer to a database that cannot serve (503), request ids and the request metrics, and the way the
//! back office reaches the site's article page for previews.

mod metrics;
mod preview;
pub mod rate_limit;
pub mod security;
mod state;
pub mod unavailable;

pub use metrics::{Metrics, REQUEST_ID, RequestIds, measure, method_label, with_request_ids};
pub use preview::PreviewPages;
pub use rate_limit::RateLimits;
pub use state::{AppState, Shared};
