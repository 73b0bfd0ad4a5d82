//! One feed, three formats: RSS 2.0 (with `content:encoded` and `dc:creator`), Atom 1.0 and JSON Feed 1.1.
//! The XML formats are written by the `rss` and `atom_syndication` crates, which escape everything.

use atom_syndication as atom;
use rss::extension::dublincore::DublinCoreExtensionBuilder;
use serde_json::json;

use super::{Entry, Feed};

/// RSS 2.0. Authors go in `dc:creator` (RSS's own `author` must be an email address); the lead image is an
/// enclosure.
pub fn rss(feed: &Feed) -> String {
    let items: Vec<rss::Item> = feed
        .entries
        .iter()
        .map(|entry| {
            rss::ItemBuilder::default()
                .title(Some(entry.title.clone()))
                .link(Some(entry.url.clone()))
                // RSS descriptions are HTML to readers; the standfirst is plain text, so escape it.
                .description(Some(paragraph(&entry.summary)))
                .content(entry.content_html.clone())
                .guid(Some(rss::GuidBuilder::default().value(entry.url.clone()).permalink(true).build()))
                .pub_date(Some(entry.published.to_rfc2822()))
                .categories(
                    entry
                        .categories
                        .iter()
                        .map(|name| rss::CategoryBuilder::default().name(name.clone()).build())
                        .collect::<Vec<_>>(),
                )
                .enclosure(entry.image.as_ref().map(|url| {
                    rss::EnclosureBuilder::default()
                        .url(url.clone())
                        .length("0".to_owned())
                        .mime_type(image_type(url))
                        .build()
                }))
                .dublin_core_ext(Some(
                    DublinCoreExtensionBuilder::default()
                        .creators(entry.authors.iter().map(|(name, _)| name.clone()).collect::<Vec<_>>())
                        .build(),
                ))
                .build()
        })
        .collect();
    let atom_ext = rss::extension::atom::AtomExtension {
        links: vec![
            atom::LinkBuilder::default()
                .href(feed.self_url.clone())
                .rel("self".to_owned())
                .mime_type(Some("application/rss+xml".to_owned()))
                .build(),
        ],
    };
    rss::ChannelBuilder::default()
        .title(feed.title.clone())
        .link(feed.home_url.clone())
        .description(if feed.description.is_empty() { feed.title.clone() } else { feed.description.clone() })
        .last_build_date(Some(feed.updated.to_rfc2822()))
        .generator(Some("newsroom".to_owned()))
        .atom_ext(Some(atom_ext))
        .items(items)
        .build()
        .to_string()
}

/// Atom 1.0.
pub fn atom(feed: &Feed) -> String {
    let entries: Vec<atom::Entry> = feed.entries.iter().map(atom_entry).collect();
    let links = vec![
        atom::LinkBuilder::default().href(feed.home_url.clone()).rel("alternate".to_owned()).build(),
        atom::LinkBuilder::default()
            .href(feed.self_url.clone())
            .rel("self".to_owned())
            .mime_type(Some("application/atom+xml".to_owned()))
            .build(),
    ];
    atom::FeedBuilder::default()
        .title(feed.title.clone())
        .id(feed.self_url.clone())
        .updated(feed.updated.fixed_offset())
        .subtitle((!feed.description.is_empty()).then(|| atom::Text::plain(feed.description.clone())))
        .links(links)
        .generator(Some(atom::Generator { value: "newsroom".to_owned(), uri: None, version: None }))
        .entries(entries)
        .build()
        .to_string()
}

fn atom_entry(entry: &Entry) -> atom::Entry {
    let mut links = vec![atom::LinkBuilder::default().href(entry.url.clone()).rel("alternate".to_owned()).build()];
    if let Some(image) = &entry.image {
        links.push(
            atom::LinkBuilder::default()
                .href(image.clone())
                .rel("enclosure".to_owned())
                .mime_type(Some(image_type(image)))
                .build(),
        );
    }
    atom::EntryBuilder::default()
        .title(entry.title.clone())
        .id(entry.url.clone())
        .updated(entry.updated.fixed_offset())
        .published(Some(entry.published.fixed_offset()))
        .summary(Some(atom::Text::plain(entry.summary.clone())))
        .content(entry.content_html.as_ref().map(|html| {
            atom::ContentBuilder::default().value(Some(html.clone())).content_type(Some("html".to_owned())).build()
        }))
        .authors(
            entry
                .authors
                .iter()
                .map(|(name, url)| atom::PersonBuilder::default().name(name.clone()).uri(Some(url.clone())).build())
                .collect::<Vec<_>>(),
        )
        .categories(
            entry
                .categories
                .iter()
                .map(|name| atom::CategoryBuilder::default().term(name.clone()).build())
                .collect::<Vec<_>>(),
        )
        .links(links)
        .build()
}

/// JSON Feed 1.1.
pub fn json(feed: &Feed) -> String {
    let items: Vec<serde_json::Value> = feed
        .entries
        .iter()
        .map(|entry| {
            let mut item = json!({
                "id": entry.url,
                "url": entry.url,
                "title": entry.title,
                "summary": entry.summary,
                "date_published": entry.published.to_rfc3339(),
                "date_modified": entry.updated.to_rfc3339(),
                "authors": entry.authors.iter().map(|(name, url)| json!({ "name": name, "url": url })).collect::<Vec<_>>(),
                "tags": entry.categories,
            });
            // JSON Feed requires content_html or content_text on every item.
            item["content_html"] = json!(entry.content_html.clone().unwrap_or_else(|| paragraph(&entry.summary)));
            if let Some(image) = &entry.image {
                item["image"] = json!(image);
            }
            item
        })
        .collect();
    let mut document = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "items": items,
    });
    if !feed.description.is_empty() {
        document["description"] = json!(feed.description);
    }
    document.to_string()
}

/// Plain text as one HTML paragraph, escaped.
fn paragraph(text: &str) -> String {
    format!("<p>{}</p>", ammonia::clean_text(text))
}

/// The MIME type of an image URL, from its extension.
fn image_type(url: &str) -> String {
    mime_guess::from_path(url.split('?').next().unwrap_or(url)).first_or_octet_stream().to_string()
}
