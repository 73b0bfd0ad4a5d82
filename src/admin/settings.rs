//! Site settings that live in the database: the name and description every page shows. The base URL and
//! time zone are server settings (`newsroom.toml`, environment, flags) and are shown here for reference.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use super::{AdminError, Fields, Session, page, require};
use crate::app::AppState;
use crate::auth::Action;
use crate::store::Batch;

/// The longest name or description accepted.
const MAX_TEXT: usize = 500;

async fn render(state: &AppState, session: &Session, notice: &str, error: &str) -> Result<Response, AdminError> {
    let name = state.store.setting("site.name").await?.unwrap_or_default();
    let description = state.store.setting("site.description").await?.unwrap_or_default();
    let context = context! {
        name, description, notice, error,
        base_url => state.config.base_url.clone(), timezone => state.config.timezone.name(),
    };
    page(state, session, "settings", "admin/settings.html", context).await
}

/// `GET /admin/settings`.
pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    render(&state, &session, "", "").await
}

/// `POST /admin/settings`.
pub async fn save(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    let (name, description) = (form.get("name").trim(), form.get("description").trim());
    if name.is_empty() || name.len() > MAX_TEXT || description.len() > MAX_TEXT {
        return render(
            &state,
            &session,
            "",
            "The site needs a name; name and description take at most 500 characters.",
        )
        .await;
    }
    let batch = Batch {
        settings: vec![("site.name".into(), name.into()), ("site.description".into(), description.into())],
        ..Batch::default()
    };
    state.store.apply(&batch).await?;
    render(&state, &session, "Saved.", "").await
}
