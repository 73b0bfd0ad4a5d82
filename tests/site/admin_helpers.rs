//! Helpers for back-office tests: accounts made through the store, and a small browser that keeps cookies,
//! sends an Origin header like a real browser and fills in the CSRF token.

use std::collections::HashMap;
use std::sync::Mutex;

use newsroom::auth::{Role, hash_password};
use newsroom::store::{LibraryImage, NewUser};
use reqwest::StatusCode;

use crate::helpers::{Page, TestSite};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The password every test account gets.
pub const PASSWORD: &str = "a long test password";

impl TestSite {
    /// Creates an account with [`PASSWORD`] and returns its id.
    pub async fn add_user(&self, email: &str, name: &str, role: Role) -> Result<i64, Error> {
        let hash = hash_password(PASSWORD)?;
        // Fixture: made as `newsroom user add` makes an account, with the password already set.
        Ok(self.state.store.create_user(&NewUser { email, name, role, password_hash: Some(&hash) }).await?)
    }

    /// POSTs `article` to the API's article list with `token`; returns the status and the JSON answer.
    pub async fn api_create(
        &self,
        token: &str,
        article: serde_json::Value,
    ) -> Result<(StatusCode, serde_json::Value), Error> {
        let url = format!("{}/api/admin/articles", self.base);
        let response = self.client.post(url).bearer_auth(token).json(&article).send().await?;
        let status = response.status();
        Ok((status, response.json().await?))
    }

    /// An API token of the account `email` (made with [`PASSWORD`]), made as its owner makes one: signing in and
    /// asking the API tokens page for it.
    pub async fn api_token_of(&self, email: &str) -> Result<String, Error> {
        self.signed_in_as(email).await?.new_api_token("tests").await
    }

    /// A browser signed in as the account `email` (made with [`PASSWORD`]) through the sign-in form.
    pub async fn signed_in_as(&self, email: &str) -> Result<Browser<'_>, Error> {
        let browser = self.browser();
        let page = browser.sign_in(email, PASSWORD).await?;
        if page.status != StatusCode::SEE_OTHER {
            return Err(format!("signing in as {email} answered {}: {}", page.status, page.body).into());
        }
        Ok(browser)
    }

    /// Creates an account with `role` and returns an API token of it ([`TestSite::api_token_of`]).
    pub async fn api_token_for(&self, email: &str, name: &str, role: Role) -> Result<String, Error> {
        self.add_user(email, name, role).await?;
        self.api_token_of(email).await
    }

    /// The media library, newest first, as an API client reads it (`GET /api/admin/media`).
    pub async fn library(&self) -> Result<Vec<LibraryImage>, Error> {
        #[derive(serde::Deserialize)]
        struct Images {
            images: Vec<LibraryImage>,
        }
        Ok(self.audit("/api/admin/media").await?.json::<Images>().await?.images)
    }

    /// How many articles the site holds in any status, as an API client reads it (`GET /api/admin/articles`).
    pub async fn article_total(&self) -> Result<i64, Error> {
        let page: serde_json::Value = self.audit("/api/admin/articles?limit=1").await?.json().await?;
        page["total"].as_i64().ok_or_else(|| format!("no total in {page}").into())
    }

    /// An article's fields as an API client reads them (`GET /api/admin/articles/{id}`), or `None` when the API
    /// answers that there is no such article.
    pub async fn api_article(&self, id: i64) -> Result<Option<serde_json::Value>, Error> {
        let Some(response) = self.audit_found(&format!("/api/admin/articles/{id}")).await? else {
            return Ok(None);
        };
        let mut body: serde_json::Value = response.json().await?;
        Ok(Some(body["article"].take()))
    }

    /// The article at `path` (`/section/slug`) as the API's article list shows it, in any status, or `None`.
    pub async fn api_listed(&self, path: &str) -> Result<Option<serde_json::Value>, Error> {
        let (section, slug) = path.trim_start_matches('/').split_once('/').ok_or("an article path")?;
        for offset in (0..).step_by(100) {
            let page = self.api_list(&format!("/api/admin/articles?limit=100&offset={offset}"), "articles").await?;
            let done = page.len() < 100;
            if let Some(found) = page.into_iter().find(|a| a["section_slug"] == section && a["slug"] == slug) {
                return Ok(Some(found));
            }
            if done {
                break;
            }
        }
        Ok(None)
    }

    /// The id of the article at `path`, as an API client finds it in the article list.
    pub async fn api_id(&self, path: &str) -> Result<i64, Error> {
        let listed = self.api_listed(path).await?.ok_or_else(|| format!("no article at {path}"))?;
        listed["id"].as_i64().ok_or_else(|| format!("no id in {listed}").into())
    }

    /// The list under `key` in the answer of an API address (`tags` at `/api/admin/tags`).
    pub async fn api_list(&self, path: &str, key: &str) -> Result<Vec<serde_json::Value>, Error> {
        let mut body: serde_json::Value = self.audit(path).await?.json().await?;
        match body[key].take() {
            serde_json::Value::Array(items) => Ok(items),
            other => Err(format!("{path} has no list {key}: {other}").into()),
        }
    }

    /// The entry with `slug` in the API's list of `kind` (`tags`, `sections` or `authors` at `/api/admin/{kind}`).
    pub async fn api_entry(&self, kind: &str, slug: &str) -> Result<Option<serde_json::Value>, Error> {
        Ok(self.api_list(&format!("/api/admin/{kind}"), kind).await?.into_iter().find(|entry| entry["slug"] == slug))
    }

    /// GETs an API address with an administrator's token (the account `auditor@example.com`, made once).
    async fn audit(&self, path: &str) -> Result<reqwest::Response, Error> {
        self.audit_found(path).await?.ok_or_else(|| format!("{path} answered 404").into())
    }

    /// Like [`TestSite::audit`], with `None` when the address answers 404.
    async fn audit_found(&self, path: &str) -> Result<Option<reqwest::Response>, Error> {
        let token = self
            .auditor_token
            .get_or_try_init(|| self.api_token_for("auditor@example.com", "Audit Desk", Role::Administrator))
            .await?;
        let response = self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await?;
        match response.status() {
            StatusCode::OK => Ok(Some(response)),
            StatusCode::NOT_FOUND => Ok(None),
            status => Err(format!("{path} answered {status}").into()),
        }
    }

    /// A browser with no cookies yet.
    pub fn browser(&self) -> Browser<'_> {
        Browser { site: self, cookies: Mutex::new(HashMap::new()), origin: self.base.clone() }
    }

    /// Creates an account with `role` and signs in as it.
    pub async fn signed_in(&self, role: Role) -> Result<Browser<'_>, Error> {
        let email = format!("{}@example.com", role.as_str());
        // Fixture: asks the store whether the account exists, so that no failed sign-in counts against us.
        if self.state.store.user_by_email(&email).await?.is_none() {
            self.add_user(&email, &format!("{} Person", capitalised(role.as_str())), role).await?;
        }
        self.signed_in_as(&email).await
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A client that keeps cookies and speaks like a browser on our own pages.
pub struct Browser<'a> {
    site: &'a TestSite,
    cookies: Mutex<HashMap<String, String>>,
    /// The Origin header sent with posts.
    pub origin: String,
}

impl Browser<'_> {
    fn cookie_header(&self) -> String {
        let cookies = self.cookies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn finish(&self, response: reqwest::Response) -> Result<Page, Error> {
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str()?;
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                let mut cookies = self.cookies.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                if value.is_empty() || text.contains("Max-Age=0") {
                    cookies.remove(name);
                } else {
                    cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await?;
        Ok(Page { status, body, headers })
    }

    /// GETs `path` with this browser's cookies.
    pub async fn get(&self, path: &str) -> Result<Page, Error> {
        let response = self
            .site
            .client
            .get(format!("{}{path}", self.site.base))
            .header("cookie", self.cookie_header())
            .send()
            .await?;
        self.finish(response).await
    }

    /// POSTs `fields` as a form to `path` exactly as given (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)], origin: Option<&str>) -> Result<Page, Error> {
        let origin: Vec<(&str, &str)> = origin.map(|origin| ("origin", origin)).into_iter().collect();
        self.post_with_headers(path, fields, &origin).await
    }

    /// POSTs `fields` as a form to `path` exactly as given, with `headers` (an Origin, a Host) added.
    pub async fn post_with_headers(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Result<Page, Error> {
        let mut request = self
            .site
            .client
            .post(format!("{}{path}", self.site.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.finish(request.send().await?).await
    }

    /// POSTs `fields` with the CSRF token of the page at `form_page` and our Origin, as a browser would.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Result<Page, Error> {
        let token = self.csrf_from(if path == "/admin/sign-in" { "/admin/sign-in" } else { "/admin/password" }).await?;
        let mut all: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all, Some(&self.origin.clone())).await
    }

    /// POSTs a multipart form (an upload): `fields` as text parts with the CSRF token, and `file` as the part
    /// named `file`.
    pub async fn post_upload(&self, path: &str, fields: &[(&str, &str)], file: &[u8]) -> Result<Page, Error> {
        self.post_file(path, fields, "file", file).await
    }

    /// POSTs a multipart form with `fields`, the CSRF token, and `file` as the part named `file_field`.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        file: &[u8],
    ) -> Result<Page, Error> {
        let token = self.csrf_from("/admin/password").await?;
        let boundary = "newsroom-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in std::iter::once(("csrf", token.as_str())).chain(fields.iter().copied()) {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"picture.jpg\"\r\n\
                 Content-Type: image/jpeg\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let response = self
            .site
            .client
            .post(format!("{}{path}", self.site.base))
            .header("cookie", self.cookie_header())
            .header("origin", &self.origin)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body)
            .send()
            .await?;
        self.finish(response).await
    }

    /// The CSRF token in the form of the page at `path`.
    pub async fn csrf_from(&self, path: &str) -> Result<String, Error> {
        let page = self.get(path).await?;
        csrf_in(&page.body).ok_or_else(|| format!("no CSRF field on {path}: {}", page.status).into())
    }

    /// Makes an API token on the API tokens page and returns it (the page shows it once).
    pub async fn new_api_token(&self, label: &str) -> Result<String, Error> {
        let made = self.post("/admin/tokens", &[("label", label)]).await?;
        let shown = made.body.split("id=\"token\" type=\"text\" readonly value=\"").nth(1);
        let token = shown.and_then(|rest| rest.split('"').next()).filter(|token| !token.is_empty());
        Ok(token.ok_or_else(|| format!("no token on the page ({}): {}", made.status, made.body))?.to_owned())
    }

    /// The revisions of article `id`, newest first, as its revisions page lists them: each one's id and who saved it.
    pub async fn revisions(&self, id: i64) -> Result<Vec<(i64, String)>, Error> {
        let page = self.get(&format!("/admin/articles/{id}/revisions")).await?;
        if page.status != StatusCode::OK {
            return Err(format!("the revisions of {id} answered {}", page.status).into());
        }
        let rows = page.body.split("<tr><td>").skip(1);
        let row = |row: &str| -> Option<(i64, String)> {
            let who = row.split("<td>").nth(1)?.split("</td>").next()?;
            let id = row.split("href=\"/admin/revisions/").nth(1)?.split('"').next()?.parse().ok()?;
            Some((id, who.to_owned()))
        };
        rows.map(|r| row(r).ok_or_else(|| format!("a revision row without an id or a name: {r}").into())).collect()
    }

    /// The settings form of the back office as an administrator sees it, without its CSRF token: what is saved.
    pub async fn settings_form(&self) -> Result<String, Error> {
        let page = self.get("/admin/settings").await?;
        let start = page.body.find("<form method=\"post\" action=\"/admin/settings\"").ok_or("the settings form")?;
        let form = &page.body[start..];
        let form = &form[..form.find("</form>").ok_or("the end of the settings form")?];
        Ok(form.lines().filter(|line| !line.contains("name=\"csrf\"")).collect::<Vec<_>>().join("\n"))
    }

    /// The value of the field `id` in the back office's settings form (`name` is the site's name).
    pub async fn setting(&self, id: &str) -> Result<String, Error> {
        let form = self.settings_form().await?;
        let input = form.split(&format!("<input id=\"{id}\"")).nth(1).ok_or_else(|| format!("no field {id}"))?;
        let input = input.split('>').next().unwrap_or_default();
        let value = input.split("value=\"").nth(1).and_then(|v| v.split('"').next());
        Ok(value.ok_or_else(|| format!("no value in field {id}"))?.to_owned())
    }

    /// The id of the account `email`, as the users page links it (for administrators).
    pub async fn user_id(&self, email: &str) -> Result<i64, Error> {
        let page = self.get("/admin/users").await?;
        let row = page.body.split(&format!("<td>{email}</td>")).nth(1).ok_or_else(|| format!("no user {email}"))?;
        let id = row.split("action=\"/admin/users/").nth(1).and_then(|rest| rest.split('"').next());
        Ok(id.ok_or_else(|| format!("no form for {email}"))?.parse()?)
    }

    /// Adds a term to the style guide's glossary in English through its form (for the desk).
    pub async fn add_glossary_term(&self, accepted: &str, avoid: &str) -> Result<(), Error> {
        let term = [("accepted", accepted), ("avoid", avoid), ("language", "en"), ("note", "")];
        let page = self.post("/admin/glossary", &term).await?;
        if page.status != StatusCode::SEE_OTHER {
            return Err(format!("the glossary form answered {}: {}", page.status, page.body).into());
        }
        Ok(())
    }

    /// Signs in through the form.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Page, Error> {
        self.post("/admin/sign-in", &[("email", email), ("password", password)]).await
    }
}

/// The value of the first `name="csrf"` field in `html`.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")?;
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest.split('"').next().map(str::to_owned)
}

/// An article for the API, published at once in World.
pub fn published_story(headline: &str) -> serde_json::Value {
    serde_json::json!({ "headline": headline, "section": "world", "body": "Text.", "status": "published" })
}

/// The `Location` header of a redirect.
pub fn location(page: &Page) -> &str {
    page.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
}
