//! The style guide's glossary: everyone who writes can read it; editors and administrators keep it.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::{AdminError, Fields, Session, Submitted, page, require};
use crate::auth::{Action, may};
use crate::store::{GlossaryTerm, StoreError};
use crate::web::AppState;

/// The longest spelling or note accepted.
const MAX_TEXT: usize = 200;
/// The most forms to avoid one term may list.
const MAX_FORMS: usize = 20;

/// Which term the form at the top edits.
#[derive(Debug, Default, Deserialize)]
pub struct GlossaryQuery {
    #[serde(default)]
    edit: Option<i64>,
}

/// The form's values.
#[derive(Debug, Default, serde::Serialize)]
struct TermForm {
    id: Option<i64>,
    language: String,
    accepted: String,
    avoid: String,
    note: String,
}

impl From<&GlossaryTerm> for TermForm {
    fn from(term: &GlossaryTerm) -> TermForm {
        TermForm {
            id: Some(term.id),
            language: term.language.clone(),
            accepted: term.accepted.clone(),
            avoid: term.avoid.join(", "),
            note: term.note.clone(),
        }
    }
}

async fn render(state: &AppState, session: &Session, form: TermForm, error: &str) -> Result<Response, AdminError> {
    let terms = state.store.glossary().await?;
    let can_edit = may(&session.user, Action::ManageTaxonomy, None);
    let mut response =
        page(state, session, "glossary", "admin/glossary.html", context! { terms, form, error, can_edit }).await?;
    if !error.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /admin/glossary[?edit=ID]`.
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<GlossaryQuery>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::CreateArticle, None)?;
    let terms = state.store.glossary().await?;
    let form = match query.edit {
        Some(id) => terms.iter().find(|t| t.id == id).map(TermForm::from).ok_or(AdminError::NotFound)?,
        None => TermForm { language: "en".into(), ..TermForm::default() },
    };
    render(&state, &session, form, "").await
}

/// Reads and checks the form: (language, accepted, forms to avoid, note).
fn checked(fields: &Fields) -> Result<(String, String, Vec<String>, String), String> {
    let language = fields.get("language").trim().to_lowercase();
    let accepted = fields.get("accepted").trim().to_owned();
    let note = fields.get("note").trim().to_owned();
    let mut avoid: Vec<String> =
        fields.get("avoid").split(',').map(|form| form.trim().to_owned()).filter(|form| !form.is_empty()).collect();
    avoid.dedup();
    let language_ok =
        !language.is_empty() && language.len() <= 20 && language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !language_ok {
        return Err("give the language as a tag such as en, zh or pt-br".into());
    }
    if accepted.is_empty() || accepted.chars().count() > MAX_TEXT || note.chars().count() > MAX_TEXT {
        return Err(format!("the accepted spelling takes 1 to {MAX_TEXT} characters, the note at most {MAX_TEXT}"));
    }
    if avoid.is_empty() || avoid.len() > MAX_FORMS || avoid.iter().any(|form| form.chars().count() > MAX_TEXT) {
        return Err(format!("list 1 to {MAX_FORMS} forms to avoid, separated by commas"));
    }
    if avoid.contains(&accepted) {
        return Err(format!("“{accepted}” cannot be both accepted and avoided"));
    }
    Ok((language, accepted, avoid, note))
}

/// `POST /admin/glossary` (a new term) and `POST /admin/glossary/{id}` (a change).
async fn save(state: &AppState, session: &Session, id: Option<i64>, fields: &Fields) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    let typed = TermForm {
        id,
        language: fields.get("language").to_owned(),
        accepted: fields.get("accepted").to_owned(),
        avoid: fields.get("avoid").to_owned(),
        note: fields.get("note").to_owned(),
    };
    let (language, accepted, avoid, note) = match checked(fields) {
        Ok(values) => values,
        Err(error) => return render(state, session, typed, &error).await,
    };
    match state.store.save_glossary_term(id, &language, &accepted, &avoid, &note).await {
        Ok(_) => Ok(Redirect::to("/admin/glossary").into_response()),
        Err(StoreError::Conflict(error)) => render(state, session, typed, &error).await,
        Err(StoreError::Missing { .. }) => Err(AdminError::NotFound),
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/glossary`: adds a term.
pub async fn create(State(state): State<AppState>, session: Session, form: Submitted) -> Result<Response, AdminError> {
    save(&state, &session, None, &form.fields).await
}

/// `POST /admin/glossary/{id}`: changes a term.
pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    form: Submitted,
) -> Result<Response, AdminError> {
    save(&state, &session, Some(id), &form.fields).await
}

/// `POST /admin/glossary/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    if !state.store.delete_glossary_term(id).await? {
        return Err(AdminError::NotFound);
    }
    Ok(Redirect::to("/admin/glossary").into_response())
}
