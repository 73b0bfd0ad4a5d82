//! The article page: `/{section}/{slug}`.
//!
//! A page-cache miss is served from the article's kept page when there is a current one (one row read, two
//! places filled, before routing: [`kept_at`]); otherwise the router renders the page, which is served and
//! queued to be kept (see [`super::kept`]).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use chrono::Utc;
use minijinja::{HtmlEscape, Value, context};
use serde::Serialize;

use super::SiteState;
use super::edition::{Edition, Prefix};
use super::kept::{OpenPage, Openings, RenderedPage, fill};
use super::serving::ArticleShown;
use super::structured::{self, NewsArticle};
use super::view::{CardView, ImageView, LinkView, Presenter, TimeView, author_url, image, section_url, share_image};
use super::{SiteError, html_response};
use crate::config::CountingMode;
use crate::content::Slug;
use crate::i18n::ArgValue;
use crate::settings::article_url;
use crate::store::{CardQuery, ListFilter};

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
    image: Option<ImageView>,
    tags: Vec<LinkView>,
    correction: String,
}

/// Shows one published article with its Recommend and Latest blocks, rendered now (and queued to be kept). Its
/// kept page, when there is a current one, was served before routing (see [`kept_at`]).
pub async fn page(
    State(state): State<SiteState>,
    edition: Edition,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, SiteError> {
    let Path((section, slug)) = path.map_err(|_| SiteError::NotFound)?;
    let now = Utc::now();
    let presenter = Presenter::load(&state, &edition).await?;
    let fingerprint = state.kept.fingerprint(&presenter);
    let rendered = match render(&state, &presenter, &section, &slug, now).await? {
        Outcome::Elsewhere(response) => return Ok(response),
        Outcome::Rendered(rendered) => rendered,
    };
    let id = rendered.article_id;
    let views = views_label(&presenter, rendered.view_count);
    let latest = latest_block(&state, &presenter, id, now).await?;
    let Some(open) = rendered.open() else {
        // A theme that does not place both markers, or shows the body twice: its pages are served as rendered
        // and never kept.
        return Ok(article_response(rendered.filled(&views, &latest), id));
    };
    let served = fill(&open.html, open.at, [&views, &latest, &rendered.body])
        .ok_or_else(|| SiteError::Internal("a rendered page's open places were lost".into()))?;
    // Before the search index is ready, Recommend is made from tags alone: not a page to keep for a day.
    if state.search.is_ready() {
        state.kept.push(rendered.keep(open, &fingerprint, now));
    }
    Ok(article_response(served, id))
}

/// The article page at `path` (`/{section}/{slug}`, under a language's prefix or none) from its kept page,
/// with the article's id: the page cache's answer to a miss, before routing. `None` when the
/// address is not plainly an article's or its page is not kept (or cannot be read now); the router then
/// answers, rendering, redirecting or refusing as the address deserves.
pub async fn kept_at(state: &SiteState, path: &str) -> Option<(String, i64)> {
    let site = state.site();
    let (edition, rest) = match super::edition::prefix_of(&site, path) {
        Prefix::Other(edition, rest) => (edition, rest),
        Prefix::None => (Edition::default_of(&site), path),
        // Redirected by the router.
        Prefix::Default(_) => return None,
    };
    let (section, slug) = article_address(rest)?;
    let presenter = Presenter::load(state, &edition).await.ok()?;
    // Tag and author pages (`/tag/…`, `/author/…`) have the same shape: no row to look for under them.
    if !presenter.frame().sections.iter().any(|known| known.slug.as_str() == section) {
        return None;
    }
    from_kept(state, &presenter, section, slug, Utc::now()).await.ok().flatten()
}

/// The section and slug of `/{section}/{slug}` when both are slugs (`a-z`, `0-9`, `-`), which every
/// article's are: anything else (a feed file, an encoded character, a deeper path) is the router's to read.
fn article_address(path: &str) -> Option<(&str, &str)> {
    let (section, slug) = path.strip_prefix('/')?.split_once('/')?;
    (Slug::fits(section) && Slug::fits(slug)).then_some((section, slug))
}

/// The article page `/{section}/{slug}` of the presenter's edition from its kept page, when there is a
/// current one: the page, filled, and the article's id.
async fn from_kept(
    state: &SiteState,
    presenter: &Presenter<'_>,
    section: &str,
    slug: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Option<(String, i64)>, SiteError> {
    let fingerprint = state.kept.fingerprint(presenter);
    let Some(dictionary) = state.kept.dictionary(&state.store, &fingerprint, None).await? else { return Ok(None) };
    let Some(kept) = state.store.kept_page(section, slug, now, dictionary.id()).await? else { return Ok(None) };
    // Under another language's prefix the page answers with a redirect, which a render makes.
    if Edition::of(presenter.site(), &kept.language).path("/") != presenter.edition().path("/") {
        return Ok(None);
    }
    let latest = latest_block(state, presenter, kept.article_id, now).await?;
    let views = views_label(presenter, kept.view_count);
    let Some(html) = state.kept.fill(&dictionary, &kept, &views, &latest) else { return Ok(None) };
    state.kept.served();
    Ok(Some((html, kept.article_id)))
}

/// Renders the article at `/{section}/{slug}` of `language`'s edition to be kept; `None` when the theme's
/// page cannot be kept. (An article that is not public is [`SiteError::NotFound`].)
pub(super) async fn render_to_keep(
    state: &SiteState,
    language: &str,
    section: &str,
    slug: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Option<RenderedPage>, SiteError> {
    let edition = Edition::of(&state.site(), language);
    let presenter = Presenter::load(state, &edition).await?;
    let fingerprint = state.kept.fingerprint(&presenter);
    let Outcome::Rendered(rendered) = render(state, &presenter, section, slug, now).await? else { return Ok(None) };
    Ok(rendered.open().map(|open| rendered.keep(open, &fingerprint, now)))
}

/// What rendering an article page comes to.
enum Outcome {
    /// The article lives elsewhere: the answer sends the reader there.
    Elsewhere(Response),
    /// The page.
    Rendered(Rendered),
}

/// An article page just rendered, with two of its places marked.
struct Rendered {
    article_id: i64,
    view_count: i64,
    /// The change sequence number seen before the render read anything.
    seq: i64,
    /// The other articles it shows.
    shows: Vec<i64>,
    html: String,
    /// The article's body, as the page shows it.
    body: String,
    openings: Openings,
}

impl Rendered {
    /// This render with its places taken out, if it can be kept.
    fn open(&self) -> Option<OpenPage> {
        self.openings.open(&self.html, &self.body)
    }

    /// This render with its places filled by string replacement (for a page that is not kept).
    fn filled(&self, views: &str, latest: &str) -> String {
        self.html.replace(&self.openings.views, views).replace(&self.openings.latest, latest)
    }

    /// The page to keep, from `open` (this render with its places taken out).
    fn keep(self, open: OpenPage, fingerprint: &Arc<str>, now: chrono::DateTime<Utc>) -> RenderedPage {
        RenderedPage {
            article_id: self.article_id,
            seq: self.seq,
            fingerprint: Arc::clone(fingerprint),
            rendered_at: now.timestamp(),
            open,
            shows: self.shows,
        }
    }
}

/// Renders the page of the public article at `/{section}/{slug}` for `presenter`'s edition, with the view
/// count and the Latest block left as marked places.
async fn render(
    state: &SiteState,
    presenter: &Presenter<'_>,
    section: &str,
    slug: &str,
    now: chrono::DateTime<Utc>,
) -> Result<Outcome, SiteError> {
    // Read before anything the render reads: a change recorded after it keeps the page from being kept.
    let seq = state.store.seen_change();
    let article = state.store.article(section, slug, now).await?.ok_or(SiteError::NotFound)?;
    let own_edition = Edition::of(presenter.site(), &article.language);
    if own_edition.path("/") != presenter.edition().path("/") {
        // Asked for under another language's prefix: the article lives under its own.
        let target = (section.to_owned(), slug.to_owned(), article.language.clone());
        return Ok(Outcome::Elsewhere(super::moved_to(state, &target)));
    }
    Ok(Outcome::Rendered(render_article(state, presenter, article, seq, now, None).await?))
}

/// What a preview's banner says, beside the page readers would see.
#[derive(Debug, Serialize)]
pub(super) struct PreviewBanner {
    /// When the private link shown expires, as readers see times; none for the back office's own preview.
    pub expires: Option<String>,
}

/// `article`'s page for `presenter`'s edition with `banner`, whole: a preview (see [`super::preview`]).
pub(super) async fn preview(
    state: &SiteState,
    presenter: &Presenter<'_>,
    article: crate::content::Article,
    now: chrono::DateTime<Utc>,
    banner: PreviewBanner,
) -> Result<String, SiteError> {
    let rendered = render_article(state, presenter, article, state.store.seen_change(), now, Some(banner)).await?;
    let views = views_label(presenter, rendered.view_count);
    let latest = latest_block(state, presenter, rendered.article_id, now).await?;
    Ok(rendered.filled(&views, &latest))
}

/// Renders `article`'s page for `presenter`'s edition, with the view count and the Latest block left as marked
/// places: the page readers get, or with `preview`, the same page with the preview's banner, no view beacon and
/// nothing kept (its Recommend list included).
async fn render_article(
    state: &SiteState,
    presenter: &Presenter<'_>,
    article: crate::content::Article,
    seq: i64,
    now: chrono::DateTime<Utc>,
    preview: Option<PreviewBanner>,
) -> Result<Rendered, SiteError> {
    let store = &state.store;
    let edition = presenter.edition();
    let section = article.card.section.slug.as_str();
    let keep = preview.is_none();
    let recommend = super::recommend::recommendations(state, edition, &article, now, keep).await?;
    let card = presenter.card(&article.card);
    let within_edition = article_url(&article.card.section.slug, &article.card.slug);
    let mut chrome = presenter.chrome(Some(section), &within_edition);
    let others = match article.translation_group {
        Some(group) => store.editions_in_groups(&[group], now).await?.remove(&group).unwrap_or_default(),
        None => Vec::new(),
    };
    let editions_ids = others.iter().map(|e| e.id).filter(|&id| id != article.card.id).collect::<Vec<_>>();
    let editions: Vec<(String, String)> = others
        .into_iter()
        .map(|e| (e.language.clone(), presenter.article_path(&e.language, &e.section, &e.slug)))
        .filter(|(language, _)| presenter.site().publishes_in(language))
        .collect();
    chrome.editions = presenter.edition_links(&editions);
    // Search engines and social networks get the article's own title, description and image where it has them.
    let search = &article.search;
    let title = search.title_or(&card.headline);
    let mut page = presenter.meta(&chrome, Some(title), search.description_or(&card.standfirst), &within_edition);
    page.alternates = presenter.alternates(&editions);
    page.og_type = "article";
    let section_path = section_url(&article.card.section.slug);
    page.feeds.extend(presenter.feeds(&section_path, &format!("{} | {}", card.section.name, chrome.site.name)));
    let section_path = presenter.path(&section_path);
    // The share image chosen for the article, else its lead image, in its 1200×630 crop when it has one.
    let shared = article.share_image.as_ref().or(article.card.image.as_ref());
    page.image = shared.map(share_image).map(|shown| ImageView { url: presenter.absolute(&shown.url), ..shown });
    let home = presenter.absolute(&chrome.home_url);
    let home_name = presenter.text("breadcrumb-home");
    let logo = presenter.publisher_logo();
    let news_article = NewsArticle {
        url: &page.canonical,
        headline: &card.headline,
        description: search.description_or(&card.standfirst),
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
        image: article.card.image.as_ref().map(image),
        tags: article.tags.iter().map(|t| presenter.tag_link(t)).collect(),
        correction: article.correction.clone(),
    };
    let shows: Vec<i64> = recommend.iter().map(|c| c.id).chain(editions_ids).collect();
    let recommend: Vec<CardView> = presenter.cards(&recommend);
    let beacon = (keep && state.config.views == CountingMode::Beacon).then(|| format!("/views/{}", article.card.id));
    let openings = Openings::new();
    let html = state.theme.render(
        "article.html",
        context! {
            page, article => view, recommend, beacon, preview,
            views_label => &openings.views, latest_block => &openings.latest,
            ..Value::from_serialize(&chrome)
        },
    )?;
    Ok(Rendered {
        article_id: article.card.id,
        view_count: article.card.view_count,
        seq,
        shows,
        html,
        body: article.body_html,
        openings,
    })
}

/// An article page's response, marked with the article for view counting.
fn article_response(html: String, article: i64) -> Response {
    let mut response = html_response(html);
    response.extensions_mut().insert(ArticleShown(article));
    response
}

/// "views:208" in the edition's language, as HTML.
fn views_label(presenter: &Presenter<'_>, count: i64) -> String {
    let grouped = presenter.number(count);
    let text =
        presenter.locale().text("views", &[("count", ArgValue::Number(count)), ("views", ArgValue::Text(&grouped))]);
    HtmlEscape(&text).to_string().replace("&#x2f;", "/")
}

/// The Latest block of a page showing `article`: the edition's newest articles, rendered once per content
/// generation and shared by every article page; on the pages of those newest articles themselves, without
/// the article, rendered for the page.
async fn latest_block(
    state: &SiteState,
    presenter: &Presenter<'_>,
    article: i64,
    now: chrono::DateTime<Utc>,
) -> Result<std::sync::Arc<str>, SiteError> {
    let edition = presenter.edition();
    let language = edition.list_language();
    // One more than shown, so that leaving out the article being read still leaves enough.
    let newest_query = CardQuery::newest(ListFilter::All, LATEST + 1).in_language(language);
    let render = |cards: Vec<crate::content::ArticleCard>| -> Result<std::sync::Arc<str>, SiteError> {
        let latest: Vec<CardView> = presenter.cards(&cards);
        let html = state.theme.render("latest.html", context! { latest, locale => &edition.language })?;
        Ok(html.into())
    };
    let block = state
        .latest
        .memo(&edition.path(&edition.language))
        .get_or_load(state.cache.generation(), || async {
            let newest = state.store.cards(&newest_query, now).await?;
            let shown: Vec<_> = newest.iter().take(LATEST as usize).cloned().collect();
            Ok::<_, SiteError>(super::LatestBlock { html: render(shown)?, newest })
        })
        .await?;
    if block.newest.iter().take(LATEST as usize).any(|card| card.id == article) {
        let others = block.newest.iter().filter(|card| card.id != article).take(LATEST as usize).cloned().collect();
        return render(others);
    }
    Ok(std::sync::Arc::clone(&block.html))
}

/// `POST /views/{id}`: a page's report that a reader saw it, in beacon mode. The same rules as for page
/// requests apply (bots, prefetches, repeats); the answer is empty either way.
pub async fn beacon(
    State(state): State<SiteState>,
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
