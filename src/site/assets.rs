//! Static files: the theme's fingerprinted assets (cached for a year) and the media directory.

use std::path::Path;

use axum::extract::State;
use axum::extract::rejection::PathRejection;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use super::SiteError;
use super::SiteState;

/// Fingerprinted URLs never change content, so browsers and proxies may keep them for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Media files may be replaced under the same name, so they are cached for a day.
const MEDIA_CACHE: &str = "public, max-age=86400";

/// Serves `/assets/{file}` from the loaded theme.
pub async fn theme_asset(
    State(state): State<SiteState>,
    file: Result<axum::extract::Path<String>, PathRejection>,
) -> Result<Response, SiteError> {
    let axum::extract::Path(file) = file.map_err(|_| SiteError::NotFound)?;
    let asset = state.theme.asset(&file).ok_or(SiteError::NotFound)?;
    let content_type = HeaderValue::from_str(&asset.content_type).map_err(|_| SiteError::NotFound)?;
    Ok((
        [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE))],
        asset.bytes.clone(),
    )
        .into_response())
}

/// Serves the media directory (lead images, avatars) with a day's caching.
pub fn media_service(dir: &Path) -> SetResponseHeader<ServeDir, HeaderValue> {
    SetResponseHeader::if_not_present(ServeDir::new(dir), header::CACHE_CONTROL, HeaderValue::from_static(MEDIA_CACHE))
}
