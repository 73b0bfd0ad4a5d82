//! The dashboard: work in progress (drafts, submissions, scheduled articles and when they go out), the most
//! read articles of the last seven days with the counts their pages show, the whole site's daily views and
//! views by section (for those who see every article), and a chart of daily views for any article.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminError, Session, chart, session};
use crate::auth::{Action, may};
use crate::content::ArticleStatus;
use crate::editorial;
use crate::store::{AdminFilter, AdminListItem, AdminSort, SortColumn};
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

/// A row of the dashboard's work lists: for a scheduled article, when it goes out.
#[derive(Serialize)]
struct WorkRow {
    id: i64,
    headline: String,
    section_name: String,
    goes_out: Option<String>,
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
    let site = state.site();
    let now = Utc::now();
    let owner = (!may(&session.user, Action::SeeAllArticles, None)).then_some(session.user.id);
    let list = |status| AdminFilter { status: Some(status), owner, limit: ROWS, ..AdminFilter::default() };
    let rows = |items: Vec<AdminListItem>| -> Vec<WorkRow> {
        let goes_out = |item: &AdminListItem| {
            let at = DateTime::from_timestamp(item.published_at?, 0).filter(|_| item.status == "scheduled")?;
            Some(super::publish_time::goes_out(&site, at, now))
        };
        let row = |item: AdminListItem| WorkRow {
            goes_out: goes_out(&item),
            id: item.id,
            headline: item.headline,
            section_name: item.section_name,
        };
        items.into_iter().map(row).collect()
    };
    let drafts = rows(state.store.admin_articles(&list(ArticleStatus::Draft)).await?.0);
    let submitted = rows(state.store.admin_articles(&list(ArticleStatus::Submitted)).await?.0);
    // What goes out next comes first.
    let soonest = AdminSort { column: SortColumn::Published, descending: false };
    let scheduled = AdminFilter { sort: soonest, ..list(ArticleStatus::Scheduled) };
    let scheduled = rows(state.store.admin_articles(&scheduled).await?.0);
    let today = now.with_timezone(&site.timezone).date_naive();
    let week = chart::window_start(today, 7).format("%Y-%m-%d").to_string();
    let mut most_read = Vec::new();
    for read in state.store.most_read_since(&week, ROWS * 3).await? {
        // Those who see only their own articles see only their own figures.
        let allowed = match owner {
            None => true,
            Some(_) => state
                .store
                .editable_article(read.id)
                .await?
                .is_some_and(|a| may(&session.user, Action::ViewArticle, Some(editorial::facts(&a)))),
        };
        if allowed && most_read.len() < ROWS as usize {
            most_read.push(read);
        }
    }
    let chosen = query.ok().and_then(|q| q.article).or(most_read.first().map(|m| m.id));
    let chart = match chosen {
        Some(id) => Some(chart_for(&state, &session, id).await?),
        None => None,
    };
    // The whole site's figures, for those who see every article.
    let (site_chart, sections) = if owner.is_none() {
        let first = chart::window_start(today, CHART_DAYS);
        let days = state.store.site_views_by_day(&first.format("%Y-%m-%d").to_string()).await?;
        let chart = chart::daily_views("site-chart", "the whole site", first, today, &by_date(days));
        (Some(chart), state.store.section_views_since(&week).await?)
    } else {
        (None, Vec::new())
    };
    let context = context! { drafts, submitted, scheduled, most_read, chart, chosen, site_chart, sections };
    super::page(&state, &session, "dashboard", "admin/dashboard.html", context).await
}

/// Days as the store keeps them (YYYY-MM-DD) as dates.
fn by_date(days: Vec<(String, i64)>) -> Vec<(NaiveDate, i64)> {
    days.into_iter()
        .filter_map(|(day, views)| NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok().map(|d| (d, views)))
        .collect()
}

/// The chart of article `id`'s daily views over the last [`CHART_DAYS`] days, if the user may see it, and its
/// headline.
async fn chart_for(state: &AppState, session: &Session, id: i64) -> Result<(String, String), AdminError> {
    let article = state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    let zone = state.site().timezone;
    let last = Utc::now().with_timezone(&zone).date_naive();
    let first = chart::window_start(last, CHART_DAYS);
    let views = state.store.views_by_day(id, &first.format("%Y-%m-%d").to_string()).await?;
    let svg = chart::daily_views("article-chart", &article.headline, first, last, &by_date(views));
    Ok((svg, article.headline))
}

/// `GET /admin/articles/{id}/views.svg`: the chart on its own, as an image.
pub async fn chart(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    let (svg, _) = chart_for(&state, &session, id).await?;
    Ok(([(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"))], svg).into_response())
}
