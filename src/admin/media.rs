//! The media library: upload images (type read from the content, size and pixel limits, resized copies), give
//! them alt text, caption and credit, set the focal point their crops are cut around, find them by their text,
//! see which articles use them, and delete those no article uses.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::json;

use super::{AdminError, Fields, Session, Submitted, page, require};
use crate::auth::Action;
use crate::media;
use crate::store::StoreError;
use crate::web::AppState;

/// The library's search and page, as the query string carries them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LibraryQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

/// A library image as the grid and its own page show it.
#[derive(Debug, serde::Serialize)]
struct ImageItem {
    #[serde(flatten)]
    image: crate::store::LibraryImage,
    /// The smallest copy, for the grid (the original when there is none).
    thumbnail: String,
    /// Articles leading with it.
    leads: Vec<crate::store::ImageUse>,
    /// Articles shared with it on social networks.
    shares: Vec<crate::store::ImageUse>,
    /// Articles showing it in their text.
    bodies: Vec<crate::store::ImageUse>,
    /// Its crops.
    cut: Vec<media::Crop>,
}

/// Adds to each image what the grid shows of it: a thumbnail and the articles using it.
async fn items(state: &AppState, images: Vec<crate::store::LibraryImage>) -> Result<Vec<ImageItem>, AdminError> {
    let ids: Vec<i64> = images.iter().map(|i| i.id).collect();
    let uses = state.store.image_uses(&ids).await?;
    Ok(images
        .into_iter()
        .map(|image| {
            let variants: Vec<media::Variant> = serde_json::from_str(&image.variants).unwrap_or_default();
            let smallest = variants.iter().filter(|v| v.mime != "image/webp").min_by_key(|v| v.width);
            let thumbnail = media::media_url(smallest.map_or(image.path.as_str(), |v| v.path.as_str()));
            let mine = |role: i64| -> Vec<_> {
                uses.iter().filter(|u| u.image_id == image.id && u.role == role).cloned().collect()
            };
            let (leads, shares, bodies) = (mine(2), mine(1), mine(0));
            let cut = serde_json::from_str(&image.crops).unwrap_or_default();
            ImageItem { image, thumbnail, leads, shares, bodies, cut }
        })
        .collect())
}

async fn library(state: &AppState, session: &Session, error: &str, notice: &str) -> Result<Response, AdminError> {
    library_page(state, session, &LibraryQuery::default(), error, notice).await
}

async fn library_page(
    state: &AppState,
    session: &Session,
    query: &LibraryQuery,
    error: &str,
    notice: &str,
) -> Result<Response, AdminError> {
    let page_number = query.page.parse::<i64>().ok().filter(|p| (1..=100_000).contains(p)).unwrap_or(1);
    let per_page = crate::store::LIBRARY_PAGE;
    // One more than a page tells whether there is a next one without counting the library.
    let mut images = state.store.search_library(&query.q, (page_number - 1) * per_page, per_page + 1).await?;
    let more = images.len() > per_page as usize;
    images.truncate(per_page as usize);
    let images = items(state, images).await?;
    let address = |page: i64| {
        let search = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", query.q.trim())
            .append_pair("page", &page.to_string())
            .finish();
        format!("/admin/media?{search}")
    };
    let previous = (page_number > 1).then(|| address(page_number - 1));
    let next = more.then(|| address(page_number + 1));
    let can_delete = crate::auth::may(&session.user, Action::ManageTaxonomy, None);
    let max_mb = media::MAX_UPLOAD_BYTES / 1024 / 1024;
    let context = context! {
        images, error, notice, can_delete, max_mb, max_megapixels => media::MAX_PIXELS / 1_000_000,
        q => query.q.trim(), previous, next, page => page_number,
    };
    shown(state, session, "admin/media.html", context, error).await
}

/// A page of the library's, answered 422 when it shows why a form was refused.
async fn shown(
    state: &AppState,
    session: &Session,
    template: &str,
    context: minijinja::Value,
    error: &str,
) -> Result<Response, AdminError> {
    let mut response = page(state, session, "media", template, context).await?;
    if !error.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /admin/media?q=…&page=…`: a page of the library, newest first, searched by its text when `q` is given.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<LibraryQuery>, QueryRejection>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::CreateArticle, None)?;
    let query = query.map(|q| q.0).unwrap_or_default();
    library_page(&state, &session, &query, "", "").await
}

/// One image's page: its texts, its focal point and crops, and where it is used.
async fn item_page(
    state: &AppState,
    session: &Session,
    id: i64,
    error: &str,
    notice: &str,
) -> Result<Response, AdminError> {
    let image = state.store.image(id).await?.ok_or(AdminError::NotFound)?;
    let Some(item) = items(state, vec![image]).await?.pop() else {
        return Err(AdminError::NotFound);
    };
    let can_delete = crate::auth::may(&session.user, Action::ManageTaxonomy, None);
    let stored_here = !media::is_elsewhere(&item.image.path);
    let context = context! { image => item, error, notice, can_delete, stored_here };
    shown(state, session, "admin/media_item.html", context, error).await
}

/// `GET /admin/media/{id}`.
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::CreateArticle, None)?;
    item_page(&state, &session, id, "", "").await
}

/// `POST /admin/media/{id}`: new alt text (required), caption and credit. Lead images read them from here, so
/// the change shows wherever the image leads an article.
pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: Submitted,
) -> Result<Response, AdminError> {
    require(&session.user, Action::CreateArticle, None)?;
    let text = image_text(&form.fields, "");
    if text.alt.is_empty() {
        let message = "Not saved: describe the image in its alt text, for readers who cannot see it.";
        return item_page(&state, &session, id, message, "").await;
    }
    match state.store.update_image_text(id, &text.alt, &text.caption, &text.credit).await {
        Ok(()) => item_page(&state, &session, id, "", "Saved.").await,
        Err(StoreError::Missing { .. }) => Err(AdminError::NotFound),
        Err(StoreError::Invalid(message)) => {
            item_page(&state, &session, id, &format!("Not saved: {message}."), "").await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/media/{id}/focus`: the focal point (`x` and `y`, fractions of the width and height from the
/// top left); the crops are cut again around it and the earlier ones' files removed.
pub async fn focus(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: Submitted,
) -> Result<Response, AdminError> {
    require(&session.user, Action::CreateArticle, None)?;
    let read = |name: &str| form.fields.get(name).trim().parse::<f64>().ok();
    let Some(point) = read("x").zip(read("y")).and_then(|(x, y)| media::FocalPoint::new(x, y)) else {
        let message = "Not saved: the focal point needs two numbers from 0 to 1 (across, then down).";
        return item_page(&state, &session, id, message, "").await;
    };
    let image = state.store.image(id).await?.ok_or(AdminError::NotFound)?;
    let media_dir = state.config.media_dir();
    let crops = match media::recrop(&media_dir, &image.path, point).await {
        Ok(crops) => crops,
        Err(media::MediaError::Io(error)) => return Err(AdminError::BadRequest(format!("cutting the crops: {error}"))),
        Err(refused) => return item_page(&state, &session, id, &format!("Not saved: {refused}."), "").await,
    };
    let json = serde_json::to_string(&crops).unwrap_or_else(|_| "[]".into());
    let old = match state.store.set_image_focus(id, point.x, point.y, &json).await {
        Ok(old) => old,
        Err(StoreError::Missing { .. }) => return Err(AdminError::NotFound),
        Err(other) => return Err(other.into()),
    };
    let kept: Vec<&str> = crops.iter().map(|c| c.path.as_str()).collect();
    remove_files(&media_dir, crate::store::crop_paths(&old).into_iter().filter(|p| !kept.contains(&p.as_str())));
    Ok(Redirect::to(&format!("/admin/media/{id}")).into_response())
}

/// Removes files of the library that are no longer recorded; one already gone is no reason to fail.
fn remove_files(media_dir: &std::path::Path, paths: impl IntoIterator<Item = String>) {
    for path in paths {
        if let Err(error) = std::fs::remove_file(media_dir.join(&path)) {
            tracing::warn!(%error, path, "removing a library file no longer used");
        }
    }
}

/// `POST /admin/media`: a multipart upload with `file`, `alt`, `caption` and `credit`.
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    mut form: Submitted,
) -> Result<Response, AdminError> {
    require(&session.user, Action::CreateArticle, None)?;
    let file = form.take_file("file").unwrap_or_default();
    let text = image_text(&form.fields, "");
    match media::add_to_library(&state.store, state.config.media_dir(), file, &text).await {
        Ok(_) => {}
        Err(media::LibraryError::Refused(message)) => {
            return library(&state, &session, &format!("Not uploaded: {message}."), "").await;
        }
        Err(media::LibraryError::TooLarge(message)) => {
            let mut page = library(&state, &session, &format!("Not uploaded: {message}."), "").await?;
            *page.status_mut() = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(page);
        }
        Err(media::LibraryError::Failed(message)) => return Err(AdminError::BadRequest(message)),
    }
    library(&state, &session, "", "Uploaded. Choose it as a lead image in the article editor.").await
}

/// `POST /admin/media/insert`: the editor's upload of an image dropped or pasted into the body (`file`, `alt`,
/// `caption`, `credit`), added to the library as any upload is. Answers JSON: the address to show it at (its
/// widest resized copy in the original's format, so that readers are not sent a camera's full picture) and its
/// texts, or `error` with the reason and a 4xx status.
pub async fn insert(State(state): State<AppState>, session: Session, mut form: Submitted) -> Response {
    let refused = |status: StatusCode, message: String| (status, Json(json!({ "error": message }))).into_response();
    if let Err(error) = require(&session.user, Action::CreateArticle, None) {
        return refused(StatusCode::FORBIDDEN, error.to_string());
    }
    let file = form.take_file("file").unwrap_or_default();
    let text = image_text(&form.fields, "");
    let id = match media::add_to_library(&state.store, state.config.media_dir(), file, &text).await {
        Ok(id) => id,
        Err(media::LibraryError::Refused(message)) => return refused(StatusCode::UNPROCESSABLE_ENTITY, message),
        Err(media::LibraryError::TooLarge(message)) => return refused(StatusCode::PAYLOAD_TOO_LARGE, message),
        Err(media::LibraryError::Failed(message)) => return refused(StatusCode::INTERNAL_SERVER_ERROR, message),
    };
    let image = match state.store.image(id).await {
        Ok(Some(image)) => image,
        Ok(None) => return refused(StatusCode::INTERNAL_SERVER_ERROR, "the image was not stored".into()),
        Err(error) => return refused(StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
    };
    let variants: Vec<media::Variant> = serde_json::from_str(&image.variants).unwrap_or_default();
    let shown = variants.iter().filter(|v| v.mime != "image/webp").max_by_key(|v| v.width);
    let (path, width) = shown.map_or((image.path.as_str(), image.width), |v| (v.path.as_str(), i64::from(v.width)));
    let height = if image.width > 0 { image.height * width / image.width } else { image.height };
    Json(json!({
        "id": id,
        "src": media::media_url(path),
        "width": width,
        "height": height,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
    }))
    .into_response()
}

/// The alt text, caption and credit sent with an upload, as fields named `{prefix}alt`, `{prefix}caption` and
/// `{prefix}credit`, each cut to 1,000 characters.
pub(super) fn image_text(fields: &Fields, prefix: &str) -> media::ImageText {
    let read = |name: &str| fields.get(&format!("{prefix}{name}")).trim().chars().take(1000).collect::<String>();
    media::ImageText { alt: read("alt"), caption: read("caption"), credit: read("credit") }
}

/// `POST /admin/media/{id}/delete`: refused while an article uses the image.
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    match state.store.delete_library_image(id).await {
        Ok(paths) => {
            remove_files(&state.config.media_dir(), paths);
            Ok(Redirect::to("/admin/media").into_response())
        }
        Err(StoreError::Conflict(message)) => {
            let mut page = library(&state, &session, &format!("Not deleted: {message}."), "").await?;
            *page.status_mut() = StatusCode::CONFLICT;
            Ok(page)
        }
        Err(StoreError::Missing { .. }) => Err(AdminError::NotFound),
        Err(other) => Err(other.into()),
    }
}
