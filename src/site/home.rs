//! The home page: the top story, the latest, the most read, and a block for each section.

use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, Utc};
use minijinja::{Value, context};
use serde::Serialize;

use super::SiteState;
use super::edition::Edition;
use super::structured;
use super::view::{CardView, Presenter, section_url};
use super::{SiteError, render};
use crate::store::{CardQuery, ListFilter, Order};

/// Latest stories under the top one.
const LATEST: i64 = 10;
/// Entries of the most-read list.
const MOST_READ: i64 = 5;
/// Stories per section block.
const PER_SECTION: i64 = 4;
/// "Most read" looks at articles published this recently, so that it changes as the news does.
const MOST_READ_WINDOW_DAYS: i64 = 30;

#[derive(Serialize)]
struct SectionBlock {
    name: String,
    url: String,
    description: String,
    articles: Vec<CardView>,
}

/// Renders the home page.
pub async fn page(
    State(state): State<SiteState>,
    edition: Edition,
    uri: axum::http::Uri,
) -> Result<Response, SiteError> {
    // `/?p=123` is an old WordPress address, not the home page: the error pages answer it with a redirect
    // to the imported article, or a 404.
    if uri.query().is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "p")) {
        return Err(SiteError::NotFound);
    }
    let now = Utc::now();
    let store = &state.store;
    let presenter = Presenter::load(&state, &edition).await?;
    let language = edition.list_language();

    let mut newest = store.cards(&CardQuery::newest(ListFilter::All, LATEST + 1).in_language(language), now).await?;
    // The top story is the newest one with a picture; a text-only story leads only when none has one.
    let top_index = newest.iter().position(|c| c.image.is_some()).unwrap_or(0);
    let top = (!newest.is_empty()).then(|| newest.remove(top_index));
    newest.truncate(LATEST as usize);

    let recent = CardQuery {
        filter: ListFilter::PublishedSince(now - Duration::days(MOST_READ_WINDOW_DAYS)),
        order: Order::MostRead,
        ..CardQuery::newest(ListFilter::All, MOST_READ).in_language(language)
    };
    let most_read = store.cards(&recent, now).await?;

    let mut sections = Vec::new();
    for section in &presenter.frame().sections {
        let query = CardQuery::newest(ListFilter::Section(section.id), PER_SECTION).in_language(language);
        let cards = store.cards(&query, now).await?;
        if !cards.is_empty() {
            let (name, description) = presenter.section_text(&section.slug, &section.name, &section.description);
            sections.push(SectionBlock {
                url: presenter.path(&section_url(&section.slug)),
                name,
                description,
                articles: presenter.cards(&cards),
            });
        }
    }

    let chrome = presenter.chrome(None, "/");
    let mut page = presenter.meta(&chrome, None, "", "/");
    let logo = presenter.publisher_logo();
    page.json_ld = Some(structured::script(vec![
        structured::website(&chrome.site.name, &page.canonical, &chrome.site.description),
        structured::publisher(&chrome.site.name, &page.canonical, logo.as_deref()),
    ]));
    render(
        &state,
        "home.html",
        context! {
            page,
            top => top.as_ref().map(|c| presenter.card(c)),
            latest => presenter.cards(&newest),
            most_read => presenter.cards(&most_read),
            sections,
            ..Value::from_serialize(&chrome)
        },
    )
}
