//! The back office under `/admin`: server-rendered pages for editors, usable without script. Mounted outside
//! the public page cache; every response says `Cache-Control: no-store`. Every state-changing request passes
//! [`csrf::guard`] (Origin and CSRF token) before it reaches a handler, and every handler asks
//! [`crate::auth::may`] before it acts.

mod articles;
mod auth;
mod chart;
mod csrf;
mod dashboard;
mod form;
mod glossary;
mod import;
mod media;
mod notes;
mod preview;
mod publish_time;
pub mod scheduler;
mod session;
mod settings;
mod style;
mod taxonomy;
mod users;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use serde::Serialize;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::auth::{Action, ArticleFacts, User, may};
use crate::store::StoreError;
use crate::theme::ThemeError;
use crate::web::AppState;
pub use form::{Fields, Submitted};
pub use import::remove_stale_uploads;
pub use session::Session;

/// The largest form the back office accepts (a long article with room to spare).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// Why a back-office request failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Nobody is signed in: go to the sign-in page.
    #[error("sign in first")]
    SignIn,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// Signed in, but the role does not allow this, for the reason given.
    #[error("{0}")]
    Refused(String),
    /// The CSRF token or Origin was missing or wrong.
    #[error("this form is out of date or came from another site; go back, reload the page and try again")]
    Csrf,
    /// No such thing.
    #[error("not found")]
    NotFound,
    /// The request cannot be handled as sent.
    #[error("{0}")]
    BadRequest(String),
    /// A form's text cannot be stored as sent (a control character); the message says which field.
    #[error("{0}")]
    Invalid(String),
    /// The request's body is over the limit of its form.
    #[error("{0}")]
    TooLarge(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A template failed.
    #[error(transparent)]
    Theme(#[from] ThemeError),
}

impl AdminError {
    fn status(&self) -> StatusCode {
        match self {
            AdminError::SignIn => StatusCode::SEE_OTHER,
            AdminError::Forbidden | AdminError::Refused(_) | AdminError::Csrf => StatusCode::FORBIDDEN,
            AdminError::NotFound => StatusCode::NOT_FOUND,
            AdminError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AdminError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AdminError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AdminError::Store(error) if error.is_unavailable() => StatusCode::SERVICE_UNAVAILABLE,
            AdminError::Store(_) | AdminError::Theme(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Carries an error's status and message to [`error_pages`], which renders them in the back office's style.
#[derive(Debug, Clone)]
struct ErrorMessage(String);

impl AdminError {
    /// A form's body over `max_bytes`.
    fn too_large(max_bytes: usize) -> AdminError {
        AdminError::TooLarge(format!(
            "This form was not sent: it is larger than the {} MB it accepts. Images may be up to {} MB; choose a \
             smaller file and send the form again.",
            max_bytes / (1024 * 1024),
            crate::media::MAX_UPLOAD_BYTES / (1024 * 1024)
        ))
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        if let AdminError::SignIn = self {
            return Redirect::to("/admin/sign-in").into_response();
        }
        let status = self.status();
        if let AdminError::Store(error) = &self
            && error.is_unavailable()
        {
            let mut response = status.into_response();
            response.extensions_mut().insert(ErrorMessage(crate::web::unavailable::MESSAGE.to_owned()));
            return crate::web::unavailable::answer(response, error);
        }
        let message = if status.is_server_error() {
            tracing::error!(error = %self, "back-office request failed");
            "Something went wrong on our side; the details are in the server log.".to_owned()
        } else {
            self.to_string()
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorMessage(message));
        response
    }
}

async fn error_pages(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let Some(ErrorMessage(message)) = response.extensions().get::<ErrorMessage>().cloned() else {
        return response;
    };
    let status = response.status();
    let title = status.canonical_reason().unwrap_or("Error");
    let mut page =
        match state.theme.render("admin/message.html", context! { title, message, site => site_name(&state) }) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => {
                tracing::error!(%error, "back-office error page failed");
                (status, message).into_response()
            }
        };
    crate::web::unavailable::carry(&response, &mut page);
    page
}

/// The site's name for page titles.
fn site_name(state: &AppState) -> String {
    state.site().name.clone()
}

/// Refuses unless `user` may do `action` (on the article described by `facts`).
fn require(user: &User, action: Action, facts: Option<ArticleFacts>) -> Result<(), AdminError> {
    if may(user, action, facts) { Ok(()) } else { Err(AdminError::Forbidden) }
}

/// What every signed-in page's frame shows: who is signed in, what the menu offers, the CSRF token.
#[derive(Debug, Serialize)]
struct Frame {
    site: String,
    user: User,
    csrf: String,
    current: &'static str,
    can_manage_taxonomy: bool,
    can_administer: bool,
}

/// Renders a signed-in page: `template` with `context` and the frame.
async fn page(
    state: &AppState,
    session: &Session,
    current: &'static str,
    template: &str,
    context: Value,
) -> Result<Response, AdminError> {
    let frame = Frame {
        site: site_name(state),
        user: session.user.clone(),
        csrf: session.csrf.clone(),
        current,
        can_manage_taxonomy: may(&session.user, Action::ManageTaxonomy, None),
        can_administer: may(&session.user, Action::Administer, None),
    };
    let html = state.theme.render(template, context! { frame, ..context })?;
    Ok(Html(html).into_response())
}

/// Wraps back-office routes in what every one of them needs: the CSRF guard, error pages in the back office's
/// style, a request size limit and `Cache-Control: no-store`.
fn guarded(routes: Router<AppState>, state: &AppState, max_bytes: usize) -> Router<AppState> {
    let routes = routes.layer(axum::middleware::from_fn_with_state(state.clone(), csrf::guard));
    // Inside the error pages, so a body over the limit is refused on a page in the back office's style.
    crate::web::security::limit_body(routes, max_bytes, |max| AdminError::too_large(max).into_response())
        .layer(axum::middleware::from_fn_with_state(state.clone(), error_pages))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// The body limit of forms that may carry an image (the media library, the article editor, settings).
fn upload_limit() -> axum::extract::DefaultBodyLimit {
    axum::extract::DefaultBodyLimit::max(crate::media::MAX_UPLOAD_REQUEST_BYTES)
}

/// Every route of the back office; its previews show the public site's article page through `previews`.
pub fn router(state: AppState, previews: crate::web::PreviewPages) -> Router {
    let routes = Router::new()
        .route("/admin", get(dashboard::page))
        .route("/admin/", get(|| async { Redirect::permanent("/admin") }))
        .route("/admin/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/admin/sign-out", post(auth::sign_out))
        .route("/admin/password", get(auth::password_page).post(auth::change_password))
        .route("/admin/set-password/{token}", get(auth::set_password_page).post(auth::set_password))
        .route("/admin/articles", get(articles::list).post(articles::create).layer(upload_limit()))
        .route("/admin/articles/new", get(articles::new))
        .route("/admin/articles/back", get(articles::back_to_list))
        .route("/admin/publication-time", get(publish_time::readout))
        .route("/admin/style/check", post(style::check))
        .route("/admin/articles/{id}", get(articles::edit).post(articles::update).layer(upload_limit()))
        .route("/admin/articles/{id}/autosave", post(articles::autosave))
        .route("/admin/articles/{id}/autosave/discard", post(articles::discard_autosave))
        .route("/admin/articles/{id}/delete", post(articles::delete))
        .route("/admin/articles/{id}/notes", get(notes::list).post(notes::create))
        .route("/admin/articles/{id}/notes/{note}/{action}", post(notes::act))
        .route("/admin/articles/{id}/translate", post(articles::translate))
        .route("/admin/articles/{id}/revisions", get(articles::revisions))
        .route("/admin/articles/{id}/preview", get(preview::frame))
        .route("/admin/articles/{id}/links", get(preview::links).post(preview::create_link))
        .route("/admin/articles/{id}/links/{link}/revoke", post(preview::revoke_link))
        .route("/admin/articles/{id}/views.svg", get(dashboard::chart))
        .route("/admin/revisions/{id}", get(articles::diff))
        .route("/admin/revisions/{id}/restore", post(articles::restore))
        .route("/admin/sections", get(taxonomy::sections).post(taxonomy::save_section))
        .route("/admin/tags", get(taxonomy::tags))
        .route("/admin/tags/{id}", post(taxonomy::save_tag))
        .route("/admin/tags/{id}/delete", post(taxonomy::delete_tag))
        .route("/admin/authors", get(taxonomy::authors).post(taxonomy::save_author))
        .route("/admin/authors/{slug}", get(taxonomy::author))
        .route("/admin/users", get(users::list).post(users::create))
        .route("/admin/users/{id}", post(users::update))
        .route("/admin/tokens", get(users::tokens).post(users::create_token))
        .route("/admin/tokens/{id}/delete", post(users::revoke_token))
        .route("/admin/settings", get(settings::show).post(settings::save).layer(upload_limit()))
        .route("/admin/glossary", get(glossary::show).post(glossary::create))
        .route("/admin/glossary/{id}", post(glossary::update))
        .route("/admin/glossary/{id}/delete", post(glossary::delete))
        .route("/admin/media", get(media::list).post(media::upload).layer(upload_limit()))
        .route("/admin/media/insert", post(media::insert).layer(upload_limit()))
        .route("/admin/media/{id}", get(media::show).post(media::update))
        .route("/admin/media/{id}/focus", post(media::focus))
        .route("/admin/media/{id}/delete", post(media::delete));
    let routes = guarded(routes, &state, crate::media::MAX_UPLOAD_REQUEST_BYTES);
    // A whole site's export is far larger than any other upload, so its route has its own limit.
    let imports = Router::new().route(
        "/admin/import",
        get(import::show)
            .post(import::upload)
            .layer(axum::extract::DefaultBodyLimit::max(import::MAX_IMPORT_REQUEST_BYTES)),
    );
    let routes = routes.merge(guarded(imports, &state, import::MAX_IMPORT_REQUEST_BYTES));
    // The page a preview frames is the public site's, with its own headers (`private, no-store`, framing by
    // this site only); it takes no form, so it needs neither the CSRF guard nor a body limit.
    let framed = Router::new()
        .route("/admin/articles/{id}/preview/page", get(preview::framed_page))
        .layer(axum::Extension(previews))
        .layer(axum::middleware::from_fn_with_state(state.clone(), error_pages))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        ));
    crate::web::security::with_headers(routes.merge(framed)).with_state(state)
}
