//! Search for readers: the page `/search?q=` and the same results as JSON at `/api/v1/search?q=`.
//!
//! Whatever arrives in the query string gives results: bytes that are not UTF-8 are decoded lossily, unknown
//! values of `sort`, `page` or the dates are ignored, and the index never sees reader syntax (see
//! `search::query`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use minijinja::{Value, context};
use serde::Serialize;

use super::SiteState;
use super::edition::Edition;
use super::listing::Pagination;
use super::view::{CardView, Presenter, section_url};
use super::{SiteError, render};
use crate::content::{ArticleCard, Slug, plain_text};
use crate::i18n::ArgValue;
use crate::search::{SearchRequest, Sort};

/// Results per page on the search page.
const PER_PAGE: usize = 10;
/// Most results per page the API gives.
const MAX_PER_PAGE: usize = 50;
/// Deepest page served: beyond it readers refine their query, and offsets stay cheap.
const MAX_PAGE: usize = 100;

/// A search as the query string asks for it, already made safe.
#[derive(Debug, Default, Clone)]
struct Params {
    q: String,
    section: Option<String>,
    author: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    sort: Sort,
    page: usize,
    per_page: usize,
}

impl Params {
    fn read(raw: Option<&str>, default_per_page: usize) -> Params {
        let mut params = Params { page: 1, per_page: default_per_page, ..Params::default() };
        let nonempty = |value: &str| Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "q" => params.q = value.chars().take(1000).collect(),
                "section" => params.section = nonempty(&value),
                "author" => params.author = nonempty(&value),
                "from" => params.from = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok(),
                "to" => params.to = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok(),
                "sort" if value == "newest" => params.sort = Sort::Newest,
                "page" => params.page = value.parse().ok().filter(|p| (1..=MAX_PAGE).contains(p)).unwrap_or(1),
                "per_page" => {
                    params.per_page =
                        value.parse().ok().filter(|n| (1..=MAX_PER_PAGE).contains(n)).unwrap_or(default_per_page);
                }
                _ => {}
            }
        }
        params
    }

    /// The query string for these parameters at `page` (the form's own field order).
    fn query_string(&self, page: usize, text: &str) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("q", text);
        if let Some(section) = &self.section {
            out.append_pair("section", section);
        }
        if let Some(author) = &self.author {
            out.append_pair("author", author);
        }
        if let Some(from) = self.from {
            out.append_pair("from", &from.to_string());
        }
        if let Some(to) = self.to {
            out.append_pair("to", &to.to_string());
        }
        if self.sort == Sort::Newest {
            out.append_pair("sort", "newest");
        }
        if page > 1 {
            out.append_pair("page", &page.to_string());
        }
        out.finish()
    }

    /// Whether a filter names a section or author that cannot exist (not a slug: a NUL, say). Such an
    /// address is "no such page", like `?page=abc` on a list; a well-formed unknown slug only finds nothing.
    fn names_nothing(&self) -> bool {
        [&self.section, &self.author].into_iter().flatten().any(|slug| !Slug::fits(slug))
    }

    fn has_filters(&self) -> bool {
        self.section.is_some() || self.author.is_some() || self.from.is_some() || self.to.is_some()
    }
}

/// One page of results, ready for either representation.
#[derive(Default)]
struct Found {
    total: usize,
    cards: Vec<ArticleCard>,
    /// Matched passages as safe HTML, one per card.
    snippets: Vec<String>,
    corrected: Option<String>,
}

/// The search the query string `raw` asks for, and its page of results; none when it asks for nothing (no
/// words, no filter).
async fn read_and_find(
    state: &SiteState,
    edition: &Edition,
    raw: Option<&str>,
) -> Result<(Params, Option<Found>), SiteError> {
    let params = Params::read(raw, PER_PAGE);
    if params.names_nothing() {
        return Err(SiteError::NotFound);
    }
    let searched = !params.q.trim().is_empty() || params.has_filters();
    let found = if searched { Some(find(state, edition, &params).await?) } else { None };
    Ok((params, found))
}

async fn find(state: &SiteState, edition: &Edition, params: &Params) -> Result<Found, SiteError> {
    let now = Utc::now();
    let zone = state.site().timezone;
    let start_of = |day: NaiveDate, time: NaiveTime| {
        zone.from_local_datetime(&day.and_time(time)).earliest().map(|t| t.timestamp())
    };
    let request = SearchRequest {
        text: params.q.clone(),
        section: params.section.clone(),
        language: edition.list_language().map(str::to_owned),
        author: params.author.clone(),
        from: params.from.and_then(|day| start_of(day, NaiveTime::MIN)),
        to: params.to.and_then(|day| start_of(day, NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN))),
        sort: params.sort,
        offset: (params.page - 1) * params.per_page,
        limit: params.per_page,
        now: now.timestamp(),
    };
    let index = Arc::clone(&state.search);
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|error| SiteError::Internal(error.to_string()))?
        .map_err(|error| SiteError::Internal(error.to_string()))?;
    let cards = state.store.cards_by_ids(&results.ids, now).await?;
    let bodies = state.store.bodies(&results.ids).await?;
    let snippets = cards
        .iter()
        .map(|card| {
            let snippet = bodies.get(&card.id).map(|body| results.snippet(&plain_text(body))).unwrap_or_default();
            if snippet.is_empty() { html_escape(&card.standfirst) } else { snippet }
        })
        .collect();
    Ok(Found { total: results.total, cards, snippets, corrected: results.corrected })
}

fn html_escape(text: &str) -> String {
    minijinja::HtmlEscape(text).to_string()
}

#[derive(Serialize)]
struct ResultView {
    card: CardView,
    snippet: String,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    name: String,
    selected: bool,
}

#[derive(Serialize)]
struct SearchView {
    q: String,
    searched: bool,
    filtered: bool,
    summary: String,
    corrected: Option<String>,
    corrected_url: Option<String>,
    ready: bool,
    sections: Vec<Choice>,
    author: Option<Choice>,
    without_author_url: String,
    from: String,
    to: String,
    newest: bool,
}

/// `GET /search`: the search page.
pub async fn page(
    State(state): State<SiteState>,
    edition: Edition,
    RawQuery(raw): RawQuery,
) -> Result<Response, SiteError> {
    let (params, found) = read_and_find(&state, &edition, raw.as_deref()).await?;
    let searched = found.is_some();
    let presenter = Presenter::load(&state, &edition).await?;
    let chrome = presenter.chrome(None, "/search");
    let author = match &params.author {
        Some(slug) => state.store.author(slug).await?.map(|a| Choice { value: a.slug, name: a.name, selected: true }),
        None => None,
    };
    let sections = presenter
        .frame()
        .sections
        .iter()
        .map(|s| Choice {
            value: s.slug.clone(),
            name: presenter.section_text(&s.slug, &s.name, "").0,
            selected: params.section.as_deref() == Some(s.slug.as_str()),
        })
        .collect();
    let total = found.as_ref().map_or(0, |f| f.total);
    let total_pages = total.div_ceil(params.per_page).max(1);
    let search_path = presenter.path("/search");
    let page_url = |n: usize| format!("{search_path}?{}", params.query_string(n, &params.q));
    let pagination = Pagination {
        page: params.page as i64,
        total_pages: total_pages as i64,
        prev_url: (params.page > 1).then(|| page_url(params.page - 1)),
        next_url: (params.page < total_pages.min(MAX_PAGE)).then(|| page_url(params.page + 1)),
        prev_label: presenter.text("pagination-previous"),
        next_label: presenter.text("pagination-next"),
    };
    let summary = match total {
        0 => String::new(),
        n => presenter.locale().text("search-summary", &[("count", ArgValue::Number(n as i64))]),
    };
    let corrected = found.as_ref().and_then(|f| f.corrected.clone());
    let search = SearchView {
        q: params.q.clone(),
        searched,
        filtered: params.has_filters() || params.sort == Sort::Newest,
        summary,
        corrected_url: corrected.as_ref().map(|text| format!("{search_path}?{}", params.query_string(1, text))),
        corrected,
        ready: state.search.is_ready(),
        sections,
        author,
        without_author_url: format!(
            "{search_path}?{}",
            Params { author: None, ..params.clone() }.query_string(1, &params.q)
        ),
        from: params.from.map(|d| d.to_string()).unwrap_or_default(),
        to: params.to.map(|d| d.to_string()).unwrap_or_default(),
        newest: params.sort == Sort::Newest,
    };
    let results: Vec<ResultView> = found
        .map(|f| {
            f.cards
                .iter()
                .zip(f.snippets)
                .map(|(card, snippet)| ResultView { card: presenter.card(card), snippet })
                .collect()
        })
        .unwrap_or_default();
    let title = if params.q.trim().is_empty() {
        presenter.text("search-title")
    } else {
        presenter.locale().text("search-title-query", &[("query", ArgValue::Text(params.q.trim()))])
    };
    let page = presenter.meta(&chrome, Some(&title), "", "/search");
    let mut response = render(
        &state,
        "search.html",
        context! { page, search, results, pagination, ..Value::from_serialize(&chrome) },
    )?;
    no_store_in_shared_caches(&mut response);
    Ok(response)
}

/// A page of search results.
#[derive(Serialize, utoipa::ToSchema)]
struct ApiResults {
    /// The query as read.
    query: String,
    /// The query with its misspelt words corrected, when no article had them as typed.
    corrected: Option<String>,
    /// How many articles match.
    total: usize,
    page: usize,
    per_page: usize,
    pages: usize,
    results: Vec<ApiResult>,
}

/// One article found.
#[derive(Serialize, utoipa::ToSchema)]
struct ApiResult {
    id: i64,
    /// The article's absolute address.
    url: String,
    headline: String,
    standfirst: String,
    section: ApiLink,
    authors: Vec<ApiLink>,
    /// Publication time, ISO 8601.
    published: String,
    /// The best-matching passage of the body, with the matched words in `<mark>`.
    snippet_html: String,
}

/// A section or author, with its absolute address.
#[derive(Serialize, utoipa::ToSchema)]
struct ApiLink {
    slug: String,
    name: String,
    url: String,
}

/// Search the published articles: the search page's results as JSON. Every parameter is optional, and a value
/// that cannot be read is ignored.
#[utoipa::path(get, path = "/api/v1/search", security(()),
    params(
        ("q" = Option<String>, Query, description = "Words; \"a phrase\" in quotes; -word to leave articles out"),
        ("section" = Option<String>, Query, description = "Only this section (its slug)"),
        ("author" = Option<String>, Query, description = "Only this author (their slug)"),
        ("from" = Option<String>, Query, description = "Published on or after this day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "Published on or before this day, YYYY-MM-DD"),
        ("sort" = Option<String>, Query, description = "`newest`; best match first when left out"),
        ("page" = Option<usize>, Query, description = "1 to 100"),
        ("per_page" = Option<usize>, Query, description = "1 to 50; 10 when left out"),
    ),
    responses(
        (status = 200, description = "The results", body = ApiResults),
        (status = 404, description = "A section or author filter that cannot be a slug"),
        (status = 429, description = "Too many searches from this address; try again after Retry-After seconds"),
    )
)]
pub async fn api(
    State(state): State<SiteState>,
    edition: Edition,
    RawQuery(raw): RawQuery,
) -> Result<Response, SiteError> {
    let (params, found) = read_and_find(&state, &edition, raw.as_deref()).await?;
    let found = found.unwrap_or_default();
    let presenter = Presenter::load(&state, &edition).await?;
    let results = found
        .cards
        .iter()
        .zip(found.snippets)
        .map(|(card, snippet_html)| {
            let view = presenter.card(card);
            ApiResult {
                id: card.id,
                url: presenter.absolute(&view.url),
                headline: card.headline.clone(),
                standfirst: card.standfirst.clone(),
                section: ApiLink {
                    slug: card.section.slug.clone(),
                    name: card.section.name.clone(),
                    url: presenter.absolute(&presenter.path(&section_url(&card.section.slug))),
                },
                authors: card
                    .authors
                    .iter()
                    .map(|a| ApiLink {
                        slug: a.slug.clone(),
                        name: a.name.clone(),
                        url: presenter.absolute(&presenter.path(&super::view::author_url(&a.slug))),
                    })
                    .collect(),
                published: view.published.iso,
                snippet_html,
            }
        })
        .collect();
    let mut response = Json(ApiResults {
        query: params.q.clone(),
        corrected: found.corrected,
        total: found.total,
        page: params.page,
        per_page: params.per_page,
        pages: found.total.div_ceil(params.per_page),
        results,
    })
    .into_response();
    no_store_in_shared_caches(&mut response);
    Ok(response)
}

/// Results change with every publication and are never kept by the page cache; browsers may revalidate.
fn no_store_in_shared_caches(response: &mut Response) {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_parameters_fall_back_to_defaults() {
        let params = Params::read(Some("q=%FF%FEbudget&page=-3&sort=sideways&from=yesterday&per_page=9999"), 10);
        assert_eq!(params.q, "\u{fffd}\u{fffd}budget");
        assert_eq!((params.page, params.per_page, params.sort, params.from), (1, 10, Sort::Relevance, None));
    }

    #[test]
    fn links_keep_every_filter() {
        let params = Params::read(Some("q=a+b&section=world&from=2025-01-02&sort=newest"), 10);
        assert_eq!(params.query_string(3, "a b"), "q=a+b&section=world&from=2025-01-02&sort=newest&page=3");
    }
}
