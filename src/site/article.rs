//! The article page: `/{section}/{slug}`.

use std::net::SocketAddr;

use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use chrono::Utc;
use minijinja::{Value, context};
use serde::Serialize;

use super::edition::Edition;
use super::serving::ArticleShown;
use super::structured::{self, NewsArticle};
use super::view::{CardView, ImageView, LinkView, Presenter, TimeView, article_url, author_url, image, section_url};
use super::{SiteError, render};
use crate::app::AppState;
use crate::store::{CardQuery, ListFilter};
use crate::views::CountingMode;

/// How many articles the Latest block shows.
const LATEST: i64 = 10;

#[derive(Serialize)]
struct ArticleView {
    headline: String,
    standfirst: String,
    url: String,
    body_html: String,
    section: LinkView,
    authors: Vec<LinkView>,
    published: TimeView,
    updated: Option<TimeView>,
    views: String,
    view_count: i64,
    image: Option<ImageView>,
    tags: Vec<LinkView>,
    correction: String,
}

/// Shows one published article with its Recommend and Latest blocks.
pub async fn page(
    State(state): State<AppState>,
    edition: Edition,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path((section, slug)) = path.map_err(|_| SiteError::NotFound)?;
    let now = Utc::now();
    let store = &state.store;
    let article = store.article(&section, &slug, now).await?.ok_or(SiteError::NotFound)?;
    let own_edition = Edition::of(&state.site(), &article.language);
    if own_edition.path("/") != edition.path("/") {
        // Asked for under another language's prefix: the article lives under its own.
        let target = (section, slug, article.language.clone());
        return Ok(super::moved_to(&state, &target));
    }
    let recommend = super::recommend::recommendations(&state, &edition, &article, now).await?;
    // One more than shown, so that leaving out the article being read still leaves enough.
    let newest_query = CardQuery::newest(ListFilter::All, LATEST + 1).in_language(edition.list_language());
    let newest = state
        .latest
        .memo(edition.list_language().unwrap_or_default())
        .get_or_load(state.cache.generation(), || store.cards(&newest_query, now))
        .await?;
    let latest: Vec<_> =
        newest.iter().filter(|card| card.id != article.card.id).take(LATEST as usize).cloned().collect();

    let presenter = Presenter::load(&state, &edition).await?;
    let card = presenter.card(&article.card);
    let within_edition = article_url(&article.card.section.slug, &article.card.slug);
    let mut chrome = presenter.chrome(Some(&section), &within_edition);
    let editions: Vec<(String, String)> = match article.translation_group {
        Some(group) => store
            .editions_in_groups(&[group], now)
            .await?
            .remove(&group)
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.language.clone(), presenter.article_path(&e.language, &e.section, &e.slug)))
            .filter(|(language, _)| presenter.site().publishes_in(language))
            .collect(),
        None => Vec::new(),
    };
    chrome.editions = presenter.edition_links(&editions);
    let mut page = presenter.meta(&chrome, Some(&card.headline), &card.standfirst, &within_edition);
    page.alternates = presenter.alternates(&editions);
    page.og_type = "article";
    let section_path = section_url(&article.card.section.slug);
    page.feeds.extend(presenter.feeds(&section_path, &format!("{} | {}", card.section.name, chrome.site.name)));
    let section_path = presenter.path(&section_path);
    page.image =
        article.card.image.as_ref().map(|lead| ImageView { url: presenter.absolute(&image(lead).url), ..image(lead) });
    let home = presenter.absolute(&chrome.home_url);
    let home_name = presenter.text("breadcrumb-home");
    let logo = presenter.publisher_logo();
    let news_article = NewsArticle {
        url: &page.canonical,
        headline: &card.headline,
        description: &card.standfirst,
        image: page.image.as_ref().map(|i| i.url.as_str()),
        published: &card.published.iso,
        modified: &article.card.updated_at.map_or_else(|| card.published.iso.clone(), |t| presenter.time(t).iso),
        authors: article
            .card
            .authors
            .iter()
            .map(|a| (a.name.as_str(), presenter.absolute(&presenter.path(&author_url(&a.slug)))))
            .collect(),
        section: &card.section.name,
        keywords: article.tags.iter().map(|t| t.name.as_str()).collect(),
        language: &chrome.site.lang,
        home: &home,
        correction: &article.correction,
    }
    .to_json();
    let section_abs = presenter.absolute(&section_path);
    page.json_ld = Some(structured::script(vec![
        news_article,
        structured::breadcrumbs(&[
            (&home_name, &home),
            (&card.section.name, &section_abs),
            (&card.headline, &page.canonical),
        ]),
        structured::publisher(&chrome.site.name, &home, logo.as_deref()),
    ]));
    let view = ArticleView {
        headline: card.headline,
        standfirst: card.standfirst,
        url: card.url,
        body_html: article.body_html.clone(),
        section: card.section,
        authors: card.authors,
        published: card.published,
        updated: article.card.updated_at.map(|t| presenter.time(t)),
        views: card.views,
        view_count: card.view_count,
        image: article.card.image.as_ref().map(image),
        tags: article.tags.iter().map(|t| presenter.tag_link(t)).collect(),
        correction: article.correction.clone(),
    };
    let recommend: Vec<CardView> = presenter.cards(&recommend);
    let latest: Vec<CardView> = presenter.cards(&latest);
    let beacon = (state.config.views == CountingMode::Beacon).then(|| format!("/views/{}", article.card.id));
    let mut response = render(
        &state,
        "article.html",
        context! { page, article => view, recommend, latest, beacon, ..Value::from_serialize(&chrome) },
    )?;
    response.extensions_mut().insert(ArticleShown(article.card.id));
    Ok(response)
}

/// `POST /views/{id}`: a page's report that a reader saw it, in beacon mode. The same rules as for page
/// requests apply (bots, prefetches, repeats); the answer is empty either way.
pub async fn beacon(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    path: Result<Path<i64>, PathRejection>,
    headers: HeaderMap,
) -> Result<StatusCode, SiteError> {
    let Path(id) = path.map_err(|_| SiteError::NotFound)?;
    if state.config.views != CountingMode::Beacon || !state.store.is_public(id, Utc::now()).await? {
        return Err(SiteError::NotFound);
    }
    state.views.record(id, &Method::POST, &headers, peer.ip());
    Ok(StatusCode::NO_CONTENT)
}
