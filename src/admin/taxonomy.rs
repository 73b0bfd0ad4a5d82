//! Sections, tags and author profiles, for editors and administrators.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::{AdminError, Fields, Session, page, require};
use crate::auth::Action;
use crate::content::{AuthorInput, SectionInput, Slug};
use crate::store::Batch;
use crate::web::AppState;

/// The longest name accepted for a section, tag or author.
const MAX_NAME: usize = 200;
/// The longest description or biography accepted.
const MAX_TEXT: usize = 2000;

/// Checks a name and a longer text, and finds the slug (given, else made from the name).
fn checked(form: &Fields, text_field: &str) -> Result<(Slug, String, String), String> {
    let name = form.get("name").trim().to_owned();
    let text = form.get(text_field).trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME || text.chars().count() > MAX_TEXT {
        return Err(format!("A name of 1 to {MAX_NAME} characters is needed, and at most {MAX_TEXT} for the text."));
    }
    let slug = form.get("slug").trim();
    let slug = if slug.is_empty() { Slug::from_title(&name) } else { Slug::parse(slug) }.map_err(|e| e.to_string())?;
    Ok((slug, name, text))
}

/// A section's name in one of the site's other languages, as the form shows it.
#[derive(serde::Serialize)]
struct NameInLanguage {
    code: String,
    language: String,
    name: String,
    description: String,
}

/// A section with its names in the site's other languages.
#[derive(serde::Serialize)]
struct SectionRow {
    #[serde(flatten)]
    section: crate::content::Section,
    translations: Vec<NameInLanguage>,
}

/// The site's languages other than the default, which sections can be named in.
fn other_languages(state: &AppState) -> Vec<String> {
    state.site().languages.iter().skip(1).cloned().collect()
}

async fn sections_page(state: &AppState, session: &Session, error: &str) -> Result<Response, AdminError> {
    let names = state.store.section_names().await?;
    let others = other_languages(state);
    let sections: Vec<SectionRow> = state
        .store
        .sections()
        .await?
        .into_iter()
        .map(|section| {
            let translations = others
                .iter()
                .map(|code| {
                    let known = names.iter().find(|n| n.section == section.slug && n.language == *code);
                    NameInLanguage {
                        code: code.clone(),
                        language: state.locales.get(code).map_or_else(|| code.clone(), |l| l.name().to_owned()),
                        name: known.map(|n| n.name.clone()).unwrap_or_default(),
                        description: known.map(|n| n.description.clone()).unwrap_or_default(),
                    }
                })
                .collect();
            SectionRow { section, translations }
        })
        .collect();
    page(state, session, "sections", "admin/sections.html", context! { sections, error }).await
}

/// `GET /admin/sections`.
pub async fn sections(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    sections_page(&state, &session, "").await
}

/// `POST /admin/sections`: creates a section or updates the one with the slug given.
pub async fn save_section(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    let (slug, name, description) = match checked(&form, "description") {
        Ok(values) => values,
        Err(error) => return sections_page(&state, &session, &error).await,
    };
    let position = form.get("position").trim().parse::<i64>().unwrap_or(0);
    let section = SectionInput { slug: slug.clone(), name, description, position };
    state.store.apply(&Batch { sections: vec![section], ..Batch::default() }).await?;
    for code in other_languages(&state) {
        let (name_field, description_field) = (format!("name_{code}"), format!("description_{code}"));
        if !form.has(&name_field) {
            continue;
        }
        let (name, description) = (form.get(&name_field).trim(), form.get(&description_field).trim());
        if name.chars().count() > MAX_NAME || description.chars().count() > MAX_TEXT {
            let error = format!("A name takes at most {MAX_NAME} characters, a description at most {MAX_TEXT}.");
            return sections_page(&state, &session, &error).await;
        }
        state.store.put_section_name(slug.as_str(), &code, name, description).await?;
    }
    Ok(Redirect::to("/admin/sections").into_response())
}

/// `GET /admin/tags`.
pub async fn tags(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    let tags = state.store.all_tags().await?;
    page(&state, &session, "tags", "admin/tags.html", context! { tags }).await
}

/// `POST /admin/tags/{id}`: renames a tag.
pub async fn save_tag(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    let name = form.get("name").trim();
    if name.chars().count() > MAX_NAME {
        return Err(AdminError::BadRequest(format!("a tag name takes at most {MAX_NAME} characters")));
    }
    state.store.rename_tag(id, name).await.map_err(|e| AdminError::BadRequest(e.to_string()))?;
    Ok(Redirect::to("/admin/tags").into_response())
}

/// `POST /admin/tags/{id}/delete`: removes a tag from every article and deletes it.
pub async fn delete_tag(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    state.store.delete_tag(id).await?;
    Ok(Redirect::to("/admin/tags").into_response())
}

/// The list of author profiles. Portraits are chosen on each author's own page: a choice of the whole media
/// library in every row would grow with authors times images (60 MB for 500 of each).
async fn authors_page(state: &AppState, session: &Session, error: &str) -> Result<Response, AdminError> {
    let authors = state.store.all_authors().await?;
    page(state, session, "authors", "admin/authors.html", context! { authors, error }).await
}

/// `GET /admin/authors/{slug}`: one author profile, with the choice of its portrait.
pub async fn author(
    State(state): State<AppState>,
    session: Session,
    Path(slug): Path<String>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    let author = state.store.author(&slug).await?.ok_or(AdminError::NotFound)?;
    let images = state.store.library_images().await?;
    page(&state, &session, "authors", "admin/author.html", context! { author, images, error => "" }).await
}

/// `GET /admin/authors`.
pub async fn authors(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    authors_page(&state, &session, "").await
}

/// `POST /admin/authors`: creates an author profile or updates the one with the slug given.
pub async fn save_author(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Fields>,
) -> Result<Response, AdminError> {
    require(&session.user, Action::ManageTaxonomy, None)?;
    let (slug, name, bio) = match checked(&form, "bio") {
        Ok(values) => values,
        Err(error) => return authors_page(&state, &session, &error).await,
    };
    // The avatar is a library image, or the one the profile already has (the demo's drawn portraits).
    let current = state.store.author(slug.as_str()).await?.and_then(|a| a.avatar);
    let chosen = form.get("avatar");
    // The list's rows edit name and biography only; the portrait stays unless the author's page sent one.
    let avatar = if !form.has("avatar") {
        current
    } else if chosen.is_empty() {
        None
    } else if current.as_deref() == Some(chosen) {
        current
    } else {
        let library = state.store.library_images().await?;
        Some(
            library
                .into_iter()
                .find(|i| i.path == chosen)
                .map(|i| i.path)
                .ok_or_else(|| AdminError::BadRequest("choose the avatar from the media library".into()))?,
        )
    };
    let author = AuthorInput { slug, name, bio, avatar };
    state.store.apply(&Batch { authors: vec![author], ..Batch::default() }).await?;
    Ok(Redirect::to("/admin/authors").into_response())
}
