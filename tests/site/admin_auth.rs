//! Signing in and out, sessions and cookies, throttling, CSRF, first run and one-time password links.

use newsroom::auth::Role;
use reqwest::StatusCode;

use crate::admin_helpers::{PASSWORD, csrf_in, location, published_story};
use crate::helpers::{TestResult, TestSite};

#[tokio::test]
async fn without_accounts_admin_explains_how_to_create_the_first() -> TestResult {
    let site = TestSite::start().await?;
    let page = site.get("/admin").await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("newsroom user add"), "{}", page.body);
    assert!(!page.body.contains("<form"), "no setup form on the network");
    assert_eq!(page.headers.get("cache-control").map(|v| v.to_str().ok()), Some(Some("no-store")));
    let sign_in = site.get("/admin/sign-in").await?;
    assert!(sign_in.body.contains("newsroom user add"));
    Ok(())
}

#[tokio::test]
async fn signing_in_sets_a_safe_session_cookie_and_signing_out_ends_it() -> TestResult {
    let site = TestSite::start().await?;
    site.add_user("ed@example.com", "Ed Itor", Role::Editor).await?;
    assert_eq!(location(&site.get("/admin").await?), "/admin/sign-in", "visitors are sent to sign in");
    let browser = site.browser();
    let page = browser.sign_in("ED@example.com ", PASSWORD).await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("newsroom_session="))
        .ok_or("a session cookie")?;
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/admin", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie} has {attribute}");
    }
    assert!(!cookie.contains("Secure"), "plain http in tests: no Secure flag");
    let token = cookie.split(';').next().and_then(|p| p.split_once('=')).map(|(_, v)| v).ok_or("value")?;
    // What the server keeps of a session is no client's to see: read the store.
    let store = &site.state.store;
    assert!(store.session(token, chrono::Utc::now()).await?.is_none(), "the token itself is not stored");
    let hashed = newsroom::auth::token_hash(token);
    assert!(store.session(&hashed, chrono::Utc::now()).await?.is_some(), "only its hash");

    let dashboard = browser.get("/admin").await?;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.body.contains("Ed Itor"));
    let out = browser.post("/admin/sign-out", &[]).await?;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&browser.get("/admin").await?), "/admin/sign-in");
    Ok(())
}

#[tokio::test]
async fn secure_cookies_when_the_site_is_https() -> TestResult {
    let site = TestSite::start_with(|c| c.base_url = Some("https://news.example.com".into())).await?;
    site.add_user("a@example.com", "A", Role::Author).await?;
    let page = site.browser().sign_in("a@example.com", PASSWORD).await?;
    let cookie = page.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(cookie.contains("; Secure"), "{cookie}");
    Ok(())
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account_with_a_clear_message() -> TestResult {
    let site = TestSite::start().await?;
    site.add_user("target@example.com", "Target", Role::Editor).await?;
    let browser = site.browser();
    for _ in 0..5 {
        let page = browser.sign_in("target@example.com", "wrong password!").await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page.body.contains("email address or password is wrong"));
    }
    let locked = browser.sign_in("target@example.com", PASSWORD).await?;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(locked.body.contains("Too many failed sign-ins"), "{}", locked.body);
    assert!(locked.body.contains("15 minutes"));
    Ok(())
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_address() -> TestResult {
    let site = TestSite::start().await?;
    site.add_user("real@example.com", "Real", Role::Editor).await?;
    let browser = site.browser();
    for n in 0..20 {
        let page = browser.sign_in(&format!("nobody{n}@example.com"), "guess guess guess").await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let refused = browser.sign_in("real@example.com", PASSWORD).await?;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    Ok(())
}

#[tokio::test]
async fn simultaneous_wrong_passwords_are_checked_no_more_than_the_limit_allows() -> TestResult {
    let site = TestSite::start().await?;
    site.add_user("target@example.com", "Target", Role::Editor).await?;
    let browser = site.browser();
    let csrf = browser.csrf_from("/admin/sign-in").await?;
    let fields = [("csrf", csrf.as_str()), ("email", "target@example.com"), ("password", "wrong password!")];
    let origin = browser.origin.clone();
    let guesses = (0..40).map(|_| browser.post_raw("/admin/sign-in", &fields, Some(&origin)));
    let (mut checked, mut paused) = (0, 0);
    for answer in futures_util::future::join_all(guesses).await {
        match answer?.status {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => paused += 1,
            other => return Err(format!("a guess answered {other}").into()),
        }
    }
    assert_eq!((checked, paused), (5, 35), "40 guesses at once: the account's five are checked, the rest wait");
    let right = browser.sign_in("target@example.com", PASSWORD).await?;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    Ok(())
}

#[tokio::test]
async fn forms_without_the_right_token_or_origin_are_refused_and_change_nothing() -> TestResult {
    let site = TestSite::start().await?;
    let browser = site.signed_in(Role::Administrator).await?;
    let token = browser.csrf_from("/admin/settings").await?;
    let origin = browser.origin.clone();
    let change = |csrf: &'static str| [("name", "Hacked Ledger"), ("description", "x"), ("csrf", csrf)];
    type Case<'a> = (Vec<(&'a str, &'a str)>, Option<&'a str>, &'a str);
    let cases: Vec<Case> = vec![
        (change("")[..2].to_vec(), Some(origin.as_str()), "no token"),
        (change("0000").to_vec(), Some(origin.as_str()), "wrong token"),
        (vec![("name", "Hacked Ledger"), ("description", "x"), ("csrf", token.as_str())], None, "no origin"),
        (
            vec![("name", "Hacked Ledger"), ("description", "x"), ("csrf", token.as_str())],
            Some("https://evil.example"),
            "foreign origin",
        ),
    ];
    for (fields, origin, case) in cases {
        let page = browser.post_raw("/admin/settings", &fields, origin).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{case}");
        assert_eq!(browser.setting("name").await?, "Test Ledger", "{case}");
    }
    // The sign-in form is protected too (login CSRF).
    let anonymous = site.browser();
    let page = anonymous.post_raw("/admin/sign-in", &[("email", "x"), ("password", "y")], Some(&origin)).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // With both, the change goes through.
    let ok = browser.post("/admin/settings", &[("name", "Honest Ledger"), ("description", "x")]).await?;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(browser.setting("name").await?, "Honest Ledger");
    Ok(())
}

#[tokio::test]
async fn an_origin_with_another_scheme_is_another_site() -> TestResult {
    // An http site: a form posted from https on the same host and port is refused, and changes nothing.
    let site = TestSite::start().await?;
    let browser = site.signed_in(Role::Administrator).await?;
    let token = browser.csrf_from("/admin/settings").await?;
    let fields = [("name", "Hacked Ledger"), ("description", "x"), ("csrf", token.as_str())];
    let https = site.base.replacen("http://", "https://", 1);
    let page = browser.post_raw("/admin/settings", &fields, Some(&https)).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert_eq!(browser.setting("name").await?, "Test Ledger");

    // An https site: a sign-in posted from its own host over plain http (which anyone on the network can
    // write) is refused; from https it goes through.
    let site = TestSite::start_with(|c| c.base_url = Some("https://news.example.com".into())).await?;
    site.add_user("ed@example.com", "Ed Itor", Role::Editor).await?;
    let browser = site.browser();
    let csrf = browser.csrf_from("/admin/sign-in").await?;
    let fields = [("csrf", csrf.as_str()), ("email", "ed@example.com"), ("password", PASSWORD)];
    let sent_from = |origin| [("host", "news.example.com"), ("origin", origin)];
    let plain = browser.post_with_headers("/admin/sign-in", &fields, &sent_from("http://news.example.com")).await?;
    assert_eq!(plain.status, StatusCode::FORBIDDEN, "{}", plain.body);
    let secure = browser.post_with_headers("/admin/sign-in", &fields, &sent_from("https://news.example.com")).await?;
    assert_eq!(secure.status, StatusCode::SEE_OTHER, "{}", secure.body);
    Ok(())
}

#[tokio::test]
async fn invited_users_set_a_password_once_through_their_link() -> TestResult {
    let site = TestSite::start().await?;
    let admin = site.signed_in(Role::Administrator).await?;
    let page =
        admin.post("/admin/users", &[("email", "new@example.com"), ("name", "New Person"), ("role", "author")]).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    let start = page.body.find("/admin/set-password/").ok_or("a link on the page")?;
    let path: String = page.body[start..].chars().take_while(|c| *c != '"').collect();
    let newcomer = site.browser();
    let form = newcomer.get(&path).await?;
    assert!(form.body.contains("Welcome, New Person"));
    let csrf = csrf_in(&form.body).ok_or("csrf")?;
    let fields = [
        ("csrf", csrf.as_str()),
        ("new_password", "my own secret phrase"),
        ("confirm_password", "my own secret phrase"),
    ];
    let set = newcomer.post_raw(&path, &fields, Some(&newcomer.origin)).await?;
    assert_eq!(location(&set), "/admin/sign-in?notice=password-set");
    assert_eq!(newcomer.get(&path).await?.status, 404, "the link works once");
    let signed = newcomer.sign_in("new@example.com", "my own secret phrase").await?;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn changing_the_password_checks_the_old_one() -> TestResult {
    let site = TestSite::start().await?;
    let browser = site.signed_in(Role::Contributor).await?;
    let wrong = browser
        .post(
            "/admin/password",
            &[
                ("current_password", "not it at all"),
                ("new_password", "brand new phrase"),
                ("confirm_password", "brand new phrase"),
            ],
        )
        .await?;
    assert!(wrong.body.contains("current password is wrong"));
    let right = browser
        .post(
            "/admin/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "brand new phrase"),
                ("confirm_password", "brand new phrase"),
            ],
        )
        .await?;
    assert!(right.body.contains("Your password is changed"), "{}", right.body);
    assert_eq!(browser.get("/admin").await?.status, 200, "this session stays signed in");
    let again = site.browser();
    assert_eq!(again.sign_in("contributor@example.com", PASSWORD).await?.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.sign_in("contributor@example.com", "brand new phrase").await?.status, StatusCode::SEE_OTHER);
    Ok(())
}

#[tokio::test]
async fn changing_the_password_revokes_the_accounts_api_tokens() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let token = author.new_api_token("made with a leaked password").await?;
    assert_eq!(site.api_create(&token, published_story("Before the change")).await?.0, StatusCode::CREATED);
    let new_password = [
        ("current_password", PASSWORD),
        ("new_password", "brand new phrase"),
        ("confirm_password", "brand new phrase"),
    ];
    let changed = author.post("/admin/password", &new_password).await?;
    assert!(changed.body.contains("your API tokens revoked"), "the page says so: {}", changed.body);
    let (status, answer) = site.api_create(&token, published_story("After the change")).await?;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(site.get("/world/after-the-change").await?.status, 404, "nothing published with the old token");
    let tokens = author.get("/admin/tokens").await?;
    assert!(tokens.body.contains("You have no tokens"), "{}", tokens.body);
    Ok(())
}

#[tokio::test]
async fn a_removed_account_is_signed_out_and_its_articles_stay() -> TestResult {
    let site = TestSite::start().await?;
    let author = site.signed_in(Role::Author).await?;
    let fields = [("headline", "Kept"), ("section", "world"), ("body", "Text."), ("status", "published")];
    assert_eq!(author.post("/admin/articles", &fields).await?.status, StatusCode::SEE_OTHER);
    let admin = site.signed_in(Role::Administrator).await?;
    let user = admin.user_id("author@example.com").await?;
    let me = admin.user_id("administrator@example.com").await?;
    let own = admin.post(&format!("/admin/users/{me}"), &[("action", "remove")]).await?;
    assert!(own.body.contains("cannot remove your own account"));
    let removed = admin.post(&format!("/admin/users/{user}"), &[("action", "remove")]).await?;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&author.get("/admin").await?), "/admin/sign-in", "their session ended");
    assert_eq!(site.get("/world/kept").await?.status, 200, "their article stays published");
    let kept = site.api_article(site.api_id("/world/kept").await?).await?.ok_or("article")?;
    assert_eq!(kept.get("owner"), Some(&serde_json::Value::Null), "now the desk's");
    Ok(())
}
