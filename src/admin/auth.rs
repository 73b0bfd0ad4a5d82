//! Signing in and out, changing one's password, and setting it through a one-time link. Failed sign-ins are
//! throttled per account and per client address.

use std::net::SocketAddr;

use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::context;

use super::session::{self, PRE_SESSION_COOKIE, SESSION_COOKIE, Session};
use super::{AdminError, Fields, page, site_name};
use crate::auth::{self, PasswordError, token_hash};
use crate::web::AppState;

/// Failed sign-ins to one account, within [`THROTTLE_MINUTES`], after which it is locked for a while.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// Failed sign-ins from one address, within [`THROTTLE_MINUTES`], after which it is refused for a while.
pub const MAX_ADDRESS_FAILURES: i64 = 20;
/// The window failures are counted in.
pub const THROTTLE_MINUTES: i64 = 15;

/// The token for an anonymous form, and the cookie to set when the browser has none yet.
fn pre_session_token(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match session::cookie(headers, PRE_SESSION_COOKIE) {
        Some(token) if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) => (token.to_owned(), None),
        _ => {
            let token = auth::new_token();
            let cookie = session::set_cookie(state, PRE_SESSION_COOKIE, &token, 24 * 3600);
            (token, Some(cookie))
        }
    }
}

/// Renders an anonymous page (sign-in, set password) with a pre-session CSRF token.
async fn anonymous_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    template: &str,
    context: minijinja::Value,
) -> Result<Response, AdminError> {
    let (csrf, cookie) = pre_session_token(state, headers);
    let html = state.theme.render(template, context! { csrf, site => site_name(state), ..context })?;
    let mut response = (status, Html(html)).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Query of the sign-in page: a notice to show.
#[derive(Debug, serde::Deserialize)]
pub struct SignInQuery {
    #[serde(default)]
    notice: String,
}

/// `GET /admin/sign-in`: the form, or how to create the first user while there is none.
pub async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<SignInQuery>, QueryRejection>,
) -> Result<Response, AdminError> {
    if state.store.user_count().await? == 0 {
        return first_run(&state).await;
    }
    if session::current(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/admin").into_response());
    }
    let notice = match query.as_ref().ok().map(|q| q.notice.as_str()) {
        Some("password-set") => "Your password is set. Sign in with it.",
        Some("signed-out") => "You are signed out.",
        _ => "",
    };
    anonymous_page(&state, &headers, StatusCode::OK, "admin/sign_in.html", context! { notice, email => "" }).await
}

/// The page shown while no account exists: how to make the first one on the server.
pub async fn first_run(state: &AppState) -> Result<Response, AdminError> {
    let html = state.theme.render("admin/first_run.html", context! { site => site_name(state) })?;
    Ok(Html(html).into_response())
}

/// `POST /admin/sign-in`.
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    let email = form.get("email").trim().to_lowercase();
    let password = form.get("password").to_owned();
    let ip = crate::views::client_ip(&headers, peer.ip(), &state.config.trusted_proxies);
    let account_key = format!("account:{email}");
    let address_key = format!("address:{ip}");
    let refused = |error: &str, status| {
        let state = state.clone();
        let headers = headers.clone();
        let context = context! { error, email => email.clone() };
        async move { anonymous_page(&state, &headers, status, "admin/sign_in.html", context).await }
    };
    // The attempt is counted before the password is checked, so that attempts sent at once cannot all pass a
    // count that none of them has added to yet. The account comes first: attempts it refuses never reach the
    // address's count.
    let mut reserved = Vec::with_capacity(2);
    for (key, most) in [(account_key.as_str(), MAX_ACCOUNT_FAILURES), (address_key.as_str(), MAX_ADDRESS_FAILURES)] {
        reserved.push(key);
        if state.store.reserve_sign_in(key, Utc::now(), THROTTLE_MINUTES * 60).await? > most {
            // Not checked, so not a failure: it must not keep the account or the address paused any longer.
            state.store.release_sign_in(&reserved).await?;
            let message = format!(
                "Too many failed sign-ins. For your safety, signing in is paused for {THROTTLE_MINUTES} minutes; \
                 try again after that."
            );
            return refused(&message, StatusCode::TOO_MANY_REQUESTS).await;
        }
    }
    let found = state.store.user_by_email(&email).await?;
    let hash = found.as_ref().and_then(|(_, hash)| hash.clone()).unwrap_or_else(|| auth::decoy_hash().to_owned());
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(|e| AdminError::BadRequest(e.to_string()))?;
    let user = match found {
        Some((user, Some(_))) if verified => user,
        // The attempt stays counted: it is a failure.
        _ => return refused("The email address or password is wrong.", StatusCode::UNAUTHORIZED).await,
    };
    state.store.clear_sign_in(&account_key).await?;
    state.store.release_sign_in(&[&address_key]).await?;
    let cookie = session::start(&state, user.id).await?;
    let mut response = Redirect::to("/admin").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response.headers_mut().append(header::SET_COOKIE, session::set_cookie(&state, PRE_SESSION_COOKIE, "", 0));
    Ok(response)
}

/// `POST /admin/sign-out`: ends this session.
pub async fn sign_out(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    state.store.delete_session(&session.token_hash).await?;
    let mut response = Redirect::to("/admin/sign-in?notice=signed-out").into_response();
    response.headers_mut().append(header::SET_COOKIE, session::set_cookie(&state, SESSION_COOKIE, "", 0));
    Ok(response)
}

/// Hashes a new password off the async threads, after checking the confirmation matches.
async fn new_password_hash(form: &Fields) -> Result<Result<String, String>, AdminError> {
    let password = form.get("new_password").to_owned();
    if password != form.get("confirm_password") {
        return Ok(Err("The two new passwords differ.".to_owned()));
    }
    let hashed = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| AdminError::BadRequest(e.to_string()))?;
    Ok(match hashed {
        Ok(hash) => Ok(hash),
        Err(PasswordError::Length) => Err(PasswordError::Length.to_string()),
        Err(PasswordError::Hash(error)) => return Err(AdminError::BadRequest(error)),
    })
}

/// `GET /admin/password`: the change-password form.
pub async fn password_page(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    page(&state, &session, "password", "admin/password.html", context! {}).await
}

/// `POST /admin/password`: checks the current password and sets a new one; other sessions end and API tokens
/// are revoked.
pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    let current = form.get("current_password").to_owned();
    let stored = state.store.password_hash(session.user.id).await?.unwrap_or_default();
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&current, &stored))
        .await
        .map_err(|e| AdminError::BadRequest(e.to_string()))?;
    let outcome =
        if verified { new_password_hash(&form).await? } else { Err("Your current password is wrong.".to_owned()) };
    let (error, notice) = match outcome {
        Ok(hash) => {
            state.store.set_password(session.user.id, &hash, Some(&session.token_hash)).await?;
            (
                String::new(),
                "Your password is changed. Your other sessions are signed out and your API tokens revoked; \
                 make new ones under API tokens where you need them.",
            )
        }
        Err(message) => (message, ""),
    };
    page(&state, &session, "password", "admin/password.html", context! { error, notice }).await
}

/// `GET /admin/set-password/{token}`: the form a new user reaches from their one-time link.
pub async fn set_password_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, AdminError> {
    let user = state.store.password_link_user(&token_hash(&token), Utc::now()).await?.ok_or(AdminError::NotFound)?;
    anonymous_page(&state, &headers, StatusCode::OK, "admin/set_password.html", context! { name => user.name, token })
        .await
}

/// `POST /admin/set-password/{token}`: sets the password; the link then no longer works.
pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    let user = state.store.password_link_user(&token_hash(&token), Utc::now()).await?.ok_or(AdminError::NotFound)?;
    match new_password_hash(&form).await? {
        Ok(hash) => {
            state.store.set_password(user.id, &hash, None).await?;
            Ok(Redirect::to("/admin/sign-in?notice=password-set").into_response())
        }
        Err(error) => {
            let context = context! { name => user.name, token, error };
            anonymous_page(&state, &headers, StatusCode::OK, "admin/set_password.html", context).await
        }
    }
}
