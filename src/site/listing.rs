//! Paginated lists: section (`/{section}/`), author (`/author/{slug}`) and tag (`/tag/{slug}`) pages.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Serialize;

use super::structured;
use super::view::{Presenter, author_url, media_url, section_url, tag_url};
use super::{SiteError, render};
use crate::app::AppState;
use crate::store::{CardQuery, ListFilter, Order};

/// Articles per page.
const PER_PAGE: i64 = 20;

#[derive(Serialize)]
struct ListView {
    kind: &'static str,
    title: String,
    description: String,
    avatar: Option<AvatarView>,
}

#[derive(Serialize)]
struct AvatarView {
    url: String,
    alt: String,
}

/// Links between the pages of a list.
#[derive(Serialize)]
pub(super) struct Pagination {
    pub page: i64,
    pub total_pages: i64,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    /// Link texts: lists by date say "Newer" and "Older"; search says "Previous" and "Next".
    pub prev_label: &'static str,
    pub next_label: &'static str,
}

/// Reads `?page=N`. Absent means 1; anything but a whole number from 1 up names no page.
fn requested_page(query: Option<&str>) -> Result<i64, SiteError> {
    let value = query
        .into_iter()
        .flat_map(|q| form_urlencoded::parse(q.as_bytes()))
        .find(|(key, _)| key == "page")
        .map(|(_, value)| value);
    match value {
        None => Ok(1),
        Some(text) => text.parse::<u32>().ok().filter(|&n| n >= 1).map(i64::from).ok_or(SiteError::NotFound),
    }
}

/// Renders one page of a list; pages past the end do not exist (except page 1 of an empty list).
async fn list_page(
    state: &AppState,
    filter: ListFilter,
    list: ListView,
    base_path: &str,
    query: Option<&str>,
    current_section: Option<&str>,
) -> Result<Response, SiteError> {
    let page_number = requested_page(query)?;
    let now = Utc::now();
    let total = state.store.count(filter, now).await?;
    let total_pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page_number > total_pages {
        return Err(SiteError::NotFound);
    }
    let request = CardQuery {
        filter,
        exclude: None,
        order: Order::Newest,
        limit: PER_PAGE,
        offset: (page_number - 1) * PER_PAGE,
    };
    let cards = state.store.cards(&request, now).await?;

    let page_url = |n: i64| if n == 1 { base_path.to_owned() } else { format!("{base_path}?page={n}") };
    let pagination = Pagination {
        page: page_number,
        total_pages,
        prev_url: (page_number > 1).then(|| page_url(page_number - 1)),
        next_url: (page_number < total_pages).then(|| page_url(page_number + 1)),
        prev_label: "Newer",
        next_label: "Older",
    };
    let presenter = Presenter::new(state);
    let chrome = presenter.chrome(current_section).await?;
    let title = if page_number > 1 { format!("{} (page {page_number})", list.title) } else { list.title.clone() };
    let mut page = presenter.meta(&chrome, Some(&title), &list.description, &page_url(page_number));
    page.feeds = presenter.feeds(base_path, &format!("{} | {}", list.title, chrome.site.name));
    let home = presenter.absolute("/");
    let list_url = presenter.absolute(base_path);
    page.json_ld =
        Some(structured::script(vec![structured::breadcrumbs(&[("Home", &home), (&list.title, &list_url)])]));
    render(
        state,
        "list.html",
        context! { page, list, articles => presenter.cards(&cards), pagination, ..Value::from_serialize(&chrome) },
    )
}

/// A section's page.
pub async fn section(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let section = state.store.section(&slug).await?.ok_or(SiteError::NotFound)?;
    let list = ListView { kind: "section", title: section.name, description: section.description, avatar: None };
    list_page(&state, ListFilter::Section(section.id), list, &section_url(&slug), query.as_deref(), Some(&slug)).await
}

/// `/{section}` without the trailing slash: the section page lives at `/{section}/`.
pub async fn section_without_slash(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let section = state.store.section(&slug).await?.ok_or(SiteError::NotFound)?;
    Ok(Redirect::permanent(&section_url(&section.slug)).into_response())
}

/// An author's page.
pub async fn author(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let author = state.store.author(&slug).await?.ok_or(SiteError::NotFound)?;
    let avatar = author.avatar.as_deref().map(|path| AvatarView { url: media_url(path), alt: author.name.clone() });
    let list = ListView { kind: "author", title: author.name, description: author.bio, avatar };
    list_page(&state, ListFilter::Author(author.id), list, &author_url(&slug), query.as_deref(), None).await
}

/// A tag's page.
pub async fn tag(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let tag = state.store.tag(&slug).await?.ok_or(SiteError::NotFound)?;
    let list = ListView { kind: "tag", title: tag.name, description: String::new(), avatar: None };
    list_page(&state, ListFilter::Tag(tag.id), list, &tag_url(&slug), query.as_deref(), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_must_be_whole_and_positive() {
        assert!(matches!(requested_page(None), Ok(1)));
        assert!(matches!(requested_page(Some("page=3")), Ok(3)));
        assert!(matches!(requested_page(Some("x=1&page=2")), Ok(2)));
        for junk in ["page=0", "page=-1", "page=abc", "page=99999999999999999999", "page=1.5", "page=%ZZ"] {
            assert!(matches!(requested_page(Some(junk)), Err(SiteError::NotFound)), "{junk}");
        }
    }
}
