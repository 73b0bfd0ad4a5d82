//! `/admin/import`: an administrator uploads an export (WordPress, Ghost or newsroom's own) and gets the same
//! summary the command line prints. The upload is streamed to a file in the data directory, never held in
//! memory, and the import runs as `newsroom import` does: all of it, or nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use axum::extract::{Multipart, State};
use axum::response::Response;
use minijinja::context;

use super::{AdminError, Session, page, require};
use crate::auth::Action;
use crate::import::{ImportError, Summary, ghost, newsroom, wordpress};
use crate::web::AppState;

/// The largest export accepted from a browser; larger sites use `newsroom import` on the server.
pub const MAX_IMPORT_BYTES: usize = 512 * 1024 * 1024;
/// The largest request that carries an export: the file and room for the form's other fields.
pub const MAX_IMPORT_REQUEST_BYTES: usize = MAX_IMPORT_BYTES + 64 * 1024;

/// What kind of export a file is, told from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    WordPress,
    Ghost,
    Newsroom,
}

impl Kind {
    fn of(head: &[u8]) -> Option<Kind> {
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{feff}').trim_start();
        if text.starts_with('<') {
            Some(Kind::WordPress)
        } else if text.starts_with('{') {
            Some(if text.contains(newsroom::FORMAT) { Kind::Newsroom } else { Kind::Ghost })
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::WordPress => "WordPress",
            Kind::Ghost => "Ghost",
            Kind::Newsroom => "newsroom",
        }
    }
}

async fn render(state: &AppState, session: &Session, summary: &str, error: &str) -> Result<Response, AdminError> {
    let context = context! { summary, error, max_mb => MAX_IMPORT_BYTES / (1024 * 1024) };
    page(state, session, "import", "admin/import.html", context).await
}

/// `GET /admin/import`.
pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    render(&state, &session, "", "").await
}

/// Where uploads are streamed: `{data}/uploads`, which holds nothing else.
fn upload_folder(data_dir: &Path) -> PathBuf {
    data_dir.join("uploads")
}

/// The names of the files uploads are streamed to: `import-<16 hex digits>.upload`.
fn is_upload_name(name: &str) -> bool {
    let digits = name.strip_prefix("import-").and_then(|rest| rest.strip_suffix(".upload"));
    digits.is_some_and(|digits| digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The file an upload is streamed to, locked while its request lasts and removed however the request ends. A
/// process killed meanwhile leaves it behind, unlocked: [`remove_stale_uploads`] finds it at the next start.
struct Upload {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl Upload {
    fn new(data_dir: &Path) -> Upload {
        let path = upload_folder(data_dir).join(format!("import-{:016x}.upload", rand::random::<u64>()));
        Upload { path, file: None }
    }

    /// Creates the file (empty) and locks it, so that another process starting on this data directory leaves it.
    fn create(&mut self) -> std::io::Result<&mut std::fs::File> {
        let file = std::fs::File::create(&self.path)?;
        file.try_lock().map_err(std::io::Error::from)?;
        Ok(self.file.insert(file))
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes the upload files a killed process left in `{data}/uploads`: those named as uploads and not locked by a
/// request under way (a running process on the same directory keeps its own). Nothing else there is touched.
pub fn remove_stale_uploads(data_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(upload_folder(data_dir)) else { return };
    for entry in entries.flatten() {
        if !entry.file_name().to_str().is_some_and(is_upload_name) {
            continue;
        }
        let path = entry.path();
        let stale = std::fs::File::open(&path).is_ok_and(|file| file.try_lock().is_ok());
        if stale {
            match std::fs::remove_file(&path) {
                Ok(()) => tracing::info!(path = %path.display(), "removed an upload left by an interrupted import"),
                Err(error) => tracing::warn!(%error, path = %path.display(), "removing a stale upload"),
            }
        }
    }
}

/// `POST /admin/import`: the export file in the `file` field.
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    mut form: Multipart,
) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    std::fs::create_dir_all(upload_folder(&state.config.data_dir))
        .map_err(|e| AdminError::BadRequest(format!("preparing the upload: {e}")))?;
    let mut upload = Upload::new(&state.config.data_dir);
    let mut head = Vec::new();
    let mut received = false;
    while let Some(mut field) = form.next_field().await.map_err(|e| AdminError::BadRequest(e.to_string()))? {
        if field.name() != Some("file") {
            continue;
        }
        let file = upload.create().map_err(|e| AdminError::BadRequest(format!("saving the upload: {e}")))?;
        while let Some(chunk) = field.chunk().await.map_err(|e| AdminError::BadRequest(e.to_string()))? {
            if head.len() < 512 {
                head.extend_from_slice(&chunk[..chunk.len().min(512 - head.len())]);
            }
            file.write_all(&chunk).map_err(|e| AdminError::BadRequest(format!("saving the upload: {e}")))?;
        }
        file.sync_all().map_err(|e| AdminError::BadRequest(format!("saving the upload: {e}")))?;
        received = true;
    }
    if !received || head.is_empty() {
        return render(&state, &session, "", "Choose an export file to import.").await;
    }
    let Some(kind) = Kind::of(&head) else {
        return render(
            &state,
            &session,
            "",
            "Not imported: this is neither a WordPress export (XML) nor a Ghost or newsroom export (JSON).",
        )
        .await;
    };
    let media = state.config.media_dir();
    let started = std::time::Instant::now();
    let outcome: Result<Summary, ImportError> = match kind {
        Kind::WordPress => {
            let options = wordpress::Options { media_dir: None, timezone: state.site().timezone };
            wordpress::import(&state.store, &upload.path, options, &media, |_, _| {}).await
        }
        Kind::Ghost => ghost::import(&state.store, &upload.path, ghost::Options::default(), &media, |_, _| {}).await,
        Kind::Newsroom => newsroom::import(&state.store, &upload.path, &media, |_, _| {}).await,
    };
    drop(upload);
    match outcome {
        Ok(summary) => {
            // Our own format carries the site settings too.
            state.reload_settings().await?;
            let text =
                format!("Imported a {} export in {:.1} s:\n{summary}", kind.name(), started.elapsed().as_secs_f64());
            render(&state, &session, &text, "").await
        }
        Err(ImportError::Store(error)) => Err(error.into()),
        Err(error) => render(&state, &session, "", &format!("Not imported, and nothing was changed: {error}")).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_from_the_first_bytes() {
        assert_eq!(Kind::of(b"<?xml version=\"1.0\"?><rss>"), Some(Kind::WordPress));
        assert_eq!(Kind::of(b"\xef\xbb\xbf  {\"db\": []}"), Some(Kind::Ghost));
        assert_eq!(Kind::of(b"{\n\"format\": \"newsroom-export\""), Some(Kind::Newsroom));
        assert_eq!(Kind::of(b"PK\x03\x04"), None);
    }

    #[test]
    fn only_upload_files_are_named_as_uploads() {
        assert!(is_upload_name("import-00ff00ff00ff00ff.upload"));
        for other in
            ["photo.jpg", "import-00ff.upload", "import-00ff00ff00ff00ff.upload.jpg", "import-zzzzzzzzzzzzzzzz.upload"]
        {
            assert!(!is_upload_name(other), "{other}");
        }
    }
}
