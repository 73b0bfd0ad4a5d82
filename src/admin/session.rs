//! Sessions: a random token in an HttpOnly, SameSite=Lax cookie (Secure when the site is served over
//! HTTPS); the database holds only its hash, with the user, the session's CSRF token and the expiry, so any
//! node accepts it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{Duration, Utc};

use super::AdminError;
use crate::auth::{User, new_token, token_hash};
use crate::web::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "newsroom_session";
/// The cookie that carries a CSRF token before anyone has signed in (sign-in and set-password forms).
pub const PRE_SESSION_COOKIE: &str = "newsroom_csrf";
/// How long a session lasts after signing in.
pub const SESSION_HOURS: i64 = 12;

/// The signed-in user of a request, with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who is signed in.
    pub user: User,
    /// The token every form of this session must carry.
    pub csrf: String,
    /// The hash of the session token (to end this session, or keep it when others end).
    pub token_hash: String,
}

/// The value of cookie `name` in the request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value for the back office: HttpOnly, SameSite=Lax, path /admin, Secure over HTTPS.
/// `max_age` of zero deletes the cookie.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.site().is_https() { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/admin; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    // Names and values are our own hex tokens, always valid header text.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Starts a session for `user`: stores it and returns the `Set-Cookie` header value.
pub async fn start(state: &AppState, user: i64) -> Result<HeaderValue, AdminError> {
    let token = new_token();
    let expires = Utc::now() + Duration::hours(SESSION_HOURS);
    state.store.create_session(&token_hash(&token), user, &new_token(), expires).await?;
    Ok(set_cookie(state, SESSION_COOKIE, &token, SESSION_HOURS * 3600))
}

/// The session named by the request's cookie, if it is valid.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, AdminError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    let hash = token_hash(token);
    Ok(state.store.session(&hash, Utc::now()).await?.map(|(user, csrf)| Session { user, csrf, token_hash: hash }))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Session, AdminError> {
        if let Some(session) = parts.extensions.get::<Session>() {
            return Ok(session.clone());
        }
        current(state, &parts.headers).await?.ok_or(AdminError::SignIn)
    }
}
