//! The front door: the service the server runs for every request. A public page that is in the page cache,
//! or an article page that is kept rendered, is answered here, before routing and before the router's
//! per-request layers (trace span, request-id layers, head limits, metrics middleware) cost anything; every
//! other request goes through the full router.
//!
//! What those layers give a response, the fast path gives it too: the request id, HSTS when the site is on
//! https, and a count and time in the metrics. Requests whose head breaks a limit always take the router,
//! which refuses them.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::response::Response;
use tower::{Service, ServiceExt};

use crate::site::SiteState;
use crate::web::{REQUEST_ID, RequestIds};

/// Answers cached pages itself and hands everything else to the router.
#[derive(Clone)]
pub struct FrontDoor(Arc<Parts>);

/// What the front door holds, shared by its clones (one per connection and request).
struct Parts {
    state: SiteState,
    router: Router,
    ids: RequestIds,
}

impl FrontDoor {
    /// The front door of `router`, which must have been built with the same `state` and `ids`.
    pub fn new(state: SiteState, router: Router, ids: RequestIds) -> FrontDoor {
        FrontDoor(Arc::new(Parts { state, router, ids }))
    }
}

impl Service<Request> for FrontDoor {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // The router is always ready; it is called through `oneshot`, which waits for it anyway.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let door = Arc::clone(&self.0);
        Box::pin(async move {
            let started = Instant::now();
            if crate::web::security::head_refusal(&request).is_none() {
                let (parts, body) = request.into_parts();
                let peer = crate::site::peer_of(&parts.extensions);
                let answer = crate::site::answer_at_door(&door.state, &parts.method, &parts.uri, &parts.headers, peer);
                if let Some(mut response) = answer.await {
                    let headers = response.headers_mut();
                    if let Some(id) = door.ids.for_request(&parts.headers) {
                        headers.insert(REQUEST_ID, id);
                    }
                    crate::web::security::add_strict_transport(&door.state, headers);
                    let method = crate::web::method_label(&parts.method);
                    door.state.metrics.observe(method, response.status(), started.elapsed().as_secs_f64());
                    return Ok(response);
                }
                return door.router.clone().oneshot(Request::from_parts(parts, body)).await;
            }
            door.router.clone().oneshot(request).await
        })
    }
}
