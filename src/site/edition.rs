//! Language editions of the public site. The default language lives at the root (`/columns/slug`); each
//! other language the site publishes in lives under its code (`/zh/columns/slug`). A middleware in front of
//! the router reads the code off the address, so every page kind (home, sections, tags, authors, search,
//! feeds, sitemaps) exists once per language with one handler each.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::SiteState;
use crate::settings::SiteSettings;
pub use crate::settings::{Edition, article_path};

/// Splits `/zh/columns/x` into (`zh`, `/columns/x`); `/zh` gives (`zh`, `/`).
fn first_segment(path: &str) -> (&str, &str) {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    match trimmed.find('/') {
        Some(end) => (&trimmed[..end], &trimmed[end..]),
        None => (trimmed, "/"),
    }
}

/// What an address's first segment says of its edition.
pub(super) enum Prefix<'a> {
    /// Another language's code: that language's edition, and the address without the code.
    Other(Edition, &'a str),
    /// The default language's code, which its pages do not carry: the address without it.
    Default(&'a str),
    /// No language code: the address belongs to the default edition as it is.
    None,
}

/// Reads the language code, if any, off the start of `path`.
pub(super) fn prefix_of<'a>(site: &SiteSettings, path: &'a str) -> Prefix<'a> {
    let (code, rest) = first_segment(path);
    if site.languages.iter().skip(1).any(|l| l == code) {
        Prefix::Other(Edition::of(site, code), rest)
    } else if code == site.default_language() {
        Prefix::Default(rest)
    } else {
        Prefix::None
    }
}

/// `path` with the query of `uri`, if it has one.
fn with_query(path: &str, uri: &Uri) -> String {
    match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    }
}

/// Reads the language off the address: a request under another language's code is routed without it and
/// marked with that [`Edition`]; an address that spells out the default language's code is sent, with a
/// permanent redirect, to the same page without it.
pub async fn route(State(state): State<SiteState>, mut request: Request, next: Next) -> Response {
    let site = state.site();
    let reading = request.method() == axum::http::Method::GET || request.method() == axum::http::Method::HEAD;
    let edition = match prefix_of(&site, request.uri().path()) {
        Prefix::Other(edition, rest) => {
            match with_query(rest, request.uri()).parse::<Uri>() {
                Ok(uri) => *request.uri_mut() = uri,
                Err(_) => return StatusCode::NOT_FOUND.into_response(),
            }
            edition
        }
        Prefix::Default(rest) if reading => {
            let location = with_query(rest, request.uri());
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response();
        }
        Prefix::Default(_) | Prefix::None => Edition::default_of(&site),
    };
    request.extensions_mut().insert(edition);
    next.run(request).await
}

impl FromRequestParts<SiteState> for Edition {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &SiteState) -> Result<Edition, Self::Rejection> {
        Ok(parts.extensions.get::<Edition>().cloned().unwrap_or_else(|| Edition::default_of(&state.site())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_first_segment() {
        assert_eq!(first_segment("/zh/columns/x"), ("zh", "/columns/x"));
        assert_eq!(first_segment("/zh/"), ("zh", "/"));
        assert_eq!(first_segment("/zh"), ("zh", "/"));
        assert_eq!(first_segment("/"), ("", "/"));
    }

    #[test]
    fn prefixes_only_other_languages() {
        let site = SiteSettings { languages: vec!["en".into(), "zh".into()], ..SiteSettings::default() };
        assert_eq!(Edition::of(&site, "en").path("/columns/"), "/columns/");
        assert_eq!(Edition::of(&site, "zh").path("/columns/"), "/zh/columns/");
        assert_eq!(Edition::of(&site, "zh").path("/"), "/zh/");
        assert_eq!(Edition::default_of(&site).path("/"), "/");
    }
}
