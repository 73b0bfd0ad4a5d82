//! What operators watch: `/healthz` (the process answers, answered by the public site), `/readyz` (the node
//! can serve: database reachable, search index built) and `/metrics` (Prometheus text format, counted in
//! [`crate::web::Metrics`]).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::web::AppState;

/// `/readyz` and `/metrics` (`/healthz` is the public site's, answered before anything else is ready).
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/readyz", axum::routing::get(readyz))
        .route("/metrics", axum::routing::get(metrics))
        .with_state(state)
}

/// `GET /metrics`: the node's figures in Prometheus text format, for the addresses the configuration allows
/// (the node itself by default); 404 for everyone else, as if there were nothing here. The address is the
/// client's, read through trusted proxies as for views: behind a proxy on the same machine, every request's
/// peer is the node itself.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
) -> Response {
    let client = crate::views::client_ip(&headers, peer.ip(), &state.config.trusted_proxies).to_canonical();
    if !state.config.metrics_from.iter().any(|allowed| allowed.contains(&client)) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state.metrics.render() {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `GET /readyz`: 200 when the database answers, takes writes (when writes failed lately) and the search index
/// is built, else 503 with the reason, so that a load balancer sends readers elsewhere until the node can serve
/// them.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(reason) = state.store.readiness().await {
        tracing::warn!(%reason, "not ready");
        return (StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n")).into_response();
    }
    if !state.search.is_ready() {
        return (StatusCode::SERVICE_UNAVAILABLE, "search index still building\n").into_response();
    }
    (StatusCode::OK, "ready\n").into_response()
}
