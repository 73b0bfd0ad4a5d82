//! Imports from the systems sites leave (WordPress, Ghost) and newsroom's own export, and that export.
//!
//! Every importer reads its file as a stream on a blocking thread and hands [`Record`]s over a bounded channel
//! to one writer ([`run`]), which applies them in one transaction: a file that turns out malformed or
//! truncated halfway changes nothing. Converting bodies (sanitising HTML, making Markdown for the editor) is
//! the costly part, so importers queue it in batches that run on all cores ([`Emitter::later`]).

pub mod ghost;
mod html;
pub mod newsroom;
mod summary;
pub mod wordpress;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tokio::sync::mpsc;

use crate::content::{AuthorInput, ContentError, LeadImage, PreparedArticle, SectionInput, Slug};
use crate::store::{ExportedRedirect, ExportedSourceKey, ExportedUser, ImportArticle, Outcome, Store, StoreError};
pub use html::prepare_imported;
pub use summary::{Summary, Tally};

/// How many records may wait between the reading thread and the writer; bounds memory on huge files.
const CHANNEL: usize = 256;
/// Conversions queued before they run together on all cores.
const BATCH: usize = 128;

/// Why an import failed. Whatever the reason, the site is as it was before.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not well-formed, or is cut short.
    #[error("{position}: {problem}")]
    Malformed {
        /// Where in the file (line and column, or byte offset).
        position: String,
        /// What is wrong there.
        problem: String,
    },
    /// The file is well-formed but not the kind of export this importer reads.
    #[error("not {expected}: {found}")]
    WrongKind {
        /// What the importer reads.
        expected: &'static str,
        /// What it found instead.
        found: String,
    },
    /// The file could not be read, or a media file copied.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The database refused a write.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A JSON reader's error as an import error naming the place in the file.
pub(crate) fn json_error(error: &serde_json::Error) -> ImportError {
    let message = error.to_string();
    let message = message.split(" at line ").next().unwrap_or_default();
    let problem = match error.classify() {
        serde_json::error::Category::Eof => format!("the file is cut short ({message})"),
        serde_json::error::Category::Syntax => format!("not valid JSON: {message}"),
        serde_json::error::Category::Data | serde_json::error::Category::Io => message.to_owned(),
    };
    ImportError::Malformed { position: format!("line {}, column {}", error.line(), error.column()), problem }
}

impl ImportError {
    /// A failed file operation, with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> ImportError {
        ImportError::Io { context: context.into(), source }
    }
}

/// One thing read from a file, in the order the writer applies them: sections, authors, tags and images
/// before the articles that name them.
#[derive(Debug)]
pub enum Record {
    /// A site setting.
    Setting(String, String),
    /// A section, keyed by slug.
    Section(SectionInput),
    /// An author profile, keyed by slug.
    Author(AuthorInput),
    /// A tag, keyed by slug.
    Tag(Slug, String),
    /// An image of newsroom's own export, referred to by articles through its number.
    Image {
        /// Its number in the file.
        reference: i64,
        /// The image.
        image: LeadImage,
        /// Whether it belongs to the media library.
        in_library: bool,
    },
    /// An account.
    User(ExportedUser),
    /// An article, ready to write.
    Article(Box<SourceArticle>),
    /// An item that was read and deliberately not imported.
    Skipped {
        /// What kind of item (`page`, `attachment`, `post`, …).
        kind: String,
        /// Why, in a few words; items are grouped by it in the summary.
        reason: String,
        /// The item's title or id, as an example in the summary.
        title: String,
    },
    /// The reader got to the end of the file. Only then does the writer commit: a reader that stopped any
    /// other way (a panic in a converter) leaves the channel closed without it, and nothing is written.
    Finished,
    /// How many items (posts, pages, attachments…) the file holds, so the summary can show that every one
    /// was accounted for.
    Expect(u64),
    /// An item that is not content of its own but was read and used (an attachment, a relation row).
    Used {
        /// What kind of item.
        kind: String,
        /// How it was used.
        how: String,
    },
}

/// A lead image as a source gives it.
#[derive(Debug)]
pub enum SourceImage {
    /// An image to write (or update, by key), with a local file to copy into the media directory first.
    New {
        /// The source's id for the image, so that importing again updates it.
        key: Option<String>,
        /// The image; its path is where it will live under the media root (or an absolute URL).
        image: LeadImage,
        /// A file to copy to `image.path` under the media root.
        copy_from: Option<PathBuf>,
    },
    /// An image already written by this import ([`Record::Image`]).
    Reference(i64),
}

/// An article as a source gives it, checked and converted.
#[derive(Debug)]
pub struct SourceArticle {
    /// The source's id; `None` keys the article by section and slug.
    pub key: Option<String>,
    /// The checked article.
    pub prepared: PreparedArticle,
    /// When it was first written, Unix seconds.
    pub created_at: i64,
    /// Its last save, Unix seconds.
    pub modified_at: i64,
    /// A visible correction note, or empty.
    pub correction: String,
    /// Its lead image.
    pub lead_image: Option<SourceImage>,
    /// Its SEO title and meta description (empty when the source has none).
    pub search: crate::content::SearchAndSocial,
    /// Its share image: one already written by this import (newsroom's own exports carry one).
    pub share_image: Option<i64>,
    /// The email of the account that owns it.
    pub owner: Option<String>,
    /// Addresses on the old platform (path and query) that should answer with a 301.
    pub legacy_paths: Vec<String>,
    /// Earlier addresses on this site.
    pub redirects: Vec<ExportedRedirect>,
    /// Other sources' ids that made it.
    pub sources: Vec<ExportedSourceKey>,
    /// Views per day.
    pub views_daily: Vec<(String, i64)>,
    /// Things the reader of the summary should know (a made-up alt text, an assumed image size).
    pub notes: Vec<String>,
}

/// What the reading side uses to hand records to the writer, in order, with costly conversions batched.
pub struct Emitter {
    channel: mpsc::Sender<Result<Record, ImportError>>,
    pending: Vec<Box<dyn FnOnce() -> Record + Send>>,
    position: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// The writer went away (it failed and said why); the reader just stops.
#[derive(Debug)]
pub struct Stopped;

impl Emitter {
    /// Sends a record (after any queued conversions, to keep the file's order).
    pub fn now(&mut self, record: Record) -> Result<(), Stopped> {
        self.flush()?;
        self.channel.blocking_send(Ok(record)).map_err(|_| Stopped)
    }

    /// Queues a conversion to run with others on all cores; its record keeps its place in the order.
    pub fn later(&mut self, convert: impl FnOnce() -> Record + Send + 'static) -> Result<(), Stopped> {
        self.pending.push(Box::new(convert));
        if self.pending.len() >= BATCH { self.flush() } else { Ok(()) }
    }

    /// Reports how far into the file the reader is, in bytes.
    pub fn at(&self, byte: u64) {
        self.position.store(byte, std::sync::atomic::Ordering::Relaxed);
    }

    /// A handle that wraps readers of the file so that what they read moves the progress position.
    pub fn progress(&self) -> Progress {
        Progress(self.position.clone())
    }

    /// Runs the queued conversions and sends their records.
    pub fn flush(&mut self) -> Result<(), Stopped> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch: Vec<Record> = std::mem::take(&mut self.pending).into_par_iter().map(|convert| convert()).collect();
        for record in batch {
            self.channel.blocking_send(Ok(record)).map_err(|_| Stopped)?;
        }
        Ok(())
    }

    /// Ends the stream with an error; the writer rolls back.
    pub fn fail(mut self, error: ImportError) {
        self.pending.clear();
        let _ = self.channel.blocking_send(Err(error));
    }
}

/// Moves the progress position as a wrapped reader reads.
#[derive(Debug, Clone)]
pub struct Progress(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Progress {
    /// Wraps `inner` so that its reads count.
    pub fn wrap<R: std::io::Read>(&self, inner: R) -> Counting<R> {
        Counting { inner, count: self.0.clone() }
    }
}

/// A reader that reports how many bytes were read (for progress), as the JSON readers consume the file.
pub struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: std::io::Read> std::io::Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.count.fetch_add(read as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(read)
    }
}

/// Where the import is, for a progress bar: bytes of the file read so far.
#[derive(Debug, Clone)]
pub struct Position(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Position {
    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Runs `pass` over the export at `file` on a blocking thread: a first pass, before anything is written.
pub async fn first_pass<T: Send + 'static>(
    file: &Path,
    pass: impl FnOnce(&Path) -> Result<T, ImportError> + Send + 'static,
) -> Result<T, ImportError> {
    let path = file.to_owned();
    tokio::task::spawn_blocking(move || pass(&path))
        .await
        .map_err(|e| ImportError::io("reading the export", std::io::Error::other(e)))?
}

/// Reads with `read` (on a blocking thread) and writes what it hands over in one transaction under
/// `source`. Returns the summary, or the first error with nothing changed. `position` is updated as the
/// reader moves through the file.
pub async fn run(
    store: &Store,
    source: &str,
    media_dir: &Path,
    read: impl FnOnce(&mut Emitter) -> Result<(), ImportError> + Send + 'static,
    watch: impl Fn(&Position, &Summary) + Send,
) -> Result<Summary, ImportError> {
    let (channel, mut records) = mpsc::channel(CHANNEL);
    let position = Position(Default::default());
    let mut emitter = Emitter { channel, pending: Vec::new(), position: position.0.clone() };
    let reader = tokio::task::spawn_blocking(move || match read(&mut emitter) {
        // A failed send means the writer already failed and holds the reason.
        Ok(()) => drop(emitter.flush().and_then(|()| emitter.now(Record::Finished))),
        Err(error) => emitter.fail(error),
    });
    let mut writer = Writer { media_dir: media_dir.to_owned(), copied: Vec::new(), images: Default::default() };
    let outcome = writer.write_all(store, source, &mut records, &position, &watch).await;
    // Let the reader finish (it stops at its next send once `records` is gone).
    drop(records);
    let _ = reader.await;
    if outcome.is_err() {
        writer.remove_copies();
    }
    outcome
}

/// The writing side of an import.
struct Writer {
    media_dir: PathBuf,
    /// Media files this import created, removed again if it fails.
    copied: Vec<PathBuf>,
    /// Image numbers of newsroom's own export, to database ids.
    images: std::collections::HashMap<i64, i64>,
}

impl Writer {
    async fn write_all(
        &mut self,
        store: &Store,
        source: &str,
        records: &mut mpsc::Receiver<Result<Record, ImportError>>,
        position: &Position,
        watch: &(impl Fn(&Position, &Summary) + Send),
    ) -> Result<Summary, ImportError> {
        let mut tx = store.begin_import(source).await?;
        let mut summary = Summary::default();
        let mut last_watch = std::time::Instant::now();
        let mut finished = false;
        while let Some(record) = records.recv().await {
            let record = record?;
            if let Record::Finished = record {
                finished = true;
                break;
            }
            self.write(&mut tx, record, &mut summary).await?;
            if last_watch.elapsed() >= std::time::Duration::from_millis(100) {
                watch(position, &summary);
                last_watch = std::time::Instant::now();
            }
        }
        if !finished {
            return Err(ImportError::io(
                "reading the export",
                std::io::Error::other("the reader stopped before the end of the file"),
            ));
        }
        tx.commit().await?;
        watch(position, &summary);
        Ok(summary)
    }

    async fn write(
        &mut self,
        tx: &mut crate::store::ImportTx,
        record: Record,
        summary: &mut Summary,
    ) -> Result<(), ImportError> {
        match record {
            Record::Setting(key, value) => {
                tx.put_setting(&key, &value).await?;
                summary.count("settings", Tally::Updated);
            }
            Record::Section(section) => {
                let outcome = tx.put_section(&section).await?;
                summary.count("sections", outcome.into());
            }
            Record::Author(author) => {
                let outcome = tx.put_author(&author).await?;
                summary.count("authors", outcome.into());
            }
            Record::Tag(slug, name) => {
                tx.put_tag(&slug, &name).await?;
                summary.tags.insert(slug.as_str().to_owned());
            }
            Record::Image { reference, image, in_library } => {
                // Keyed by number and path, so that importing the same export again updates its images.
                let key = format!("{reference}:{}", image.path);
                let (id, outcome) = tx.put_image(&image, Some(&key), in_library).await?;
                self.images.insert(reference, id);
                summary.count("images", outcome.into());
            }
            Record::User(user) => {
                let outcome = tx
                    .put_user(&crate::store::ImportUser {
                        email: &user.email,
                        name: &user.name,
                        role: &user.role,
                        author: user.author.as_deref(),
                        password_hash: user.password_hash.as_deref(),
                        created_at: user.created_at,
                    })
                    .await?;
                summary.count("users", outcome.into());
            }
            Record::Article(article) => self.write_article(tx, *article, summary).await?,
            Record::Skipped { kind, reason, title } => summary.skip(&kind, &reason, &title),
            Record::Used { kind, how } => summary.used(&kind, &how),
            Record::Expect(items) => summary.file_items = Some(items),
            Record::Finished => {}
        }
        Ok(())
    }

    async fn write_article(
        &mut self,
        tx: &mut crate::store::ImportTx,
        article: SourceArticle,
        summary: &mut Summary,
    ) -> Result<(), ImportError> {
        let lead_image_id = match &article.lead_image {
            None => None,
            Some(SourceImage::Reference(reference)) => self.images.get(reference).copied(),
            Some(SourceImage::New { key, image, copy_from }) => {
                let mut image = image.clone();
                if let Some(from) = copy_from
                    && let Some((width, height)) = self.copy_media(from, &image.path, summary).await?
                {
                    // Turned upright, a photo may have swapped its width and height.
                    (image.width, image.height) = (width, height);
                }
                let (id, outcome) = tx.put_image(&image, key.as_deref(), false).await?;
                summary.count("images", outcome.into());
                Some(id)
            }
        };
        let (id, slug, outcome) = tx
            .put_article(&ImportArticle {
                prepared: &article.prepared,
                key: article.key.as_deref(),
                created_at: article.created_at,
                modified_at: article.modified_at,
                correction: &article.correction,
                lead_image_id,
                search: &article.search,
                share_image_id: article.share_image.and_then(|reference| self.images.get(&reference).copied()),
                owner: article.owner.as_deref(),
            })
            .await?;
        if slug != article.prepared.input.slug {
            summary.note(&format!("slug taken in its section; numbered (e.g. {slug})"));
        }
        tx.add_legacy_paths(&article.legacy_paths, id).await?;
        for redirect in &article.redirects {
            tx.add_redirect(&redirect.section, &redirect.slug, id).await?;
        }
        for key in &article.sources {
            tx.add_source_key(&key.source, &key.kind, &key.key, id).await?;
        }
        // Views are counted by this site once an article is here: only a new article takes the file's.
        if outcome == Outcome::Created {
            for (day, views) in &article.views_daily {
                tx.put_daily_views(id, day, *views).await?;
            }
        }
        for tag in &article.prepared.tags {
            summary.tags.insert(tag.slug.as_str().to_owned());
        }
        for note in &article.notes {
            summary.note(note);
        }
        summary.count("articles", outcome.into());
        summary.status(article.prepared.input.status.as_str());
        Ok(())
    }

    /// Copies a media file into place, remembering it if it is new so that a failed import removes it. A picture
    /// is written again without its camera metadata (GPS position, serial number), upright, as an upload is;
    /// its size as shown is returned. A file that cannot be written again (damaged, animated PNG or WebP, too
    /// large to process) is copied as it is, with a warning in the log and a note in the summary.
    async fn copy_media(
        &mut self,
        from: &Path,
        relative: &str,
        summary: &mut Summary,
    ) -> Result<Option<(u32, u32)>, ImportError> {
        let to = self.media_dir.join(relative);
        if to.exists() {
            return Ok(None);
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ImportError::io(format!("creating {}", parent.display()), e))?;
        }
        let copying = || format!("copying {} to {}", from.display(), to.display());
        let size = match crate::media::rewrite(from, &to, &self.media_dir, None).await {
            Ok(rewritten) => Some((rewritten.width, rewritten.height)),
            Err(crate::media::MediaError::Io(e)) => return Err(ImportError::io(copying(), e)),
            Err(reason) => {
                tracing::warn!(file = %from.display(), %reason, "imported image copied as it is, metadata included");
                summary.note("images that could not be read as pictures were copied as they are");
                std::fs::copy(from, &to).map_err(|e| ImportError::io(copying(), e))?;
                None
            }
        };
        self.copied.push(to);
        Ok(size)
    }

    fn remove_copies(&self) {
        for path in &self.copied {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl From<Outcome> for Tally {
    fn from(outcome: Outcome) -> Tally {
        match outcome {
            Outcome::Created => Tally::Created,
            Outcome::Updated => Tally::Updated,
        }
    }
}

/// A post's title as its headline, or "Untitled" (said in `notes`) when it has none.
pub fn headline_of(title: &str, notes: &mut Vec<String>) -> String {
    if title.trim().is_empty() {
        notes.push("posts without a title were called \"Untitled\"".to_owned());
        return "Untitled".to_owned();
    }
    title.trim().to_owned()
}

/// Adds the slugs of `tags` to `seen`.
pub fn note_tags(tags: &[String], seen: &mut std::collections::HashSet<Slug>) {
    seen.extend(tags.iter().filter_map(|tag| Slug::from_title(tag).ok()));
}

/// An error in a single article that skips it rather than failing the import.
pub fn skipped_for(kind: &str, title: &str, error: &ContentError) -> Record {
    Record::Skipped { kind: kind.to_owned(), reason: error.to_string(), title: title.to_owned() }
}
