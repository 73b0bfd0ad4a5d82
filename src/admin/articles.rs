//! Articles in the back office: the filtered list, the editor (with a Preview button that needs no script),
//! deletion, and revisions (history, readable diff, restore).

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::context;
use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

use super::publish_time::{self, goes_out};
use super::{AdminError, Fields, Session, Submitted, page, session, style};
use crate::auth::{Action, may, statuses_for};
use crate::content::{ArticleStatus, SEO_DESCRIPTION_MAX, SEO_TITLE_MAX, render_markdown};
use crate::editorial::{self, ArticleDraft, SaveError};
use crate::settings::article_path;
use crate::store::{AdminFilter, AdminListItem, AdminSort, Autosave, EditableArticle, EditionInfo, SortColumn};
use crate::web::AppState;

/// Articles a list page shows.
const PER_PAGE: i64 = 20;
/// The cookie that remembers the list's filters, order and page, for the editor's way back to it.
const LIST_COOKIE: &str = "newsroom_list";

impl From<SaveError> for AdminError {
    fn from(error: SaveError) -> AdminError {
        match error {
            SaveError::Forbidden => AdminError::Forbidden,
            SaveError::Refused(message) => AdminError::Refused(message),
            SaveError::NotFound => AdminError::NotFound,
            SaveError::Invalid(message) => AdminError::BadRequest(message),
            SaveError::Stale => AdminError::BadRequest(SaveError::Stale.to_string()),
            SaveError::Store(error) => AdminError::Store(error),
        }
    }
}

/// The list's filters, order and page, as the query string carries them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    language: String,
    /// A column's name ([`SortColumn::ALL`]); empty is the last saved first.
    #[serde(default)]
    sort: String,
    /// `asc` or `desc`; empty is the column's usual direction.
    #[serde(default)]
    order: String,
    #[serde(default)]
    page: String,
}

impl ListQuery {
    /// The order asked for: a sort or order the list does not know is refused with the ones it does.
    fn sort(&self) -> Result<AdminSort, AdminError> {
        if self.sort.is_empty() && self.order.is_empty() {
            return Ok(AdminSort::default());
        }
        let column = match self.sort.as_str() {
            "" => AdminSort::default().column,
            name => SortColumn::parse(name).ok_or_else(|| {
                let known: Vec<&str> = SortColumn::ALL.iter().map(|(_, name)| *name).collect();
                AdminError::BadRequest(format!(
                    "the list cannot be sorted by {name:?}; it sorts by {}",
                    known.join(", ")
                ))
            })?,
        };
        let descending = match self.order.as_str() {
            "" => column.descends_first(),
            "asc" => false,
            "desc" => true,
            other => {
                return Err(AdminError::BadRequest(format!(
                    "{other:?} is not an order; the list sorts in order \"asc\" (A to Z, oldest and fewest \
                     first) or \"desc\""
                )));
            }
        };
        Ok(AdminSort { column, descending })
    }

    /// The query string of this list (empty fields left out).
    fn query_string(&self) -> String {
        let mut params = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("status", &self.status),
            ("section", &self.section),
            ("author", &self.author),
            ("language", &self.language),
            ("q", &self.q),
            ("sort", &self.sort),
            ("order", &self.order),
            ("page", &self.page),
        ] {
            if !value.is_empty() {
                params.append_pair(key, value);
            }
        }
        params.finish()
    }

    /// The address of this list.
    fn address(&self) -> String {
        match self.query_string() {
            query if query.is_empty() => "/admin/articles".to_owned(),
            query => format!("/admin/articles?{query}"),
        }
    }
}

/// A column header of the list: the address that sorts by it (a second click reverses), and the `aria-sort`
/// it carries while the list is sorted by it.
#[derive(Serialize)]
struct SortHeader {
    url: String,
    sorted: Option<&'static str>,
}

/// The headers of the list's sortable columns by their names, each keeping the filters and page.
fn sort_headers(query: &ListQuery, sort: AdminSort) -> BTreeMap<&'static str, SortHeader> {
    SortColumn::ALL
        .iter()
        .map(|&(column, key)| {
            let current = sort.column == column;
            let descending = if current { !sort.descending } else { column.descends_first() };
            let order = if descending { "desc" } else { "asc" };
            let url = ListQuery { sort: key.to_owned(), order: order.to_owned(), ..query.clone() }.address();
            let sorted = current.then_some(if sort.descending { "descending" } else { "ascending" });
            (key, SortHeader { url, sorted })
        })
        .collect()
}

/// A lead image's thumbnail in the list: its smallest copy (the 480-pixel one, WebP where there is one; the
/// original when the image is too small to have copies).
#[derive(Serialize)]
struct Thumbnail {
    url: String,
}

fn thumbnail(item: &AdminListItem) -> Option<Thumbnail> {
    let path = item.image_path.as_deref()?;
    let copies = item.image_copies();
    let smallest = copies.iter().min_by_key(|copy| (copy.width, copy.mime != "image/webp"));
    Some(Thumbnail { url: crate::media::media_url(smallest.map_or(path, |copy| copy.path.as_str())) })
}

#[derive(Serialize)]
struct ListRow {
    id: i64,
    headline: String,
    section: String,
    status: String,
    authors: String,
    when: String,
    /// When it went out, or when it is due to ("in 3 hours").
    published: String,
    views: i64,
    url: Option<String>,
    language: String,
    thumbnail: Option<Thumbnail>,
}

/// `GET /admin/articles`: every article the user may see, filtered, sorted and paged. The browser keeps the
/// list's address in a cookie, for the editor's way back to it.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, AdminError> {
    let query = query.map(|q| q.0).unwrap_or_default();
    let sort = query.sort()?;
    let sections = state.store.sections().await?;
    let authors = state.store.all_authors().await?;
    let page_number = query.page.parse::<i64>().ok().filter(|p| *p >= 1).unwrap_or(1);
    let filter = AdminFilter {
        status: ArticleStatus::parse(&query.status),
        section: sections.iter().find(|s| s.slug == query.section).map(|s| s.id),
        author: authors.iter().find(|a| a.slug == query.author).map(|a| a.id),
        owner: (!may(&session.user, Action::SeeAllArticles, None)).then_some(session.user.id),
        query: Some(query.q.clone()),
        language: (!query.language.is_empty()).then(|| query.language.clone()),
        sort,
        limit: PER_PAGE,
        offset: (page_number - 1) * PER_PAGE,
    };
    let (items, total) = state.store.admin_articles(&filter).await?;
    let site = state.site();
    let now = Utc::now();
    let rows: Vec<ListRow> = items
        .into_iter()
        .map(|item| ListRow {
            published: match item.published_at.and_then(|t| DateTime::from_timestamp(t, 0)) {
                Some(at) if item.status == "scheduled" => goes_out(&site, at, now),
                Some(at) if item.status == "published" => site.show_time(at),
                _ => String::new(),
            },
            thumbnail: thumbnail(&item),
            views: item.view_count,
            id: item.id,
            url: (item.status == "published")
                .then(|| article_path(&site, &item.language, &item.section_slug, &item.slug)),
            language: item.language,
            headline: item.headline,
            section: item.section_name,
            status: item.status,
            authors: item.authors,
            when: DateTime::from_timestamp(item.modified_at, 0).map(|t| site.show_time(t)).unwrap_or_default(),
        })
        .collect();
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let link = |page: i64| ListQuery { page: page.to_string(), ..query.clone() }.address();
    let previous = (page_number > 1).then(|| link(page_number - 1));
    let next = (page_number < pages).then(|| link(page_number + 1));
    let statuses: Vec<&str> = ArticleStatus::ALL.iter().map(|s| s.as_str()).collect();
    let languages = language_choices(&state, &site.languages);
    let multilingual = site.languages.len() > 1;
    let headers = sort_headers(&query, sort);
    let context = context! {
        rows, total, page => page_number, pages, previous, next, query, sections, authors, statuses, languages,
        multilingual, headers,
    };
    let mut response = page(&state, &session, "articles", "admin/articles.html", context).await?;
    let kept = query.query_string();
    let cookie = session::set_cookie(&state, LIST_COOKIE, &kept, if kept.is_empty() { 0 } else { 12 * 3600 });
    response.headers_mut().append(axum::http::header::SET_COOKIE, cookie);
    Ok(response)
}

/// The list as the browser last showed it (filters, order and page), from its cookie; read back through
/// [`ListQuery`], so the address holds only what a list's own links would.
fn last_list(headers: &HeaderMap) -> String {
    let kept = session::cookie(headers, LIST_COOKIE).unwrap_or_default();
    format!("/admin/articles?{kept}")
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| Query::<ListQuery>::try_from_uri(&uri).ok())
        .map_or_else(|| "/admin/articles".to_owned(), |query| query.0.address())
}

/// `GET /admin/articles/back`: the editor's way back to the list, as it was left.
pub async fn back_to_list(_session: Session, headers: HeaderMap) -> Redirect {
    Redirect::to(&last_list(&headers))
}

/// A language as the back office offers it: its code and its own name.
#[derive(Serialize)]
struct LanguageChoice {
    code: String,
    name: String,
}

/// The back office's names for `codes` (the language's own name from its translation file, else the code).
fn language_choices(state: &AppState, codes: &[String]) -> Vec<LanguageChoice> {
    codes
        .iter()
        .map(|code| LanguageChoice {
            name: state.locales.get(code).map_or_else(|| code.clone(), |l| l.name().to_owned()),
            code: code.clone(),
        })
        .collect()
}

/// An edition of the article being edited, as the editor's Editions panel lists it.
#[derive(Serialize)]
struct EditionRow {
    #[serde(flatten)]
    info: EditionInfo,
    name: String,
}

/// What the editor form shows.
#[derive(Serialize)]
struct EditorView {
    id: Option<i64>,
    draft: ArticleDraft,
    /// The publication time's fields (year-month-day, 24-hour time) in the site's zone.
    publish_date: String,
    publish_time: String,
    /// What they mean ("Monday, Dec. 7, 2026, 1:55 p.m. GMT (in 3 hours)"), or else why they mean nothing.
    publish_when: String,
    publish_problem: String,
    modified_at: i64,
    author_slots: Vec<String>,
    tags: String,
    public_url: Option<String>,
    updated: Option<String>,
}

/// Messages the editor shows above the form.
#[derive(Default, Serialize)]
struct EditorMessages {
    error: String,
    notice: String,
    stale: bool,
    preview: Option<String>,
    /// Whether saving stopped at the style guide's findings: the editor may then publish as written.
    style_blocked: bool,
    /// Whether a lead-image upload was refused: its part of the form opens, filled in again.
    upload_refused: bool,
    upload: UploadText,
    /// With `stale`: the other person's save (removed lines) against this person's version (added lines).
    conflict: Vec<DiffLine>,
    /// Whether the page follows a save that went through (the editor's script then drops its copy).
    saved: bool,
    /// An autosave of the editor's that the article's last save does not hold.
    autosave: Option<AutosaveOffer>,
    /// Whether `error` is a refusal by the rules (answered 403) rather than a mistake in the article (422).
    #[serde(skip)]
    forbidden: bool,
    /// A publication date and time as typed, when they do not read: the form shows them again.
    #[serde(skip)]
    typed_time: Option<(String, String)>,
}

impl EditorMessages {
    /// The editor's message for a save that failed for a reason the editor can act on; other errors pass on.
    fn for_error(error: SaveError) -> Result<EditorMessages, SaveError> {
        match error {
            SaveError::Invalid(error) => Ok(EditorMessages { error, ..EditorMessages::default() }),
            SaveError::Refused(error) => Ok(EditorMessages { error, forbidden: true, ..EditorMessages::default() }),
            other => Err(other),
        }
    }
}

/// What an editor typed about an image they uploaded.
#[derive(Debug, Default, Serialize)]
struct UploadText {
    alt: String,
    caption: String,
    credit: String,
}

async fn editor(
    state: &AppState,
    session: &Session,
    current: Option<&EditableArticle>,
    draft: ArticleDraft,
    modified_at: i64,
    messages: EditorMessages,
) -> Result<Response, AdminError> {
    let site = state.site();
    let mut author_slots = draft.authors.clone();
    author_slots.resize(draft.authors.len().max(2) + 1, String::new());
    let (publish_date, publish_time) = match messages.typed_time.clone() {
        Some(typed) => typed,
        None => draft.published_at.map(|at| publish_time::fields(at, site.timezone)).unwrap_or_default(),
    };
    let when = publish_time::describe(&site, &publish_date, &publish_time, draft.published_at, Utc::now());
    let view = EditorView {
        id: current.map(|c| c.id),
        publish_when: when.clone().unwrap_or_default(),
        publish_problem: when.err().unwrap_or_default(),
        publish_date,
        publish_time,
        modified_at,
        author_slots,
        tags: draft.tags.join(", "),
        public_url: current
            .filter(|c| c.status == ArticleStatus::Published)
            .map(|c| article_path(&site, &c.language, &c.section, &c.slug)),
        updated: draft.updated_at.map(|t| site.show_time(t)),
        draft,
    };
    let statuses: Vec<&str> =
        statuses_for(&session.user, current.map(editorial::facts)).iter().map(|s| s.as_str()).collect();
    let status = if messages.forbidden {
        StatusCode::FORBIDDEN
    } else if messages.error.is_empty() && !messages.stale {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let can_delete = current.is_some_and(|c| may(&session.user, Action::DeleteArticle, Some(editorial::facts(c))));
    let style = style::findings(state, language_of(current), &view.draft).await?;
    let mut language_codes = site.languages.clone();
    if let Some(current) = current.filter(|c| !site.publishes_in(&c.language)) {
        language_codes.push(current.language.clone());
    }
    let editions: Vec<EditionRow> = match current {
        Some(current) => state
            .store
            .editions_of(current.id)
            .await?
            .into_iter()
            .map(|info| EditionRow {
                name: state.locales.get(&info.language).map_or_else(|| info.language.clone(), |l| l.name().to_owned()),
                info,
            })
            .collect(),
        None => Vec::new(),
    };
    let missing: Vec<String> =
        site.languages.iter().filter(|l| !editions.iter().any(|e| &e.info.language == *l)).cloned().collect();
    let translate_into = if current.is_some() && may(&session.user, Action::CreateArticle, None) {
        language_choices(state, &missing)
    } else {
        Vec::new()
    };
    // The search-result preview's address: the site's, with the edition's prefix for the article's language.
    let prefixed = article_path(&site, &view.draft.language, "s", "a");
    let search_preview = context! {
        site_name => site.name.clone(),
        site_description => site.description.clone(),
        address => format!("{}{}", site.base_url.trim_end_matches('/'), prefixed.trim_end_matches("/s/a")),
    };
    let search_limits = context! { title => SEO_TITLE_MAX, description => SEO_DESCRIPTION_MAX };
    let notes = match current {
        Some(current) => super::notes::notes_for(state, &session.user, current.id).await?,
        None => Vec::new(),
    };
    let can_note = current.is_some_and(|c| may(&session.user, Action::EditArticle, Some(editorial::facts(c))));
    let context = context! {
        article => view, messages, statuses, can_delete, notes, can_note,
        note_limits => context! { body => super::notes::MAX_NOTE_CHARS, quote => super::notes::MAX_QUOTE_CHARS },
        zone => site.timezone.name(), style, search_preview, search_limits,
        languages => language_choices(state, &language_codes), editions, translate_into,
        multilingual => site.languages.len() > 1,
        sections => state.store.sections().await?, authors => state.store.all_authors().await?,
        images => lead_image_choices(state, current).await?,
        max_upload_mb => crate::media::MAX_UPLOAD_BYTES / 1024 / 1024,
        lead_min_width => crate::media::LEAD_MIN_WIDTH,
    };
    let mut response = page(state, session, "articles", "admin/editor.html", context).await?;
    *response.status_mut() = status;
    Ok(response)
}

/// The images the editor offers as the lead and share images: the library, and the article's own images if
/// it has them from elsewhere (the demo, an import).
async fn lead_image_choices(
    state: &AppState,
    current: Option<&EditableArticle>,
) -> Result<Vec<crate::store::LibraryImage>, AdminError> {
    let mut images = state.store.library_images().await?;
    let own = current.map(|c| [c.lead_image_id, c.share_image_id]).unwrap_or_default();
    for id in own.into_iter().flatten() {
        if !images.iter().any(|i| i.id == id) {
            images.extend(state.store.image(id).await?);
        }
    }
    Ok(images)
}

/// `GET /admin/articles/new`.
pub async fn new(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    super::require(&session.user, Action::CreateArticle, None)?;
    let draft = ArticleDraft { status: "draft".into(), ..ArticleDraft::default() };
    editor(&state, &session, None, draft, 0, EditorMessages::default()).await
}

/// Query of the editor: a notice after a redirect, or `autosave=restore` to open what was autosaved.
#[derive(Debug, Default, Deserialize)]
pub struct EditQuery {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    autosave: String,
}

/// An autosave the editor offers back: when it was made, and whether someone saved the article since the
/// version it started from.
#[derive(Debug, Serialize)]
struct AutosaveOffer {
    at: String,
    saved_since: bool,
}

/// `GET /admin/articles/{id}`.
pub async fn edit(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    query: Result<Query<EditQuery>, QueryRejection>,
) -> Result<Response, AdminError> {
    let article = state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    let query = query.map(|q| q.0).unwrap_or_default();
    let notice = match query.notice.as_str() {
        "saved" => "Saved.",
        "restored" => "The revision is restored (as a new save; the history keeps what was there).",
        _ => "",
    };
    let saved = query.notice == "saved";
    let notice = match article.published_at.filter(|_| saved && article.status == ArticleStatus::Scheduled) {
        Some(at) => format!("Saved. Scheduled for {}.", goes_out(&state.site(), at, Utc::now())),
        None => notice.to_owned(),
    };
    let mut messages = EditorMessages { notice, saved, ..EditorMessages::default() };
    if let Some(kept) = state.store.autosave(id, session.user.id).await? {
        let site = state.site();
        let at = DateTime::from_timestamp(kept.saved_at, 0).map(|t| site.show_time(t)).unwrap_or_default();
        if query.autosave == "restore" {
            let mut draft: ArticleDraft = serde_json::from_str(&kept.draft)
                .map_err(|e| AdminError::BadRequest(format!("the autosave cannot be read: {e}")))?;
            draft.updated_at = article.updated_at;
            messages.notice = format!("Restored what you typed ({at}). It is not saved until you save.");
            return editor(&state, &session, Some(&article), draft, kept.base, messages).await;
        }
        messages.autosave = Some(AutosaveOffer { at, saved_since: kept.base != article.modified_at });
    }
    editor(&state, &session, Some(&article), ArticleDraft::from(&article), article.modified_at, messages).await
}

/// `POST /admin/articles/{id}/autosave`: keeps what the editor has typed without saving the article (the
/// editor's script sends the form a few seconds after typing stops); offered back when the article is next
/// opened, until the next save. Answers the time it was kept, as JSON.
pub async fn autosave(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: Submitted,
) -> Result<Response, AdminError> {
    let article = state.desk().load_for(&session.user, id, Action::EditArticle).await?;
    let site = state.site();
    let (draft, time) = draft_from_form(&form.fields, site.timezone, article.published_at);
    time.map_err(AdminError::BadRequest)?;
    let now = Utc::now();
    let kept = Autosave {
        saved_at: now.timestamp(),
        base: form.fields.get("modified_at").parse().unwrap_or(article.modified_at),
        draft: serde_json::to_string(&draft).map_err(|e| AdminError::BadRequest(e.to_string()))?,
    };
    state.store.put_autosave(id, session.user.id, &kept).await?;
    Ok(axum::Json(serde_json::json!({ "saved_at": site.show_time(now) })).into_response())
}

/// `POST /admin/articles/{id}/autosave/discard`: forgets what the editor typed and did not save.
pub async fn discard_autosave(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    state.store.discard_autosave(id, session.user.id).await?;
    Ok(Redirect::to(&format!("/admin/articles/{id}")).into_response())
}

/// Reads the editor form into a draft, its publication time in the site's zone (`current` is the article's
/// time now: see [`publish_time::read`]). A time that does not read is the error beside the draft as typed.
fn draft_from_form(form: &Fields, zone: Tz, current: Option<DateTime<Utc>>) -> (ArticleDraft, Result<(), String>) {
    let time = publish_time::read(form.get("publish_date"), form.get("publish_time"), zone, current);
    let draft = ArticleDraft {
        headline: form.get("headline").to_owned(),
        slug: form.get("slug").to_owned(),
        standfirst: form.get("standfirst").to_owned(),
        body: form.get("body").replace("\r\n", "\n"),
        section: form.get("section").to_owned(),
        authors: form.all("author").into_iter().map(str::to_owned).collect(),
        tags: form.get("tags").split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
        status: form.get("status").to_owned(),
        published_at: time.clone().ok().flatten(),
        updated_at: None,
        mark_updated: form.has("mark_updated"),
        correction: form.get("correction").to_owned(),
        lead_image: form.get("lead_image").parse().ok(),
        language: form.get("language").to_owned(),
        seo_title: form.get("seo_title").to_owned(),
        seo_description: form.get("seo_description").to_owned(),
        share_image: form.get("share_image").parse().ok(),
    };
    (draft, time.map(|_| ()))
}

async fn submit(
    state: &AppState,
    session: &Session,
    current: Option<EditableArticle>,
    submitted: &Submitted,
) -> Result<Response, AdminError> {
    let (current, form) = (current.as_ref(), &submitted.fields);
    let modified_at = form.get("modified_at").parse::<i64>().unwrap_or(0);
    let (mut draft, time) = draft_from_form(form, state.site().timezone, current.and_then(|c| c.published_at));
    if let Err(error) = time {
        // Everything typed comes back, the time as typed, to be corrected.
        let typed_time = Some((form.get("publish_date").to_owned(), form.get("publish_time").to_owned()));
        let messages = EditorMessages { error, typed_time, ..Default::default() };
        return editor(state, session, current, draft, modified_at, messages).await;
    }
    // The "Updated" time is the stored one unless the editor asks for a new one.
    draft.updated_at = current.and_then(|c| c.updated_at);
    // A lead image uploaded with the form goes to the library first (whatever the button), so it is chosen
    // in the editor that comes back and never has to be sent twice.
    if let Some(file) = submitted.file("lead_file") {
        let text = super::media::image_text(form, "lead_");
        match crate::media::add_to_library(&state.store, state.config.media_dir(), file.to_vec(), &text).await {
            Ok(id) => draft.lead_image = Some(id),
            Err(crate::media::LibraryError::Refused(message) | crate::media::LibraryError::TooLarge(message)) => {
                let error = format!("the lead image was not uploaded: {message}");
                let upload = UploadText { alt: text.alt, caption: text.caption, credit: text.credit };
                let messages = EditorMessages { error, upload, upload_refused: true, ..Default::default() };
                return editor(state, session, current, draft, modified_at, messages).await;
            }
            Err(crate::media::LibraryError::Failed(message)) => return Err(AdminError::BadRequest(message)),
        }
    }
    if let Some(choice) = style::correction(form.get("action")) {
        let findings = style::findings(state, language_of(current), &draft).await?;
        let fixed = style::correct(&mut draft, &findings, choice);
        let notice = format!("Corrected {fixed} spelling{}; not saved yet.", if fixed == 1 { "" } else { "s" });
        return editor(state, session, current, draft, modified_at, EditorMessages { notice, ..Default::default() })
            .await;
    }
    if form.get("action") == "preview" {
        let messages = match state.desk().prepare(&session.user, current, &draft).await {
            Ok(_) => EditorMessages { preview: Some(render_markdown(&draft.body)), ..Default::default() },
            Err(error) => EditorMessages::for_error(error)?,
        };
        return editor(state, session, current, draft, modified_at, messages).await;
    }
    if style::goes_out(&draft) && !form.has("style_ok") {
        let flagged = style::findings(state, language_of(current), &draft).await?.len();
        if flagged > 0 {
            let error = format!(
                "the style guide flags {flagged} spelling{} (listed beside the text); correct {}, or tick \
                 “Publish as written” and save again",
                if flagged == 1 { "" } else { "s" },
                if flagged == 1 { "it" } else { "them" },
            );
            let messages = EditorMessages { error, style_blocked: true, ..Default::default() };
            return editor(state, session, current, draft, modified_at, messages).await;
        }
    }
    let expected = if form.has("overwrite") { None } else { current.map(|_| modified_at) };
    match state.desk().save(&session.user, current, &draft, expected).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/admin/articles/{id}?notice=saved")).into_response()),
        Err(SaveError::Stale) => {
            // Their save (as this request read the article) against what this person sent.
            let theirs = current.map(ArticleDraft::from).unwrap_or_default();
            let conflict = compare(&diff_text(state, &theirs).await?, &diff_text(state, &draft).await?);
            let messages = EditorMessages { stale: true, conflict, ..Default::default() };
            editor(state, session, current, draft, modified_at, messages).await
        }
        Err(error) => {
            let messages = EditorMessages::for_error(error)?;
            editor(state, session, current, draft, modified_at, messages).await
        }
    }
}

/// The language an article is checked in.
fn language_of(current: Option<&EditableArticle>) -> &str {
    current.map_or(style::DEFAULT_LANGUAGE, |c| c.language.as_str())
}

/// `POST /admin/articles/{id}/translate`: starts a translation of the article into `language` (one the site
/// publishes in) as a draft copy in its translation group, and opens it in the editor.
pub async fn translate(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: Submitted,
) -> Result<Response, AdminError> {
    let original = state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    if !may(&session.user, Action::CreateArticle, None) {
        return Err(AdminError::Forbidden);
    }
    let language = form.fields.get("language").trim().to_ascii_lowercase();
    if !state.site().publishes_in(&language) {
        return Err(AdminError::BadRequest(format!(
            "the site does not publish in {language:?}; add it to the languages in Settings first"
        )));
    }
    match state.store.create_translation(original.id, &language, session.user.id).await {
        Ok(translation) => Ok(Redirect::to(&format!("/admin/articles/{translation}")).into_response()),
        Err(crate::store::StoreError::Conflict(message)) => Err(AdminError::BadRequest(message)),
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/articles`: creates an article (or previews a new one).
pub async fn create(State(state): State<AppState>, session: Session, form: Submitted) -> Result<Response, AdminError> {
    submit(&state, &session, None, &form).await
}

/// `POST /admin/articles/{id}`: saves (or previews) an article.
pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: Submitted,
) -> Result<Response, AdminError> {
    let current = state.desk().load_for(&session.user, id, Action::EditArticle).await?;
    submit(&state, &session, Some(current), &form).await
}

/// `POST /admin/articles/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    state.desk().delete(&session.user, id).await?;
    Ok(Redirect::to(&last_list(&headers)).into_response())
}

#[derive(Serialize)]
struct RevisionRow {
    id: i64,
    when: String,
    who: String,
}

/// `GET /admin/articles/{id}/revisions`: every save, newest first.
pub async fn revisions(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    let article = state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    let site = state.site();
    let rows: Vec<RevisionRow> = state
        .store
        .revisions(id)
        .await?
        .into_iter()
        .map(|r| RevisionRow {
            id: r.id,
            when: DateTime::from_timestamp(r.saved_at, 0).map(|t| site.show_time(t)).unwrap_or_default(),
            who: r.user_name.unwrap_or_else(|| "a removed user".into()),
        })
        .collect();
    let context = context! { article => context! { id, headline => article.headline }, rows };
    page(&state, &session, "articles", "admin/revisions.html", context).await
}

/// The readable text of a draft that diffs compare.
/// An article's fields as one text to compare, its lead image named by its alt text, as the editor shows it.
async fn diff_text(state: &AppState, draft: &ArticleDraft) -> Result<String, AdminError> {
    let image = image_name(state, draft.lead_image).await?;
    // What search engines and social networks are given is listed only where it was set.
    let mut search = String::new();
    for (label, text) in [("SEO title", &draft.seo_title), ("Meta description", &draft.seo_description)] {
        if !text.is_empty() {
            search.push_str(&format!("{label}: {text}\n"));
        }
    }
    if draft.share_image.is_some() {
        search.push_str(&format!("Share image: {}\n", image_name(state, draft.share_image).await?));
    }
    Ok(format!(
        "Headline: {}\nAddress: /{}/{}\nStandfirst: {}\nAuthors: {}\nTags: {}\nLead image: {image}\n{search}Correction: {}\n\n{}\n",
        draft.headline,
        draft.section,
        draft.slug,
        draft.standfirst,
        draft.authors.join(", "),
        draft.tags.join(", "),
        draft.correction,
        draft.body.trim_end()
    ))
}

/// An image as comparisons name it: by its alt text, as the editor shows it.
async fn image_name(state: &AppState, id: Option<i64>) -> Result<String, AdminError> {
    Ok(match id {
        None => "none".to_owned(),
        Some(id) => match state.store.image(id).await? {
            Some(image) => format!("“{}”", image.alt),
            None => format!("an image since deleted (number {id})"),
        },
    })
}

/// `new` against `old`, line by line, with the words that changed within a changed line marked.
fn compare(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    diff.ops()
        .iter()
        .flat_map(|op| diff.iter_inline_changes(op))
        .map(|change| DiffLine {
            kind: match change.tag() {
                ChangeTag::Delete => "removed",
                ChangeTag::Insert => "added",
                ChangeTag::Equal => "same",
            },
            parts: change
                .iter_strings_lossy()
                .map(|(changed, text)| DiffPart { changed, text: text.trim_end_matches('\n').to_owned() })
                .filter(|part| !part.text.is_empty())
                .collect(),
        })
        .collect()
}

/// A line of a comparison, in parts: those `changed` are the words that differ from the other version.
#[derive(Serialize)]
struct DiffLine {
    kind: &'static str,
    parts: Vec<DiffPart>,
}

#[derive(Serialize)]
struct DiffPart {
    changed: bool,
    text: String,
}

async fn load_revision(
    state: &AppState,
    session: &Session,
    revision: i64,
    action: Action,
) -> Result<(EditableArticle, ArticleDraft), AdminError> {
    let (article_id, snapshot) = state.store.revision(revision).await?.ok_or(AdminError::NotFound)?;
    let article = state.desk().load_for(&session.user, article_id, action).await?;
    let unreadable = |e: serde_json::Error| AdminError::BadRequest(format!("unreadable revision: {e}"));
    let mut fields: serde_json::Value = serde_json::from_str(&snapshot).map_err(unreadable)?;
    // Revisions saved before articles had library images do not mention one: they keep the article's image
    // rather than removing it.
    // Nor do those saved before articles had their own search and social texts: they keep the article's.
    if let Some(fields) = fields.as_object_mut() {
        fields.entry("lead_image").or_insert_with(|| article.lead_image_id.into());
        fields.entry("seo_title").or_insert_with(|| article.seo_title.clone().into());
        fields.entry("seo_description").or_insert_with(|| article.seo_description.clone().into());
        fields.entry("share_image").or_insert_with(|| article.share_image_id.into());
    }
    let draft: ArticleDraft = serde_json::from_value(fields).map_err(unreadable)?;
    Ok((article, draft))
}

/// `GET /admin/revisions/{id}`: what changed between that revision and the article now.
pub async fn diff(
    State(state): State<AppState>,
    session: Session,
    Path(revision): Path<i64>,
) -> Result<Response, AdminError> {
    let (article, old) = load_revision(&state, &session, revision, Action::ViewArticle).await?;
    let lines = compare(&diff_text(&state, &old).await?, &diff_text(&state, &ArticleDraft::from(&article)).await?);
    let can_restore = may(&session.user, Action::EditArticle, Some(editorial::facts(&article)));
    let context = context! {
        article => context! { id => article.id, headline => article.headline }, revision, lines, can_restore,
    };
    page(&state, &session, "articles", "admin/diff.html", context).await
}

/// `POST /admin/revisions/{id}/restore`: saves that revision's text over the article, as a new revision.
/// The article's status and times stay as they are: restoring text neither publishes nor unpublishes.
pub async fn restore(
    State(state): State<AppState>,
    session: Session,
    Path(revision): Path<i64>,
) -> Result<Response, AdminError> {
    let (article, mut draft) = load_revision(&state, &session, revision, Action::EditArticle).await?;
    draft.status = article.status.as_str().to_owned();
    draft.published_at = article.published_at;
    draft.updated_at = article.updated_at;
    match state.desk().save(&session.user, Some(&article), &draft, None).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/admin/articles/{id}?notice=restored")).into_response()),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Fields {
        serde_json::from_value(serde_json::json!(pairs)).unwrap_or_default()
    }

    #[test]
    fn the_form_is_read_with_its_time_in_the_sites_zone() {
        let fields = form(&[
            ("headline", "H"),
            ("publish_date", "2026-07-01"),
            ("publish_time", "09:30"),
            ("author", "a"),
            ("author", ""),
        ]);
        let (draft, time) = draft_from_form(&fields, chrono_tz::Europe::London, None);
        assert_eq!(time, Ok(()));
        let expected = DateTime::from_timestamp(1_782_894_600, 0);
        assert_eq!(draft.published_at, expected, "09:30 in London in summer is 08:30 UTC");
        assert_eq!(draft.authors, ["a"], "empty author slots are dropped");
        let fields = form(&[("headline", "Kept"), ("publish_date", "tomorrow"), ("publish_time", "09:30")]);
        let (draft, time) = draft_from_form(&fields, Tz::UTC, None);
        assert!(time.is_err() && draft.headline == "Kept", "a time that does not read loses nothing else");
    }

    #[test]
    fn list_addresses_keep_what_they_were_given_and_sorts_are_whitelisted() {
        let query = ListQuery { status: "draft".into(), q: "a&b".into(), page: "2".into(), ..ListQuery::default() };
        assert_eq!(query.address(), "/admin/articles?status=draft&q=a%26b&page=2");
        assert_eq!(query.sort().ok(), Some(AdminSort::default()));
        let views = ListQuery { sort: "views".into(), ..query.clone() }.sort().ok();
        assert_eq!(views, Some(AdminSort { column: SortColumn::Views, descending: true }), "most read first");
        let headers = sort_headers(&query, AdminSort { column: SortColumn::Headline, descending: false });
        let headline = headers.get("headline");
        assert_eq!(
            headline.map(|h| h.url.as_str()),
            Some("/admin/articles?status=draft&q=a%26b&sort=headline&order=desc&page=2")
        );
        assert_eq!(headline.and_then(|h| h.sorted), Some("ascending"));
        assert!(ListQuery { sort: "headline; DROP TABLE articles".into(), ..query.clone() }.sort().is_err());
        assert!(ListQuery { order: "sideways".into(), ..query }.sort().is_err());
    }
}
