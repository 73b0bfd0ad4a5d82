//! `newsroom import wordpress`: a WordPress export (WXR 1.0–1.2) into articles, sections, authors and tags.
//!
//! The file is read twice as a stream. The first pass learns what posts refer to (authors, categories and
//! attachments, which may come after the posts that use them) and checks that the file is whole; the second
//! turns each post into an article. Nothing is written until the first pass has found the file sound, and
//! the writes of the second land in one transaction.

pub mod content;
mod wxr;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use self::content::{Attachment, Attachments};
use self::wxr::{Entry, Item, WxrTerm};
use super::{Emitter, ImportError, Position, Record, SourceArticle, SourceImage, Summary, prepare_imported};
use crate::content::{ArticleInput, ArticleStatus, AuthorInput, LeadImage, SectionInput, Slug};
use crate::store::Store;

/// Where imported WordPress media files go, under the media root.
const MEDIA_PREFIX: &str = "imported/wordpress";
/// The size assumed for a featured image whose size neither the export nor a file tells.
const ASSUMED_SIZE: (u32, u32) = (1600, 900);
/// Where sections made from categories start in the navigation order, after the site's own.
const SECTION_POSITION: i64 = 100;

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `wp-content/uploads` tree, to take featured images from; without it they stay at their URLs.
    pub media_dir: Option<PathBuf>,
    /// The site's time zone, for posts that carry only local times.
    pub timezone: Tz,
}

/// Imports `file` into `store` (copying featured images under `media_root`), calling `watch` as it goes.
pub async fn import(
    store: &Store,
    file: &Path,
    options: Options,
    media_root: &Path,
    watch: impl Fn(&Position, &Summary) + Send,
) -> Result<Summary, ImportError> {
    let scan = super::first_pass(file, Scan::read).await?;
    let source = format!("wordpress:{}", scan.site.trim_end_matches('/'));
    let path = file.to_owned();
    let scan = Arc::new(scan);
    super::run(store, &source, media_root, move |emitter| convert(&path, &scan, &options, emitter), watch).await
}

/// What the first pass learns.
#[derive(Debug, Default)]
struct Scan {
    site: String,
    title: String,
    language: String,
    authors: Vec<wxr::WxrAuthor>,
    /// Categories by slug.
    categories: HashMap<String, WxrTerm>,
    /// Category slugs by term id (for a primary category named by id).
    category_ids: HashMap<String, String>,
    /// Tag names by slug.
    tags: Vec<WxrTerm>,
    attachments: HashMap<u64, AttachmentInfo>,
    /// Items in the file.
    items: u64,
}

#[derive(Debug, Clone, Default)]
struct AttachmentInfo {
    url: String,
    /// Path under `wp-content/uploads`.
    file: String,
    alt: String,
    title: String,
    caption: String,
    parent: u64,
    order: i64,
    size: Option<(u32, u32)>,
}

impl Scan {
    fn read(path: &Path) -> Result<Scan, ImportError> {
        let mut scan = Scan::default();
        let mut version = None;
        let mut link = String::new();
        let mut base_site = String::new();
        wxr::read(path, |entry, _| {
            match entry {
                Entry::Version(v) => version = Some(v),
                Entry::Title(t) => scan.title = t,
                Entry::Link(l) => link = l,
                Entry::BaseSiteUrl(url) => base_site = url,
                Entry::BaseBlogUrl(url) => scan.site = url,
                Entry::Language(l) => scan.language = l,
                Entry::Author(author) => scan.authors.push(author),
                Entry::Term(term) if term.taxonomy == "category" => {
                    scan.category_ids.insert(term.id.clone(), term.slug.clone());
                    scan.categories.insert(term.slug.clone(), term);
                }
                Entry::Term(term) if term.taxonomy == "post_tag" => scan.tags.push(term),
                Entry::Term(_) => {}
                Entry::Item(item) => {
                    scan.items += 1;
                    if item.post_type == "attachment" {
                        scan.attachments.insert(item.id, AttachmentInfo::from_item(&item));
                    }
                }
            }
            true
        })?;
        match version.as_deref() {
            None => {
                return Err(ImportError::WrongKind {
                    expected: "a WordPress export (WXR)",
                    found: "no <wp:wxr_version> in the channel".into(),
                });
            }
            Some(v) if !matches!(v, "1.0" | "1.1" | "1.2") => {
                return Err(ImportError::WrongKind {
                    expected: "a WordPress export (WXR 1.0, 1.1 or 1.2)",
                    found: format!("WXR version {v:?}"),
                });
            }
            Some(_) => {}
        }
        // The blog's own address decides which links are its own; older exports lack it.
        for fallback in [link, base_site] {
            if scan.site.is_empty() {
                scan.site = fallback;
            }
        }
        Ok(scan)
    }
}

impl AttachmentInfo {
    fn from_item(item: &Item) -> AttachmentInfo {
        AttachmentInfo {
            url: item.attachment_url.clone(),
            file: item.meta("_wp_attached_file").unwrap_or_default().to_owned(),
            alt: item.meta("_wp_attachment_image_alt").unwrap_or_default().trim().to_owned(),
            title: text_of(&item.title),
            caption: text_of(&item.excerpt),
            parent: item.parent,
            order: item.menu_order,
            size: item.meta("_wp_attachment_metadata").and_then(serialized_size),
        }
    }

    fn public(&self) -> Attachment {
        Attachment {
            url: self.url.clone(),
            alt: if self.alt.is_empty() { self.title.clone() } else { self.alt.clone() },
            caption: self.caption.clone(),
            width: self.size.map(|s| s.0),
            height: self.size.map(|s| s.1),
        }
    }
}

/// The top-level width and height in PHP-serialised attachment metadata (`a:5:{s:5:"width";i:1200;…`),
/// which come before the `sizes` of the resized copies.
fn serialized_size(meta: &str) -> Option<(u32, u32)> {
    // The value is an integer (`i:1200;`) or, from some plugins, a string (`s:4:"1200";`).
    let number_after = |key: &str| -> Option<u32> {
        let at = meta.find(key)? + key.len();
        let rest = meta[at..].strip_prefix("i:").or_else(|| {
            let string = meta[at..].strip_prefix("s:")?;
            Some(&string[string.find('"')?..])
        })?;
        let value: String = rest.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
        value.parse().ok().filter(|v| *v > 0)
    };
    Some((number_after("s:5:\"width\";")?, number_after("s:6:\"height\";")?))
}

impl Attachments for Scan {
    fn by_id(&self, id: u64) -> Option<Attachment> {
        self.attachments.get(&id).map(AttachmentInfo::public)
    }

    fn children_of(&self, post_id: u64) -> Vec<Attachment> {
        let mut children: Vec<&AttachmentInfo> = self.attachments.values().filter(|a| a.parent == post_id).collect();
        children.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.url.cmp(&b.url)));
        children.into_iter().map(AttachmentInfo::public).collect()
    }
}

/// The second pass: every item becomes a record.
fn convert(path: &Path, scan: &Arc<Scan>, options: &Options, emitter: &mut Emitter) -> Result<(), ImportError> {
    let mut state = Converter::new(scan, options);
    if emitter.now(Record::Expect(scan.items)).is_err() {
        return Ok(());
    }
    let mut stopped = false;
    let mut failure = None;
    wxr::read(path, |entry, position| {
        emitter.at(position);
        if let Entry::Item(item) = entry {
            match state.item(*item, emitter) {
                Ok(()) => {}
                Err(Failure::Stopped) => {
                    stopped = true;
                    return false;
                }
                Err(Failure::Error(error)) => {
                    failure = Some(error);
                    return false;
                }
            }
        }
        true
    })?;
    if let Some(error) = failure {
        return Err(error);
    }
    if stopped {
        return Ok(());
    }
    // Tags the export lists that no post used still come along.
    for tag in &scan.tags {
        if let Ok(slug) = Slug::from_title(&tag.name)
            && state.tags_seen.insert(slug.clone())
            && emitter.now(Record::Tag(slug, tag.name.clone())).is_err()
        {
            return Ok(());
        }
    }
    Ok(())
}

enum Failure {
    Stopped,
    Error(ImportError),
}

impl From<super::Stopped> for Failure {
    fn from(_: super::Stopped) -> Failure {
        Failure::Stopped
    }
}

struct Converter<'a> {
    scan: &'a Arc<Scan>,
    options: &'a Options,
    authors: HashMap<String, String>,
    authors_written: HashSet<String>,
    sections_written: HashSet<String>,
    tags_seen: HashSet<Slug>,
    site_host: String,
}

impl<'a> Converter<'a> {
    fn new(scan: &'a Arc<Scan>, options: &'a Options) -> Converter<'a> {
        let authors = scan
            .authors
            .iter()
            .map(|a| {
                (a.login.clone(), if a.display_name.is_empty() { a.login.clone() } else { a.display_name.clone() })
            })
            .collect();
        Converter {
            scan,
            options,
            authors,
            authors_written: HashSet::new(),
            sections_written: HashSet::new(),
            tags_seen: HashSet::new(),
            site_host: host_of(&scan.site).to_owned(),
        }
    }

    fn item(&mut self, item: Item, emitter: &mut Emitter) -> Result<(), Failure> {
        let title = text_of(&item.title);
        for _ in 0..item.comments {
            emitter.now(Record::Skipped {
                kind: "comments".into(),
                reason: "newsroom has no reader comments".into(),
                title: String::new(),
            })?;
        }
        let skip = |reason: &str| Record::Skipped {
            kind: plural(&item.post_type),
            reason: reason.into(),
            title: title.clone(),
        };
        match item.post_type.as_str() {
            "post" => {}
            "attachment" => {
                emitter.now(Record::Used { kind: "attachments".into(), how: "read as media for posts".into() })?;
                return Ok(());
            }
            "page" => return Ok(emitter.now(skip("newsroom has no static pages yet"))?),
            "nav_menu_item" => {
                return Ok(emitter.now(skip("menus belong to the old theme; navigation comes from sections"))?);
            }
            "revision" => return Ok(emitter.now(skip("old revisions are not imported"))?),
            other => return Ok(emitter.now(skip(&format!("{other:?} is a post type newsroom does not have")))?),
        }
        let mut notes = Vec::new();
        let status = match (item.status.as_str(), item.password.is_empty()) {
            ("publish", true) => ArticleStatus::Published,
            ("publish", false) => {
                notes
                    .push("password-protected posts kept as drafts (newsroom has no per-article passwords)".to_owned());
                ArticleStatus::Draft
            }
            ("future", _) => ArticleStatus::Scheduled,
            ("draft", _) => ArticleStatus::Draft,
            ("pending", _) => ArticleStatus::Submitted,
            ("private", _) => {
                notes.push("private posts kept as drafts, never public".to_owned());
                ArticleStatus::Draft
            }
            ("trash", _) => return Ok(emitter.now(skip("in the trash"))?),
            ("auto-draft", _) => return Ok(emitter.now(skip("an automatic draft nobody saved"))?),
            (other, _) => return Ok(emitter.now(skip(&format!("status {other:?} is not one newsroom knows")))?),
        };
        let tz = self.options.timezone;
        let published = time(&item.date_gmt, &item.date, tz);
        let modified = time(&item.modified_gmt, &item.modified, tz).or(published);
        // WordPress itself dates such a post when it is saved; the import is that moment here.
        let published_at = match (status.needs_time(), published.or(modified)) {
            (true, None) => {
                notes.push("published posts without a date were dated at the import".to_owned());
                Some(Utc::now())
            }
            (_, time) => time,
        };

        let author_login = if item.creator.is_empty() { None } else { Some(item.creator.clone()) };
        let author = self.author(author_login.as_deref(), emitter, &mut notes)?;
        let (section, extra_categories) = self.section(&item, emitter)?;
        let mut tags: Vec<String> = extra_categories;
        for term in item.terms.iter().filter(|t| t.domain == "post_tag") {
            tags.push(term.name.clone());
        }
        super::note_tags(&tags, &mut self.tags_seen);
        let headline = super::headline_of(&title, &mut notes);
        let slug = match post_slug(&item.name, &headline, item.id) {
            Ok(slug) => slug,
            Err(error) => return Ok(emitter.now(skip(&error.to_string()))?),
        };
        let lead_image = self.lead_image(&item, &headline, &mut notes);
        let legacy_paths = self.legacy_paths(&item);
        let scan = Arc::clone(self.scan);
        let language = language_of(&self.scan.language);
        let key = item.id.to_string();
        let now = Utc::now().timestamp();
        emitter.later(move || {
            let body = content::to_html(&item.content, item.id, scan.as_ref());
            let input = ArticleInput {
                section,
                slug,
                headline: headline.clone(),
                standfirst: text_of(&item.excerpt),
                body_markdown: String::new(),
                authors: vec![author],
                tags,
                lead_image: lead_image.as_ref().map(|(image, _, _)| image.clone()),
                language,
                status,
                published_at,
                updated_at: None,
                view_count: 0,
            };
            let prepared = match prepare_imported(input, &body, &mut notes) {
                Ok(prepared) => prepared,
                Err(error) => return super::skipped_for("posts", &headline, &error),
            };
            let created_at = published.or(modified).map_or(now, |t| t.timestamp());
            Record::Article(Box::new(SourceArticle {
                key: Some(key),
                prepared,
                created_at,
                modified_at: modified.map_or(created_at, |t| t.timestamp()),
                correction: String::new(),
                lead_image: lead_image.map(|(image, key, copy_from)| SourceImage::New {
                    key: Some(key),
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
        })?;
        Ok(())
    }

    /// The author's slug, writing the profile before its first article.
    fn author(&mut self, login: Option<&str>, emitter: &mut Emitter, notes: &mut Vec<String>) -> Result<Slug, Failure> {
        let (login, name) = match login {
            Some(login) => (login.to_owned(), self.authors.get(login).cloned().unwrap_or_else(|| login.to_owned())),
            None => {
                notes.push("posts without an author were bylined with the site's name".to_owned());
                let name = if self.scan.title.is_empty() { "Staff".to_owned() } else { self.scan.title.clone() };
                (name.clone(), name)
            }
        };
        let slug = Slug::from_title(&login).or_else(|_| Slug::from_title(&name)).or_else(|_| Slug::parse("staff"));
        let slug =
            slug.map_err(|e| Failure::Error(ImportError::WrongKind { expected: "an author", found: e.to_string() }))?;
        if self.authors_written.insert(slug.as_str().to_owned()) {
            emitter.now(Record::Author(AuthorInput { slug: slug.clone(), name, bio: String::new(), avatar: None }))?;
        }
        Ok(slug)
    }

    /// The section (the primary category, keeping its parents' path) and the post's other categories,
    /// which become tags so that the article page still shows them.
    fn section(&mut self, item: &Item, emitter: &mut Emitter) -> Result<(Slug, Vec<String>), Failure> {
        let categories: Vec<&wxr::ItemTerm> = item.terms.iter().filter(|t| t.domain == "category").collect();
        let primary_slug = item
            .meta("_yoast_wpseo_primary_category")
            .and_then(|id| self.scan.category_ids.get(id.trim()))
            .filter(|slug| categories.iter().any(|c| &c.slug == *slug))
            .cloned()
            .or_else(|| categories.first().map(|c| c.slug.clone()));
        let others: Vec<String> =
            categories.iter().filter(|c| Some(&c.slug) != primary_slug.as_ref()).map(|c| c.name.clone()).collect();
        let (path_slugs, path_names) = match &primary_slug {
            Some(slug) => {
                self.category_path(slug, categories.iter().find(|c| &c.slug == slug).map(|c| c.name.as_str()))
            }
            None => (vec!["uncategorized".to_owned()], vec!["Uncategorized".to_owned()]),
        };
        let joined = path_slugs.iter().map(|s| decode_percent(s)).collect::<Vec<_>>().join("-");
        let slug = Slug::parse_top_level(&joined)
            .or_else(|_| Slug::from_title(&joined))
            .and_then(|s| Slug::parse_top_level(s.as_str()))
            .or_else(|_| Slug::from_title(&format!("{joined} section")))
            .map_err(|e| Failure::Error(ImportError::WrongKind { expected: "a category", found: e.to_string() }))?;
        if self.sections_written.insert(slug.as_str().to_owned()) {
            let description = primary_slug
                .as_ref()
                .and_then(|s| self.scan.categories.get(s))
                .map(|c| text_of(&c.description))
                .unwrap_or_default();
            emitter.now(Record::Section(SectionInput {
                slug: slug.clone(),
                name: path_names.join(" / "),
                description,
                position: SECTION_POSITION + self.sections_written.len() as i64,
            }))?;
        }
        Ok((slug, others))
    }

    /// A category's slugs and names from the top of its tree down.
    fn category_path(&self, slug: &str, name: Option<&str>) -> (Vec<String>, Vec<String>) {
        let mut slugs = vec![slug.to_owned()];
        let own_name = self.scan.categories.get(slug).map(|c| text_of(&c.name)).or(name.map(str::to_owned));
        let mut names = vec![own_name.unwrap_or_else(|| slug.to_owned())];
        let mut current = slug.to_owned();
        // A parent loop in a broken export must not hang the import.
        for _ in 0..16 {
            let Some(parent) = self.scan.categories.get(&current).map(|c| c.parent.clone()).filter(|p| !p.is_empty())
            else {
                break;
            };
            if slugs.contains(&parent) {
                break;
            }
            names.push(self.scan.categories.get(&parent).map_or_else(|| parent.clone(), |c| text_of(&c.name)));
            slugs.push(parent.clone());
            current = parent;
        }
        slugs.reverse();
        names.reverse();
        (slugs, names)
    }

    /// The featured image: the local file under `--media-dir` when there is one, else the original URL.
    fn lead_image(
        &self,
        item: &Item,
        headline: &str,
        notes: &mut Vec<String>,
    ) -> Option<(LeadImage, String, Option<PathBuf>)> {
        let id: u64 = item.meta("_thumbnail_id")?.trim().parse().ok()?;
        let Some(attachment) = self.scan.attachments.get(&id) else {
            notes.push("featured images missing from the export were left out".to_owned());
            return None;
        };
        let local = self
            .options
            .media_dir
            .as_ref()
            .filter(|_| !attachment.file.is_empty() && !attachment.file.contains(".."))
            .map(|dir| dir.join(&attachment.file))
            .filter(|path| path.is_file());
        let (path, size, copy_from) = match local {
            Some(file) => {
                let size = image::image_dimensions(&file).ok().or(attachment.size);
                (format!("{MEDIA_PREFIX}/{}", attachment.file.trim_start_matches('/')), size, Some(file))
            }
            None => {
                if self.options.media_dir.is_some() {
                    notes.push("featured images not found under --media-dir kept at their original URLs".to_owned());
                }
                if attachment.url.is_empty() {
                    return None;
                }
                (attachment.url.clone(), attachment.size, None)
            }
        };
        let (width, height) = size.unwrap_or_else(|| {
            notes.push(format!("featured images of unknown size recorded as {}×{}", ASSUMED_SIZE.0, ASSUMED_SIZE.1));
            ASSUMED_SIZE
        });
        let alt = if !attachment.alt.is_empty() {
            attachment.alt.clone()
        } else if !attachment.title.is_empty() {
            notes.push("featured images without alt text described by their title".to_owned());
            attachment.title.clone()
        } else {
            notes.push("featured images without alt text or title described by the headline".to_owned());
            headline.to_owned()
        };
        let image = LeadImage {
            path,
            width,
            height,
            alt,
            caption: attachment.caption.clone(),
            credit: String::new(),
            variants: Vec::new(),
            crops: Vec::new(),
        };
        Some((image, id.to_string(), copy_from))
    }

    /// The addresses the post had: `/?p=ID` and its permalink's path. (Not the GUID: it is an identifier, and
    /// on migrated sites it names another post's old id.)
    fn legacy_paths(&self, item: &Item) -> Vec<String> {
        let mut paths = vec![format!("/?p={}", item.id)];
        if let Some(path) = local_path(&item.link, &self.site_host)
            && !paths.contains(&path)
            && path != "/"
        {
            paths.push(path);
        }
        paths
    }
}

/// The plural used in the summary for items of a post type.
fn plural(post_type: &str) -> String {
    match post_type {
        "nav_menu_item" => "menu items".into(),
        "" => "items".into(),
        other => format!("{other}s"),
    }
}

/// Plain text from a title or excerpt that may carry a little HTML and entities.
fn text_of(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return html.trim().to_owned();
    }
    let escaped = ammonia::Builder::empty().clean(html).to_string();
    let text = escaped
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A post's slug: its own (percent-decoded, transliterated), else one made from the headline, else from the id.
fn post_slug(name: &str, headline: &str, id: u64) -> Result<Slug, crate::content::SlugError> {
    let decoded = decode_percent(name);
    Slug::parse(&decoded)
        .or_else(|_| Slug::from_title(&decoded))
        .or_else(|_| Slug::from_title(headline))
        .or_else(|_| Slug::parse(&format!("post-{id}")))
}

/// Percent-decodes a slug or path (WordPress stores non-ASCII slugs encoded).
pub(crate) fn decode_percent(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or_default()
}

/// The path and query of a link on the old site, decoded, or `None` for another site's link.
fn local_path(url: &str, site_host: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let (host, path) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    if !site_host.is_empty() && !host.eq_ignore_ascii_case(site_host) {
        return None;
    }
    let path = path.split('#').next().unwrap_or_default();
    let path = if path.starts_with('?') { format!("/{path}") } else { path.to_owned() };
    (!path.is_empty()).then(|| decode_percent(&path))
}

/// A time from the export: the UTC field when set, else the local one in the site's zone.
fn time(utc: &str, local: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let parse = |text: &str| NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok();
    if let Some(time) = parse(utc).filter(|_| !utc.starts_with("0000")) {
        return Some(time.and_utc());
    }
    let naive = parse(local).filter(|_| !local.starts_with("0000"))?;
    tz.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc))
}

/// The language of the articles: the export's (`en-US` is the `en` edition), or English.
fn language_of(tag: &str) -> String {
    crate::content::language_code(tag).unwrap_or_else(|| crate::settings::DEFAULT_LANGUAGE.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_come_from_serialised_metadata() {
        let meta = r#"a:5:{s:5:"width";i:1200;s:6:"height";i:675;s:4:"file";s:12:"2012/a.jpg";s:5:"sizes";a:1:{s:9:"thumbnail";a:3:{s:5:"width";i:150;s:6:"height";i:150;}}}"#;
        assert_eq!(serialized_size(meta), Some((1200, 675)));
        assert_eq!(serialized_size("a:0:{}"), None);
        assert_eq!(serialized_size(r#"a:1:{s:5:"width";s:3:"640";s:6:"height";s:3:"480";}"#), Some((640, 480)));
    }

    #[test]
    fn times_prefer_utc_and_fall_back_to_the_site_zone() {
        let berlin: Tz = chrono_tz::Europe::Berlin;
        let utc = time("2024-03-01 10:00:00", "2024-03-01 11:00:00", berlin).map(|t| t.to_rfc3339());
        assert_eq!(utc.as_deref(), Some("2024-03-01T10:00:00+00:00"));
        let local = time("0000-00-00 00:00:00", "2024-07-01 12:00:00", berlin).map(|t| t.to_rfc3339());
        assert_eq!(local.as_deref(), Some("2024-07-01T10:00:00+00:00"));
        assert_eq!(time("0000-00-00 00:00:00", "0000-00-00 00:00:00", berlin), None);
    }

    #[test]
    fn old_addresses_keep_path_and_query() {
        assert_eq!(
            local_path("https://old.example/2019/03/a-story/", "old.example").as_deref(),
            Some("/2019/03/a-story/")
        );
        assert_eq!(local_path("http://old.example/?p=12", "old.example").as_deref(), Some("/?p=12"));
        assert_eq!(local_path("https://other.example/x/", "old.example"), None);
        assert_eq!(local_path("https://old.example/caf%c3%a9/", "old.example").as_deref(), Some("/café/"));
    }

    #[test]
    fn slugs_are_decoded_or_made_from_the_headline() {
        let slug = |name, headline, id| post_slug(name, headline, id).map(|s| s.as_str().to_owned());
        assert_eq!(slug("hello-world", "x", 1).as_deref(), Ok("hello-world"));
        assert_eq!(slug("", "A Day at the Races", 1).as_deref(), Ok("a-day-at-the-races"));
        assert_eq!(slug("%e6%97%a5%e6%9c%ac", "x", 1).as_deref(), Ok("ri-ben"));
        assert_eq!(slug("", "!!!", 7).as_deref(), Ok("post-7"));
    }

    #[test]
    fn titles_lose_markup_and_entities() {
        assert_eq!(text_of("Fish &amp; <em>Chips</em>"), "Fish & Chips");
        assert_eq!(text_of("  plain  "), "plain");
    }
}
