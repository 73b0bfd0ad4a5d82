//! Reading a WordPress export (WXR 1.0–1.2) as a stream: channel-level entries (authors, categories, tags)
//! and one [`Item`] at a time, so that memory does not grow with the file. Elements are told apart by their
//! namespace, not their prefix, so a file that binds `wp:` to something else is read correctly.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

use crate::import::ImportError;

/// The namespaces of a WXR file that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// RSS's own elements (no namespace).
    Rss,
    /// `http://wordpress.org/export/1.x/`.
    Wp,
    /// `http://wordpress.org/export/1.x/excerpt/`.
    Excerpt,
    /// `http://purl.org/rss/1.0/modules/content/`.
    Content,
    /// `http://purl.org/dc/elements/1.1/`.
    Dc,
    /// Anything else (plugins' own elements, a redefined prefix).
    Other,
}

fn classify(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Unbound => Ns::Rss,
        ResolveResult::Bound(ns) => {
            // Exports from WordPress.com write the WordPress namespaces with https.
            let uri: &str = ns.0;
            let uri = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://")).unwrap_or(uri);
            if uri.starts_with("wordpress.org/export/") {
                if uri.ends_with("/excerpt/") { Ns::Excerpt } else { Ns::Wp }
            } else if uri == "purl.org/rss/1.0/modules/content/" {
                Ns::Content
            } else if uri == "purl.org/dc/elements/1.1/" {
                Ns::Dc
            } else if uri.is_empty() {
                Ns::Rss
            } else {
                Ns::Other
            }
        }
        ResolveResult::Unknown(_) => Ns::Other,
    }
}

/// An author listed by the export.
#[derive(Debug, Default, Clone)]
pub struct WxrAuthor {
    /// The login, which posts' `dc:creator` names.
    pub login: String,
    /// The name shown on posts.
    pub display_name: String,
}

/// A category, tag or other term listed by the export.
#[derive(Debug, Default, Clone)]
pub struct WxrTerm {
    /// `category`, `post_tag`, or a custom taxonomy.
    pub taxonomy: String,
    /// The term's id.
    pub id: String,
    /// Its slug (WordPress's "nicename").
    pub slug: String,
    /// Its name.
    pub name: String,
    /// The parent's slug, for nested categories.
    pub parent: String,
    /// Its description.
    pub description: String,
}

/// A term an item is filed under.
#[derive(Debug, Default, Clone)]
pub struct ItemTerm {
    /// `category`, `post_tag`, `post_format`, …
    pub domain: String,
    /// The term's slug.
    pub slug: String,
    /// The term's name.
    pub name: String,
}

/// One `<item>`: a post, page, attachment, menu entry or other post type.
#[derive(Debug, Default, Clone)]
pub struct Item {
    /// The title (may hold entities and a little HTML).
    pub title: String,
    /// The permalink.
    pub link: String,
    /// The author's login.
    pub creator: String,
    /// The body as stored.
    pub content: String,
    /// The excerpt.
    pub excerpt: String,
    /// The post id.
    pub id: u64,
    /// Local publication time, `YYYY-MM-DD HH:MM:SS`.
    pub date: String,
    /// UTC publication time (`0000-00-00 00:00:00` when unset).
    pub date_gmt: String,
    /// UTC time of the last change.
    pub modified_gmt: String,
    /// Local time of the last change.
    pub modified: String,
    /// The slug.
    pub name: String,
    /// publish, future, draft, pending, private, trash, auto-draft, inherit.
    pub status: String,
    /// The parent post (for attachments, the post they were uploaded into).
    pub parent: u64,
    /// Order among siblings.
    pub menu_order: i64,
    /// post, page, attachment, nav_menu_item, …
    pub post_type: String,
    /// Set for password-protected posts.
    pub password: String,
    /// For attachments, the file's address.
    pub attachment_url: String,
    /// Terms the item is filed under, in file order.
    pub terms: Vec<ItemTerm>,
    /// Custom fields (key, value).
    pub meta: Vec<(String, String)>,
    /// How many comments it carries.
    pub comments: usize,
}

impl Item {
    /// The first custom field with `key`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// What the channel says about the site and lists before (or between) its items.
#[derive(Debug)]
pub enum Entry {
    /// The WXR version declared.
    Version(String),
    /// The site's title.
    Title(String),
    /// The site's address.
    Link(String),
    /// `wp:base_site_url` (on WordPress.com and multisite, the network's address, not the blog's).
    BaseSiteUrl(String),
    /// `wp:base_blog_url`: the blog's own address.
    BaseBlogUrl(String),
    /// The site's language.
    Language(String),
    /// An author.
    Author(WxrAuthor),
    /// A category, tag or term.
    Term(WxrTerm),
    /// An item.
    Item(Box<Item>),
}

/// Reads `path`, calling `entry` for each channel entry and item in file order. `entry` may stop the
/// reading early by returning `false`.
pub fn read(path: &Path, mut entry: impl FnMut(Entry, u64) -> bool) -> Result<(), ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(format!("opening {}", path.display()), e))?;
    let mut reader = NsReader::from_reader(BufReader::with_capacity(1 << 16, file));
    reader.config_mut().trim_text(false);
    let mut parser = Parser::default();
    let mut buf = Vec::with_capacity(1 << 14);
    let result = loop {
        buf.clear();
        // Where the event starts: an item's offset, and where a problem found in it is reported.
        let position = reader.buffer_position();
        let step = match reader.read_resolved_event_into(&mut buf) {
            Ok(event) => parser.feed(event),
            Err(error) => break Err((reader.error_position(), error.to_string())),
        };
        match step {
            Ok(Step::Go) => {}
            Ok(Step::Emit(found)) => {
                if !entry(found, position) {
                    break Ok(());
                }
            }
            Ok(Step::End) => break Ok(()),
            Err(problem) => break Err((position, problem)),
        }
    };
    match result {
        Ok(()) => Ok(()),
        Err((offset, problem)) => Err(ImportError::Malformed { position: describe_position(path, offset), problem }),
    }
}

/// "line L, column C" for a byte offset, counted again from the file (only when reporting an error).
pub fn describe_position(path: &Path, offset: u64) -> String {
    let Ok(file) = File::open(path) else { return format!("byte {offset}") };
    let mut line = 1_u64;
    let mut column = 1_u64;
    let mut reader = BufReader::new(file).take(offset);
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        match reader.read_until(b'\n', &mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if chunk.last() == Some(&b'\n') {
                    line += 1;
                    column = 1;
                } else {
                    column += String::from_utf8_lossy(&chunk).chars().count() as u64;
                }
            }
        }
    }
    format!("line {line}, column {column}")
}

enum Step {
    Go,
    Emit(Entry),
    End,
}

/// Where in the document the parser is.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
enum Scope {
    #[default]
    Outside,
    Channel,
    Author,
    Term,
    Item,
}

#[derive(Default)]
struct Parser {
    /// Open elements (namespace, local name).
    open: Vec<(Ns, String)>,
    scope: Scope,
    text: String,
    saw_rss: bool,
    saw_channel: bool,
    author: WxrAuthor,
    term: WxrTerm,
    item: Item,
    /// Attributes of an item's `<category>`.
    category: ItemTerm,
    meta_key: String,
    meta_value: String,
    /// Inside a `wp:comment` (whose fields are not the post's).
    in_comment: bool,
}

/// Deepest nesting accepted; WXR is shallow, so more means a broken or hostile file.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn feed(&mut self, (resolved, event): (ResolveResult<'_>, Event<'_>)) -> Result<Step, String> {
        match event {
            Event::Start(start) => {
                let ns = classify(&resolved);
                let local = start.local_name().as_ref().to_owned();
                if self.open.len() >= MAX_DEPTH {
                    return Err(format!("elements nested more than {MAX_DEPTH} deep"));
                }
                self.start(ns, &local, &start)?;
                self.open.push((ns, local));
                self.text.clear();
                Ok(Step::Go)
            }
            Event::Empty(start) => {
                let ns = classify(&resolved);
                let local = start.local_name().as_ref().to_owned();
                self.start(ns, &local, &start)?;
                self.open.push((ns, local));
                self.text.clear();
                self.end()
            }
            Event::End(_) => self.end(),
            Event::Text(text) => {
                self.text.push_str(&text.xml10_content());
                Ok(Step::Go)
            }
            Event::CData(cdata) => {
                self.text.push_str(&cdata.into_inner());
                Ok(Step::Go)
            }
            Event::GeneralRef(reference) => {
                match reference.resolve_char_ref() {
                    Ok(Some(ch)) => self.text.push(ch),
                    Ok(None) => {
                        let name = reference.into_inner();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(value) => self.text.push_str(value),
                            None => return Err(format!("unknown entity &{name};")),
                        }
                    }
                    Err(error) => return Err(error.to_string()),
                }
                Ok(Step::Go)
            }
            Event::Eof => {
                if !self.saw_rss {
                    return Err("no <rss> element: this is not a WordPress export (WXR)".into());
                }
                if let Some((_, name)) = self.open.last() {
                    return Err(format!("the file ends inside <{name}>: it is cut short"));
                }
                Ok(Step::End)
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => Ok(Step::Go),
        }
    }

    fn start(&mut self, ns: Ns, local: &str, start: &quick_xml::events::BytesStart<'_>) -> Result<(), String> {
        let depth = self.open.len();
        match (self.scope, ns, local) {
            (Scope::Outside, Ns::Rss, "rss") if depth == 0 => self.saw_rss = true,
            (Scope::Outside, _, _) if depth == 0 => {
                return Err(format!("the document is <{local}>, not <rss>: this is not a WordPress export (WXR)"));
            }
            (Scope::Outside, Ns::Rss, "channel") if depth == 1 => {
                self.scope = Scope::Channel;
                self.saw_channel = true;
            }
            (Scope::Channel, Ns::Wp, "author") if depth == 2 => {
                self.scope = Scope::Author;
                self.author = WxrAuthor::default();
            }
            (Scope::Channel, Ns::Wp, "category" | "tag" | "term") if depth == 2 => {
                self.scope = Scope::Term;
                self.term = WxrTerm {
                    taxonomy: match local {
                        "category" => "category".into(),
                        "tag" => "post_tag".into(),
                        _ => String::new(),
                    },
                    ..WxrTerm::default()
                };
            }
            (Scope::Channel, Ns::Rss, "item") if depth == 2 => {
                self.scope = Scope::Item;
                self.item = Item::default();
            }
            (Scope::Item, Ns::Rss, "category") if depth == 3 => {
                self.category = ItemTerm::default();
                for attribute in start.attributes().flatten() {
                    let value = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|e| e.to_string())?
                        .into_owned();
                    match attribute.key.local_name().as_ref() {
                        "domain" => self.category.domain = value,
                        "nicename" => self.category.slug = value,
                        _ => {}
                    }
                }
            }
            (Scope::Item, Ns::Wp, "comment") if depth == 3 => {
                self.in_comment = true;
                self.item.comments += 1;
            }
            (Scope::Item, Ns::Wp, "postmeta") if depth == 3 => {
                self.meta_key.clear();
                self.meta_value.clear();
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<Step, String> {
        let Some((ns, local)) = self.open.pop() else {
            return Err("a closing tag without an opening one".into());
        };
        let depth = self.open.len();
        let text = std::mem::take(&mut self.text);
        let step = match (self.scope, ns, local.as_str(), depth) {
            (Scope::Channel, Ns::Wp, "wxr_version", 2) => Step::Emit(Entry::Version(text.trim().to_owned())),
            (Scope::Channel, Ns::Rss, "title", 2) => Step::Emit(Entry::Title(text.trim().to_owned())),
            (Scope::Channel, Ns::Rss, "link", 2) => Step::Emit(Entry::Link(text.trim().to_owned())),
            (Scope::Channel, Ns::Rss, "language", 2) => Step::Emit(Entry::Language(text.trim().to_owned())),
            (Scope::Channel, Ns::Wp, "base_site_url", 2) => Step::Emit(Entry::BaseSiteUrl(text.trim().to_owned())),
            (Scope::Channel, Ns::Wp, "base_blog_url", 2) => Step::Emit(Entry::BaseBlogUrl(text.trim().to_owned())),
            (Scope::Channel, Ns::Rss, "channel", 1) => {
                self.scope = Scope::Outside;
                Step::Go
            }
            (Scope::Outside, Ns::Rss, "rss", 0) => {
                if !self.saw_channel {
                    return Err("no <channel> in <rss>: this is not a WordPress export (WXR)".into());
                }
                Step::Go
            }
            (Scope::Author, _, _, 2) => {
                self.scope = Scope::Channel;
                Step::Emit(Entry::Author(std::mem::take(&mut self.author)))
            }
            (Scope::Author, Ns::Wp, field, 3) => {
                match field {
                    "author_login" => self.author.login = text.trim().to_owned(),
                    "author_display_name" => self.author.display_name = text.trim().to_owned(),
                    _ => {}
                }
                Step::Go
            }
            (Scope::Term, _, _, 2) => {
                self.scope = Scope::Channel;
                Step::Emit(Entry::Term(std::mem::take(&mut self.term)))
            }
            (Scope::Term, Ns::Wp, field, 3) => {
                let value = text.trim().to_owned();
                match field {
                    "term_id" => self.term.id = value,
                    "term_taxonomy" => self.term.taxonomy = value,
                    "category_nicename" | "tag_slug" | "term_slug" => self.term.slug = value,
                    "cat_name" | "tag_name" | "term_name" => self.term.name = value,
                    "category_parent" | "term_parent" => self.term.parent = value,
                    "category_description" | "tag_description" | "term_description" => self.term.description = value,
                    _ => {}
                }
                Step::Go
            }
            (Scope::Item, _, _, 2) => {
                self.scope = Scope::Channel;
                Step::Emit(Entry::Item(Box::new(std::mem::take(&mut self.item))))
            }
            (Scope::Item, Ns::Wp, "comment", 3) => {
                self.in_comment = false;
                Step::Go
            }
            (Scope::Item, Ns::Wp, "postmeta", 3) => {
                self.item.meta.push((std::mem::take(&mut self.meta_key), std::mem::take(&mut self.meta_value)));
                Step::Go
            }
            (Scope::Item, Ns::Wp, "meta_key", 4) if !self.in_comment => {
                self.meta_key = text.trim().to_owned();
                Step::Go
            }
            (Scope::Item, Ns::Wp, "meta_value", 4) if !self.in_comment => {
                self.meta_value = text;
                Step::Go
            }
            (Scope::Item, ns, field, 3) => {
                self.item_field(ns, field, text);
                Step::Go
            }
            _ => Step::Go,
        };
        Ok(step)
    }

    fn item_field(&mut self, ns: Ns, field: &str, text: String) {
        let item = &mut self.item;
        match (ns, field) {
            (Ns::Rss, "title") => item.title = text,
            (Ns::Rss, "link") => item.link = text.trim().to_owned(),
            (Ns::Rss, "category") => {
                let mut term = std::mem::take(&mut self.category);
                term.name = text.trim().to_owned();
                item.terms.push(term);
            }
            (Ns::Dc, "creator") => item.creator = text.trim().to_owned(),
            (Ns::Content, "encoded") => item.content = text,
            (Ns::Excerpt, "encoded") => item.excerpt = text,
            (Ns::Wp, "post_id") => item.id = text.trim().parse().unwrap_or(0),
            (Ns::Wp, "post_date") => item.date = text.trim().to_owned(),
            (Ns::Wp, "post_date_gmt") => item.date_gmt = text.trim().to_owned(),
            (Ns::Wp, "post_modified") => item.modified = text.trim().to_owned(),
            (Ns::Wp, "post_modified_gmt") => item.modified_gmt = text.trim().to_owned(),
            (Ns::Wp, "post_name") => item.name = text.trim().to_owned(),
            (Ns::Wp, "status") => item.status = text.trim().to_owned(),
            (Ns::Wp, "post_parent") => item.parent = text.trim().parse().unwrap_or(0),
            (Ns::Wp, "menu_order") => item.menu_order = text.trim().parse().unwrap_or(0),
            (Ns::Wp, "post_type") => item.post_type = text.trim().to_owned(),
            (Ns::Wp, "post_password") => item.password = text.trim().to_owned(),
            (Ns::Wp, "attachment_url") => item.attachment_url = text.trim().to_owned(),
            _ => {}
        }
    }
}
