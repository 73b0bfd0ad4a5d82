//! Site settings in the back office: name, description, public address, time zone, date format, logo and the
//! languages the site publishes in.
//! Values the operator fixed in the server's configuration are shown and cannot be changed here.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use chrono_tz::Tz;
use minijinja::context;
use serde::Serialize;

use super::{AdminError, Session, Submitted, page, require};
use crate::auth::Action;
use crate::settings::{self, DateFormat, Invalid, SiteSettings};
use crate::store::Batch;
use crate::web::AppState;

/// The longest name or description accepted.
const MAX_TEXT: usize = 500;

/// One date format as the page offers it: its key, and now written that way.
#[derive(Serialize)]
struct FormatChoice {
    key: String,
    example: String,
}

/// The form's values: the stored ones, or what was sent when it is shown again with an error.
#[derive(Serialize)]
struct SettingsForm {
    name: String,
    description: String,
    base_url: String,
    timezone: String,
    /// A preset's key, or `custom`.
    date_format: String,
    pattern: String,
    logo: Option<i64>,
    /// Language codes, the default first (`en, zh`).
    languages: String,
    /// The name and description in each of the other languages.
    translations: Vec<TranslatedName>,
}

/// The site's name and description in one of its other languages.
#[derive(Serialize)]
struct TranslatedName {
    code: String,
    language: String,
    name: String,
    description: String,
}

/// A language the theme has a translation for, as the page lists them.
#[derive(Serialize)]
struct LanguageChoice {
    code: String,
    name: String,
}

impl SettingsForm {
    fn from_settings(site: &SiteSettings, locales: &crate::i18n::Locales) -> SettingsForm {
        let (date_format, pattern) = match &site.date_format {
            DateFormat::Custom(pattern) => ("custom".to_owned(), pattern.clone()),
            preset => (preset.key(), String::new()),
        };
        SettingsForm {
            name: site.name.clone(),
            description: site.description.clone(),
            base_url: site.base_url.clone(),
            timezone: site.timezone.name().to_owned(),
            date_format,
            pattern,
            logo: site.logo.as_ref().map(|logo| logo.id),
            languages: site.languages.join(", "),
            translations: site
                .languages
                .iter()
                .skip(1)
                .map(|code| TranslatedName {
                    code: code.clone(),
                    language: locales.get(code).map_or_else(|| code.clone(), |l| l.name().to_owned()),
                    name: site
                        .translated
                        .get(&settings::translated_key(settings::NAME, code))
                        .cloned()
                        .unwrap_or_default(),
                    description: site
                        .translated
                        .get(&settings::translated_key(settings::DESCRIPTION, code))
                        .cloned()
                        .unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// The sent values; a field the request leaves out keeps its current value.
    fn from_fields(fields: &super::Fields, site: &SiteSettings, locales: &crate::i18n::Locales) -> SettingsForm {
        let mut form = SettingsForm::from_settings(site, locales);
        let sent = |name: &str| fields.has(name).then(|| fields.get(name).trim().to_owned());
        let targets = [
            ("name", &mut form.name),
            ("description", &mut form.description),
            ("base_url", &mut form.base_url),
            ("timezone", &mut form.timezone),
            ("date_format", &mut form.date_format),
            ("pattern", &mut form.pattern),
            ("languages", &mut form.languages),
        ];
        for (name, target) in targets {
            if let Some(value) = sent(name) {
                *target = value;
            }
        }
        if fields.has("logo") {
            form.logo = fields.get("logo").parse().ok();
        }
        for translation in &mut form.translations {
            for (prefix, target) in [("name_", &mut translation.name), ("description_", &mut translation.description)] {
                if let Some(value) = sent(&format!("{prefix}{}", translation.code)) {
                    *target = value;
                }
            }
        }
        form
    }
}

async fn render(
    state: &AppState,
    session: &Session,
    form: &SettingsForm,
    notice: &str,
    error: &str,
) -> Result<Response, AdminError> {
    let site = state.site();
    let now = Utc::now();
    let formats: Vec<FormatChoice> = DateFormat::PRESETS
        .iter()
        .map(|format| FormatChoice { key: format.key(), example: format.show(now, &site.timezone) })
        .collect();
    let zones: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name()).collect();
    let languages: Vec<LanguageChoice> = state
        .locales
        .codes()
        .into_iter()
        .filter_map(|code| state.locales.get(code))
        .map(|locale| LanguageChoice { code: locale.code().to_owned(), name: locale.name().to_owned() })
        .collect();
    let context = context! {
        form, notice, error, formats, zones, languages,
        base_url_fixed => site.base_url_fixed, timezone_fixed => site.timezone_fixed,
        images => state.store.library_images().await?,
        max_upload_mb => crate::media::MAX_UPLOAD_BYTES / 1024 / 1024,
    };
    let mut response = page(state, session, "settings", "admin/settings.html", context).await?;
    if !error.is_empty() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /admin/settings`.
pub async fn show(State(state): State<AppState>, session: Session) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    render(&state, &session, &SettingsForm::from_settings(&state.site(), &state.locales), "", "").await
}

/// Checks the form and turns it into the settings to store; a logo upload is stored by the caller. Every
/// language must have a translation of the theme, and none may share its code with a section, whose
/// address it would take.
fn validate(
    form: &SettingsForm,
    site: &SiteSettings,
    locales: &crate::i18n::Locales,
    section_slugs: &[String],
) -> Result<Vec<(String, String)>, Invalid> {
    if form.name.is_empty() || form.name.len() > MAX_TEXT || form.description.len() > MAX_TEXT {
        return Err(Invalid("the site needs a name; name and description take at most 500 characters".into()));
    }
    let mut values = vec![(settings::NAME.to_owned(), form.name.clone())];
    values.push((settings::DESCRIPTION.to_owned(), form.description.clone()));
    for translation in &form.translations {
        if translation.name.len() > MAX_TEXT || translation.description.len() > MAX_TEXT {
            return Err(Invalid("names and descriptions take at most 500 characters in every language".into()));
        }
        values.push((settings::translated_key(settings::NAME, &translation.code), translation.name.clone()));
        values.push((
            settings::translated_key(settings::DESCRIPTION, &translation.code),
            translation.description.clone(),
        ));
    }
    if !site.base_url_fixed {
        values.push((
            settings::BASE_URL.to_owned(),
            crate::config::normalise_base_url(&form.base_url).map_err(settings::Invalid)?,
        ));
    }
    if !site.timezone_fixed {
        let zone: Tz = form.timezone.parse().map_err(|_| {
            Invalid(format!("{:?} is not a time zone; choose one from the list, such as Europe/London", form.timezone))
        })?;
        values.push((settings::TIMEZONE.to_owned(), zone.name().to_owned()));
    }
    let format = match form.date_format.as_str() {
        "custom" => DateFormat::custom(&form.pattern)?,
        preset => DateFormat::parse(preset)?,
    };
    values.push((settings::DATE_FORMAT.to_owned(), format.key()));
    values.push((settings::LOGO.to_owned(), form.logo.map(|id| id.to_string()).unwrap_or_default()));
    let languages = settings::parse_languages(&form.languages)?;
    for code in &languages {
        if locales.get(code).is_none() {
            return Err(Invalid(format!(
                "the theme has no translation for {code:?}; available: {}. Add a file {code}.ftl to the locales \
                 directory to offer it",
                locales.codes().join(", ")
            )));
        }
        if section_slugs.contains(code) {
            return Err(Invalid(format!("{code:?} is a section's address; rename that section first")));
        }
    }
    values.push((settings::LANGUAGES.to_owned(), languages.join(",")));
    Ok(values)
}

/// `POST /admin/settings`: a form that may carry a new logo (`logo_file`, described by `logo_alt`).
pub async fn save(State(state): State<AppState>, session: Session, form: Submitted) -> Result<Response, AdminError> {
    require(&session.user, Action::Administer, None)?;
    let mut values = SettingsForm::from_fields(&form.fields, &state.site(), &state.locales);
    let section_slugs: Vec<String> = state.store.sections().await?.into_iter().map(|s| s.slug).collect();
    let mut stored = match validate(&values, &state.site(), &state.locales, &section_slugs) {
        Ok(stored) => stored,
        Err(Invalid(error)) => return render(&state, &session, &values, "", &error).await,
    };
    if let Some(file) = form.file("logo_file") {
        let mut text = super::media::image_text(&form.fields, "logo_");
        if text.alt.is_empty() {
            // A logo's text alternative is the site's name, as readers of the masthead expect.
            text.alt.clone_from(&values.name);
        }
        match crate::media::add_to_library(&state.store, state.config.media_dir(), file.to_vec(), &text).await {
            Ok(id) => {
                values.logo = Some(id);
                stored.retain(|(key, _)| key != settings::LOGO);
                stored.push((settings::LOGO.to_owned(), id.to_string()));
            }
            Err(crate::media::LibraryError::Refused(message) | crate::media::LibraryError::TooLarge(message)) => {
                return render(&state, &session, &values, "", &format!("The logo was not uploaded: {message}.")).await;
            }
            Err(crate::media::LibraryError::Failed(message)) => return Err(AdminError::BadRequest(message)),
        }
    }
    if let Some(id) = values.logo
        && state.store.image(id).await?.is_none()
    {
        return render(&state, &session, &values, "", "That logo image is no longer in the media library.").await;
    }
    state.store.apply(&Batch { settings: stored, ..Batch::default() }).await?;
    state.reload_settings().await?;
    render(&state, &session, &SettingsForm::from_settings(&state.site(), &state.locales), "Saved.", "").await
}
