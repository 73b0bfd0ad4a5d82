//! Accounts (administrators only) and API tokens (everyone, for themselves). New accounts get a one-time link
//! with which their owner sets a password; the administrator never knows it.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use minijinja::context;

use super::{AdminError, Fields, Session, page, require};
use crate::auth::{Action, Role, new_token, token_hash};
use crate::store::{NewUser, StoreError};
use crate::web::AppState;

/// How long a one-time password link works.
const LINK_DAYS: i64 = 7;

async fn users_page(state: &AppState, session: &Session, link: &str, error: &str) -> Result<Response, AdminError> {
    let users = state.store.users().await?;
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    page(state, session, "users", "admin/users.html", context! { users, roles, link, error }).await
}

/// `GET /admin/users`.
pub async fn list(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    users_page(&state, &session, "", "").await
}

/// Makes a one-time link for `user` and returns its full address.
async fn password_link(state: &AppState, user: i64) -> Result<String, AdminError> {
    let token = new_token();
    state.store.create_password_link(&token_hash(&token), user, Utc::now() + Duration::days(LINK_DAYS)).await?;
    Ok(format!("{}/admin/set-password/{token}", state.site().base_url))
}

/// `POST /admin/users`: creates an account without a password and shows its one-time link.
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    let Some(role) = Role::parse(form.get("role")) else {
        return users_page(&state, &session, "", "Choose a role.").await;
    };
    let new = NewUser { email: form.get("email"), name: form.get("name"), role, password_hash: None };
    match state.store.create_user(&new).await {
        Ok(id) => {
            let link = password_link(&state, id).await?;
            users_page(&state, &session, &link, "").await
        }
        Err(StoreError::Invalid(error) | StoreError::Conflict(error)) => users_page(&state, &session, "", &error).await,
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/users/{id}`: changes a role, or makes a new one-time password link (`action=link`), or removes
/// the account (`action=remove`).
pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    state.store.user(id).await?.ok_or(AdminError::NotFound)?;
    match form.get("action") {
        "link" => {
            let link = password_link(&state, id).await?;
            return users_page(&state, &session, &link, "").await;
        }
        "remove" if id == session.user.id => {
            return users_page(&state, &session, "", "You cannot remove your own account.").await;
        }
        "remove" => {
            state.store.delete_user(id).await?;
            return Ok(Redirect::to("/admin/users").into_response());
        }
        _ => {}
    }
    let role = Role::parse(form.get("role")).ok_or_else(|| AdminError::BadRequest("unknown role".into()))?;
    if id == session.user.id && role != Role::Administrator {
        return users_page(&state, &session, "", "You cannot take away your own administrator role.").await;
    }
    state.store.set_role(id, role).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

#[derive(serde::Serialize)]
struct TokenRow {
    id: i64,
    label: String,
    created: String,
    last_used: Option<String>,
}

async fn tokens_page(state: &AppState, session: &Session, token: &str) -> Result<Response, AdminError> {
    let site = state.site();
    let shown =
        |seconds: i64| chrono::DateTime::from_timestamp(seconds, 0).map(|t| site.show_time(t)).unwrap_or_default();
    let rows: Vec<TokenRow> = state
        .store
        .api_tokens_of(session.user.id)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            label: t.label,
            created: shown(t.created_at),
            last_used: t.last_used_at.map(shown),
        })
        .collect();
    page(state, session, "tokens", "admin/tokens.html", context! { token, rows }).await
}

/// `GET /admin/tokens`: one's API tokens, and making a new one.
pub async fn tokens(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    tokens_page(&state, &session, "").await
}

/// `POST /admin/tokens`: makes a token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    let token = new_token();
    let label = form.get("label").trim().chars().take(200).collect::<String>();
    state.store.create_api_token(&token_hash(&token), session.user.id, &label).await?;
    tokens_page(&state, &session, &token).await
}

/// `POST /admin/tokens/{id}/delete`: revokes one of one's own tokens.
pub async fn revoke_token(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    if !state.store.revoke_api_token(id, session.user.id).await? {
        return Err(AdminError::NotFound);
    }
    Ok(Redirect::to("/admin/tokens").into_response())
}
