//! The public site: server-rendered pages for readers, one file per page kind.

mod article;
mod assets;
pub mod edition;
mod error;
mod feeds;
mod home;
pub mod kept;
mod listing;
mod preview;
mod recommend;
mod search;
mod serving;
mod state;
mod structured;
pub mod view;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

pub use edition::Edition;
pub use error::SiteError;
pub(crate) use listing::exists_only_with_articles;
pub use preview::pages as preview_pages;
pub use recommend::{PendingRecommendations, RECOMMEND_KEPT};
pub use serving::{peer_of, with_page_cache};
pub use state::{SiteShared, SiteState};

/// All public routes, with the error pages in the site's style.
pub fn router(state: SiteState) -> Router {
    let search_limit = axum::middleware::from_fn_with_state(state.app.clone(), crate::web::rate_limit::limit_search);
    let routes = Router::new()
        .route("/", get(home::page))
        .route("/healthz", get(|| async { "ok" }))
        .route("/assets/{file}", get(assets::theme_asset))
        .nest_service("/media", assets::media_service(&state.config.media_dir()))
        .route("/search", get(search::page).layer(search_limit.clone()))
        .route("/api/v1/search", get(search::api).layer(search_limit.clone()))
        .route("/robots.txt", get(feeds::robots))
        .route("/sitemap.xml", get(feeds::sitemap_index))
        .route("/sitemaps/{file}", get(feeds::sitemap_file))
        .route("/author/{slug}/{file}", get(feeds::author_feed))
        .route("/tag/{slug}/{file}", get(feeds::tag_feed))
        .route("/author/{slug}", get(listing::author))
        .route("/tag/{slug}", get(listing::tag))
        .route("/{section}", get(root_segment))
        .route("/{section}/", get(listing::section))
        .route("/{section}/{slug}", get(second_segment))
        .fallback(|| async { SiteError::NotFound })
        .route("/views/{id}", axum::routing::post(article::beacon))
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::render_error_pages));
    let site = crate::web::security::harden(routes)
        .layer(axum::middleware::from_fn_with_state(state.clone(), serving::render_and_cache))
        .with_state(state.clone());
    // The language prefix (`/zh/…`) comes off before routing, so that middleware wraps the router whole.
    let editions = tower::Layer::layer(&axum::middleware::from_fn_with_state(state.clone(), edition::route), site);
    // The search API is named here as well: the API's router answers every other `/api/` address itself.
    // Private previews are routed here too, outside the page cache's render: they are never cached.
    let outside = Router::new().route("/api/v1/search", get(search::api).layer(search_limit)).route(
        "/preview/{token}",
        get(preview::link).layer(axum::middleware::from_fn_with_state(state.clone(), error::render_error_pages)),
    );
    crate::web::security::harden(outside).with_state(state).fallback_service(editions)
}

/// The site's routes under `/api/` (the search API), for the API's OpenAPI document.
pub fn api_document() -> utoipa::openapi::OpenApi {
    #[derive(utoipa::OpenApi)]
    #[openapi(paths(search::api))]
    struct SearchApi;
    <SearchApi as utoipa::OpenApi>::openapi()
}

/// A single path segment: a site feed (`/feed.xml`, `/atom.xml`, `/feed.json`) or a section without its
/// trailing slash.
async fn root_segment(
    state: State<SiteState>,
    edition: Edition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path(segment) = path.map_err(|_| SiteError::NotFound)?;
    if feeds::Format::from_file(&segment).is_some() {
        return feeds::site_feed(state, edition, Ok(Path(segment))).await;
    }
    listing::section_without_slash(state, edition, Ok(Path(segment))).await
}

/// Two path segments: a section's feed (`/{section}/feed.xml`) or an article.
async fn second_segment(
    state: State<SiteState>,
    edition: Edition,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path((section, slug)) = path.map_err(|_| SiteError::NotFound)?;
    if let Some(format) = feeds::Format::from_file(&slug) {
        return feeds::section_feed(&state, &edition, &section, format).await;
    }
    match article::page(state.clone(), edition, Ok(Path((section.clone(), slug.clone())))).await {
        // An article whose address changed in the back office keeps answering at the old one.
        Err(SiteError::NotFound) => match state.store.redirect_target(&section, &slug, chrono::Utc::now()).await? {
            Some(target) => Ok(moved_to(&state, &target)),
            None => Err(SiteError::NotFound),
        },
        other => other,
    }
}

/// A permanent redirect to the article at `target` (section, slug, language), under its language's prefix.
pub(crate) fn moved_to(state: &SiteState, target: &(String, String, String)) -> Response {
    let (section, slug, language) = target;
    let location = edition::article_path(&state.site(), language, section, slug);
    (axum::http::StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response()
}

/// Renders `template` with `context` into an HTML response that caches briefly in browsers and proxies.
fn render(state: &SiteState, template: &str, context: impl Serialize) -> Result<Response, SiteError> {
    Ok(html_response(state.theme.render(template, context)?))
}

/// How long browsers and proxies may keep a page, and serve it stale while they fetch it again.
const PAGE_CACHE_CONTROL: &str = "public, max-age=5, stale-while-revalidate=60";

/// A page as an HTML response that caches briefly in browsers and proxies.
fn html_response(html: String) -> Response {
    let mut response = Html(html).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(PAGE_CACHE_CONTROL));
    response
}

/// The headers of a kept page answered before routing: those [`html_response`] and
/// [`crate::web::security::harden`] give a page the router renders.
fn kept_page_headers() -> axum::http::HeaderMap {
    static HEADERS: std::sync::OnceLock<axum::http::HeaderMap> = std::sync::OnceLock::new();
    HEADERS
        .get_or_init(|| {
            let mut headers = html_response(String::new()).into_parts().0.headers;
            headers.remove(header::CONTENT_LENGTH);
            crate::web::security::add_defensive_headers(&mut headers);
            headers
        })
        .clone()
}

/// The Latest block of one edition as shared by its article pages, with the newest articles it was made from.
#[derive(Debug)]
pub struct LatestBlock {
    /// The block's HTML.
    html: std::sync::Arc<str>,
    /// The newest articles, one more than the block shows.
    newest: Vec<crate::content::ArticleCard>,
}
