//! The JSON API: `/api/admin/…` for programs that write content (Bearer tokens, the same role rules as the
//! back office) and `/api/openapi.json`, which describes it. Errors are JSON: `{"error": {"code", "message"}}`.
//! Tokens travel in a header, never in cookies, so cross-site requests cannot use them and no CSRF token is
//! needed.

mod admin;
mod openapi;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::{User, token_hash};
use crate::editorial::SaveError;
use crate::store::StoreError;
use crate::web::AppState;
use crate::web::security::limit_body;

/// The largest request body the API accepts.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// An API failure: an HTTP status, a stable machine-readable code and a message for people.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// The store's failure, when the database was unavailable (answered with `Retry-After`).
    unavailable: Option<StoreError>,
}

impl ApiError {
    /// An error with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), unavailable: None }
    }

    /// A request body over `max_bytes`.
    fn too_large(max_bytes: usize) -> ApiError {
        let message = format!("the request is larger than the {} MB accepted here", max_bytes / (1024 * 1024));
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
    }

    fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }
}

/// An error as the API answers it: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ErrorDetail {
    /// A stable code for programs: `unauthorized`, `forbidden`, `not_found`, `bad_request`, `invalid`,
    /// `conflict`, `precondition_failed`, `too_large`, `rate_limited`, `internal` or `unavailable`.
    code: String,
    /// What happened, for people.
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { error: ErrorDetail { code: self.code.to_owned(), message: self.message } };
        let response = (self.status, axum::Json(body)).into_response();
        match &self.unavailable {
            Some(error) => crate::web::unavailable::answer(response, error),
            None => response,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        if error.is_unavailable() {
            let message = crate::web::unavailable::MESSAGE;
            return ApiError {
                unavailable: Some(error),
                ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            };
        }
        tracing::error!(%error, "API request failed");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "something went wrong on our side")
    }
}

impl From<SaveError> for ApiError {
    fn from(error: SaveError) -> ApiError {
        match error {
            SaveError::Invalid(message) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message),
            SaveError::Forbidden => ApiError::new(StatusCode::FORBIDDEN, "forbidden", error.to_string()),
            SaveError::Refused(message) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", message),
            SaveError::Stale => ApiError::new(StatusCode::CONFLICT, "conflict", error.to_string()),
            SaveError::NotFound => ApiError::not_found(),
            SaveError::Store(error) => error.into(),
        }
    }
}

/// The user a request's `Authorization: Bearer <token>` belongs to.
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ApiUser, ApiError> {
        let unauthorized = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send a valid token as Authorization: Bearer <token>",
            )
        };
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(unauthorized)?;
        state
            .store
            .user_by_api_token(&token_hash(token), chrono::Utc::now())
            .await?
            .map(ApiUser)
            .ok_or_else(unauthorized)
    }
}

/// Every API route, and `/api/openapi.json` describing them with the routes other faces serve under `/api/`
/// (`public`: the site's search).
pub fn router(state: AppState, public: utoipa::openapi::OpenApi) -> Router {
    let refuse = |max_bytes| ApiError::too_large(max_bytes).into_response();
    let (routes, mut document) =
        OpenApiRouter::with_openapi(openapi::ApiDoc::openapi()).merge(admin::routes()).split_for_parts();
    let (media, media_document) = admin::media_routes().split_for_parts();
    document.merge(media_document);
    document.merge(public);
    openapi::add_common_refusals(&mut document);
    let document = axum::body::Bytes::from(document.to_json().unwrap_or_default());
    let describe = move || async move { ([(header::CONTENT_TYPE, "application/json")], document) };
    let routes = routes
        .route("/api/openapi.json", get(describe))
        // Unknown API addresses answer in JSON too (a fallback cannot be used: the public site has one).
        .route("/api/{*rest}", axum::routing::any(|| async { ApiError::not_found() }));
    let media = media.layer(axum::extract::DefaultBodyLimit::max(crate::media::MAX_UPLOAD_REQUEST_BYTES));
    let routes = limit_body(routes, MAX_BODY_BYTES, refuse)
        .merge(limit_body(media, crate::media::MAX_UPLOAD_REQUEST_BYTES, refuse))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::web::rate_limit::limit_api))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    crate::web::security::with_headers(routes).with_state(state)
}
