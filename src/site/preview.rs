//! Previews: an article's page as readers will see it, from its last save whatever its status, made by the
//! article page's own render (`article::render_article`) with a banner. Two ways in: a private link,
//! `/preview/{token}`, which works signed out until it expires or is revoked; and the back office's own
//! preview, which reaches [`pages`] through the wiring (no face uses another). Either answer is never cached
//! (it is routed outside the page cache's render and says `private, no-store`), never counted as a view (no
//! article mark, no beacon) and never indexed (`noindex` in a header and in the page).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use super::SiteError;
use super::SiteState;
use super::article::PreviewBanner;
use super::edition::Edition;
use super::error::message_page;
use super::view::Presenter;
use crate::web::PreviewPages;
use crate::web::security::CONTENT_SECURITY_POLICY;

/// `GET /preview/{token}`: the article a private preview link names, as readers will see it; a link to an
/// article that is public now sends the reader to its page. An unknown, revoked or mistyped token is 404, an
/// expired one 410, each with a page that says so.
pub async fn link(State(state): State<SiteState>, path: Result<Path<String>, PathRejection>) -> Response {
    let token = path.map(|Path(token)| token).unwrap_or_default();
    match answer_link(&state, &token, Utc::now()).await {
        Ok(response) => response,
        Err(error) => refusal(&state, error).await,
    }
}

/// Why a preview link shows nothing.
enum Refused {
    /// No such link (never made, revoked, its article deleted, or the token mistyped).
    Unknown,
    /// The link has expired.
    Expired,
    /// The page could not be made.
    Failed(SiteError),
}

impl From<SiteError> for Refused {
    fn from(error: SiteError) -> Refused {
        Refused::Failed(error)
    }
}

impl From<crate::store::StoreError> for Refused {
    fn from(error: crate::store::StoreError) -> Refused {
        Refused::Failed(error.into())
    }
}

async fn answer_link(state: &SiteState, token: &str, now: DateTime<Utc>) -> Result<Response, Refused> {
    // Every token we make is 64 hex digits: anything else is not worth a query.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Refused::Unknown);
    }
    let link = state.store.preview_link(&crate::auth::token_hash(token)).await?.ok_or(Refused::Unknown)?;
    if link.expires_at <= now.timestamp() {
        return Err(Refused::Expired);
    }
    let article = state.store.article_draft(link.article_id, now).await?.ok_or(Refused::Unknown)?;
    if state.store.is_public(article.card.id, now).await? {
        // Out now: readers should read (and be counted on) the page itself.
        let path = super::edition::article_path(
            &state.site(),
            &article.language,
            &article.card.section.slug,
            &article.card.slug,
        );
        return Ok(private(Redirect::to(&path).into_response()));
    }
    let expires = DateTime::from_timestamp(link.expires_at, 0).ok_or(Refused::Unknown)?;
    Ok(preview_page(state, article, now, Some(expires)).await?)
}

/// The page for a refused preview link, in the site's style: 404 for an unknown link, 410 for an expired one.
async fn refusal(state: &SiteState, refused: Refused) -> Response {
    let (status, kind) = match refused {
        Refused::Unknown => (StatusCode::NOT_FOUND, "preview-unknown"),
        Refused::Expired => (StatusCode::GONE, "preview-expired"),
        Refused::Failed(error) => return private(error.into_response()),
    };
    let edition = Edition::default_of(&state.site());
    match message_page(state, &edition, status, kind).await {
        Ok(html) => private((status, Html(html)).into_response()),
        Err(error) => private(error.into_response()),
    }
}

/// The page of `article` with the preview's banner (naming when the link expires, for a private link).
async fn preview_page(
    state: &SiteState,
    article: crate::content::Article,
    now: DateTime<Utc>,
    link_expires: Option<DateTime<Utc>>,
) -> Result<Response, SiteError> {
    let edition = Edition::of(&state.site(), &article.language);
    let presenter = Presenter::load(state, &edition).await?;
    let banner = PreviewBanner { expires: link_expires.map(|at| presenter.time(at).display) };
    let html = super::article::preview(state, &presenter, article, now, banner).await?;
    Ok(private(Html(html).into_response()))
}

/// Marks a preview's answer as for this reader only and not for search engines.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(HeaderName::from_static("x-robots-tag"), HeaderValue::from_static("noindex"));
    response
}

/// The back office's preview of an article's page, framed in its editor's width switcher: the same page as a
/// private link shows (without an expiry), which only the site itself may frame.
pub fn pages(state: SiteState) -> PreviewPages {
    PreviewPages::new(move |article| {
        let state = state.clone();
        Box::pin(async move {
            let now = Utc::now();
            let found = match state.store.article_draft(article, now).await {
                Ok(found) => found,
                Err(error) => return private(SiteError::from(error).into_response()),
            };
            let Some(article) = found else { return refusal(&state, Refused::Unknown).await };
            let mut response = match preview_page(&state, article, now, None).await {
                Ok(response) => response,
                Err(error) => return private(error.into_response()),
            };
            framed_by_self(response.headers_mut());
            response
        })
    })
}

/// Lets pages of this site frame the answer (the editor's phone and desktop widths are an `<iframe>`), and no
/// one else: the site's policy with `frame-ancestors 'self'` for `'none'`.
fn framed_by_self(headers: &mut HeaderMap) {
    let policy = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'");
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    }
}
