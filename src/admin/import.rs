//! `/admin/import`: an administrator uploads an export (WordPress, Ghost or newsroom's own) and gets the same
//! summary the command line prints. The upload is streamed to a file in the data directory, never held in
//! memory, and the import runs as `newsroom import` does: all of it, or nothing.

use std::io::Write;

use axum::extract::{Multipart, State};
use axum::response::Response;
use minijinja::context;

use super::{AdminError, Session, page, require};
use crate::app::AppState;
use crate::auth::Action;
use crate::import::{ImportError, Summary, ghost, newsroom, wordpress};

/// The largest export accepted from a browser; larger sites use `newsroom import` on the server.
pub const MAX_IMPORT_BYTES: usize = 512 * 1024 * 1024;

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

/// Removes the uploaded file however the request ends.
struct Upload(std::path::PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `POST /admin/import`: the export file in the `file` field.
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    mut form: Multipart,
) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    let folder = state.config.data_dir.join("uploads");
    std::fs::create_dir_all(&folder).map_err(|e| AdminError::BadRequest(format!("preparing the upload: {e}")))?;
    let upload = Upload(folder.join(format!("import-{:016x}.upload", rand::random::<u64>())));
    let mut head = Vec::new();
    let mut received = false;
    while let Some(mut field) = form.next_field().await.map_err(|e| AdminError::BadRequest(e.to_string()))? {
        if field.name() != Some("file") {
            continue;
        }
        let mut file =
            std::fs::File::create(&upload.0).map_err(|e| AdminError::BadRequest(format!("saving the upload: {e}")))?;
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
            wordpress::import(&state.store, &upload.0, options, &media, |_, _| {}).await
        }
        Kind::Ghost => ghost::import(&state.store, &upload.0, ghost::Options::default(), &media, |_, _| {}).await,
        Kind::Newsroom => newsroom::import(&state.store, &upload.0, &media, |_, _| {}).await,
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
}
