//! Notes on a passage of a draft: left, resolved, reopened and deleted from the editor. The editor's script
//! sends the same forms as the page's own (with the CSRF token) and asks for JSON; without script each form
//! posts and comes back to the editor. Notes are for the back office only: nothing public reads them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{AdminError, Session, Submitted};
use crate::auth::{Action, User};
use crate::store::{ArticleNote, NewNote};
use crate::web::AppState;

/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// The longest passage a note may quote, in characters.
pub const MAX_QUOTE_CHARS: usize = 1_000;
/// The most context kept on each side of the passage, in characters.
pub const MAX_CONTEXT_CHARS: usize = 64;

/// A note as the editor shows it.
#[derive(Debug, Serialize)]
pub(super) struct NoteView {
    id: i64,
    author: String,
    body: String,
    quote: String,
    prefix: String,
    suffix: String,
    created: String,
    resolved: Option<String>,
    resolved_by: String,
    /// Whether the person looking may delete it (only its writer may).
    can_delete: bool,
}

fn shown(state: &AppState, seconds: i64) -> String {
    DateTime::from_timestamp(seconds, 0).map(|t| state.site().show_time(t)).unwrap_or_default()
}

fn view(state: &AppState, user: &User, note: ArticleNote) -> NoteView {
    NoteView {
        can_delete: note.author_id == Some(user.id),
        author: note.author,
        created: shown(state, note.created_at),
        resolved: note.resolved_at.map(|at| shown(state, at)),
        resolved_by: note.resolved_by,
        id: note.id,
        body: note.body,
        quote: note.quote,
        prefix: note.prefix,
        suffix: note.suffix,
    }
}

/// The notes on article `id` as `user` sees them in the editor.
pub(super) async fn notes_for(state: &AppState, user: &User, id: i64) -> Result<Vec<NoteView>, AdminError> {
    Ok(state.store.notes_of(id).await?.into_iter().map(|note| view(state, user, note)).collect())
}

/// A note's text and passage as sent, checked: the text is needed, and each part has its limit.
struct NoteForm {
    body: String,
    quote: String,
    prefix: String,
    suffix: String,
}

impl NoteForm {
    fn parse(form: &Submitted) -> Result<NoteForm, AdminError> {
        let fields = &form.fields;
        let body = fields.get("body").trim();
        if body.is_empty() {
            return Err(AdminError::BadRequest("the note is empty; write what it should say".into()));
        }
        let limit = |name: &str, what: &str, max: usize| -> Result<String, AdminError> {
            let text = fields.get(name);
            let count = text.chars().count();
            if count > max {
                return Err(AdminError::BadRequest(format!(
                    "{what} is {count} characters long; a note takes at most {max}"
                )));
            }
            Ok(text.to_owned())
        };
        Ok(NoteForm {
            body: limit("body", "the note", MAX_NOTE_CHARS)?.trim().to_owned(),
            quote: limit("quote", "the quoted passage", MAX_QUOTE_CHARS)?,
            prefix: limit("prefix", "the text before the passage", MAX_CONTEXT_CHARS)?,
            suffix: limit("suffix", "the text after the passage", MAX_CONTEXT_CHARS)?,
        })
    }
}

/// Whether the request came from the editor's script, which asks for JSON.
fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// The answer to a change to the notes of article `id`: for the script, the notes as they are now (or the
/// error and its reason as JSON); for a form, back to the editor's notes (or the error page).
async fn answer(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    id: i64,
    done: Result<(), AdminError>,
) -> Result<Response, AdminError> {
    if !wants_json(headers) {
        done?;
        return Ok(Redirect::to(&format!("/admin/articles/{id}#notes")).into_response());
    }
    let refused = |error: AdminError| {
        let status = error.status();
        let message = if status.is_server_error() {
            tracing::error!(%error, "a note could not be changed");
            "Something went wrong on our side; the details are in the server log.".to_owned()
        } else {
            error.to_string()
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    };
    if let Err(error) = done {
        return Ok(refused(error));
    }
    Ok(match notes_for(state, &session.user, id).await {
        Ok(notes) => Json(serde_json::json!({ "notes": notes })).into_response(),
        Err(error) => refused(error),
    })
}

/// `GET /admin/articles/{id}/notes`: the article's notes as JSON, for the editor's script.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    state.desk().load_for(&session.user, id, Action::ViewArticle).await?;
    let notes = notes_for(&state, &session.user, id).await?;
    Ok(Json(serde_json::json!({ "notes": notes })).into_response())
}

/// `POST /admin/articles/{id}/notes`: leaves a note (`body`) on the passage `quote`, found again by the text
/// around it (`prefix`, `suffix`); with no passage the note is on the whole article.
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: Result<Submitted, AdminError>,
) -> Result<Response, AdminError> {
    let done = async {
        state.desk().load_for(&session.user, id, Action::EditArticle).await?;
        // A form that cannot be read (a control character) is answered like any other refusal.
        let note = NoteForm::parse(&form?)?;
        let new = NewNote { body: &note.body, quote: &note.quote, prefix: &note.prefix, suffix: &note.suffix };
        state.store.create_note(id, (session.user.id, &session.user.name), &new, Utc::now().timestamp()).await?;
        Ok::<(), AdminError>(())
    }
    .await;
    let created = done.is_ok();
    let mut response = answer(&state, &session, &headers, id, done).await?;
    if created && response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::CREATED;
    }
    Ok(response)
}

/// What a request does to a note, by the last part of its address.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Marks it dealt with (it is kept, and shown on asking).
    Resolve,
    /// Opens a resolved note again.
    Reopen,
    /// Deletes it; only its writer may.
    Delete,
}

impl Change {
    fn parse(action: &str) -> Option<Change> {
        match action {
            "resolve" => Some(Change::Resolve),
            "reopen" => Some(Change::Reopen),
            "delete" => Some(Change::Delete),
            _ => None,
        }
    }
}

async fn change(state: &AppState, session: &Session, id: i64, note: i64, what: Change) -> Result<(), AdminError> {
    state.desk().load_for(&session.user, id, Action::EditArticle).await?;
    let found = state.store.note(note, id).await?.ok_or(AdminError::NotFound)?;
    let now = Utc::now().timestamp();
    let changed = match what {
        Change::Resolve => state.store.set_note_resolved(note, id, Some(session.user.id), now).await?,
        Change::Reopen => state.store.set_note_resolved(note, id, None, now).await?,
        Change::Delete if found.author_id != Some(session.user.id) => {
            return Err(AdminError::Refused(
                "only the person who wrote a note may delete it; resolve it instead".into(),
            ));
        }
        Change::Delete => state.store.delete_note(note, id).await?,
    };
    if changed { Ok(()) } else { Err(AdminError::NotFound) }
}

/// `POST /admin/articles/{id}/notes/{note}/{action}`: `resolve`, `reopen` or `delete` the note.
pub async fn act(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, note, action)): Path<(i64, i64, String)>,
) -> Result<Response, AdminError> {
    let done = match Change::parse(&action) {
        Some(what) => change(&state, &session, id, note, what).await,
        None => Err(AdminError::NotFound),
    };
    answer(&state, &session, &headers, id, done).await
}
