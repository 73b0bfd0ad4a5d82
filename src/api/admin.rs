//! `/api/admin/…`: articles (list, read, create, update, publish, unpublish, delete) and the sections, tags
//! and authors they refer to. Every write goes through [`crate::editorial`], the back office's own path,
//! so the role rules, checks, revisions and change records are the same.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, ApiUser, ErrorBody};
use crate::auth::{Action, may};
use crate::content::{ArticleStatus, Author, Section, Tag};
use crate::editorial::{ArticleDraft, SaveError};
use crate::store::{AdminFilter, AdminListItem, EditableArticle, GlossaryTerm, LibraryImage};
use crate::styleguide::Finding;
use crate::web::AppState;

/// The largest page of articles a list returns.
const MAX_LIMIT: i64 = 100;

/// The admin API's routes, each registered with its description in the OpenAPI document (state still to be
/// given).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sections))
        .routes(routes!(tags))
        .routes(routes!(authors))
        .routes(routes!(list, create))
        .routes(routes!(read, update, delete))
        .routes(routes!(publish))
        .routes(routes!(unpublish))
        .routes(routes!(article_style))
        .routes(routes!(style_check))
        .routes(routes!(glossary))
}

/// The media library's routes, which take uploads and so a larger body than the others.
pub fn media_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(media, upload))
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
#[derive(Serialize, ToSchema)]
struct Versioned {
    #[serde(flatten)]
    article: EditableArticle,
    /// The article's `modified_at`, which every save moves forward: the one notion of version that the
    /// editor's form also sends back to detect a conflicting save. Also sent as the ETag; send it back as
    /// If-Match or `version` when updating.
    version: i64,
}

/// One article.
#[derive(Serialize, ToSchema)]
struct ArticleBody {
    article: Versioned,
}

/// Every section.
#[derive(Serialize, ToSchema)]
struct Sections {
    sections: Vec<Section>,
}

/// Every tag.
#[derive(Serialize, ToSchema)]
struct Tags {
    tags: Vec<Tag>,
}

/// Every author profile.
#[derive(Serialize, ToSchema)]
struct Authors {
    authors: Vec<Author>,
}

/// The style guide's entries.
#[derive(Serialize, ToSchema)]
struct Glossary {
    glossary: Vec<GlossaryTerm>,
}

/// A page of articles and how many there are in all.
#[derive(Serialize, ToSchema)]
struct ArticlePage {
    articles: Vec<AdminListItem>,
    total: i64,
}

/// The media library, newest first.
#[derive(Serialize, ToSchema)]
struct Images {
    images: Vec<LibraryImage>,
}

/// One image of the library.
#[derive(Serialize, ToSchema)]
struct ImageBody {
    image: LibraryImage,
}

/// What the style guide found, and the text with every suggestion applied.
#[derive(Serialize, ToSchema)]
struct StyleReport {
    language: String,
    findings: Vec<Finding>,
    corrected: Corrected,
}

/// The text with every suggestion applied.
#[derive(Serialize, ToSchema)]
struct Corrected {
    headline: String,
    standfirst: String,
    body: String,
}

/// An upload (read field by field from the multipart body; described here).
#[derive(ToSchema)]
#[allow(dead_code)] // read by the OpenAPI document only
struct Upload {
    /// The image: JPEG, PNG, WebP or GIF, up to 10 MB and 40 megapixels.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Text alternative (required).
    alt: String,
    caption: Option<String>,
    credit: Option<String>,
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
    let mut response = Json(ArticleBody { article: Versioned { article, version } }).into_response();
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

/// All sections.
#[utoipa::path(get, path = "/api/admin/sections", responses((status = 200, body = Sections)))]
async fn sections(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Sections>, ApiError> {
    Ok(Json(Sections { sections: state.store.sections().await? }))
}

/// All tags.
#[utoipa::path(get, path = "/api/admin/tags", responses((status = 200, body = Tags)))]
async fn tags(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Tags>, ApiError> {
    Ok(Json(Tags { tags: state.store.all_tags().await? }))
}

/// All author profiles.
#[utoipa::path(get, path = "/api/admin/authors", responses((status = 200, body = Authors)))]
async fn authors(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Authors>, ApiError> {
    Ok(Json(Authors { authors: state.store.all_authors().await? }))
}

/// Text to check against the style guide.
#[derive(Debug, Default, Deserialize, ToSchema)]
struct StyleCheck {
    #[serde(default)]
    headline: String,
    #[serde(default)]
    standfirst: String,
    /// Markdown.
    #[serde(default)]
    body: String,
    /// Language tag; `en` when left out.
    #[serde(default)]
    language: Option<String>,
}

/// The findings in `text`, and the text with every suggestion applied.
async fn style_json(state: &AppState, language: &str, text: &StyleCheck) -> Result<Response, ApiError> {
    let glossary = crate::styleguide::load(&state.store).await?;
    let findings = crate::styleguide::check_article(&glossary, language, &text.headline, &text.standfirst, &text.body);
    let corrected =
        |field: &str, value: &str| crate::styleguide::apply(value, findings.iter().filter(|f| f.field == field));
    let corrected = Corrected {
        headline: corrected("headline", &text.headline),
        standfirst: corrected("standfirst", &text.standfirst),
        body: corrected("body", &text.body),
    };
    Ok(Json(StyleReport { language: language.to_owned(), findings, corrected }).into_response())
}

/// Check text against the style guide before saving it.
#[utoipa::path(post, path = "/api/admin/style-check", request_body = StyleCheck, responses(
    (status = 200, description = "The findings, and the text with every suggestion applied", body = StyleReport),
    (status = 400, description = "Not the expected JSON", body = ErrorBody),
    (status = 403, description = "The role does not allow it", body = ErrorBody),
))]
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

/// The style guide's findings in a saved article, in its language.
#[utoipa::path(get, path = "/api/admin/articles/{id}/style", params(Id), responses(
    (status = 200, description = "The findings, and the text with every suggestion applied", body = StyleReport),
    (status = 404, description = "No such article", body = ErrorBody),
))]
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

/// The style guide's entries.
#[utoipa::path(get, path = "/api/admin/glossary", responses((status = 200, body = Glossary)))]
async fn glossary(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Glossary>, ApiError> {
    Ok(Json(Glossary { glossary: state.store.glossary().await? }))
}

/// An article's id, in the address.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // read by the OpenAPI document only
struct Id {
    /// The article's id.
    id: i64,
}

/// Filtering and paging of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only articles with this status: `draft`, `submitted`, `scheduled`, `published` or `unpublished`.
    #[serde(default)]
    status: Option<String>,
    /// How many (1 to 100; 20 when left out).
    #[serde(default)]
    limit: Option<i64>,
    /// How many to skip.
    #[serde(default)]
    offset: Option<i64>,
}

/// Articles you may see, last saved first.
#[utoipa::path(get, path = "/api/admin/articles", params(ListQuery), responses(
    (status = 200, description = "A page of articles and the total", body = ArticlePage),
    (status = 400, description = "An unknown status or a malformed query", body = ErrorBody),
))]
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
    Ok(Json(ArticlePage { articles, total }).into_response())
}

/// One article.
#[utoipa::path(get, path = "/api/admin/articles/{id}", params(Id), responses(
    (status = 200, description = "The article, with its version as the ETag", body = ArticleBody),
    (status = 404, description = "No such article", body = ErrorBody),
))]
async fn read(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = id(path)?;
    state.desk().load_for(&user, id, Action::ViewArticle).await?;
    article_json(&state, id).await
}

/// Create an article.
#[utoipa::path(post, path = "/api/admin/articles", request_body = ArticleDraft, responses(
    (status = 201, description = "Created", body = ArticleBody),
    (status = 400, description = "Not the expected JSON", body = ErrorBody),
    (status = 403, description = "The role does not allow it", body = ErrorBody),
    (status = 422, description = "The article breaks a rule", body = ErrorBody),
))]
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
#[derive(Debug, Deserialize, ToSchema)]
struct Update {
    #[serde(flatten)]
    draft: ArticleDraft,
    /// The version you started from; a newer save gives 409.
    #[serde(default)]
    version: Option<i64>,
    /// The older name of `version`.
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

/// Replace an article's fields. With `If-Match` (412 when it names an older version) or a `version` in the
/// body (409), a save made meanwhile by someone else is never overwritten; without either, the update applies
/// to whatever is current.
#[utoipa::path(put, path = "/api/admin/articles/{id}", request_body = Update,
    params(Id, ("If-Match" = Option<String>, Header, description = "The ETag of your copy")),
    responses(
        (status = 200, description = "Saved", body = ArticleBody),
        (status = 403, description = "The role does not allow it", body = ErrorBody),
        (status = 404, description = "No such article", body = ErrorBody),
        (status = 409, description = "Someone saved since the version in the body", body = ErrorBody),
        (status = 412, description = "Someone saved since the version If-Match names", body = ErrorBody),
        (status = 422, description = "The article breaks a rule", body = ErrorBody),
        )
)]
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

/// Publish now (or at the time already set, if past).
#[utoipa::path(post, path = "/api/admin/articles/{id}/publish", params(Id), responses(
    (status = 200, description = "The article after the change", body = ArticleBody),
    (status = 403, description = "The role does not allow it", body = ErrorBody),
    (status = 404, description = "No such article", body = ErrorBody),
))]
async fn publish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    set_status(&state, &user, id(path)?, ArticleStatus::Published).await
}

/// Take a published article down.
#[utoipa::path(post, path = "/api/admin/articles/{id}/unpublish", params(Id), responses(
    (status = 200, description = "The article after the change", body = ArticleBody),
    (status = 403, description = "The role does not allow it", body = ErrorBody),
    (status = 404, description = "No such article", body = ErrorBody),
))]
async fn unpublish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    set_status(&state, &user, id(path)?, ArticleStatus::Unpublished).await
}

/// Delete an article.
#[utoipa::path(delete, path = "/api/admin/articles/{id}", params(Id), responses(
    (status = 204, description = "Deleted"),
    (status = 403, description = "The role does not allow it", body = ErrorBody),
    (status = 404, description = "No such article", body = ErrorBody),
))]
async fn delete(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Response, ApiError> {
    state.desk().delete(&user, id(path)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The media library, newest first.
#[utoipa::path(get, path = "/api/admin/media", responses((status = 200, body = Images)))]
async fn media(State(state): State<AppState>, ApiUser(_): ApiUser) -> Result<Json<Images>, ApiError> {
    Ok(Json(Images { images: state.store.library_images().await? }))
}

/// Upload an image: a multipart body with `file`, `alt` (required), `caption` and `credit`.
#[utoipa::path(post, path = "/api/admin/media", request_body(content = Upload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored, with its resized copies; use its id as an article's lead_image", body = ImageBody),
        (status = 403, description = "The role does not allow it", body = ErrorBody),
        (status = 413, description = "Larger than the 10 MB accepted", body = ErrorBody),
        (status = 422, description = "Not an image, too many pixels, or no alt text", body = ErrorBody),
        )
)]
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
    Ok((StatusCode::CREATED, Json(ImageBody { image: stored })).into_response())
}
