//! Imports and exports: a WordPress and a Ghost export become a site readers can use, old addresses redirect,
//! importing again updates, a broken file changes nothing, and an export reads back into the same file.
//! Imports and exports run in the test as the `import` and `export` commands run them: on the site's store, its
//! media directory and its data directory; what they made is read over HTTP.

use std::path::Path;

use newsroom::import::{ImportError, Summary, ghost, newsroom as own, wordpress};

use crate::helpers::{TestResult, TestSite};

/// A small WordPress export written for these tests: a nested category, tags, two authors, a post with a
/// caption, a gallery and block comments, a featured image listed after the post that uses it, a private
/// post, a draft, a page, a menu entry and a comment.
fn wxr(headline: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Harbour Herald</title>
  <link>https://herald.example</link>
  <language>en-GB</language>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://herald.example</wp:base_site_url>
  <wp:base_blog_url>https://herald.example</wp:base_blog_url>
  <wp:author><wp:author_login><![CDATA[mara]]></wp:author_login><wp:author_display_name><![CDATA[Mara Quill]]></wp:author_display_name></wp:author>
  <wp:author><wp:author_login><![CDATA[tom]]></wp:author_login><wp:author_display_name><![CDATA[Tom Reed]]></wp:author_display_name></wp:author>
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>city</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[City]]></wp:cat_name></wp:category>
  <wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>harbour</wp:category_nicename><wp:category_parent>city</wp:category_parent><wp:cat_name><![CDATA[Harbour]]></wp:cat_name></wp:category>
  <wp:tag><wp:tag_slug>ferries</wp:tag_slug><wp:tag_name><![CDATA[Ferries]]></wp:tag_name></wp:tag>
  <wp:tag><wp:tag_slug>unused-tag</wp:tag_slug><wp:tag_name><![CDATA[Lighthouses]]></wp:tag_name></wp:tag>
  <item>
    <title>{headline}</title>
    <link>https://herald.example/2024/05/06/night-ferry/</link>
    <dc:creator><![CDATA[mara]]></dc:creator>
    <guid isPermaLink="false">https://herald.example/?p=10</guid>
    <content:encoded><![CDATA[The night ferry left the quay at nine.
It carried forty people and one goat.

[caption id="attachment_20" align="alignright" width="300"]<img src="https://herald.example/wp-content/uploads/2024/05/quay.png" alt="The quay" width="300" height="200" /> The quay at dusk[/caption]

<!-- wp:paragraph -->
<p>Block paragraph about the tide.</p>
<!-- /wp:paragraph -->

[gallery ids="20"]

[contact-form-7 id="5" title="Tips"]

<script>alert("x")</script>]]></content:encoded>
    <excerpt:encoded><![CDATA[A <em>late</em> crossing, and a goat.]]></excerpt:encoded>
    <wp:post_id>10</wp:post_id>
    <wp:post_date>2024-05-06 21:00:00</wp:post_date>
    <wp:post_date_gmt>2024-05-06 20:00:00</wp:post_date_gmt>
    <wp:post_name>night-ferry</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:menu_order>0</wp:menu_order>
    <wp:post_type>post</wp:post_type>
    <wp:post_password></wp:post_password>
    <category domain="category" nicename="harbour"><![CDATA[Harbour]]></category>
    <category domain="post_tag" nicename="ferries"><![CDATA[Ferries]]></category>
    <category domain="post_tag" nicename="goats"><![CDATA[Goats]]></category>
    <wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[20]]></wp:meta_value></wp:postmeta>
    <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[Poor goat.]]></wp:comment_content></wp:comment>
  </item>
  <item>
    <title>Council minutes</title>
    <link>https://herald.example/?p=11</link>
    <dc:creator><![CDATA[tom]]></dc:creator>
    <content:encoded><![CDATA[Only for the editors.]]></content:encoded>
    <wp:post_id>11</wp:post_id>
    <wp:post_date>2024-05-07 09:00:00</wp:post_date>
    <wp:post_date_gmt>2024-05-07 08:00:00</wp:post_date_gmt>
    <wp:post_name>council-minutes</wp:post_name>
    <wp:status>private</wp:status>
    <wp:post_type>post</wp:post_type>
    <category domain="category" nicename="city"><![CDATA[City]]></category>
  </item>
  <item>
    <title>Unfinished piece</title>
    <dc:creator><![CDATA[tom]]></dc:creator>
    <content:encoded><![CDATA[Half a thought.]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date>2024-05-08 09:00:00</wp:post_date>
    <wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
    <wp:post_name></wp:post_name>
    <wp:status>draft</wp:status>
    <wp:post_type>post</wp:post_type>
  </item>
  <item>
    <title>About us</title>
    <content:encoded><![CDATA[We print news.]]></content:encoded>
    <wp:post_id>13</wp:post_id>
    <wp:status>publish</wp:status>
    <wp:post_type>page</wp:post_type>
  </item>
  <item>
    <title>Home</title>
    <wp:post_id>14</wp:post_id>
    <wp:status>publish</wp:status>
    <wp:post_type>nav_menu_item</wp:post_type>
  </item>
  <item>
    <title>Quay at dusk</title>
    <wp:post_id>20</wp:post_id>
    <wp:post_parent>10</wp:post_parent>
    <wp:status>inherit</wp:status>
    <wp:post_type>attachment</wp:post_type>
    <excerpt:encoded><![CDATA[The quay at dusk]]></excerpt:encoded>
    <wp:attachment_url>https://herald.example/wp-content/uploads/2024/05/quay.png</wp:attachment_url>
    <wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key><wp:meta_value><![CDATA[2024/05/quay.png]]></wp:meta_value></wp:postmeta>
    <wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[Boats moored at the quay]]></wp:meta_value></wp:postmeta>
  </item>
</channel>
</rss>
"#
    )
}

/// Writes the test export and a `wp-content/uploads` tree with the featured image.
fn write_wordpress_export(
    dir: &Path,
    headline: &str,
) -> Result<(std::path::PathBuf, std::path::PathBuf), Box<dyn std::error::Error + Send + Sync>> {
    let file = dir.join("export.xml");
    std::fs::write(&file, wxr(headline))?;
    let uploads = dir.join("uploads");
    std::fs::create_dir_all(uploads.join("2024/05"))?;
    image::RgbImage::from_pixel(64, 48, image::Rgb([20, 60, 120])).save(uploads.join("2024/05/quay.png"))?;
    Ok((file, uploads))
}

async fn import_wordpress(site: &TestSite, file: &Path, uploads: Option<&Path>) -> Result<Summary, ImportError> {
    let options = wordpress::Options { media_dir: uploads.map(Path::to_owned), timezone: chrono_tz::UTC };
    wordpress::import(&site.state.store, file, options, &site.state.config.media_dir(), |_, _| {}).await
}

#[tokio::test]
async fn a_wordpress_export_becomes_a_site_whose_old_addresses_redirect() -> TestResult {
    let site = TestSite::start().await?;
    let work = tempfile::tempdir()?;
    let (file, uploads) = write_wordpress_export(work.path(), "The night ferry")?;
    let summary = import_wordpress(&site, &file, Some(&uploads)).await?;

    assert!(summary.all_accounted(), "{summary}");
    assert_eq!(summary.file_items, Some(6));
    assert_eq!(summary.written_of("articles"), 3, "{summary}");
    let text = summary.to_string();
    for expected in
        ["1 pages: newsroom has no static pages yet", "1 menu items", "1 comments", "private posts kept as drafts"]
    {
        assert!(text.contains(expected), "summary says {expected:?}:\n{text}");
    }

    let page = site.get("/city-harbour/night-ferry").await?;
    assert_eq!(page.status, 200, "{}", page.body);
    for expected in
        ["The night ferry", "City / Harbour", "Ferries", "Goats", "Mara Quill", "A late crossing, and a goat."]
    {
        assert!(page.body.contains(expected), "the article page shows {expected:?}");
    }
    // Content converted as WordPress shows it, and sanitised.
    assert!(page.body.contains("<figcaption>The quay at dusk</figcaption>"), "{}", page.body);
    assert!(page.body.contains("It carried forty people"), "{}", page.body);
    assert!(page.body.contains("Block paragraph about the tide."));
    for raw in ["[caption", "[gallery", "[contact-form-7", "<!-- wp:", "alert(\"x\")"] {
        assert!(!page.body.contains(raw), "no {raw:?} on the page");
    }
    // The featured image was copied from the uploads tree and is served from the media directory.
    assert!(page.body.contains("/media/imported/wordpress/2024/05/quay.png"), "{}", page.body);
    assert!(page.body.contains("alt=\"Boats moored at the quay\""));
    assert_eq!(site.get("/media/imported/wordpress/2024/05/quay.png").await?.status, 200);
    // Published at the UTC time of the export.
    assert!(page.body.contains("2024-05-06T20:00:00"), "{}", page.body);

    // Old addresses answer with a permanent redirect; private and draft posts stay out of sight.
    for old in ["/?p=10", "/2024/05/06/night-ferry/", "/2024/05/06/night-ferry"] {
        let redirect = site.get(old).await?;
        assert_eq!(redirect.status, 301, "{old}");
        assert_eq!(redirect.headers.get("location").and_then(|l| l.to_str().ok()), Some("/city-harbour/night-ferry"));
    }
    assert_eq!(site.get("/?p=11").await?.status, 404, "a private post never becomes public");
    assert_eq!(site.get("/city/council-minutes").await?.status, 404);
    assert_eq!(site.get("/?p=999").await?.status, 404);
    assert_eq!(site.get("/").await?.status, 200);
    assert!(site.api_entry("tags", "lighthouses").await?.is_some(), "listed tags come along even when unused");
    Ok(())
}

#[tokio::test]
async fn imported_photos_lose_their_camera_metadata_and_stand_upright() -> TestResult {
    use crate::media_uploads::{assert_upright, camera_photo, carries_metadata, fetch};
    let site = TestSite::start().await?;
    let work = tempfile::tempdir()?;
    let file = work.path().join("export.xml");
    std::fs::write(&file, wxr("The night ferry").replace("2024/05/quay.png", "2024/05/quay.jpg"))?;
    let uploads = work.path().join("uploads");
    std::fs::create_dir_all(uploads.join("2024/05"))?;
    let photo = camera_photo(6)?;
    assert!(carries_metadata(&photo));
    std::fs::write(uploads.join("2024/05/quay.jpg"), &photo)?;
    import_wordpress(&site, &file, Some(&uploads)).await?;

    let page = site.get("/city-harbour/night-ferry").await?;
    assert!(page.body.contains("/media/imported/wordpress/2024/05/quay.jpg"), "{}", page.body);
    assert!(page.body.contains("width=\"1200\" height=\"2000\""), "the size as shown: {}", page.body);
    let served = fetch(&site, "/media/imported/wordpress/2024/05/quay.jpg").await?;
    assert!(!carries_metadata(&served), "the imported photo no longer carries its location");
    assert_upright("the imported photo", &served)?;
    Ok(())
}

#[tokio::test]
async fn importing_again_updates_instead_of_duplicating() -> TestResult {
    let site = TestSite::start().await?;
    let work = tempfile::tempdir()?;
    let (file, uploads) = write_wordpress_export(work.path(), "The night ferry")?;
    import_wordpress(&site, &file, Some(&uploads)).await?;
    let before = site.article_total().await?;

    let (file, _) = write_wordpress_export(work.path(), "The late night ferry")?;
    let summary = import_wordpress(&site, &file, Some(&uploads)).await?;
    let counts = summary.written.get("articles").cloned().unwrap_or_default();
    assert_eq!((counts.created, counts.updated), (0, 3), "{summary}");
    assert_eq!(site.article_total().await?, before);
    let page = site.get("/city-harbour/night-ferry").await?;
    assert!(page.body.contains("The late night ferry"), "the second import updated the headline");
    Ok(())
}

#[tokio::test]
async fn a_broken_file_fails_clearly_and_changes_nothing() -> TestResult {
    let site = TestSite::start().await?;
    site.article("world", "kept").headline("Kept story").save().await?;
    let work = tempfile::tempdir()?;
    let (file, uploads) = write_wordpress_export(work.path(), "The night ferry")?;
    let whole = std::fs::read_to_string(&file)?;
    // Cut inside the attachment, after the post that uses it.
    let cut = whole.find("<wp:attachment_url>").ok_or("attachment in fixture")?;
    std::fs::write(&file, &whole[..cut])?;
    let before = site.article_total().await?;

    let error = import_wordpress(&site, &file, Some(&uploads)).await.err().ok_or("a truncated file must fail")?;
    let message = error.to_string();
    assert!(message.contains("line ") && message.contains("cut short"), "{message}");
    assert_eq!(site.article_total().await?, before, "nothing was written");
    assert!(!site.state.config.media_dir().join("imported").exists(), "no media was copied");
    assert_eq!(site.get("/world/kept").await?.status, 200);

    // Not a WordPress export at all.
    std::fs::write(&file, "<html><body>hello</body></html>")?;
    let error = import_wordpress(&site, &file, None).await.err().ok_or("HTML is not WXR")?;
    assert!(error.to_string().contains("not a WordPress export"), "{error}");
    Ok(())
}

/// A Ghost 4-style export written for these tests: one post with only mobiledoc (no html), an internal tag,
/// two authors in order, a primary tag, a page, and a members-only post.
fn ghost_export() -> serde_json::Value {
    let mobiledoc = serde_json::json!({
        "version": "0.3.1", "atoms": [], "markups": [["strong"]],
        "cards": [["image", {"src": "https://cdn.example/tide.jpg", "alt": "Tide chart", "caption": "Spring tides"}]],
        "sections": [[1, "p", [[0, [], 0, "Tides were "], [0, [0], 1, "unusually high"], [0, [], 0, " this week."]]], [10, 0]]
    });
    serde_json::json!({"db": [{"meta": {"version": "4.2.0"}, "data": {
        "posts": [
            {"id": "p1", "title": "Spring tides", "slug": "spring-tides", "mobiledoc": mobiledoc.to_string(), "html": null,
             "status": "published", "visibility": "public", "type": "post", "published_at": "2023-03-21T08:00:00.000Z",
             "created_at": "2023-03-20T08:00:00.000Z", "updated_at": "2023-03-21T09:00:00.000Z",
             "custom_excerpt": "The moon pulls harder.", "feature_image": "__GHOST_URL__/content/images/2023/03/tide.jpg"},
            {"id": "p2", "title": "Members briefing", "slug": "members-briefing", "html": "<p>Secret.</p>",
             "status": "published", "visibility": "paid", "type": "post", "published_at": "2023-03-22T08:00:00.000Z"},
            {"id": "p3", "title": "Contact", "slug": "contact", "html": "<p>Write to us.</p>", "status": "published",
             "type": "page", "published_at": "2023-03-22T08:00:00.000Z"}
        ],
        "tags": [
            {"id": "t1", "name": "Coast", "slug": "coast", "description": "Sea and shore."},
            {"id": "t2", "name": "#internal", "slug": "hash-internal", "visibility": "internal"},
            {"id": "t3", "name": "Weather", "slug": "weather"}
        ],
        "posts_tags": [
            {"post_id": "p1", "tag_id": "t2", "sort_order": 0},
            {"post_id": "p1", "tag_id": "t1", "sort_order": 1},
            {"post_id": "p1", "tag_id": "t3", "sort_order": 2}
        ],
        "users": [
            {"id": "u1", "name": "Iris Vale", "slug": "iris", "bio": "Writes about the sea.", "email": "iris@example.com", "password": "secret"},
            {"id": "u2", "name": "Olu Park", "slug": "olu", "email": "olu@example.com"}
        ],
        "posts_authors": [
            {"post_id": "p1", "author_id": "u2", "sort_order": 0},
            {"post_id": "p1", "author_id": "u1", "sort_order": 1}
        ]
    }}]})
}

#[tokio::test]
async fn a_ghost_export_keeps_its_primary_tag_authors_and_addresses() -> TestResult {
    let site = TestSite::start().await?;
    let work = tempfile::tempdir()?;
    let file = work.path().join("ghost.json");
    std::fs::write(&file, serde_json::to_string_pretty(&ghost_export())?)?;
    let options = ghost::Options { media_dir: None, site_url: Some("https://tides.example".into()) };
    let summary = ghost::import(&site.state.store, &file, options, &site.state.config.media_dir(), |_, _| {}).await?;
    assert!(summary.all_accounted(), "{summary}");
    let text = summary.to_string();
    assert!(text.contains("1 pages: newsroom has no static pages yet"), "{text}");
    assert!(text.contains("members-only posts kept as drafts"), "{text}");

    let page = site.get("/coast/spring-tides").await?;
    assert_eq!(page.status, 200);
    for expected in ["Spring tides", "Coast", "Weather", "The moon pulls harder.", "<strong>unusually high</strong>"] {
        assert!(page.body.contains(expected), "the page shows {expected:?}");
    }
    assert!(!page.body.contains("internal"), "internal tags are Ghost's own and dropped");
    let olu = page.body.find("Olu Park").ok_or("first author")?;
    let iris = page.body.find("Iris Vale").ok_or("second author")?;
    assert!(olu < iris, "authors keep their order");
    assert!(page.body.contains("https://tides.example/content/images/2023/03/tide.jpg"), "feature image resolved");
    assert_eq!(site.get("/coast/members-briefing").await?.status, 404, "members-only content stays private");
    let old = site.get("/spring-tides/").await?;
    assert_eq!(old.status, 301);
    assert_eq!(old.headers.get("location").and_then(|l| l.to_str().ok()), Some("/coast/spring-tides"));

    // Malformed JSON names the place and changes nothing.
    let before = site.article_total().await?;
    std::fs::write(&file, "{\"db\": [{\"data\": {\"posts\": [{\"id\": \"x\",")?;
    let error =
        ghost::import(&site.state.store, &file, ghost::Options::default(), &site.state.config.media_dir(), |_, _| {})
            .await
            .err()
            .ok_or("a truncated export must fail")?;
    assert!(error.to_string().contains("line 1"), "{error}");
    assert_eq!(site.article_total().await?, before);
    Ok(())
}

#[tokio::test]
async fn an_export_reads_back_into_the_same_file() -> TestResult {
    let site = TestSite::start_with(|config| config.demo = true).await?;
    let work = tempfile::tempdir()?;
    let (file, uploads) = write_wordpress_export(work.path(), "The night ferry")?;
    import_wordpress(&site, &file, Some(&uploads)).await?;
    site.add_user("ed@example.com", "Ed Itor", newsroom::auth::Role::Editor).await?;

    let first = work.path().join("first.json");
    let report = own::export(&site.state.store, &first, false).await?;
    assert!(report.articles > 3);
    let exported = std::fs::read_to_string(&first)?;
    assert!(exported.contains("ed@example.com") && !exported.contains("argon2id"), "no hashes without --with-users");
    assert!(!exported.contains(newsroom::media::SCRUB_MARKER), "the pass over this site's files stays here");
    let with_hashes = work.path().join("with.json");
    own::export(&site.state.store, &with_hashes, true).await?;
    assert!(std::fs::read_to_string(&with_hashes)?.contains("argon2id"));

    // A site with nothing in it (no demo, no test sections).
    let empty_dir = tempfile::tempdir()?;
    let empty = TestSite::start_in(empty_dir.path(), |config| config.demo = false).await?;
    let summary = own::import(&empty.state.store, &first, &empty.state.config.media_dir(), |_, _| {}).await?;
    assert_eq!(summary.written_of("articles"), report.articles, "{summary}");
    let second = work.path().join("second.json");
    own::export(&empty.state.store, &second, false).await?;
    assert!(std::fs::read(&first)? == std::fs::read(&second)?, "export, import, export gives the same file");
    // The imported site serves the articles and their old addresses.
    assert_eq!(empty.get("/city-harbour/night-ferry").await?.status, 200);
    assert_eq!(empty.get("/?p=10").await?.status, 301);
    Ok(())
}

#[tokio::test]
async fn administrators_import_from_the_back_office_and_see_the_summary() -> TestResult {
    let site = TestSite::start().await?;
    let editor = site.signed_in(newsroom::auth::Role::Editor).await?;
    assert_eq!(editor.get("/admin/import").await?.status, 403, "only administrators import");
    let admin = site.signed_in(newsroom::auth::Role::Administrator).await?;
    let page = admin.get("/admin/import").await?;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));

    let page = admin.post_upload("/admin/import", &[], wxr("The night ferry").as_bytes()).await?;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Accounted for all 6 items in the file"), "{}", page.body);
    assert!(page.body.contains("1 pages: newsroom has no static pages yet"), "{}", page.body);
    assert_eq!(site.get("/city-harbour/night-ferry").await?.status, 200);

    let whole = wxr("Cut short");
    let page = admin.post_upload("/admin/import", &[], &whole.as_bytes()[..whole.len() / 2]).await?;
    assert!(page.body.contains("Not imported, and nothing was changed"), "{}", page.body);
    assert!(page.body.contains("line "), "the message names the place: {}", page.body);
    assert!(site.get("/city-harbour/night-ferry").await?.body.contains("The night ferry"));
    let page = admin.post_upload("/admin/import", &[], b"PK\x03\x04 a zip").await?;
    assert!(page.body.contains("neither a WordPress export"), "{}", page.body);
    assert!(!site.state.config.data_dir.join("uploads").read_dir()?.any(|_| true), "uploads are removed");
    Ok(())
}

#[tokio::test]
async fn importing_again_keeps_the_views_counted_since() -> TestResult {
    let site = TestSite::start_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap_or_default()]).await?;
    let work = tempfile::tempdir()?;
    let (wordpress_file, uploads) = write_wordpress_export(work.path(), "The night ferry")?;
    import_wordpress(&site, &wordpress_file, Some(&uploads)).await?;
    let ghost_file = work.path().join("ghost.json");
    std::fs::write(&ghost_file, serde_json::to_string_pretty(&ghost_export())?)?;
    let import_ghost = || async {
        let options = ghost::Options { media_dir: None, site_url: Some("https://tides.example".into()) };
        ghost::import(&site.state.store, &ghost_file, options, &site.state.config.media_dir(), |_, _| {}).await
    };
    import_ghost().await?;

    // Readers come between the imports.
    let articles = ["/city-harbour/night-ferry", "/coast/spring-tides"];
    for (index, path) in articles.iter().enumerate() {
        for reader in 0..3 {
            let page = site
                .read_as(
                    path,
                    &format!("198.51.100.{}", index * 10 + reader + 1),
                    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
                )
                .await?;
            assert_eq!(page.status, 200, "{path}");
        }
        assert_eq!(site.stored_views(path).await?, 3, "{path}");
    }
    let first = work.path().join("first.json");
    own::export(&site.state.store, &first, false).await?;

    import_wordpress(&site, &wordpress_file, Some(&uploads)).await?;
    import_ghost().await?;
    for path in articles {
        assert_eq!(site.stored_views(path).await?, 3, "{path} keeps its views");
    }
    let second = work.path().join("second.json");
    own::export(&site.state.store, &second, false).await?;
    assert!(std::fs::read(&first)? == std::fs::read(&second)?, "importing the same files again changes nothing");
    Ok(())
}
