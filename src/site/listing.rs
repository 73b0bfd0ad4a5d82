//! Paginated lists: section (`/{section}/`), author (`/author/{slug}`) and tag (`/tag/{slug}`) pages.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Serialize;

use super::SiteState;
use super::edition::Edition;
use super::structured;
use super::view::{Presenter, author_url, section_url, tag_url};
use super::{SiteError, render};
use crate::i18n::ArgValue;
use crate::media::media_url;
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
    pub prev_label: String,
    pub next_label: String,
}

/// Whether the list's page (and its feeds) exists only while it holds a visible article: an author's or a tag's,
/// as the sitemap lists only those with one; a section is in the navigation, so its page always exists. A tag
/// used only by drafts must not show its name to readers.
pub(crate) fn exists_only_with_articles(filter: ListFilter) -> bool {
    matches!(filter, ListFilter::Author(_) | ListFilter::Tag(_))
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
    state: &SiteState,
    edition: &Edition,
    filter: ListFilter,
    list: ListView,
    base_path: &str,
    query: Option<&str>,
    current_section: Option<&str>,
) -> Result<Response, SiteError> {
    let page_number = requested_page(query)?;
    let now = Utc::now();
    let language = edition.list_language();
    let total = state.store.count(filter, language, now).await?;
    if total == 0 && exists_only_with_articles(filter) {
        return Err(SiteError::NotFound);
    }
    let total_pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    if page_number > total_pages {
        return Err(SiteError::NotFound);
    }
    let request = CardQuery {
        filter,
        language,
        exclude: None,
        order: Order::Newest,
        limit: PER_PAGE,
        offset: (page_number - 1) * PER_PAGE,
    };
    let cards = state.store.cards(&request, now).await?;

    let page_url = |n: i64| if n == 1 { base_path.to_owned() } else { format!("{base_path}?page={n}") };
    let presenter = Presenter::load(state, edition).await?;
    let pagination = Pagination {
        page: page_number,
        total_pages,
        prev_url: (page_number > 1).then(|| presenter.path(&page_url(page_number - 1))),
        next_url: (page_number < total_pages).then(|| presenter.path(&page_url(page_number + 1))),
        prev_label: presenter.text("pagination-newer"),
        next_label: presenter.text("pagination-older"),
    };
    let chrome = presenter.chrome(current_section, &page_url(page_number));
    let title = if page_number > 1 {
        presenter
            .locale()
            .text("list-title-page", &[("title", ArgValue::Text(&list.title)), ("page", ArgValue::Number(page_number))])
    } else {
        list.title.clone()
    };
    let mut page = presenter.meta(&chrome, Some(&title), &list.description, &page_url(page_number));
    page.feeds = presenter.feeds(base_path, &format!("{} | {}", list.title, chrome.site.name));
    let home = presenter.absolute(&chrome.home_url);
    let list_url = presenter.absolute(&presenter.path(base_path));
    let home_name = presenter.text("breadcrumb-home");
    page.json_ld =
        Some(structured::script(vec![structured::breadcrumbs(&[(&home_name, &home), (&list.title, &list_url)])]));
    render(
        state,
        "list.html",
        context! { page, list, articles => presenter.cards(&cards), pagination, ..Value::from_serialize(&chrome) },
    )
}

/// A section's page.
pub async fn section(
    State(state): State<SiteState>,
    edition: Edition,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let section = state.store.section(&slug).await?.ok_or(SiteError::NotFound)?;
    let presenter = Presenter::load(&state, &edition).await?;
    let (title, description) = presenter.section_text(&section.slug, &section.name, &section.description);
    let list = ListView { kind: "section", title, description, avatar: None };
    let path = section_url(&slug);
    list_page(&state, &edition, ListFilter::Section(section.id), list, &path, query.as_deref(), Some(&slug)).await
}

/// `/{section}` without the trailing slash: the section page lives at `/{section}/`.
pub async fn section_without_slash(
    State(state): State<SiteState>,
    edition: Edition,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let section = state.store.section(&slug).await?.ok_or(SiteError::NotFound)?;
    Ok(Redirect::permanent(&edition.path(&section_url(&section.slug))).into_response())
}

/// An author's page.
pub async fn author(
    State(state): State<SiteState>,
    edition: Edition,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let author = state.store.author(&slug).await?.ok_or(SiteError::NotFound)?;
    let avatar = author.avatar.as_deref().map(|path| AvatarView { url: media_url(path), alt: author.name.clone() });
    let list = ListView { kind: "author", title: author.name, description: author.bio, avatar };
    list_page(&state, &edition, ListFilter::Author(author.id), list, &author_url(&slug), query.as_deref(), None).await
}

/// A tag's page.
pub async fn tag(
    State(state): State<SiteState>,
    edition: Edition,
    path: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, SiteError> {
    let Path(slug) = path.map_err(|_| SiteError::NotFound)?;
    let tag = state.store.tag(&slug).await?.ok_or(SiteError::NotFound)?;
    let list = ListView { kind: "tag", title: tag.name, description: String::new(), avatar: None };
    list_page(&state, &edition, ListFilter::Tag(tag.id), list, &tag_url(&slug), query.as_deref(), None).await
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
