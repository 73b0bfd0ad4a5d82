//! `/api/admin/…`: articles (list, read, create, update, publish, unpublish, delete) and the sections, tags
//! and authors they refer to. Every write goes through [`crate::editorial`], the back office's own path,
//! so the role rules, checks, revisions and change records are the same.

use axum::Json;
use axum::Router;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiError, ApiUser};
use crate::auth::{Action, may};
use crate::content::ArticleStatus;
use crate::editorial::{ArticleDraft, SaveError};
use crate::store::{AdminFilter, EditableArticle};
use crate::web::AppState;

/// The largest page of articles a list returns.
const MAX_LIMIT: i64 = 100;

/// The admin API's routes (state still to be given).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/admin/sections", get(sections))
        .route("/api/admin/tags", get(tags))
        .route("/api/admin/authors", get(authors))
        .route("/api/admin/articles", get(list).post(create))
        .route("/api/admin/articles/{id}", get(read).put(update).delete(delete))
        .route("/api/admin/articles/{id}/publish", post(publish))
        .route("/api/admin/articles/{id}/unpublish", post(unpublish))
        .route("/api/admin/articles/{id}/style", get(article_style))
        .route("/api/admin/style-check", post(style_check))
        .route("/api/admin/glossary", get(glossary))
}

/// The media library's route, which takes uploads and so a larger body than the others.
pub fn media_routes() -> Router<AppState> {
    Router::new().route(
        "/api/admin/media",
        get(media).post(upload).layer(axum::extract::DefaultBodyLimit::max(crate::media::MAX_UPLOAD_REQUEST_BYTES)),
    )
}

fn body<T>(payload: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    payload.map(|Json(value)| value).map_err(|rejection| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("the body is not the expected JSON: {rejection}"))
    })
}

fn id(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    path.map(|Path(id)| id).map_err(|_| ApiError::not_found())
}

/// An article as the API shows it: its fields and its `version`.
#[derive(Serialize)]
struct Versioned<'a> {
    #[serde(flatten)]
    article: &'a EditableArticle,
    /// The article's `modified_at`, which every save moves forward: the one notion of version that the
    /// editor's form also sends back to detect a conflicting save.
    version: i64,
}

/// The ETag of an article at `version` (a strong one: any change to the article is a new save).
fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// Whether an `If-Match` header lets a write to the article at `version` go ahead: it names that version's
/// ETag or is `*`. Weak tags never match (If-Match compares strongly).
fn if_match_passes(header: &HeaderValue, version: i64) -> bool {
    let ours = etag(version);
    header.to_str().is_ok_and(|tags| tags.split(',').map(str::trim).any(|tag| tag == "*" || tag == ours))
}

async fn article_json(state: &AppState, id: i64) -> Result<Response, ApiError> {
    let article = state.store.editable_article(id).await?.ok_or_else(ApiError::not_found)?;
    let version = article.modified_at;
    let mut response = Json(json!({ "article": Versioned { article: &article, version } })).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

async fn sections(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(json!({ "sections": state.store.sections().await? })).into_response())
}

async fn tags(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(json!({ "tags": state.store.all_tags().await? })).into_response())
}

async fn authors(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(json!({ "authors": state.store.all_authors().await? })).into_response())
}

/// Text to check against the style guide.
#[derive(Debug, Default, Deserialize)]
struct StyleCheck {
    #[serde(default)]
    headline: String,
    #[serde(default)]
    standfirst: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    language: Option<String>,
}

/// The findings in `text`, and the text with every suggestion applied.
async fn style_json(state: &AppState, language: &str, text: &StyleCheck) -> Result<Response, ApiError> {
    let glossary = crate::styleguide::load(&state.store).await?;
    let findings = crate::styleguide::check_article(&glossary, language, &text.headline, &text.standfirst, &text.body);
    let corrected =
        |field: &str, value: &str| crate::styleguide::apply(value, findings.iter().filter(|f| f.field == field));
    let corrected = json!({
        "headline": corrected("headline", &text.headline),
        "standfirst": corrected("standfirst", &text.standfirst),
        "body": corrected("body", &text.body),
    });
    Ok(Json(json!({ "language": language, "findings": findings, "corrected": corrected })).into_response())
}

/// `POST /api/admin/style-check`: checks text that is not saved yet.
async fn style_check(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<StyleCheck>, JsonRejection>,
) -> Result<Response, ApiError> {
    if !may(&user, Action::CreateArticle, None) {
        return Err(SaveError::Forbidden.into());
    }
    let text = body(payload)?;
    let language = text.language.clone().unwrap_or_else(|| "en".to_owned());
    style_json(&state, &language, &text).await
}

/// `GET /api/admin/articles/{id}/style`: checks a saved article in its language.
async fn article_style(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    let article = state.desk().load_for(&user, id(path)?, Action::ViewArticle).await?;
    let text =
        StyleCheck { headline: article.headline, standfirst: article.standfirst, body: article.body, language: None };
    style_json(&state, &article.language, &text).await
}

/// `GET /api/admin/glossary`: the style guide's entries.
async fn glossary(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(json!({ "glossary": state.store.glossary().await? })).into_response())
}

/// Paging of the article list.
#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    query: Result<axum::extract::Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let query = query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.to_string()))?.0;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some(text) => Some(ArticleStatus::parse(text).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("unknown status {text:?}"))
        })?),
    };
    let filter = AdminFilter {
        status,
        owner: (!may(&user, Action::SeeAllArticles, None)).then_some(user.id),
        limit: query.limit.unwrap_or(20).clamp(1, MAX_LIMIT),
        offset: query.offset.unwrap_or(0).max(0),
        ..AdminFilter::default()
    };
    let (articles, total) = state.store.admin_articles(&filter).await?;
    Ok(Json(json!({ "articles": articles, "total": total })).into_response())
}

async fn read(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = id(path)?;
    state.desk().load_for(&user, id, Action::ViewArticle).await?;
    article_json(&state, id).await
}

async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<ArticleDraft>, JsonRejection>,
) -> Result<Response, ApiError> {
    let draft = body(payload)?;
    let (id, _) = state.desk().save(&user, None, &draft, None).await?;
    let mut response = article_json(&state, id).await?;
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// An update: the whole article, and optionally the `version` the client started from (`modified_at`, its
/// older name, is read too).
#[derive(Debug, Deserialize)]
struct Update {
    #[serde(flatten)]
    draft: ArticleDraft,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    modified_at: Option<i64>,
}

/// The answer to an `If-Match` that names another version than the article's current one.
fn precondition_failed(current: i64) -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "precondition_failed",
        format!(
            "the article was saved after the version your If-Match names (it is now {}); GET it again and \
             apply your change to that",
            etag(current)
        ),
    )
}

/// `PUT /api/admin/articles/{id}`. With `If-Match` (412 when it names an older version) or a `version` in the
/// body (409), a save made meanwhile by someone else is never overwritten; without either, the update applies
/// to whatever is current.
async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
    payload: Result<Json<Update>, JsonRejection>,
) -> Result<Response, ApiError> {
    let id = id(path)?;
    let update = body(payload)?;
    let current = state.desk().load_for(&user, id, Action::EditArticle).await?;
    let if_match = headers.get(header::IF_MATCH);
    if if_match.is_some_and(|tags| !if_match_passes(tags, current.modified_at)) {
        return Err(precondition_failed(current.modified_at));
    }
    let sent = update.version.or(update.modified_at);
    // An If-Match that passed holds until the save commits: the store refuses it if someone saved since.
    let pinned = if_match.filter(|tags| tags.to_str().is_ok_and(|t| t.trim() != "*")).map(|_| current.modified_at);
    match state.desk().save(&user, Some(&current), &update.draft, sent.or(pinned)).await {
        Err(SaveError::Stale) if sent.is_none() => return Err(precondition_failed(current.modified_at)),
        other => other?,
    };
    article_json(&state, id).await
}

async fn set_status(
    state: &AppState,
    user: &crate::auth::User,
    id: i64,
    status: ArticleStatus,
) -> Result<Response, ApiError> {
    state.desk().set_status(user, id, status).await?;
    article_json(state, id).await
}

async fn publish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    set_status(&state, &user, id(path)?, ArticleStatus::Published).await
}

async fn unpublish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    set_status(&state, &user, id(path)?, ArticleStatus::Unpublished).await
}

async fn delete(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    state.desk().delete(&user, id(path)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn media(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Response, ApiError> {
    Ok(Json(json!({ "images": state.store.library_images().await? })).into_response())
}

/// `POST /api/admin/media`: a multipart upload with `file`, `alt` (required), `caption` and `credit`.
async fn upload(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, ApiError> {
    // A body cut off at the limit (sent without a length, so refused while read) is too large, not malformed.
    let bad = |error: axum::extract::multipart::MultipartError| match error.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(crate::media::MAX_UPLOAD_REQUEST_BYTES),
        _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", error.body_text()),
    };
    if !may(&user, Action::CreateArticle, None) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "your role does not allow this"));
    }
    let mut form = multipart.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", e.body_text()))?;
    let (mut file, mut alt, mut caption, mut credit) = (Vec::new(), String::new(), String::new(), String::new());
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "file" => file = field.bytes().await.map_err(bad)?.into(),
            "alt" => alt = field.text().await.map_err(bad)?,
            "caption" => caption = field.text().await.map_err(bad)?,
            "credit" => credit = field.text().await.map_err(bad)?,
            _ => {}
        }
    }
    let text = crate::media::ImageText { alt, caption, credit };
    let id =
        crate::media::add_to_library(&state.store, state.config.media_dir(), file, &text).await.map_err(
            |e| match e {
                crate::media::LibraryError::Refused(message) => {
                    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
                }
                crate::media::LibraryError::TooLarge(message) => {
                    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
                }
                crate::media::LibraryError::Failed(message) => {
                    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
                }
            },
        )?;
    let stored = state.store.image(id).await?.ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(json!({ "image": stored }))).into_response())
}
