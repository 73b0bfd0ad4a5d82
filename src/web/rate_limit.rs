//! Per-address rate limits on what a flood from one address could exhaust: search (each query costs index
//! work, and the results page is never cached) and the API. Cached pages need none: serving them costs
//! almost nothing. The address is the reader's, as the view counter finds it (through trusted proxies).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::web::AppState;

/// What is limited, each with its own allowance per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `/search` and `/api/v1/search`: 10 a second, in bursts of up to 60.
    Search,
    /// `/api/…` (the admin API and its description): 50 a second, in bursts of up to 200.
    Api,
}

/// The allowances, one state per address.
#[derive(Debug)]
pub struct RateLimits {
    search: DefaultKeyedRateLimiter<IpAddr>,
    api: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(per_second: u32, burst: u32) -> Quota {
    let per_second = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(per_second).allow_burst(NonZeroU32::new(burst).unwrap_or(per_second))
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            search: DefaultKeyedRateLimiter::keyed(quota(10, 60)),
            api: DefaultKeyedRateLimiter::keyed(quota(50, 200)),
        }
    }
}

impl RateLimits {
    /// Takes one request from `address`'s allowance in `bucket`, or says how long until there is one.
    pub fn check(&self, bucket: Bucket, address: IpAddr) -> Result<(), Duration> {
        let limiter = match bucket {
            Bucket::Search => &self.search,
            Bucket::Api => &self.api,
        };
        limiter.check_key(&address).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets addresses whose allowance is full again, so the table holds only recent senders.
    pub fn forget_idle(&self) {
        for limiter in [&self.search, &self.api] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

async fn limited(state: &AppState, bucket: Bucket, request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip());
    let Some(peer) = peer else { return next.run(request).await };
    let address = crate::views::reader::client_ip(request.headers(), peer, &state.config.trusted_proxies);
    match state.rate_limits.check(bucket, address) {
        Ok(()) => next.run(request).await,
        Err(wait) => refused(bucket, wait),
    }
}

/// 429 with `Retry-After`, as JSON for the API and plain text for readers.
fn refused(bucket: Bucket, wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let message = format!("Too many requests from your address; try again in {seconds} s.");
    let mut response = match bucket {
        Bucket::Api => {
            let body = serde_json::json!({ "error": { "code": "rate_limited", "message": message } });
            (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
        }
        Bucket::Search => (StatusCode::TOO_MANY_REQUESTS, format!("{message}\n")).into_response(),
    };
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Middleware for search routes.
pub async fn limit_search(State(state): State<AppState>, request: Request, next: Next) -> Response {
    limited(&state, Bucket::Search, request, next).await
}

/// Middleware for API routes.
pub async fn limit_api(State(state): State<AppState>, request: Request, next: Next) -> Response {
    limited(&state, Bucket::Api, request, next).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_for_that_address_only() {
        let limits = RateLimits::default();
        let (flooder, other) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let allowed = (0..100).filter(|_| limits.check(Bucket::Search, flooder).is_ok()).count();
        assert!((60..=62).contains(&allowed), "the burst, and no more: {allowed}");
        assert!(limits.check(Bucket::Search, flooder).is_err_and(|wait| wait <= Duration::from_millis(100)));
        assert!(limits.check(Bucket::Search, other).is_ok(), "another address is not affected");
        assert!(limits.check(Bucket::Api, flooder).is_ok(), "each bucket has its own allowance");
    }
}
