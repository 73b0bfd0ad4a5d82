//! The public site: server-rendered pages for readers, one file per page kind.

mod article;
mod assets;
mod error;
pub mod format;
mod home;
mod listing;
mod serving;
pub mod view;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use crate::app::AppState;
pub use error::SiteError;

/// All public routes, with the error pages in the site's style.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::page))
        .route("/healthz", get(|| async { "ok" }))
        .route("/assets/{file}", get(assets::theme_asset))
        .nest_service("/media", assets::media_service(&state.config.media_dir()))
        .route("/author/{slug}", get(listing::author))
        .route("/tag/{slug}", get(listing::tag))
        .route("/{section}", get(listing::section_without_slash))
        .route("/{section}/", get(listing::section))
        .route("/{section}/{slug}", get(article::page))
        .fallback(|| async { SiteError::NotFound })
        .route("/views/{id}", axum::routing::post(article::beacon))
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::render_error_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), serving::serve_cached))
        .with_state(state)
}

/// Renders `template` with `context` into an HTML response that caches briefly in browsers and proxies.
fn render(state: &AppState, template: &str, context: impl Serialize) -> Result<Response, SiteError> {
    let html = state.theme.render(template, context)?;
    let mut response = Html(html).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=5, stale-while-revalidate=60"));
    Ok(response)
}
