//! One answer for "the database cannot save or answer now" ([`StoreError::Unavailable`]: a full disk, an I/O
//! error, PostgreSQL unreachable), whichever part of the site met it: 503 with `Retry-After`, and a body in
//! that part's own form (the public site's error page, the back office's message page, the API's JSON error).
//! The response also carries a note that [`record`] hands to the store, which is how a failure on a request
//! path makes the node not ready (`/readyz`) and reaches the log.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::store::StoreError;
use crate::web::AppState;

/// How long clients are asked to wait before trying again, in seconds.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// What people are told, in the back office and the API.
pub const MESSAGE: &str = "The server could not save or load this just now: its database is unavailable (the \
                           disk may be full, or the database server out of reach). Nothing was saved; please \
                           try again in a few seconds.";

/// The reason a response answers "unavailable", and whether the database was only busy, for [`record`].
#[derive(Debug, Clone)]
struct Note {
    reason: String,
    busy: bool,
}

/// Makes `response` (its body already made by the part of the site that failed) the answer to `error`: 503,
/// `Retry-After`, and the note [`record`] reads.
pub fn answer(mut response: Response, error: &StoreError) -> Response {
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    response.extensions_mut().insert(Note { reason: error.to_string(), busy: matches!(error, StoreError::Busy(_)) });
    response
}

/// Keeps what says when to come back (`Retry-After`, and the note) when an error page replaces `from` with `to`.
pub fn carry(from: &Response, to: &mut Response) {
    if let Some(retry_after) = from.headers().get(header::RETRY_AFTER) {
        to.headers_mut().insert(header::RETRY_AFTER, retry_after.clone());
    }
    if let Some(note) = from.extensions().get::<Note>() {
        to.extensions_mut().insert(note.clone());
    }
}

/// Tells the store about every request that was answered "unavailable" (see [`crate::store::Store::note_unavailable`]).
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if let Some(Note { reason, busy }) = response.extensions().get::<Note>() {
        let reason = reason.clone();
        state.store.note_unavailable(&if *busy { StoreError::Busy(reason) } else { StoreError::Unavailable(reason) });
    }
    response
}
