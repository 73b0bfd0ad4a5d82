//! Previews as readers will see them: the editor's full-page preview and private preview links, over HTTP.

use newsroom::auth::Role;
use newsroom::content::ArticleStatus;
use reqwest::StatusCode;

use crate::admin_helpers::{Browser, Error};
use crate::helpers::{Page, TestResult, TestSite, run_sql};

const HEADLINE: &str = "Harbour wall to be rebuilt in spring";
const BODY_WORDS: &str = "The council approved the plan on Tuesday";

/// A draft in World with a lead image, tags and five views; returns its path and id.
async fn draft(site: &TestSite) -> Result<(String, i64), Error> {
    let path = site
        .article("world", "harbour-wall")
        .headline(HEADLINE)
        .standfirst("Work starts in March.")
        .body(&format!("{BODY_WORDS}.\n\n## What changes\n\nA **new** wall."))
        .authors(&["ann-author"])
        .tags(&["Harbour", "Council"])
        .image("/media/harbour.jpg", "The harbour at dusk", "The old wall", "Photo: Desk")
        .status(ArticleStatus::Draft)
        .views(5)
        .save()
        .await?;
    let id = site.api_id(&path).await?;
    Ok((path, id))
}

/// Makes a private link to article `id` on its links page (working for `hours`) and returns its path.
async fn make_link(editor: &Browser<'_>, id: i64, hours: &str) -> Result<String, Error> {
    let made = editor.post(&format!("/admin/articles/{id}/links"), &[("hours", hours)]).await?;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let shown = made.body.split("id=\"preview-link\" type=\"text\" readonly value=\"").nth(1);
    let address = shown.and_then(|rest| rest.split('"').next()).ok_or("the new link on the page")?;
    let path = address.find("/preview/").map(|at| &address[at..]).ok_or("a /preview/ address")?;
    Ok(path.to_owned())
}

fn header<'a>(page: &'a Page, name: &str) -> &'a str {
    page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// What every preview answer carries: not for caches, not for search engines.
fn assert_private(page: &Page, what: &str) {
    assert_eq!(header(page, "cache-control"), "private, no-store", "{what}");
    assert_eq!(header(page, "x-robots-tag"), "noindex", "{what}");
}

#[tokio::test]
async fn a_private_link_shows_the_draft_to_anyone_signed_out_until_it_expires() -> TestResult {
    let site = TestSite::start().await?;
    let (path, id) = draft(&site).await?;
    let editor = site.signed_in(Role::Editor).await?;
    let link = make_link(&editor, id, "").await?;

    // Signed out, with no cookies at all.
    let page = site.get(&link).await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_private(&page, "a preview link");
    assert!(header(&page, "content-security-policy").contains("frame-ancestors 'none'"), "a link is never framed");
    assert!(page.body.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(page.body.contains("class=\"preview-banner\""), "it says it is a preview");
    assert!(page.body.contains("This private link works until"), "and until when");
    for shown in [HEADLINE, "Work starts in March.", BODY_WORDS, "<h2", "The old wall", "Photo: Desk", "Harbour"] {
        assert!(page.body.contains(shown), "the page shows {shown:?} as readers will see it");
    }
    assert!(page.body.contains("Ann Author"), "with the byline");
    assert!(!page.body.contains("views.js"), "no view beacon");
    for _ in 0..3 {
        assert_eq!(site.get(&link).await?.status, StatusCode::OK);
    }
    assert_eq!(site.stored_views(&path).await?, 5, "a preview is never counted as a view");
    // The draft itself stays private everywhere else.
    assert_eq!(site.get(&path).await?.status, StatusCode::NOT_FOUND);
    for listing in ["/sitemaps/articles-1.xml", "/feed.xml", "/world/", "/search?q=harbour"] {
        let listed = site.get(listing).await?;
        assert!(!listed.body.contains("harbour-wall"), "{listing} does not list the draft");
    }

    // The links page lists it with its expiry, a week away by default.
    let listed = editor.get(&format!("/admin/articles/{id}/links")).await?;
    assert!(listed.body.contains("Revoke"), "{}", listed.body);
    assert!(!listed.body.contains("Expired"));

    // Expired: its time moved past, as a week going by would.
    run_sql(&site.state.config.data_dir, "UPDATE preview_links SET expires_at = expires_at - $1", 8 * 86_400).await?;
    let expired = site.get(&link).await?;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.body.contains("Preview link expired"), "{}", expired.body);
    assert!(!expired.body.contains(BODY_WORDS));
    assert_private(&expired, "an expired link");
    assert!(editor.get(&format!("/admin/articles/{id}/links")).await?.body.contains("Expired"));
    Ok(())
}

#[tokio::test]
async fn revoked_tampered_and_deleted_links_show_nothing() -> TestResult {
    let site = TestSite::start().await?;
    let (_, id) = draft(&site).await?;
    let editor = site.signed_in(Role::Editor).await?;
    let link = make_link(&editor, id, "1").await?;
    assert_eq!(site.get(&link).await?.status, StatusCode::OK);

    // One digit changed, cut short, or not hex at all.
    let last = link.chars().last().ok_or("a token")?;
    let tampered = format!("{}{}", &link[..link.len() - 1], if last == '0' { '1' } else { '0' });
    for wrong in [tampered.as_str(), &link[..link.len() - 2], "/preview/not-a-token", "/preview/"] {
        let page = site.get(wrong).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{wrong}");
        assert!(!page.body.contains(BODY_WORDS), "{wrong}");
    }
    assert!(site.get(&tampered).await?.body.contains("Preview link not found"));

    // Revoked from the links page.
    let listed = editor.get(&format!("/admin/articles/{id}/links")).await?;
    let form = listed.body.split(&format!("/admin/articles/{id}/links/")).nth(1).ok_or("a revoke form")?;
    let link_id = form.split('/').next().ok_or("a link id")?;
    let revoked = editor.post(&format!("/admin/articles/{id}/links/{link_id}/revoke"), &[]).await?;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let page = site.get(&link).await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_private(&page, "a revoked link");
    assert!(editor.get(&format!("/admin/articles/{id}/links")).await?.body.contains("No links yet"));

    // Deleting the article ends its links.
    let other = make_link(&editor, id, "168").await?;
    assert_eq!(site.get(&other).await?.status, StatusCode::OK);
    assert_eq!(editor.post(&format!("/admin/articles/{id}/delete"), &[]).await?.status, StatusCode::SEE_OTHER);
    assert_eq!(site.get(&other).await?.status, StatusCode::NOT_FOUND);

    // Lifetimes other than those offered are refused, and nothing is made.
    let (_, id) = draft_elsewhere(&site).await?;
    let refused = editor.post(&format!("/admin/articles/{id}/links"), &[("hours", "100000")]).await?;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(editor.get(&format!("/admin/articles/{id}/links")).await?.body.contains("No links yet"));
    Ok(())
}

async fn draft_elsewhere(site: &TestSite) -> Result<(String, i64), Error> {
    let path = site.article("world", "another").headline("Another").status(ArticleStatus::Draft).save().await?;
    let id = site.api_id(&path).await?;
    Ok((path, id))
}

#[tokio::test]
async fn a_link_to_an_article_published_since_leads_to_its_page() -> TestResult {
    let site = TestSite::start().await?;
    let (path, id) = draft(&site).await?;
    let editor = site.signed_in(Role::Editor).await?;
    let link = make_link(&editor, id, "24").await?;
    let token = site.api_token_for("publisher@example.com", "Pat Publisher", Role::Editor).await?;
    let url = format!("{}/api/admin/articles/{id}/publish", site.base);
    assert!(site.client.post(url).bearer_auth(&token).send().await?.status().is_success());
    let page = site.get(&link).await?;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(header(&page, "location"), path);
    assert_private(&page, "the redirect");
    Ok(())
}

#[tokio::test]
async fn the_editor_previews_the_page_at_phone_and_desktop_widths() -> TestResult {
    let site = TestSite::start().await?;
    let (_, id) = draft(&site).await?;
    let editor = site.signed_in(Role::Editor).await?;
    let opened = editor.get(&format!("/admin/articles/{id}")).await?;
    assert!(opened.body.contains(&format!("href=\"/admin/articles/{id}/preview\"")), "the editor offers it");

    let desktop = editor.get(&format!("/admin/articles/{id}/preview")).await?;
    assert_eq!(desktop.status, StatusCode::OK);
    assert!(
        desktop.body.contains(&format!("<iframe class=\"preview-frame\" src=\"/admin/articles/{id}/preview/page\""))
    );
    let phone = editor.get(&format!("/admin/articles/{id}/preview?width=phone")).await?;
    assert!(phone.body.contains("<iframe class=\"preview-frame phone\""), "{}", phone.body);

    let framed = editor.get(&format!("/admin/articles/{id}/preview/page")).await?;
    assert_eq!(framed.status, StatusCode::OK, "{}", framed.body);
    assert_private(&framed, "the editor's preview");
    let policy = header(&framed, "content-security-policy");
    assert!(policy.contains("frame-ancestors 'self'") && !policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(header(&framed, "x-frame-options"), "SAMEORIGIN");
    assert!(framed.body.contains(HEADLINE) && framed.body.contains(BODY_WORDS));
    assert!(framed.body.contains("class=\"preview-banner\"") && !framed.body.contains("This private link"));
    // The public site is framed by no one, the back office's other pages neither.
    assert!(header(&opened, "content-security-policy").contains("frame-ancestors 'none'"));

    // Signed out: the sign-in page, not the draft.
    let stranger = site.browser().get(&format!("/admin/articles/{id}/preview/page")).await?;
    assert_eq!(stranger.status, StatusCode::SEE_OTHER);
    assert!(!stranger.body.contains(BODY_WORDS));
    // A contributor cannot preview someone else's draft, nor make a link to it.
    let contributor = site.signed_in(Role::Contributor).await?;
    let refused = contributor.get(&format!("/admin/articles/{id}/preview/page")).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains(BODY_WORDS));
    let refused = contributor.post(&format!("/admin/articles/{id}/links"), &[("hours", "24")]).await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    Ok(())
}
