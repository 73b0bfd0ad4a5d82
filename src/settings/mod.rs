//! Site settings: what the back office edits (name, description, public address, time zone, date format,
//! logo), kept in the database so that every node reads the same values, with the server's configuration
//! taking precedence where an operator has fixed a value there. Every request reads the current values from
//! memory ([`LiveSettings::get`]); they are reloaded after a save and, for saves made elsewhere, every second.

mod ap_style;
mod edition;

pub use edition::{Edition, article_path, article_url};

use std::sync::Arc;

use arc_swap::ArcSwap;
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::config::Config;
use crate::store::{Store, StoreError};
use ap_style::ap_datetime;

/// Setting key of the site's name.
pub const NAME: &str = "site.name";
/// Setting key of the one-line description.
pub const DESCRIPTION: &str = "site.description";
/// Setting key of the public address.
pub const BASE_URL: &str = "site.base_url";
/// Setting key of the time zone (an IANA name).
pub const TIMEZONE: &str = "site.timezone";
/// Setting key of the date format ([`DateFormat::key`]).
pub const DATE_FORMAT: &str = "site.date_format";
pub use crate::store::LOGO_SETTING as LOGO;
/// Setting key of the languages the site publishes in: codes separated by commas, the default one first.
pub const LANGUAGES: &str = "site.languages";
/// The language of a site that has chosen none.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The longest custom date pattern accepted.
const MAX_PATTERN: usize = 100;

/// How publication times read on the site and in the back office.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DateFormat {
    /// Associated Press style, as the seed page: `Dec. 2, 2025, 11:21 p.m.`.
    #[default]
    Ap,
    /// Day first, 24-hour clock: `2 December 2025, 23:21`.
    DayMonth,
    /// Month first, 12-hour clock: `December 2, 2025, 11:21 PM`.
    MonthDay,
    /// Numeric: `2025-12-02 23:21`.
    Numeric,
    /// A `strftime` pattern of the editor's own, checked when saved.
    Custom(String),
}

/// Why a setting was not accepted; the message is for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl DateFormat {
    /// The named formats, in the order the settings page offers them.
    pub const PRESETS: [DateFormat; 4] =
        [DateFormat::Ap, DateFormat::DayMonth, DateFormat::MonthDay, DateFormat::Numeric];

    /// Reads a stored value: a preset's key, or `custom:` followed by a pattern.
    pub fn parse(stored: &str) -> Result<DateFormat, Invalid> {
        match stored {
            "ap" => Ok(DateFormat::Ap),
            "day-month" => Ok(DateFormat::DayMonth),
            "month-day" => Ok(DateFormat::MonthDay),
            "numeric" => Ok(DateFormat::Numeric),
            other => match other.strip_prefix("custom:") {
                Some(pattern) => DateFormat::custom(pattern),
                None => Err(Invalid(format!("{other:?} is not a date format"))),
            },
        }
    }

    /// A custom pattern, refused when `strftime` cannot read it (chrono would fail while formatting).
    pub fn custom(pattern: &str) -> Result<DateFormat, Invalid> {
        let pattern = pattern.trim();
        if pattern.is_empty() || pattern.len() > MAX_PATTERN {
            return Err(Invalid(format!("a date pattern takes 1 to {MAX_PATTERN} characters")));
        }
        if StrftimeItems::new(pattern).any(|item| matches!(item, Item::Error)) {
            return Err(Invalid(format!(
                "{pattern:?} is not a strftime pattern chrono understands (see %d, %B, %Y, %H:%M)"
            )));
        }
        Ok(DateFormat::Custom(pattern.to_owned()))
    }

    /// How it is stored: the inverse of [`DateFormat::parse`].
    pub fn key(&self) -> String {
        match self {
            DateFormat::Ap => "ap".to_owned(),
            DateFormat::DayMonth => "day-month".to_owned(),
            DateFormat::MonthDay => "month-day".to_owned(),
            DateFormat::Numeric => "numeric".to_owned(),
            DateFormat::Custom(pattern) => format!("custom:{pattern}"),
        }
    }

    /// `instant` in `zone`, written this way.
    pub fn show(&self, instant: DateTime<Utc>, zone: &Tz) -> String {
        let local = instant.with_timezone(zone);
        let pattern = match self {
            DateFormat::Ap => return ap_datetime(instant, zone),
            DateFormat::DayMonth => "%-d %B %Y, %H:%M",
            DateFormat::MonthDay => "%B %-d, %Y, %-I:%M %p",
            DateFormat::Numeric => "%Y-%m-%d %H:%M",
            DateFormat::Custom(pattern) => pattern,
        };
        local.format(pattern).to_string()
    }
}

/// The site's logo: a media library image.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Logo {
    /// The library image's id.
    pub id: i64,
    /// Address of the file on the site.
    pub url: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
}

/// The settings in force.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteSettings {
    /// The site's name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Public address, without a trailing slash.
    pub base_url: String,
    /// Where publication times are shown.
    pub timezone: Tz,
    /// How times are written.
    pub date_format: DateFormat,
    /// The masthead's logo, when one is chosen.
    pub logo: Option<Logo>,
    /// Language codes the site publishes in, never empty; the first is the default, served at the root.
    pub languages: Vec<String>,
    /// The name and description in other languages, by setting key (`site.name.zh`, `site.description.zh`).
    pub translated: std::collections::BTreeMap<String, String>,
    /// The base URL comes from the server's configuration and cannot be changed in the browser.
    pub base_url_fixed: bool,
    /// The time zone comes from the server's configuration and cannot be changed in the browser.
    pub timezone_fixed: bool,
}

impl SiteSettings {
    /// Reads the stored settings and lays the server's fixed values over them; a stored value that no longer
    /// reads (edited by hand) falls back to the default rather than stopping the site.
    pub async fn load(store: &Store, config: &Config) -> Result<SiteSettings, StoreError> {
        let stored = store.settings_with_prefix("site.").await?;
        let value =
            |key: &str| stored.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
        let base_url = match (&config.base_url, value(BASE_URL)) {
            (Some(fixed), _) => fixed.clone(),
            (None, Some(stored)) => {
                crate::config::normalise_base_url(stored).unwrap_or_else(|_| config.default_base_url())
            }
            (None, None) => config.default_base_url(),
        };
        let timezone =
            config.timezone.or_else(|| value(TIMEZONE).and_then(|name| name.parse().ok())).unwrap_or(Tz::UTC);
        let logo = match value(LOGO).and_then(|id| id.parse::<i64>().ok()) {
            Some(id) => store.image(id).await?.map(|image| Logo {
                id,
                url: crate::media::media_url(&image.path),
                width: image.width,
                height: image.height,
            }),
            None => None,
        };
        Ok(SiteSettings {
            name: value(NAME).unwrap_or("newsroom").to_owned(),
            description: value(DESCRIPTION).unwrap_or_default().to_owned(),
            base_url,
            timezone,
            date_format: value(DATE_FORMAT).and_then(|v| DateFormat::parse(v).ok()).unwrap_or_default(),
            logo,
            languages: value(LANGUAGES).and_then(|v| parse_languages(v).ok()).unwrap_or_else(default_languages),
            translated: stored
                .iter()
                .filter(|(key, value)| {
                    !value.is_empty()
                        && [NAME, DESCRIPTION].iter().any(|base| {
                            key.strip_prefix(base).and_then(|rest| rest.strip_prefix('.')).is_some_and(is_language_code)
                        })
                })
                .cloned()
                .collect(),
            base_url_fixed: config.base_url.is_some(),
            timezone_fixed: config.timezone.is_some(),
        })
    }

    /// `instant` as the site writes times: in its zone and date format.
    pub fn show_time(&self, instant: DateTime<Utc>) -> String {
        self.date_format.show(instant, &self.timezone)
    }

    /// The site's name in `language` (its own name where none is given for that language).
    pub fn name_in(&self, language: &str) -> &str {
        self.translated.get(&translated_key(NAME, language)).unwrap_or(&self.name)
    }

    /// The site's description in `language` (its own where none is given for that language).
    pub fn description_in(&self, language: &str) -> &str {
        self.translated.get(&translated_key(DESCRIPTION, language)).unwrap_or(&self.description)
    }

    /// The default language's code.
    pub fn default_language(&self) -> &str {
        self.languages.first().map_or(DEFAULT_LANGUAGE, String::as_str)
    }

    /// Whether the site publishes in `code`.
    pub fn publishes_in(&self, code: &str) -> bool {
        self.languages.iter().any(|l| l == code)
    }

    /// Whether the site is served over HTTPS (cookies are then marked Secure).
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

impl Default for SiteSettings {
    /// A new site's settings, before anything is stored or configured.
    fn default() -> SiteSettings {
        SiteSettings {
            name: "newsroom".to_owned(),
            description: String::new(),
            base_url: format!("http://{}", crate::config::DEFAULT_ADDR),
            timezone: Tz::UTC,
            date_format: DateFormat::Ap,
            logo: None,
            languages: default_languages(),
            translated: Default::default(),
            base_url_fixed: false,
            timezone_fixed: false,
        }
    }
}

/// The settings every request reads, swapped whole when they change.
#[derive(Debug, Default)]
pub struct LiveSettings {
    current: ArcSwap<SiteSettings>,
    /// Held for a whole reload (read, compare, swap): without it, the once-a-second reload could read the
    /// database just before a save and swap in what it read just after the save's own reload, bringing the
    /// old settings back until the next second.
    reloading: tokio::sync::Mutex<()>,
}

impl LiveSettings {
    /// Starts with `settings`.
    pub fn new(settings: SiteSettings) -> LiveSettings {
        LiveSettings { current: ArcSwap::from_pointee(settings), reloading: tokio::sync::Mutex::new(()) }
    }

    /// The settings in force now.
    pub fn get(&self) -> Arc<SiteSettings> {
        self.current.load_full()
    }

    /// What `read` makes of the settings in force now, without taking a counted reference to them: on the
    /// path of every request a shared reference count is a cache line both cores keep taking from each other.
    pub fn with<R>(&self, read: impl FnOnce(&SiteSettings) -> R) -> R {
        read(&self.current.load())
    }

    /// Reads the settings again; returns whether anything changed. Reloads run one at a time, so the last to
    /// start is the last to swap.
    pub async fn reload(&self, store: &Store, config: &Config) -> Result<bool, StoreError> {
        let _one_at_a_time = self.reloading.lock().await;
        let fresh = SiteSettings::load(store, config).await?;
        let changed = *self.get() != fresh;
        if changed {
            self.current.store(Arc::new(fresh));
        }
        Ok(changed)
    }
}

/// The setting key of `base` (the name or description) in `language`: `site.name.zh`.
pub fn translated_key(base: &str, language: &str) -> String {
    format!("{base}.{language}")
}

fn default_languages() -> Vec<String> {
    vec![DEFAULT_LANGUAGE.to_owned()]
}

/// Whether `code` is written as a language code may be: lowercase ASCII letters, digits and hyphens, starting
/// with a letter (`en`, `zh`, `pt-br`); such codes are safe in addresses and file names.
pub fn is_language_code(code: &str) -> bool {
    (2..=20).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Reads a language list (`en, zh`): codes separated by commas or spaces, the default first, each once.
pub fn parse_languages(text: &str) -> Result<Vec<String>, Invalid> {
    let mut codes: Vec<String> = Vec::new();
    for code in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|c| !c.is_empty()) {
        let code = code.to_ascii_lowercase();
        if !is_language_code(&code) {
            return Err(Invalid(format!("{code:?} is not a language code such as en, zh or pt-br")));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        return Err(Invalid("name at least one language, the default first".into()));
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn every_preset_writes_the_seed_pages_time() {
        let instant = at("2025-12-02T23:21:00Z");
        let shown: Vec<String> = DateFormat::PRESETS.iter().map(|f| f.show(instant, &Tz::UTC)).collect();
        assert_eq!(
            shown,
            ["Dec. 2, 2025, 11:21 p.m.", "2 December 2025, 23:21", "December 2, 2025, 11:21 PM", "2025-12-02 23:21"]
        );
    }

    #[test]
    fn formats_survive_storage() -> Result<(), Invalid> {
        for format in DateFormat::PRESETS.into_iter().chain([DateFormat::custom("%d.%m.%Y")?]) {
            assert_eq!(DateFormat::parse(&format.key())?, format);
        }
        Ok(())
    }

    #[test]
    fn custom_patterns_are_checked_before_use() -> Result<(), Invalid> {
        assert_eq!(
            DateFormat::custom("%d.%m.%Y %H:%M")?.show(at("2025-12-02T23:21:00Z"), &Tz::UTC),
            "02.12.2025 23:21"
        );
        for bad in ["%Q", "%", "", &"%Y".repeat(60)] {
            assert!(DateFormat::custom(bad).is_err(), "{bad:?} is refused");
        }
        assert!(DateFormat::parse("weekday").is_err());
        Ok(())
    }

    #[test]
    fn language_lists_keep_their_order_and_refuse_junk() {
        assert_eq!(parse_languages("en, zh").ok(), Some(vec!["en".to_owned(), "zh".to_owned()]));
        assert_eq!(parse_languages("ZH en zh").ok(), Some(vec!["zh".to_owned(), "en".to_owned()]));
        for bad in ["", " , ", "e", "en,../x", "en,zh/", "1en"] {
            assert!(parse_languages(bad).is_err(), "{bad:?} is refused");
        }
    }
}
