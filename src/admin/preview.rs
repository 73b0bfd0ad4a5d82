//! Previews of an article as readers will see it: the editor's full-page preview at phone and desktop widths,
//! and private preview links (made, listed with their expiry and revoked here; served by the public site at
//! `/preview/{token}`). Both show the article's last save, through the public article page's render, which the
//! wiring hands over as [`PreviewPages`].

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminError, Session, Submitted, page};
use crate::auth::{Action, new_token, token_hash};
use crate::web::{AppState, PreviewPages};

/// How long a preview link works unless the editor chooses otherwise: a week, time for a source or a lawyer
/// to read it and for the article to go out.
const DEFAULT_LINK_HOURS: i64 = 7 * 24;
/// The lifetimes an editor may choose, in hours: an hour, a day, a week, a month.
const LINK_HOURS: [i64; 4] = [1, 24, DEFAULT_LINK_HOURS, 30 * 24];

/// The full-page preview's width: a phone's (390 CSS pixels, as an iPhone 12 to 15) or the window's.
#[derive(Debug, Default, Deserialize)]
pub struct PreviewQuery {
    #[serde(default)]
    width: String,
}

/// `GET /admin/articles/{id}/preview`: the article's page as readers will see it, in a frame at a phone's
/// width or the window's, with a switch between the two.
pub async fn frame(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    query: Result<Query<PreviewQuery>, QueryRejection>,
) -> Result<Response, AdminError> {
    let article = state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    let phone = query.is_ok_and(|Query(q)| q.width == "phone");
    let context = context! { id, headline => article.headline, phone };
    page(&state, &session, "articles", "admin/preview.html", context).await
}

/// `GET /admin/articles/{id}/preview/page`: what the preview's frame shows.
pub async fn framed_page(
    State(state): State<AppState>,
    Extension(previews): Extension<PreviewPages>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    Ok(previews.page(id).await)
}

/// A preview link as the editor lists it.
#[derive(Debug, Serialize)]
struct LinkRow {
    id: i64,
    created_by: String,
    created: String,
    expires: String,
    expired: bool,
}

/// A lifetime the editor may choose.
#[derive(Debug, Serialize)]
struct Lifetime {
    hours: i64,
    name: &'static str,
    default: bool,
}

/// The article's preview links, and `made` (the address of a link just made, shown this once).
async fn links_page(
    state: &AppState,
    session: &Session,
    id: i64,
    made: Option<String>,
) -> Result<Response, AdminError> {
    let article = state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    let site = state.site();
    let now = Utc::now().timestamp();
    let shown = |seconds: i64| DateTime::from_timestamp(seconds, 0).map(|t| site.show_time(t)).unwrap_or_default();
    let rows: Vec<LinkRow> = state
        .store
        .preview_links_of(id)
        .await?
        .into_iter()
        .map(|l| LinkRow {
            id: l.id,
            created_by: l.created_by.unwrap_or_default(),
            created: shown(l.created_at),
            expires: shown(l.expires_at),
            expired: l.expires_at <= now,
        })
        .collect();
    let names = ["1 hour", "1 day", "7 days", "30 days"];
    let lifetimes: Vec<Lifetime> = LINK_HOURS
        .iter()
        .zip(names)
        .map(|(&hours, name)| Lifetime { hours, name, default: hours == DEFAULT_LINK_HOURS })
        .collect();
    let context = context! {
        id, headline => article.headline, status => article.status.as_str(), rows, lifetimes, made,
    };
    page(state, session, "articles", "admin/preview_links.html", context).await
}

/// `GET /admin/articles/{id}/links`: the article's private preview links.
pub async fn links(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    links_page(&state, &session, id, None).await
}

/// `POST /admin/articles/{id}/links`: makes a private preview link that works for `hours` (one of the offered
/// lifetimes) and shows its address this once: only a hash of its token is kept.
pub async fn create_link(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: Submitted,
) -> Result<Response, AdminError> {
    state.desk().load_for(&session.user, id, Action::EditArticle).await?;
    let hours = match form.fields.get("hours").trim() {
        "" => DEFAULT_LINK_HOURS,
        text => text.parse().ok().filter(|h| LINK_HOURS.contains(h)).ok_or_else(|| {
            AdminError::BadRequest(format!("a preview link works for 1, 24, 168 or 720 hours, not {text:?}"))
        })?,
    };
    let token = new_token();
    let now = Utc::now();
    state
        .store
        .create_preview_link(id, &token_hash(&token), session.user.id, now, now + Duration::hours(hours))
        .await?;
    let address = format!("{}/preview/{token}", state.site().base_url.trim_end_matches('/'));
    links_page(&state, &session, id, Some(address)).await
}

/// `POST /admin/articles/{id}/links/{link}/revoke`: the link stops working at once.
pub async fn revoke_link(
    State(state): State<AppState>,
    session: Session,
    Path((id, link)): Path<(i64, i64)>,
) -> Result<Response, AdminError> {
    state.desk().load_for(&session.user, id, Action::EditArticle).await?;
    if !state.store.revoke_preview_link(link, id).await? {
        return Err(AdminError::NotFound);
    }
    Ok(Redirect::to(&format!("/admin/articles/{id}/links")).into_response())
}
