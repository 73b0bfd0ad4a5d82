//! The dashboard: work in progress (drafts, submissions, scheduled articles), the most read articles of the
//! last seven days, and a chart of daily views for any article.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminError, Session, chart, session};
use crate::auth::{Action, may};
use crate::content::ArticleStatus;
use crate::editorial;
use crate::store::{AdminFilter, AdminListItem};
use crate::web::AppState;

/// How many rows each dashboard list shows.
const ROWS: i64 = 10;
/// The chart's window in days.
const CHART_DAYS: i64 = 30;

/// Query of the dashboard: the article whose chart to show.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    article: Option<i64>,
}

#[derive(Serialize)]
struct MostRead {
    id: i64,
    headline: String,
    views: i64,
}

/// `GET /admin`: the dashboard, the sign-in page for visitors, or first-run help while no account exists.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> Result<Response, AdminError> {
    if state.store.user_count().await? == 0 {
        return super::auth::first_run(&state).await;
    }
    let Some(session) = session::current(&state, &headers).await? else {
        return Ok(Redirect::to("/admin/sign-in").into_response());
    };
    let owner = (!may(&session.user, Action::SeeAllArticles, None)).then_some(session.user.id);
    let list = |status| AdminFilter { status: Some(status), owner, limit: ROWS, ..AdminFilter::default() };
    let drafts: Vec<AdminListItem> = state.store.admin_articles(&list(ArticleStatus::Draft)).await?.0;
    let submitted = state.store.admin_articles(&list(ArticleStatus::Submitted)).await?.0;
    let scheduled = state.store.admin_articles(&list(ArticleStatus::Scheduled)).await?.0;
    let zone = state.site().timezone;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let week = chart::window_start(today, 7).format("%Y-%m-%d").to_string();
    let mut most_read: Vec<MostRead> = Vec::new();
    for (id, headline, views) in state.store.most_read_since(&week, ROWS * 3).await? {
        // Those who see only their own articles see only their own figures.
        let allowed = match owner {
            None => true,
            Some(_) => state
                .store
                .editable_article(id)
                .await?
                .is_some_and(|a| may(&session.user, Action::ViewArticle, Some(editorial::facts(&a)))),
        };
        if allowed && most_read.len() < ROWS as usize {
            most_read.push(MostRead { id, headline, views });
        }
    }
    let chosen = query.ok().and_then(|q| q.article).or(most_read.first().map(|m| m.id));
    let chart = match chosen {
        Some(id) => Some(chart_for(&state, &session, id).await?),
        None => None,
    };
    let context = context! { drafts, submitted, scheduled, most_read, chart, chosen };
    super::page(&state, &session, "dashboard", "admin/dashboard.html", context).await
}

/// The chart of article `id`'s daily views over the last [`CHART_DAYS`] days, if the user may see it.
async fn chart_for(state: &AppState, session: &Session, id: i64) -> Result<String, AdminError> {
    let article = state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    let zone = state.site().timezone;
    let last = Utc::now().with_timezone(&zone).date_naive();
    let first = chart::window_start(last, CHART_DAYS);
    let views: Vec<_> = state
        .store
        .views_by_day(id, &first.format("%Y-%m-%d").to_string())
        .await?
        .into_iter()
        .filter_map(|(day, views)| chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok().map(|d| (d, views)))
        .collect();
    Ok(chart::daily_views(&article.headline, first, last, &views))
}

/// `GET /admin/articles/{id}/views.svg`: the chart on its own, as an image.
pub async fn chart(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    let svg = chart_for(&state, &session, id).await?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"))], svg).into_response())
}
