//! Cross-site request forgery defence for every state-changing back-office request: the request must come
//! from our own origin (the `Origin` header, or `Referer` where a browser sends no Origin) and carry the
//! session's CSRF token in its `csrf` field. Before sign-in, the token is a random value in its own cookie
//! (double submit), so that the sign-in form cannot be forged either. Anything else is refused with 403
//! before a handler runs, so nothing changes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use url::Origin;

use super::session::{self, PRE_SESSION_COOKIE};
use super::{AdminError, MAX_FORM_BYTES};
use crate::web::AppState;

/// How far into a multipart body the CSRF field is looked for.
const MULTIPART_TOKEN_WINDOW: usize = 64 * 1024;

/// Checks Origin and CSRF token on every request that is not GET or HEAD.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    match check(&state, request).await {
        Ok(request) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

async fn check(state: &AppState, request: Request) -> Result<Request, AdminError> {
    if !same_origin(request.headers(), &state.site().base_url) {
        return Err(AdminError::Csrf);
    }
    let signed_in = session::current(state, request.headers()).await?;
    let expected = match &signed_in {
        Some(session) => session.csrf.clone(),
        None if starts_session(request.uri().path()) => {
            session::cookie(request.headers(), PRE_SESSION_COOKIE).ok_or(AdminError::Csrf)?.to_owned()
        }
        // Every other form needs a session: one that ended while the form was open (the editor's autosave, a
        // save after lunch) is asked to sign in again, and changes nothing.
        None => return Err(AdminError::SignIn),
    };
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let multipart = content_type.as_ref().is_some_and(|t| t.as_bytes().starts_with(b"multipart/form-data"));
    let (mut parts, body) = request.into_parts();
    let (sent, body) = match content_type {
        // An upload (an image, a whole site's export) is not held in memory: only its head is read for the
        // token, and the body goes on to the handler as a stream that starts with that head.
        Some(content_type) if multipart => {
            let (head, rest) = read_head(body, MULTIPART_TOKEN_WINDOW).await?;
            let sent = multipart_token(content_type, head.clone()).await;
            let stream = futures_util::stream::once(async move { Ok::<_, axum::Error>(head) }).chain(rest);
            (sent, Body::from_stream(stream))
        }
        _ => {
            let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
                .await
                .map_err(|_| AdminError::BadRequest("the form is too large".into()))?;
            let sent =
                form_urlencoded::parse(&bytes).find(|(key, _)| key == "csrf").map(|(_, value)| value.into_owned());
            (sent, Body::from(bytes))
        }
    };
    if !sent.is_some_and(|sent| constant_time_eq(sent.as_bytes(), expected.as_bytes())) {
        return Err(AdminError::Csrf);
    }
    if let Some(session) = signed_in {
        parts.extensions.insert(session);
    }
    Ok(Request::from_parts(parts, body))
}

/// Whether a form at `path` is sent without a session: signing in, and setting a password from a link.
fn starts_session(path: &str) -> bool {
    path == "/admin/sign-in" || path.starts_with("/admin/set-password/")
}

/// Reads up to `window` bytes from the start of `body`, returning them and the unread rest as a stream.
async fn read_head(body: Body, window: usize) -> Result<(axum::body::Bytes, axum::body::BodyDataStream), AdminError> {
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    while head.len() < window {
        match stream.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(_)) => return Err(AdminError::BadRequest("the upload was cut short".into())),
            None => break,
        }
    }
    Ok((head.into(), stream))
}

/// The `csrf` field of a multipart form (an upload), read from the start of the buffered body: our forms put
/// the token before the file, as browsers send fields in document order, so the file need not be parsed twice.
async fn multipart_token(content_type: axum::http::HeaderValue, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::{FromRequest, Multipart};
    let mut probe = Request::new(Body::from(bytes.slice(..bytes.len().min(MULTIPART_TOKEN_WINDOW))));
    probe.headers_mut().insert(header::CONTENT_TYPE, content_type);
    let mut form = Multipart::from_request(probe, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

/// Whether the request says it comes from this site: its Origin (or, failing that, its Referer) is the
/// site's own origin, scheme, host and port alike. That is the configured public base URL, or the host the
/// request was sent to with the scheme it was sent over: the base URL's scheme when it names the public host,
/// plain `http` otherwise (a node reached directly speaks only HTTP). A scheme is part of an origin because a
/// page served over plain HTTP can be written by anyone on the network.
pub fn same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let claimed = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|value| value.to_str().ok())
        .and_then(origin_of);
    let Some(claimed) = claimed else { return false };
    let base = origin_of(base_url);
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok());
    base.as_ref() == Some(&claimed) || host.and_then(|host| request_origin(host, base.as_ref())) == Some(claimed)
}

/// The origin of a request sent to `host` (a Host header): the base URL's scheme when `host` names the public
/// host, else plain `http`.
fn request_origin(host: &str, base: Option<&Origin>) -> Option<Origin> {
    if host.contains(['/', '\\', '@', '?', '#']) {
        return None;
    }
    let direct = origin_of(&format!("http://{host}"))?;
    match (base, &direct) {
        (Some(Origin::Tuple(scheme, public, _)), Origin::Tuple(_, asked, _)) if public == asked => {
            origin_of(&format!("{scheme}://{host}"))
        }
        _ => Some(direct),
    }
}

/// The origin (scheme, host, port with the scheme's default filled in) of an `http` or `https` URL.
fn origin_of(url: &str) -> Option<Origin> {
    let url = url::Url::parse(url).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn origin_must_name_this_site() {
        let base = "https://news.example.com";
        let ours = headers(&[(header::HOST, "127.0.0.1:8080"), (header::ORIGIN, "http://127.0.0.1:8080")]);
        assert!(same_origin(&ours, base));
        let public = headers(&[(header::HOST, "internal:80"), (header::ORIGIN, "https://news.example.com")]);
        assert!(same_origin(&public, base));
        let foreign = headers(&[(header::HOST, "127.0.0.1:8080"), (header::ORIGIN, "https://evil.example")]);
        assert!(!same_origin(&foreign, base));
        let referer = headers(&[(header::HOST, "127.0.0.1:8080"), (header::REFERER, "http://127.0.0.1:8080/admin")]);
        assert!(same_origin(&referer, base));
        assert!(!same_origin(&headers(&[(header::HOST, "127.0.0.1:8080")]), base));
        let null = headers(&[(header::HOST, "127.0.0.1:8080"), (header::ORIGIN, "null")]);
        assert!(!same_origin(&null, base));
        let port = headers(&[(header::HOST, "internal:80"), (header::ORIGIN, "https://news.example.com:444")]);
        assert!(!same_origin(&port, base), "another port is another origin");
        let default_port = headers(&[(header::HOST, "internal:80"), (header::ORIGIN, "https://news.example.com:443")]);
        assert!(same_origin(&default_port, base), "the scheme's default port is the same origin");
    }

    #[test]
    fn origin_must_have_the_sites_scheme() {
        // An https site refuses its own host over plain http, which anyone on the network can write.
        let https = "https://news.example.com";
        let plain = headers(&[(header::HOST, "news.example.com"), (header::ORIGIN, "http://news.example.com")]);
        assert!(!same_origin(&plain, https));
        let secure = headers(&[(header::HOST, "news.example.com"), (header::ORIGIN, "https://news.example.com")]);
        assert!(same_origin(&secure, https));
        // An http site refuses https: a different origin, whatever the host.
        let http = "http://127.0.0.1:8080";
        let tls = headers(&[(header::HOST, "127.0.0.1:8080"), (header::ORIGIN, "https://127.0.0.1:8080")]);
        assert!(!same_origin(&tls, http));
        let referer = headers(&[(header::HOST, "127.0.0.1:8080"), (header::REFERER, "https://127.0.0.1:8080/admin")]);
        assert!(!same_origin(&referer, http));
    }
}
