//! `newsroom import ghost`: a Ghost export (0.x to 5.x JSON) into articles, sections, authors and tags.
//!
//! Like the WordPress importer it reads the file twice as a stream: first the small tables (tags, authors,
//! which post has which), then the posts one at a time. The primary tag (the first by `sort_order`) becomes
//! the section and the others stay tags; internal tags (`#name`) are Ghost's own machinery and are dropped.

mod json;
pub mod render;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use super::{Emitter, ImportError, Position, Record, SourceArticle, SourceImage, Summary, prepare_imported};
use crate::content::{ArticleInput, ArticleStatus, AuthorInput, LeadImage, SectionInput, Slug};
use crate::store::Store;

/// Where imported Ghost images go, under the media root.
const MEDIA_PREFIX: &str = "imported/ghost";
/// The size assumed for a feature image whose size nothing tells.
const ASSUMED_SIZE: (u32, u32) = (1600, 900);
/// Where sections made from primary tags start in the navigation order.
const SECTION_POSITION: i64 = 100;
/// Ghost's placeholder for the site's address in exports from 4.x on.
const GHOST_URL: &str = "__GHOST_URL__";

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Ghost's `content/images` folder, to take feature images from.
    pub media_dir: Option<PathBuf>,
    /// The Ghost site's address, to resolve relative and `__GHOST_URL__` image and link addresses.
    pub site_url: Option<String>,
}

/// Imports `file` into `store`, calling `watch` as it goes.
pub async fn import(
    store: &Store,
    file: &Path,
    options: Options,
    media_root: &Path,
    watch: impl Fn(&Position, &Summary) + Send,
) -> Result<Summary, ImportError> {
    let tables = super::first_pass(file, json::scan).await?;
    if !tables.saw_data {
        return Err(ImportError::WrongKind {
            expected: "a Ghost export",
            found: "no \"data\" object with Ghost's tables".into(),
        });
    }
    let site = options.site_url.clone().unwrap_or_default();
    let source = format!("ghost:{}", site.trim_end_matches('/'));
    let context = Arc::new(Context::new(tables, options));
    let path = file.to_owned();
    super::run(store, &source, media_root, move |emitter| convert(&path, &context, emitter), watch).await
}

/// What the first pass learned, shared with the conversions.
struct Context {
    options: Options,
    /// Tags by id: (slug, name, description, internal).
    tags: HashMap<String, TagInfo>,
    /// Tag ids of each post, by sort order.
    post_tags: HashMap<String, Vec<String>>,
    /// Author (user) ids of each post, by sort order.
    post_authors: HashMap<String, Vec<String>>,
    /// Authors by user id.
    users: HashMap<String, AuthorInput>,
    /// Feature image alt text and caption by post id (Ghost 4+).
    feature_meta: HashMap<String, (String, String)>,
    /// The site's language (`lang` or `locale` setting).
    language: String,
    site_title: String,
    /// Posts in the file.
    posts: u64,
}

#[derive(Debug, Clone)]
struct TagInfo {
    slug: String,
    name: String,
    description: String,
    internal: bool,
}

/// A table row's field as text (Ghost ids are strings, but 0.x used numbers).
fn field(row: &Value, name: &str) -> String {
    match row.get(name) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        Some(Value::Bool(flag)) => flag.to_string(),
        _ => String::new(),
    }
}

fn ordered(rows: &[Value], owner: &str, item: &str) -> HashMap<String, Vec<String>> {
    let mut by_owner: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for (index, row) in (0_i64..).zip(rows) {
        let order = row.get("sort_order").and_then(Value::as_i64).unwrap_or(index);
        by_owner.entry(field(row, owner)).or_default().push((order, field(row, item)));
    }
    by_owner
        .into_iter()
        .map(|(owner, mut items)| {
            items.sort();
            (owner, items.into_iter().map(|(_, item)| item).collect())
        })
        .collect()
}

impl Context {
    fn new(tables: json::Tables, options: Options) -> Context {
        let tags = tables
            .tags
            .iter()
            .map(|row| {
                let name = field(row, "name");
                let internal = name.starts_with('#') || field(row, "visibility") == "internal";
                (
                    field(row, "id"),
                    TagInfo { slug: field(row, "slug"), name, description: field(row, "description"), internal },
                )
            })
            .collect();
        let users = tables
            .users
            .iter()
            .filter_map(|row| {
                let name = field(row, "name");
                let slug = Slug::parse(&field(row, "slug")).or_else(|_| Slug::from_title(&name)).ok()?;
                let avatar = Some(field(row, "profile_image")).filter(|a| a.starts_with("http"));
                Some((field(row, "id"), AuthorInput { slug, name, bio: field(row, "bio"), avatar }))
            })
            .collect();
        let feature_meta = tables
            .posts_meta
            .iter()
            .map(|row| (field(row, "post_id"), (field(row, "feature_image_alt"), field(row, "feature_image_caption"))))
            .collect();
        let setting = |key: &str| {
            tables
                .settings
                .iter()
                .find(|row| field(row, "key") == key)
                .map(|row| field(row, "value"))
                .unwrap_or_default()
        };
        let language = [setting("locale"), setting("lang")].into_iter().find(|l| !l.is_empty()).unwrap_or_default();
        Context {
            tags,
            post_tags: ordered(&tables.posts_tags, "post_id", "tag_id"),
            post_authors: ordered(&tables.posts_authors, "post_id", "author_id"),
            users,
            feature_meta,
            language,
            site_title: setting("title").trim_matches('"').to_owned(),
            posts: tables.posts,
            options,
        }
    }

    /// An address from the export made usable here: `__GHOST_URL__` and site-relative paths resolved
    /// against `--site-url` when given.
    fn resolve(&self, url: &str) -> String {
        let site = self.options.site_url.as_deref().unwrap_or_default().trim_end_matches('/');
        let url = url.replace(GHOST_URL, site);
        if url.starts_with('/') && !url.starts_with("//") && !site.is_empty() { format!("{site}{url}") } else { url }
    }
}

fn convert(path: &Path, context: &Arc<Context>, emitter: &mut Emitter) -> Result<(), ImportError> {
    let mut converter = Converter { context, authors: HashSet::new(), sections: HashSet::new(), tags: HashSet::new() };
    if emitter.now(Record::Expect(context.posts)).is_err() {
        return Ok(());
    }
    let progress = emitter.progress();
    let mut stopped = false;
    let result = json::each_post(
        path,
        |file| Box::new(progress.wrap(file)),
        |post| match converter.post(&post, emitter) {
            Ok(()) => true,
            Err(super::Stopped) => {
                stopped = true;
                false
            }
        },
    );
    if stopped {
        return Ok(());
    }
    result?;
    // Tags no post used come along too, except Ghost's internal ones.
    for tag in context.tags.values().filter(|t| !t.internal) {
        if let Ok(slug) = Slug::from_title(&tag.name)
            && converter.tags.insert(slug.clone())
            && emitter.now(Record::Tag(slug, tag.name.clone())).is_err()
        {
            break;
        }
    }
    Ok(())
}

struct Converter<'a> {
    context: &'a Arc<Context>,
    authors: HashSet<String>,
    sections: HashSet<String>,
    tags: HashSet<Slug>,
}

impl Converter<'_> {
    fn post(&mut self, post: &Value, emitter: &mut Emitter) -> Result<(), super::Stopped> {
        let id = field(post, "id");
        let title = field(post, "title");
        let is_page = field(post, "type") == "page" || matches!(field(post, "page").as_str(), "1" | "true");
        let skip = |kind: &str, reason: &str| Record::Skipped {
            kind: kind.into(),
            reason: reason.into(),
            title: title.clone(),
        };
        if is_page {
            return emitter.now(skip("pages", "newsroom has no static pages yet"));
        }
        let mut notes = Vec::new();
        let status = match field(post, "status").as_str() {
            "published" | "sent" => ArticleStatus::Published,
            "scheduled" => ArticleStatus::Scheduled,
            "draft" => ArticleStatus::Draft,
            other => return emitter.now(skip("posts", &format!("status {other:?} is not one newsroom knows"))),
        };
        let visibility = field(post, "visibility");
        let status = if status == ArticleStatus::Published && !matches!(visibility.as_str(), "" | "public") {
            notes.push("members-only posts kept as drafts (newsroom has no memberships)".to_owned());
            ArticleStatus::Draft
        } else {
            status
        };
        let published = post.get("published_at").and_then(time);
        let created = post.get("created_at").and_then(time).or(published);
        let modified = post.get("updated_at").and_then(time).or(created);
        let published = match (status.needs_time(), published.or(modified)) {
            (true, None) => {
                notes.push("published posts without a date were dated at the import".to_owned());
                Some(Utc::now())
            }
            (_, time) => time,
        };

        // Byline: posts_authors in order, else the single author_id of older exports.
        let mut author_ids = self.context.post_authors.get(&id).cloned().unwrap_or_default();
        if author_ids.is_empty() {
            author_ids.push(field(post, "author_id"));
        }
        let mut authors = Vec::new();
        for author_id in &author_ids {
            if let Some(author) = self.context.users.get(author_id) {
                if self.authors.insert(author.slug.as_str().to_owned()) {
                    emitter.now(Record::Author(author.clone()))?;
                }
                authors.push(author.slug.clone());
            }
        }
        if authors.is_empty() {
            notes.push("posts without a known author were bylined with the site's name".to_owned());
            let name =
                if self.context.site_title.is_empty() { "Staff".to_owned() } else { self.context.site_title.clone() };
            let slug = Slug::from_title(&name).or_else(|_| Slug::parse("staff")).map_err(|_| super::Stopped)?;
            if self.authors.insert(slug.as_str().to_owned()) {
                emitter.now(Record::Author(AuthorInput {
                    slug: slug.clone(),
                    name,
                    bio: String::new(),
                    avatar: None,
                }))?;
            }
            authors.push(slug);
        }

        // Section from the primary public tag; the rest stay tags.
        let public_tags: Vec<TagInfo> = self
            .context
            .post_tags
            .get(&id)
            .into_iter()
            .flatten()
            .filter_map(|tag_id| self.context.tags.get(tag_id))
            .filter(|t| !t.internal)
            .cloned()
            .collect();
        let (section_slug, section_name, description) = match public_tags.first() {
            Some(tag) => (tag.slug.clone(), tag.name.clone(), tag.description.clone()),
            None => ("uncategorized".to_owned(), "Uncategorized".to_owned(), String::new()),
        };
        let section = Slug::parse_top_level(&section_slug)
            .or_else(|_| Slug::from_title(&section_name).and_then(|s| Slug::parse_top_level(s.as_str())))
            .or_else(|_| Slug::from_title(&format!("{section_name} section")));
        let Ok(section) = section else {
            return emitter.now(skip("posts", "its primary tag makes no usable section address"));
        };
        if self.sections.insert(section.as_str().to_owned()) {
            emitter.now(Record::Section(SectionInput {
                slug: section.clone(),
                name: section_name,
                description,
                position: SECTION_POSITION + self.sections.len() as i64,
            }))?;
        }
        let tags: Vec<String> = public_tags.iter().skip(1).map(|t| t.name.clone()).collect();
        super::note_tags(&tags, &mut self.tags);
        let headline = super::headline_of(&title, &mut notes);
        let slug_text = field(post, "slug");
        let Ok(slug) =
            Slug::parse(&slug_text).or_else(|_| Slug::from_title(&slug_text)).or_else(|_| Slug::from_title(&headline))
        else {
            return emitter.now(skip("posts", "no usable address (slug)"));
        };
        let lead_image = self.lead_image(post, &id, &headline, &mut notes);
        let mut legacy_paths = Vec::new();
        if !slug_text.is_empty() {
            legacy_paths.push(format!("/{}/", super::wordpress::decode_percent(&slug_text)));
        }
        let standfirst = [field(post, "custom_excerpt"), field(post, "meta_description")]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .unwrap_or_default();
        let context = Arc::clone(self.context);
        let post = post.clone();
        let language =
            Some(field(&post, "locale")).filter(|l| !l.is_empty()).unwrap_or_else(|| context.language.clone());
        let language =
            crate::content::language_code(&language).unwrap_or_else(|| crate::settings::DEFAULT_LANGUAGE.to_owned());
        let now = Utc::now().timestamp();
        emitter.later(move || {
            let body = match body_html(&post) {
                Ok(body) => context.resolve(&body),
                Err(reason) => return Record::Skipped { kind: "posts".into(), reason, title: headline },
            };
            let input = ArticleInput {
                section,
                slug,
                headline: headline.clone(),
                standfirst: standfirst.trim().to_owned(),
                body_markdown: String::new(),
                authors,
                tags,
                lead_image: lead_image.as_ref().map(|(image, _)| image.clone()),
                language,
                status,
                published_at: published,
                updated_at: None,
                view_count: 0,
            };
            let prepared = match prepare_imported(input, &body, &mut notes) {
                Ok(prepared) => prepared,
                Err(error) => return super::skipped_for("posts", &headline, &error),
            };
            let created_at = created.map_or(now, |t| t.timestamp());
            Record::Article(Box::new(SourceArticle {
                key: Some(id.clone()),
                prepared,
                created_at,
                modified_at: modified.map_or(created_at, |t| t.timestamp()),
                correction: String::new(),
                lead_image: lead_image.map(|(image, copy_from)| SourceImage::New {
                    key: Some(format!("{id}/feature")),
                    image,
                    copy_from,
                }),
                search: crate::content::SearchAndSocial::default(),
                share_image: None,
                owner: None,
                legacy_paths,
                redirects: Vec::new(),
                sources: Vec::new(),
                views_daily: Vec::new(),
                notes,
            }))
        })
    }

    /// The feature image: a file under `--media-dir` when there is one, else its (resolved) address.
    fn lead_image(
        &self,
        post: &Value,
        id: &str,
        headline: &str,
        notes: &mut Vec<String>,
    ) -> Option<(LeadImage, Option<PathBuf>)> {
        let raw = field(post, "feature_image");
        if raw.is_empty() {
            return None;
        }
        let (alt, caption) = self.context.feature_meta.get(id).cloned().unwrap_or_default();
        let relative = raw
            .strip_prefix(GHOST_URL)
            .unwrap_or(&raw)
            .split_once("/content/images/")
            .map(|(_, rest)| rest.to_owned())
            .filter(|rest| !rest.contains(".."));
        let local = match (&self.context.options.media_dir, &relative) {
            (Some(dir), Some(rest)) => Some(dir.join(rest)).filter(|p| p.is_file()),
            _ => None,
        };
        let (path, size, copy_from) = match (local, relative) {
            (Some(file), Some(rest)) => {
                (format!("{MEDIA_PREFIX}/{rest}"), image::image_dimensions(&file).ok(), Some(file))
            }
            _ => {
                let url = self.context.resolve(&raw);
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    notes.push(
                        "feature images with a site-relative address left out (give --site-url or --media-dir)"
                            .to_owned(),
                    );
                    return None;
                }
                (url, None, None)
            }
        };
        let (width, height) = size.unwrap_or_else(|| {
            notes.push(format!("feature images of unknown size recorded as {}×{}", ASSUMED_SIZE.0, ASSUMED_SIZE.1));
            ASSUMED_SIZE
        });
        let alt = if alt.trim().is_empty() {
            notes.push("feature images without alt text described by the headline".to_owned());
            headline.to_owned()
        } else {
            alt
        };
        Some((
            LeadImage {
                path,
                width,
                height,
                alt,
                caption,
                credit: String::new(),
                variants: Vec::new(),
                crops: Vec::new(),
            },
            copy_from,
        ))
    }
}

/// The post's HTML: Ghost's own rendering when the export has it, else rendered from lexical, mobiledoc or
/// (Ghost 0.x) Markdown.
fn body_html(post: &Value) -> Result<String, String> {
    let html = field(post, "html");
    if !html.trim().is_empty() {
        return Ok(html);
    }
    let lexical = field(post, "lexical");
    if !lexical.trim().is_empty() {
        return render::lexical_to_html(&lexical).map_err(|e| format!("its lexical body cannot be read: {e}"));
    }
    let mobiledoc = field(post, "mobiledoc");
    if !mobiledoc.trim().is_empty() {
        return render::mobiledoc_to_html(&mobiledoc).map_err(|e| format!("its mobiledoc body cannot be read: {e}"));
    }
    let markdown = field(post, "markdown");
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&markdown));
    Ok(html)
}

/// A time as Ghost exports write it: ISO 8601 text, `YYYY-MM-DD HH:MM:SS` (UTC), or milliseconds.
fn time(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::String(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok().map(|t| t.and_utc())),
        Value::Number(number) => number.as_i64().and_then(DateTime::from_timestamp_millis),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_shape_ghost_used() {
        let iso = time(&Value::String("2021-03-24T05:57:56.000Z".into())).map(|t| t.timestamp());
        assert_eq!(iso, Some(1_616_565_476));
        let plain = time(&Value::String("2021-03-24 05:57:56".into())).map(|t| t.timestamp());
        assert_eq!(plain, Some(1_616_565_476));
        assert_eq!(time(&serde_json::json!(1_616_565_476_000_i64)).map(|t| t.timestamp()), Some(1_616_565_476));
        assert_eq!(time(&Value::Null), None);
    }

    #[test]
    fn bodies_fall_back_from_html_to_stored_documents() {
        let html = serde_json::json!({"html": "<p>Kept</p>", "markdown": "ignored"});
        assert_eq!(body_html(&html).as_deref(), Ok("<p>Kept</p>"));
        let markdown = serde_json::json!({"html": null, "markdown": "Tide *tables*"});
        assert_eq!(body_html(&markdown).as_deref(), Ok("<p>Tide <em>tables</em></p>\n"));
        let broken = serde_json::json!({"mobiledoc": "{not json"});
        assert!(body_html(&broken).is_err());
    }
}
