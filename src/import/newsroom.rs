//! newsroom's own export format: the whole site in one JSON document (see docs/export-format.md), written and
//! read as a stream. Exporting, importing into an empty site and exporting again gives the same file.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Emitter, ImportError, Position, Record, SourceArticle, SourceImage, Summary};
use crate::content::{ArticleInput, ArticleStatus, AuthorInput, ImageVariant, LeadImage, SectionInput, Slug};
use crate::store::{ExportedArticle, ExportedAuthor, ExportedImage, ExportedSection, ExportedTag, ExportedUser, Store};

/// The `format` member that marks a newsroom export.
pub const FORMAT: &str = "newsroom-export";
/// The format version this build writes and reads.
pub const VERSION: u64 = 1;
/// Articles read from the database at a time while exporting.
const PAGE: i64 = 500;

/// What an export wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExportReport {
    /// Articles written.
    pub articles: u64,
    /// Images referenced.
    pub images: u64,
    /// Accounts written.
    pub users: u64,
}

/// Writes the whole site to `file` (through a temporary file renamed into place, so that a failed export
/// never leaves half a file under the name asked for). Password hashes only with `with_password_hashes`.
pub async fn export(store: &Store, file: &Path, with_password_hashes: bool) -> Result<ExportReport, ImportError> {
    let partial = file.with_extension("partial");
    let result = write_export(store, &partial, with_password_hashes).await;
    match result {
        Ok(report) => {
            std::fs::rename(&partial, file)
                .map_err(|e| ImportError::io(format!("moving the export into place at {}", file.display()), e))?;
            Ok(report)
        }
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

async fn write_export(store: &Store, path: &Path, with_hashes: bool) -> Result<ExportReport, ImportError> {
    let file = File::create(path).map_err(|e| ImportError::io(format!("creating {}", path.display()), e))?;
    let mut out = JsonWriter { out: BufWriter::new(file), path };
    let mut report = ExportReport::default();
    out.raw(&format!("{{\n\"format\": \"{FORMAT}\",\n\"version\": {VERSION},\n\"settings\": "))?;
    let settings: serde_json::Map<String, serde_json::Value> =
        store.export_settings().await?.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
    out.value(&settings)?;
    out.list("sections", store.export_sections().await?.iter())?;
    out.list("authors", store.export_authors().await?.iter())?;
    out.list("tags", store.export_tags().await?.iter())?;
    let (images, refs) = store.export_images().await?;
    report.images = images.len() as u64;
    out.list("images", images.iter())?;
    let users = store.export_users(with_hashes).await?;
    report.users = users.len() as u64;
    out.list("users", users.iter())?;
    out.raw(",\n\"articles\": [")?;
    let mut after = 0;
    loop {
        let page = store.export_articles(after, PAGE, &refs).await?;
        let Some((last, _)) = page.last() else { break };
        after = *last;
        for (_, article) in &page {
            out.raw(if report.articles == 0 { "\n" } else { ",\n" })?;
            out.value(article)?;
            report.articles += 1;
        }
    }
    out.raw("\n]\n}\n")?;
    out.out.flush().map_err(|e| ImportError::io(format!("writing {}", path.display()), e))?;
    out.out.get_ref().sync_all().map_err(|e| ImportError::io(format!("writing {}", path.display()), e))?;
    Ok(report)
}

/// One record a line, so that exports diff well and stream in both directions.
struct JsonWriter<'a> {
    out: BufWriter<File>,
    path: &'a Path,
}

impl JsonWriter<'_> {
    fn raw(&mut self, text: &str) -> Result<(), ImportError> {
        self.out.write_all(text.as_bytes()).map_err(|e| ImportError::io(format!("writing {}", self.path.display()), e))
    }

    fn value(&mut self, value: &impl serde::Serialize) -> Result<(), ImportError> {
        serde_json::to_writer(&mut self.out, value)
            .map_err(|e| ImportError::io(format!("writing {}", self.path.display()), std::io::Error::other(e)))
    }

    fn list<'v, T: serde::Serialize + 'v>(
        &mut self,
        name: &str,
        items: impl Iterator<Item = &'v T>,
    ) -> Result<(), ImportError> {
        self.raw(&format!(",\n\"{name}\": ["))?;
        for (n, item) in items.enumerate() {
            self.raw(if n == 0 { "\n" } else { ",\n" })?;
            self.value(item)?;
        }
        self.raw("\n]")
    }
}

/// Imports a newsroom export into `store`.
pub async fn import(
    store: &Store,
    file: &Path,
    media_root: &Path,
    watch: impl Fn(&Position, &Summary) + Send,
) -> Result<Summary, ImportError> {
    // A first pass checks the whole file before anything is written: a truncated export fails here.
    super::first_pass(file, |path| read(path, None, &mut |_| true)).await?;
    let path = file.to_owned();
    super::run(
        store,
        "newsroom",
        media_root,
        move |emitter| {
            let progress = emitter.progress();
            read(&path, Some(&progress), &mut |item| emit(item, emitter).is_ok())
        },
        watch,
    )
    .await
}

/// One top-level record of the file.
enum Item {
    Setting(String, String),
    Section(ExportedSection),
    Author(ExportedAuthor),
    Tag(ExportedTag),
    Image(ExportedImage),
    User(ExportedUser),
    Article(Box<ExportedArticle>),
}

fn emit(item: Item, emitter: &mut Emitter) -> Result<(), super::Stopped> {
    let invalid =
        |kind: &str, title: &str, reason: String| Record::Skipped { kind: kind.into(), reason, title: title.into() };
    match item {
        Item::Setting(key, value) => emitter.now(Record::Setting(key, value)),
        Item::Section(section) => match Slug::parse(&section.slug) {
            Ok(slug) => emitter.now(Record::Section(SectionInput {
                slug,
                name: section.name,
                description: section.description,
                position: section.position,
            })),
            Err(error) => emitter.now(invalid("sections", &section.slug, error.to_string())),
        },
        Item::Author(author) => match Slug::parse(&author.slug) {
            Ok(slug) => emitter.now(Record::Author(AuthorInput {
                slug,
                name: author.name,
                bio: author.bio,
                avatar: author.avatar,
            })),
            Err(error) => emitter.now(invalid("authors", &author.slug, error.to_string())),
        },
        Item::Tag(tag) => match Slug::parse(&tag.slug) {
            Ok(slug) => emitter.now(Record::Tag(slug, tag.name)),
            Err(error) => emitter.now(invalid("tags", &tag.slug, error.to_string())),
        },
        Item::Image(image) => {
            let variants: Vec<ImageVariant> = serde_json::from_value(image.variants).unwrap_or_default();
            emitter.now(Record::Image {
                reference: image.reference,
                image: LeadImage {
                    path: image.path,
                    width: u32::try_from(image.width).unwrap_or(0),
                    height: u32::try_from(image.height).unwrap_or(0),
                    alt: image.alt,
                    caption: image.caption,
                    credit: image.credit,
                    variants,
                    crops: Vec::new(),
                },
                in_library: image.in_library,
            })
        }
        Item::User(user) => emitter.now(Record::User(user)),
        Item::Article(article) => {
            let headline = article.headline.clone();
            emitter.later(move || match article_record(*article) {
                Ok(record) => record,
                Err(reason) => Record::Skipped { kind: "articles".into(), reason, title: headline },
            })
        }
    }
}

fn article_record(article: ExportedArticle) -> Result<Record, String> {
    let slug = |text: &str| Slug::parse(text).map_err(|e| e.to_string());
    let time = |seconds: Option<i64>| seconds.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
    let status = ArticleStatus::parse(&article.status).ok_or_else(|| format!("unknown status {:?}", article.status))?;
    let authors = article.authors.iter().map(|a| slug(a)).collect::<Result<Vec<_>, _>>()?;
    let input = ArticleInput {
        section: slug(&article.section)?,
        slug: slug(&article.slug)?,
        headline: article.headline,
        standfirst: article.standfirst,
        body_markdown: article.body_markdown,
        authors,
        tags: Vec::new(),
        lead_image: None,
        language: article.language,
        status,
        published_at: time(article.published_at),
        updated_at: time(article.updated_at),
        view_count: article.view_count,
    };
    // The body is served as exported (sanitised again on the way in); Markdown stays the editor's source.
    let mut prepared = input.prepare_with_html(&article.body_html).map_err(|e| e.to_string())?;
    // Tags are named by slug here; their names arrived with the tag list.
    prepared.tags = article
        .tags
        .iter()
        .map(|t| slug(t).map(|slug| crate::content::PreparedTag { name: t.clone(), slug }))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Record::Article(Box::new(SourceArticle {
        key: None,
        prepared,
        created_at: article.created_at,
        modified_at: article.modified_at,
        correction: article.correction,
        lead_image: article.lead_image.map(SourceImage::Reference),
        // Checked as the editor checks them: an export edited by hand cannot bring in what a save would refuse.
        search: crate::content::SearchAndSocial::checked(&article.seo_title, &article.seo_description)
            .map_err(|e| e.to_string())?,
        share_image: article.share_image,
        owner: article.owner,
        legacy_paths: article.legacy_paths,
        redirects: article.redirects,
        sources: article.sources,
        views_daily: article.views_daily,
        notes: Vec::new(),
    })))
}

/// Reads the file, calling `each` per record in order; `each` returns `false` to stop.
fn read(
    path: &Path,
    progress: Option<&super::Progress>,
    each: &mut dyn FnMut(Item) -> bool,
) -> Result<(), ImportError> {
    let file = File::open(path).map_err(|e| ImportError::io(format!("opening {}", path.display()), e))?;
    let file: Box<dyn std::io::Read> = match progress {
        Some(progress) => Box::new(progress.wrap(file)),
        None => Box::new(file),
    };
    let mut deserializer = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, file));
    let mut seen = HashSet::new();
    let result = Document { each, seen: &mut seen }.deserialize(&mut deserializer).and_then(|()| deserializer.end());
    result.map_err(|error| super::json_error(&error))
}

struct Document<'a> {
    each: &'a mut dyn FnMut(Item) -> bool,
    seen: &'a mut HashSet<String>,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// The order records must come in: what articles name before the articles.
const ORDER: [&str; 9] =
    ["format", "version", "settings", "sections", "authors", "tags", "images", "users", "articles"];

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a newsroom export (a JSON object with \"format\": \"newsroom-export\")")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        while let Some(key) = map.next_key::<String>()? {
            let rank = ORDER.iter().position(|k| *k == key);
            if let Some(rank) = rank {
                if ORDER[rank + 1..].iter().any(|later| self.seen.contains(*later)) {
                    return Err(A::Error::custom(format!(
                        "\"{key}\" must come before the articles and what follows it"
                    )));
                }
                self.seen.insert(key.clone());
            }
            let each = &mut *self.each;
            let stopped = || A::Error::custom("the import stopped");
            match key.as_str() {
                "format" => {
                    let format: String = map.next_value()?;
                    if format != FORMAT {
                        return Err(A::Error::custom(format!("format is {format:?}, not {FORMAT:?}")));
                    }
                }
                "version" => {
                    let version: u64 = map.next_value()?;
                    if version != VERSION {
                        return Err(A::Error::custom(format!(
                            "format version {version}; this newsroom reads {VERSION}"
                        )));
                    }
                }
                _ if !self.seen.contains("format") => {
                    return Err(A::Error::custom("\"format\": \"newsroom-export\" must come first"));
                }
                "settings" => {
                    let settings: std::collections::BTreeMap<String, String> = map.next_value()?;
                    for (key, value) in settings {
                        if !each(Item::Setting(key, value)) {
                            return Err(stopped());
                        }
                    }
                }
                "sections" => map.next_value_seed(List { each, wrap: Item::Section })?,
                "authors" => map.next_value_seed(List { each, wrap: Item::Author })?,
                "tags" => map.next_value_seed(List { each, wrap: Item::Tag })?,
                "images" => map.next_value_seed(List { each, wrap: Item::Image })?,
                "users" => map.next_value_seed(List { each, wrap: Item::User })?,
                "articles" => map.next_value_seed(List { each, wrap: |a| Item::Article(Box::new(a)) })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !self.seen.contains("format") {
            return Err(A::Error::custom("no \"format\": this is not a newsroom export"));
        }
        Ok(())
    }
}

/// A list of records, each handed over as soon as it is read.
struct List<'a, T> {
    each: &'a mut dyn FnMut(Item) -> bool,
    wrap: fn(T) -> Item,
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for List<'_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for List<'_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<T>()? {
            if !(self.each)((self.wrap)(record)) {
                return Err(serde::de::Error::custom("the import stopped"));
            }
        }
        Ok(())
    }
}
