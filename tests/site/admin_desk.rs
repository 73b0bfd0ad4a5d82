//! The desk's view of time and of the list: publication times typed and shown in the site's zone (clock
//! changes included) with the same words in the editor, the save notice, the list and the dashboard; and the
//! article list's thumbnails, sorting by column, and filters kept through paging and the editor.

use image::ImageFormat;
use newsroom::auth::Role;
use newsroom::content::ArticleStatus;
use reqwest::StatusCode;

use crate::admin_articles::create;
use crate::admin_helpers::{Error, location};
use crate::admin_media::encoded;
use crate::helpers::{TestResult, TestSite};

/// The editor form for a new article in World, timed at `date` and `time` (in the site's zone).
fn form<'a>(headline: &'a str, status: &'a str, date: &'a str, time: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("headline", headline),
        ("body", "What happened."),
        ("section", "world"),
        ("status", status),
        ("publish_date", date),
        ("publish_time", time),
        ("action", "save"),
    ]
}

/// The value of the editor's input `name`.
fn field<'a>(html: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\"");
    html.split_once(&marker)
        .and_then(|(_, rest)| rest.split_once("value=\""))
        .and_then(|(_, rest)| rest.split('"').next())
        .unwrap_or_default()
}

/// The editor's readout of the publication time.
fn readout(html: &str) -> &str {
    html.split_once("id=\"publish-when\"")
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split("</output>").next())
        .unwrap_or_default()
}

async fn published_at(site: &TestSite, id: i64) -> Result<String, Error> {
    let article = site.api_article(id).await?.ok_or("the article")?;
    Ok(article["published_at"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn scheduled_times_are_typed_and_shown_in_the_sites_zone_alike_everywhere() -> TestResult {
    let site = TestSite::start_with(|c| c.timezone = Some(chrono_tz::Asia::Kolkata)).await?;
    let editor = site.signed_in(Role::Editor).await?;
    let id = create(&editor, &form("Monsoon arrives early", "scheduled", "2030-01-15", "13:55")).await?;
    assert_eq!(
        published_at(&site, id).await?,
        "2030-01-15T08:25:00Z",
        "13:55 in India is 08:25 UTC; the API keeps UTC"
    );

    let saved = editor.get(&format!("/admin/articles/{id}?notice=saved")).await?;
    assert_eq!(field(&saved.body, "publish_date"), "2030-01-15", "the date as typed, in every browser");
    assert_eq!(field(&saved.body, "publish_time"), "13:55", "the time on the 24-hour clock");
    assert!(saved.body.contains("<legend>Publication time, Asia/Kolkata</legend>"), "labelled with the zone");
    let shown = "Jan. 15, 2030, 1:55 p.m.";
    let says = readout(&saved.body);
    assert!(says.starts_with(&format!("Tuesday, {shown} IST (in ")) && says.ends_with(" days)"), "{says}");
    assert!(saved.body.contains(&format!("Saved. Scheduled for {shown} (in ")), "the notice agrees");
    let list = editor.get("/admin/articles").await?;
    assert!(list.body.contains(&format!("<td>{shown} (in ")), "the list agrees: {}", list.body);
    let dashboard = editor.get("/admin").await?;
    assert!(dashboard.body.contains(&format!("{shown} (in ")), "the dashboard agrees");

    // Saving again unchanged keeps the time.
    let version = field(&saved.body, "modified_at").to_owned();
    let mut again = form("Monsoon arrives early", "scheduled", "2030-01-15", "13:55");
    again.push(("modified_at", &version));
    assert_eq!(editor.post(&format!("/admin/articles/{id}"), &again).await?.status, StatusCode::SEE_OTHER);
    assert_eq!(published_at(&site, id).await?, "2030-01-15T08:25:00Z");

    // A bad value is refused with what to write instead, and nothing typed is lost.
    let page = editor.post("/admin/articles", &form("Tea harvest", "scheduled", "15/01/2030", "1:55 pm")).await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("is not a date: write the date as year-month-day, such as 2026-12-07"), "{}", page.body);
    assert_eq!(field(&page.body, "headline"), "Tea harvest");
    assert_eq!(field(&page.body, "publish_date"), "15/01/2030", "shown again as typed, to correct");
    Ok(())
}

#[tokio::test]
async fn clock_changes_have_a_rule_and_the_readout_follows_the_fields() -> TestResult {
    let site = TestSite::start_with(|c| c.timezone = Some(chrono_tz::Europe::London)).await?;
    let editor = site.signed_in(Role::Editor).await?;
    // Typed in winter for a summer morning: British Summer Time, an hour ahead of UTC.
    let summer = create(&editor, &form("Regatta returns", "scheduled", "2027-07-01", "09:30")).await?;
    assert_eq!(published_at(&site, summer).await?, "2027-07-01T08:30:00Z");
    let page = editor.get(&format!("/admin/articles/{summer}")).await?;
    assert_eq!((field(&page.body, "publish_date"), field(&page.body, "publish_time")), ("2027-07-01", "09:30"));
    assert!(readout(&page.body).starts_with("Thursday, July 1, 2027, 9:30 a.m. BST (in "), "{}", readout(&page.body));

    // The clocks skip 01:00 to 02:00 on the last Sunday of March: a time in between is refused, saying so.
    let gap = editor.post("/admin/articles", &form("Clocks go forward", "scheduled", "2027-03-28", "01:30")).await?;
    assert_eq!(gap.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        gap.body.contains(
            "there is no 01:30 on 2027-03-28 in Europe/London: the clocks go forward from 01:00 to 02:00 that night"
        ),
        "{}",
        gap.body
    );
    assert_eq!(field(&gap.body, "publish_time"), "01:30");

    // They pass 01:00 to 02:00 twice on the last Sunday of October: the first is meant, and the editor says so.
    let twice = create(&editor, &form("Clocks go back", "scheduled", "2027-10-31", "01:30")).await?;
    assert_eq!(published_at(&site, twice).await?, "2027-10-31T00:30:00Z", "the first 01:30, in summer time");
    let page = editor.get(&format!("/admin/articles/{twice}")).await?;
    let says = readout(&page.body);
    assert!(says.starts_with("Sunday, Oct. 31, 2027, 1:30 a.m. BST"), "{says}");
    assert!(says.ends_with("so 01:30 comes twice: this is the first"), "{says}");

    // The readout the editor's script asks for as the fields change: the same words, or what is wrong.
    let asked = editor.get("/admin/publication-time?date=2027-07-01&time=09:30").await?;
    assert_eq!(asked.status, StatusCode::OK);
    let answer: serde_json::Value = serde_json::from_str(&asked.body)?;
    assert_eq!(answer["text"].as_str(), Some(readout(&editor.get(&format!("/admin/articles/{summer}")).await?.body)));
    let wrong = editor.get("/admin/publication-time?date=2027-03-28&time=01:30").await?;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    let answer: serde_json::Value = serde_json::from_str(&wrong.body)?;
    assert!(answer["error"].as_str().is_some_and(|e| e.contains("the clocks go forward")), "{answer}");
    let signed_out = site.browser().get("/admin/publication-time?date=2027-07-01&time=09:30").await?;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER, "only for the desk");
    Ok(())
}

/// The headlines of `names` in the order the page lists them.
fn order<'a>(html: &str, names: &[&'a str]) -> Vec<&'a str> {
    let mut found: Vec<(usize, &str)> =
        names.iter().filter_map(|name| html.find(&format!(">{name}</a>")).map(|at| (at, *name))).collect();
    found.sort();
    found.into_iter().map(|(_, name)| name).collect()
}

/// The `th` of the list's column `key`, up to its link's text.
fn header<'a>(html: &'a str, key: &str) -> &'a str {
    let marker = format!("sort={key}&amp;");
    let Some(at) = html.find(&marker) else { return "" };
    let start = html[..at].rfind("<th").unwrap_or(at);
    &html[start..at + html[at..].find("</th>").unwrap_or(0)]
}

#[tokio::test]
async fn the_list_sorts_by_each_column_and_keeps_its_filters() -> TestResult {
    let site = TestSite::start().await?;
    for (slug, headline, views, status) in [
        ("anchors", "Anchors aweigh", 30, ArticleStatus::Published),
        ("boats", "Boats return", 300, ArticleStatus::Published),
        ("cargo", "Cargo delayed", 3, ArticleStatus::Draft),
    ] {
        // Fixture: view counts as a command would write them.
        site.article("world", slug).headline(headline).views(views).status(status).hours_ago(views).save().await?;
    }
    let editor = site.signed_in(Role::Editor).await?;
    let names = ["Anchors aweigh", "Boats return", "Cargo delayed"];

    let by_views = editor.get("/admin/articles?sort=views").await?;
    assert_eq!(order(&by_views.body, &names), ["Boats return", "Anchors aweigh", "Cargo delayed"], "most read first");
    let views = header(&by_views.body, "views");
    assert!(views.contains("aria-sort=\"descending\""), "{views}");
    assert!(views.contains("href=\"/admin/articles?sort=views&amp;order=asc\""), "a second click reverses: {views}");
    assert!(!header(&by_views.body, "headline").contains("aria-sort"), "only the sorted column says so");
    let reversed = editor.get("/admin/articles?sort=views&order=asc").await?;
    assert_eq!(order(&reversed.body, &names), ["Cargo delayed", "Anchors aweigh", "Boats return"]);
    assert!(header(&reversed.body, "views").contains("aria-sort=\"ascending\""));
    let by_headline = editor.get("/admin/articles?sort=headline&order=desc").await?;
    assert_eq!(order(&by_headline.body, &names), ["Cargo delayed", "Boats return", "Anchors aweigh"]);
    let by_status = editor.get("/admin/articles?sort=status").await?;
    assert_eq!(order(&by_status.body, &names)[0], "Cargo delayed", "drafts first, as the workflow goes");
    let by_time = editor.get("/admin/articles?sort=published").await?;
    assert_eq!(order(&by_time.body, &names), ["Anchors aweigh", "Boats return", "Cargo delayed"], "newest first");

    // The headers keep the filters; a sort the list does not know is refused with the ones it does.
    let filtered = editor.get("/admin/articles?status=published&q=a&sort=headline").await?;
    assert_eq!(order(&filtered.body, &names), ["Anchors aweigh", "Boats return"]);
    assert!(
        header(&filtered.body, "views")
            .contains("href=\"/admin/articles?status=published&amp;q=a&amp;sort=views&amp;order=desc\"")
    );
    assert!(
        filtered.body.contains(r#"<input type="hidden" name="sort" value="headline">"#),
        "filtering keeps the order"
    );
    for (query, says) in [
        ("sort=password_hash", "cannot be sorted by \"password_hash\"; it sorts by headline, section"),
        ("sort=views&order=up", "\"up\" is not an order"),
    ] {
        let page = editor.get(&format!("/admin/articles?{query}")).await?;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(page.body.contains(&says.replace('"', "&quot;")), "{query}: {}", page.body);
    }
    Ok(())
}

#[tokio::test]
async fn paging_and_the_editor_keep_the_lists_filters_and_order() -> TestResult {
    let site = TestSite::start().await?;
    for n in 1..=22 {
        let slug = format!("story-{n:02}");
        site.article("world", &slug).headline(&format!("Story {n:02}")).views(n).save().await?;
    }
    site.article("world", "elsewhere").headline("A draft").status(ArticleStatus::Draft).save().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let list = "/admin/articles?status=published&sort=views&order=asc";
    let first = editor.get(list).await?;
    assert!(first.body.contains(">Story 01</a>") && first.body.contains(">Story 20</a>"));
    assert!(!first.body.contains(">Story 21</a>") && !first.body.contains(">A draft</a>"));
    let older = "/admin/articles?status=published&sort=views&order=asc&page=2";
    assert!(first.body.contains(&format!("href=\"{}\" rel=\"next\"", older.replace('&', "&amp;"))), "paging keeps all");
    let second = editor.get(older).await?;
    assert!(second.body.contains(">Story 22</a>") && !second.body.contains(">Story 20</a>"));
    assert!(header(&second.body, "headline").contains("order=asc&amp;page=2"), "sorting keeps the page");

    // The editor's way back returns to the list as it was left, after a save too.
    let id = site.api_id("/world/story-22").await?;
    let opened = editor.get(&format!("/admin/articles/{id}")).await?;
    assert!(opened.body.contains("<a href=\"/admin/articles/back\">Back to the list</a>"));
    let mut fields = form("Story 22, updated", "published", "", "");
    let version = field(&opened.body, "modified_at").to_owned();
    fields.push(("modified_at", &version));
    let saved = editor.post(&format!("/admin/articles/{id}"), &fields).await?;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let back = editor.get("/admin/articles/back").await?;
    assert_eq!((back.status, location(&back)), (StatusCode::SEE_OTHER, older));
    // Deleting returns there too; a list without filters is remembered as plain.
    let deleted = editor.post(&format!("/admin/articles/{id}/delete"), &[]).await?;
    assert_eq!(location(&deleted), older);
    editor.get("/admin/articles").await?;
    assert_eq!(location(&editor.get("/admin/articles/back").await?), "/admin/articles");
    Ok(())
}

#[tokio::test]
async fn the_list_shows_the_lead_images_smallest_copy_beside_the_headline() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(Role::Editor).await?;
    let text = [("alt", "Cranes over the container port"), ("caption", ""), ("credit", "")];
    editor.post_upload("/admin/media", &text, &encoded(1200, 800, ImageFormat::Jpeg)?).await?;
    let image = site.library().await?.first().ok_or("stored")?.id.to_string();
    let mut fields = form("Port expands", "published", "", "");
    fields.push(("lead_image", &image));
    create(&editor, &fields).await?;
    create(&editor, &form("No picture today", "draft", "", "")).await?;

    let list = editor.get("/admin/articles").await?;
    let thumbs: Vec<&str> = list.body.split("<img class=\"thumb\" src=\"").skip(1).collect();
    assert_eq!(thumbs.len(), 1, "only the article with a lead image has one");
    let src = thumbs[0].split('"').next().unwrap_or_default();
    assert!(src.starts_with("/media/") && src.ends_with("-480.webp"), "the smallest copy, in WebP: {src}");
    assert!(thumbs[0].contains("alt=\"\""), "decorative: the headline beside it names the article");
    let row = list.body.split("<tr>").find(|row| row.contains(src)).unwrap_or_default();
    assert!(row.contains(">Port expands</a>"), "beside its own headline");
    let served = site.get(src).await?;
    assert_eq!(served.status, 200);
    assert_eq!(served.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("image/webp"));
    Ok(())
}
