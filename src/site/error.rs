//! Errors of the public site and the pages readers see for them. Handlers return [`SiteError`]; a middleware
//! turns it into a page in the site's own style, so no reader ever sees a bare error.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

use super::SiteState;
use super::edition::Edition;
use super::view::Presenter;
use crate::store::StoreError;
use crate::theme::ThemeError;

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// Nothing public lives at this address (unknown path, draft, future article, page out of range).
    #[error("not found")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A template failed to render.
    #[error(transparent)]
    Theme(#[from] ThemeError),
    /// Anything else that failed inside (writing a document, say).
    #[error("{0}")]
    Internal(String),
}

/// Marks a response whose body the error-page middleware should fill in.
#[derive(Debug, Clone, Copy)]
struct ErrorPage;

impl IntoResponse for SiteError {
    fn into_response(self) -> Response {
        let status = match &self {
            SiteError::NotFound => StatusCode::NOT_FOUND,
            SiteError::Store(error) if error.is_unavailable() => {
                let mut response =
                    crate::web::unavailable::answer(StatusCode::SERVICE_UNAVAILABLE.into_response(), error);
                response.extensions_mut().insert(ErrorPage);
                return response;
            }
            SiteError::Store(_) | SiteError::Theme(_) | SiteError::Internal(_) => {
                tracing::error!(error = %self, "page failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage);
        response
    }
}

/// Fills error responses with a page in the site's style. Also covers requests the router itself refused
/// (a path that does not decode, a method the route does not take), which arrive as bare 4xx responses.
pub async fn render_error_pages(State(state): State<SiteState>, request: Request, next: Next) -> Response {
    let old_address = (request.method() == axum::http::Method::GET || request.method() == axum::http::Method::HEAD)
        .then(|| request.uri().clone());
    let edition = request.extensions().get::<Edition>().cloned().unwrap_or_else(|| Edition::default_of(&state.site()));
    let response = next.run(request).await;
    let status = response.status();
    if status == StatusCode::NOT_FOUND
        && let Some(uri) = old_address
    {
        match legacy_redirect(&state, &uri).await {
            Ok(Some(redirect)) => return redirect,
            Ok(None) => {}
            Err(error) => tracing::error!(%error, "looking up an old address failed"),
        }
    }
    let is_bare_client_error = status.is_client_error()
        && response.headers().get("content-type").is_none_or(|t| t.as_bytes().starts_with(b"text/plain"));
    if response.extensions().get::<ErrorPage>().is_none() && !is_bare_client_error {
        return response;
    }
    // A path that fails to decode is, to a reader, an address that does not exist.
    let status = if status == StatusCode::BAD_REQUEST { StatusCode::NOT_FOUND } else { status };
    let mut page = match error_page(&state, &edition, status).await {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "error page failed");
            (status, super::view::locale_of(&state, &edition.language).text("error-fallback", &[])).into_response()
        }
    };
    // A rate limit's or an unavailable database's answer keeps saying when to come back.
    crate::web::unavailable::carry(&response, &mut page);
    page
}

/// A 301 to the article that an address of the site's old platform (imported with it) now names. Tried only
/// for addresses nothing else answers, so it costs nothing on the pages readers usually ask for.
async fn legacy_redirect(state: &SiteState, uri: &axum::http::Uri) -> Result<Option<Response>, StoreError> {
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy().into_owned();
    let mut candidates = Vec::with_capacity(2);
    if path == "/" {
        // WordPress's own short links: `/?p=123`.
        let id = uri.query().and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "p").map(|(_, v)| v));
        match id {
            Some(id) => candidates.push(format!("/?p={id}")),
            None => return Ok(None),
        }
    } else {
        let toggled = match path.strip_suffix('/') {
            Some(bare) => bare.to_owned(),
            None => format!("{path}/"),
        };
        candidates.push(path);
        candidates.push(toggled);
    }
    for candidate in candidates {
        if let Some(target) = state.store.legacy_target(&candidate, chrono::Utc::now()).await? {
            return Ok(Some(super::moved_to(state, &target)));
        }
    }
    Ok(None)
}

async fn error_page(state: &SiteState, edition: &Edition, status: StatusCode) -> Result<String, SiteError> {
    let kind = match status {
        StatusCode::NOT_FOUND => "error-not-found",
        StatusCode::TOO_MANY_REQUESTS => "error-too-many",
        s if s.is_client_error() => "error-bad-request",
        _ => "error-server",
    };
    message_page(state, edition, status, kind).await
}

/// A page in the site's style that answers `status` with the title and message of the interface texts
/// `{kind}-title` and `{kind}-message`.
pub(super) async fn message_page(
    state: &SiteState,
    edition: &Edition,
    status: StatusCode,
    kind: &str,
) -> Result<String, SiteError> {
    let presenter = Presenter::load(state, edition).await?;
    let chrome = presenter.chrome(None, "/");
    let title = presenter.text(&format!("{kind}-title"));
    let message = presenter.text(&format!("{kind}-message"));
    let mut page = presenter.meta(&chrome, Some(&title), "", "/");
    page.alternates.clear();
    Ok(state.theme.render(
        "not_found.html",
        context! { page, message, status => status.as_u16(), title, ..minijinja::Value::from_serialize(&chrome) },
    )?)
}
