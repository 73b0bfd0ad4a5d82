//! The role matrix: every back-office page and form and every API call, for each role and for an anonymous
//! visitor, against an article someone else (an editor) owns and one the user owns.

use newsroom::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin_helpers::{Browser, Error};
use crate::helpers::{TestResult, TestSite};

/// A form: where it posts, its fields, and who may send it.
type Form<'a> = (String, Vec<(&'a str, &'a str)>, Who);

const ROLES: [Role; 4] = [Role::Administrator, Role::Editor, Role::Author, Role::Contributor];

/// Who may: everyone signed in, the desk (administrators and editors), administrators only.
#[derive(Clone, Copy, Debug)]
enum Who {
    Everyone,
    Desk,
    Admins,
}

impl Who {
    fn allows(self, role: Role) -> bool {
        match self {
            Who::Everyone => true,
            Who::Desk => matches!(role, Role::Administrator | Role::Editor),
            Who::Admins => role == Role::Administrator,
        }
    }
}

/// An API client with a token of its own.
struct Api<'a> {
    site: &'a TestSite,
    token: Option<String>,
}

impl Api<'_> {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), Error> {
        let mut request = self.site.client.request(method, format!("{}{path}", self.site.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }
}

async fn api_for<'a>(site: &'a TestSite, role: Option<Role>) -> Result<Api<'a>, Error> {
    let Some(role) = role else { return Ok(Api { site, token: None }) };
    let token = site.api_token_of(&format!("{}@example.com", role.as_str())).await?;
    Ok(Api { site, token: Some(token) })
}

fn draft(headline: &str, status: &str) -> Value {
    json!({ "headline": headline, "section": "world", "body": "Words.", "status": status, "tags": ["Matrix"] })
}

/// A fresh draft owned by the editor, made through the API.
async fn editors_article(editor: &Api<'_>, n: usize) -> Result<i64, Error> {
    let (status, body) = editor
        .call(reqwest::Method::POST, "/api/admin/articles", Some(draft(&format!("Desk piece {n}"), "draft")))
        .await?;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["article"]["id"].as_i64().ok_or_else(|| "an id".into())
}

fn denied(status: StatusCode) -> bool {
    matches!(status, StatusCode::FORBIDDEN | StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED)
}

#[tokio::test]
async fn every_page_and_form_obeys_the_roles() -> TestResult {
    let site = TestSite::start().await?;
    let mut browsers: Vec<(Option<Role>, Browser<'_>)> = vec![(None, site.browser())];
    for role in ROLES {
        browsers.push((Some(role), site.signed_in(role).await?));
    }
    let editor_api = api_for(&site, Some(Role::Editor)).await?;
    let theirs = editors_article(&editor_api, 0).await?;
    let desk = site.signed_in(Role::Editor).await?;
    let revision = desk.revisions(theirs).await?.first().ok_or("a revision")?.0;
    let tag = site.api_entry("tags", "matrix").await?.ok_or("a tag")?["id"].clone();
    desk.add_glossary_term("Rutte", "Lute").await?;
    let term = site.api_list("/api/admin/glossary", "glossary").await?.first().ok_or("a term")?["id"].clone();
    let pages: Vec<(String, Who, bool)> = vec![
        ("/admin".into(), Who::Everyone, false),
        ("/admin/articles".into(), Who::Everyone, false),
        ("/admin/articles/new".into(), Who::Everyone, false),
        ("/admin/password".into(), Who::Everyone, false),
        ("/admin/tokens".into(), Who::Everyone, false),
        ("/admin/media".into(), Who::Everyone, false),
        ("/admin/glossary".into(), Who::Everyone, false),
        ("/admin/sections".into(), Who::Desk, false),
        ("/admin/tags".into(), Who::Desk, false),
        ("/admin/authors".into(), Who::Desk, false),
        ("/admin/authors/ann-author".into(), Who::Desk, false),
        ("/admin/users".into(), Who::Admins, false),
        ("/admin/settings".into(), Who::Admins, false),
        (format!("/admin/articles/{theirs}"), Who::Desk, true),
        (format!("/admin/articles/{theirs}/revisions"), Who::Desk, true),
        (format!("/admin/articles/{theirs}/views.svg"), Who::Desk, true),
        (format!("/admin/articles/{theirs}/preview"), Who::Desk, true),
        (format!("/admin/articles/{theirs}/preview/page"), Who::Desk, true),
        (format!("/admin/articles/{theirs}/links"), Who::Desk, true),
        (format!("/admin/articles/{theirs}/notes"), Who::Desk, true),
        (format!("/admin/revisions/{revision}"), Who::Desk, true),
    ];
    for (role, browser) in &browsers {
        for (path, who, _) in &pages {
            let page = browser.get(path).await?;
            match role {
                Some(role) if who.allows(*role) => assert_eq!(page.status, 200, "{role:?} GET {path}"),
                Some(role) => assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?} GET {path}"),
                None => assert_eq!(page.status, StatusCode::SEE_OTHER, "anonymous GET {path}"),
            }
        }
    }

    for (n, (role, browser)) in browsers.iter().enumerate() {
        let target = editors_article(&editor_api, n + 1).await?;
        let fresh_tag = site.api_entry("tags", "matrix").await?.ok_or("the tag")?["id"].clone();
        // Fixture: a library entry for each role to try deleting, without a file for an upload to resize.
        let image = site
            .state
            .store
            .add_library_image(&newsroom::store::NewImage {
                path: "uploads/none.png",
                width: 1,
                height: 1,
                alt: "Nothing",
                caption: "",
                credit: "",
                variants: "[]",
                crops: "[]",
            })
            .await?;
        let bystander =
            site.add_user(&format!("bystander{n}@example.com"), &format!("Bystander {n}"), Role::Author).await?;
        let new_term = format!("Name{n}");
        let forms: Vec<Form> = vec![
            ("/admin/sections".into(), vec![("name", "Culture"), ("description", "Arts.")], Who::Desk),
            ("/admin/authors".into(), vec![("name", "Guest Writer"), ("bio", "Writes.")], Who::Desk),
            (
                "/admin/glossary".into(),
                vec![("accepted", new_term.as_str()), ("avoid", "Nmae"), ("language", "en")],
                Who::Desk,
            ),
            (
                format!("/admin/glossary/{term}"),
                vec![("accepted", "Rutte"), ("avoid", "Lute"), ("language", "en")],
                Who::Desk,
            ),
            ("/admin/settings".into(), vec![("name", "Test Ledger"), ("description", "Tests.")], Who::Admins),
            (
                "/admin/users".into(),
                vec![("email", "invitee@example.com"), ("name", "Invitee"), ("role", "author")],
                Who::Admins,
            ),
            (
                format!("/admin/articles/{target}"),
                vec![
                    ("headline", "Edited"),
                    ("section", "world"),
                    ("body", "B"),
                    ("status", "draft"),
                    ("overwrite", "1"),
                ],
                Who::Desk,
            ),
            (format!("/admin/revisions/{revision}/restore"), vec![], Who::Desk),
            (format!("/admin/articles/{target}/links"), vec![("hours", "24")], Who::Desk),
            (format!("/admin/articles/{target}/notes"), vec![("body", "Check this")], Who::Desk),
            (format!("/admin/articles/{target}/delete"), vec![], Who::Desk),
            ("/admin/tokens".into(), vec![("label", "x")], Who::Everyone),
            (format!("/admin/tags/{tag}"), vec![("name", "Matrix")], Who::Desk),
            (format!("/admin/tags/{fresh_tag}/delete"), vec![], Who::Desk),
            (format!("/admin/media/{image}/delete"), vec![], Who::Desk),
            (format!("/admin/users/{bystander}"), vec![("role", "editor")], Who::Admins),
            (format!("/admin/users/{bystander}"), vec![("action", "link")], Who::Admins),
            (format!("/admin/users/{bystander}"), vec![("action", "remove")], Who::Admins),
            (
                "/admin/password".into(),
                vec![("current_password", "not mine"), ("new_password", "x"), ("confirm_password", "x")],
                Who::Everyone,
            ),
        ];
        for (path, fields, who) in forms {
            let status = match role {
                Some(_) => browser.post(&path, &fields).await?.status,
                None => browser.post_raw(&path, &fields, Some(&browser.origin)).await?.status,
            };
            match role {
                Some(role) if who.allows(*role) => {
                    assert!(matches!(status.as_u16(), 200 | 303), "{role:?} POST {path}: {status}")
                }
                Some(role) => assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} POST {path}"),
                None => assert!(denied(status), "anonymous POST {path}: {status}"),
            }
        }
        if matches!(role, Some(Role::Author | Role::Contributor) | None) {
            assert!(site.api_article(target).await?.is_some(), "{role:?} could not delete it");
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_api_call_obeys_the_roles() -> TestResult {
    let site = TestSite::start().await?;
    for role in ROLES {
        site.add_user(&format!("{}@example.com", role.as_str()), role.as_str(), role).await?;
    }
    let editor = api_for(&site, Some(Role::Editor)).await?;
    let roles: Vec<Option<Role>> = std::iter::once(None).chain(ROLES.map(Some)).collect();
    for (n, role) in roles.into_iter().enumerate() {
        let api = api_for(&site, role).await?;
        let allowed = |who: Who| role.is_some_and(|r| who.allows(r));
        let expect = |status: StatusCode, who: Who, what: &str| {
            if allowed(who) {
                assert!(status.is_success(), "{role:?} {what}: {status}");
            } else if role.is_none() {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {what}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {what}");
            }
        };
        use reqwest::Method;
        for list in ["sections", "tags", "authors", "articles", "media", "glossary"] {
            expect(api.call(Method::GET, &format!("/api/admin/{list}"), None).await?.0, Who::Everyone, list);
        }
        // Others' articles: the desk only.
        let theirs = editors_article(&editor, n * 10).await?;
        let path = format!("/api/admin/articles/{theirs}");
        expect(api.call(Method::GET, &path, None).await?.0, Who::Desk, "read another's article");
        expect(api.call(Method::GET, &format!("{path}/style"), None).await?.0, Who::Desk, "check another's article");
        let text = serde_json::json!({ "body": "Text." });
        expect(api.call(Method::POST, "/api/admin/style-check", Some(text)).await?.0, Who::Everyone, "check text");
        let edited = draft("Edited by someone", "draft");
        expect(api.call(Method::PUT, &path, Some(edited)).await?.0, Who::Desk, "update another's article");
        expect(api.call(Method::POST, &format!("{path}/publish"), None).await?.0, Who::Desk, "publish another's");
        expect(api.call(Method::POST, &format!("{path}/unpublish"), None).await?.0, Who::Desk, "unpublish another's");
        expect(api.call(Method::DELETE, &path, None).await?.0, Who::Desk, "delete another's");
        // Their own: everyone writes a draft; publishing needs more than a contributor.
        let (status, body) =
            api.call(Method::POST, "/api/admin/articles", Some(draft(&format!("Own {n}"), "draft"))).await?;
        expect(status, Who::Everyone, "create a draft");
        if let Some(own) = body["article"]["id"].as_i64() {
            let (status, body) = api.call(Method::POST, &format!("/api/admin/articles/{own}/publish"), None).await?;
            let publisher = !matches!(role, Some(Role::Contributor));
            assert_eq!(status.is_success(), publisher, "{role:?} publishes own: {status} {body}");
            if !publisher {
                assert_eq!(body["error"]["code"], "forbidden");
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn only_the_desk_may_sign_an_article_with_someone_elses_name() -> TestResult {
    let site = TestSite::start().await?;
    site.add_user("editor@example.com", "The Editor", Role::Editor).await?;
    let token = site.api_token_for("author@example.com", "Author Person", Role::Author).await?;
    let api = Api { site: &site, token: Some(token) };
    let post = reqwest::Method::POST;
    let story = |headline: &str, authors: &[&str]| json!({ "headline": headline, "section": "world", "body": "x", "status": "published", "authors": authors });

    // Through the API: an author cannot publish as the editor, and nothing is stored.
    let (status, answer) =
        api.call(post.clone(), "/api/admin/articles", Some(story("Spoofed", &["the-editor"]))).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["error"]["code"], "forbidden");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("byline")), "a reason: {answer}");
    assert_eq!(site.get("/world/spoofed").await?.status, 404, "nothing published");
    // Their own name, alone or beside a colleague's, is theirs to sign.
    let (status, answer) =
        api.call(post.clone(), "/api/admin/articles", Some(story("Signed", &["author-person"]))).await?;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let id = answer["article"]["id"].as_i64().ok_or("id")?;
    let (status, _) =
        api.call(post.clone(), "/api/admin/articles", Some(story("Shared", &["ann-author", "author-person"]))).await?;
    assert_eq!(status, StatusCode::CREATED);
    // Nor can they take their name off their own article and put another's on it.
    let path = format!("/api/admin/articles/{id}");
    let (status, answer) = api.call(reqwest::Method::PUT, &path, Some(story("Signed", &["the-editor"]))).await?;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let public = site.get("/world/signed").await?;
    assert!(public.body.contains("Author Person") && !public.body.contains("The Editor"), "the byline stands");

    // Through the form: a contributor is told why, and nothing is saved.
    let contributor = site.signed_in(Role::Contributor).await?;
    let fields = [
        ("headline", "Forged"),
        ("section", "world"),
        ("body", "x"),
        ("author", "the-editor"),
        ("status", "draft"),
        ("action", "save"),
    ];
    let page = contributor.post("/admin/articles", &fields).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(page.body.contains("Not saved: put yourself (contributor-person) in the byline"), "{}", page.body);
    assert_eq!(site.article_total().await?, 2, "only the author's two articles");

    // The desk may sign an article with anyone's name.
    let editor = site.signed_in(Role::Editor).await?;
    let desk = Api { site: &site, token: Some(editor.new_api_token("desk").await?) };
    let (status, answer) = desk.call(post, "/api/admin/articles", Some(story("Agency copy", &["ann-author"]))).await?;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    Ok(())
}
