//! The media library: upload images (type read from the content, size and pixel limits, resized copies), give
//! them alt text, caption and credit, and delete those no article uses.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde_json::json;

use super::{AdminError, Fields, Session, Submitted, page, require};
use crate::auth::Action;
use crate::media;
use crate::store::StoreError;
use crate::web::AppState;

async fn library(state: &AppState, session: &Session, error: &str, notice: &str) -> Result<Response, AdminError> {
    let images = state.store.library_images().await?;
    let can_delete = crate::auth::may(&session.user, Action::ManageTaxonomy, None);
    let max_mb = media::MAX_UPLOAD_BYTES / 1024 / 1024;
    let context =
        context! { images, error, notice, can_delete, max_mb, max_megapixels => media::MAX_PIXELS / 1_000_000 };
    let mut response = page(state, session, "media", "admin/media.html", context).await?;
    if !error.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /admin/media`.
pub async fn list(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::CreateArticle, None)?;
    library(&state, &session, "", "").await
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
            let media_dir = state.config.media_dir();
            for path in paths {
                // A file already gone is no reason to fail: the record is what counts.
                if let Err(error) = std::fs::remove_file(media_dir.join(&path)) {
                    tracing::warn!(%error, path, "removing a deleted image's file");
                }
            }
            Ok(Redirect::to("/admin/media").into_response())
        }
        Err(StoreError::Conflict(message)) => library(&state, &session, &format!("Not deleted: {message}."), "").await,
        Err(StoreError::Missing { .. }) => Err(AdminError::NotFound),
        Err(other) => Err(other.into()),
    }
}
