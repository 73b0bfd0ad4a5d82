//! Interface text of the public site in every language it offers, read from Project Fluent (`.ftl`) files.
//!
//! The built-in files (`themes/default/locales/*.ftl`, English and Simplified Chinese) are compiled into the
//! binary; an operator adds a language, or changes the wording of a built-in one, by putting `<code>.ftl` in
//! the locales directory and restarting. The file's stem is the language's code in addresses (`/zh/…`).
//!
//! Templates call `t("key", name=value, …)` (see [`register`]); Rust code calls [`Locale::text`]. A message
//! missing from a language's file is shown in English, and one missing everywhere shows its key.
//!
//! Besides interface text, each file carries a few settings as messages: `locale-tag` (BCP 47 tag),
//! `locale-name` (the language's own name), `date-pattern` (chrono strftime pattern; empty for "use the
//! site's date setting") and `number-group-separator` (between groups of three digits).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, State};
use rust_embed::RustEmbed;
use unic_langid::LanguageIdentifier;

#[derive(RustEmbed)]
#[folder = "themes/default/locales/"]
struct BuiltIn;

/// Where the built-in files live in the source tree; named in errors about them.
const BUILT_IN_DIR: &str = "themes/default/locales";

/// The code of the language every other one falls back to.
const ENGLISH: &str = "en";

/// Messages that are settings of the language rather than interface text.
const TAG_KEY: &str = "locale-tag";
const NAME_KEY: &str = "locale-name";
const DATE_PATTERN_KEY: &str = "date-pattern";
const SEPARATOR_KEY: &str = "number-group-separator";

type Bundle = FluentBundle<FluentResource>;

/// Why the translation files could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LocaleError {
    /// The file's name is not `<code>.ftl` with a code of lowercase letters, digits and hyphens.
    #[error(
        "locale file {path}: the name must be a language code (lowercase letters, digits and hyphens, such as \
         `zh` or `pt-br`) followed by `.ftl`"
    )]
    BadName {
        /// The file.
        path: PathBuf,
    },
    /// The file is not valid Fluent.
    #[error("locale file {path}, line {line}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line of the first error, counted from 1.
        line: usize,
        /// What the parser expected.
        message: String,
    },
    /// The file defines a message twice.
    #[error("locale file {path}: message `{key}` is defined more than once")]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// The message's identifier.
        key: String,
    },
    /// A setting of the language (`locale-tag`, `date-pattern`) is not usable.
    #[error("locale file {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The file or the directory could not be read.
    #[error("reading locale file {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A value for a placeholder in a message. Numbers pick plural variants and print with the language's digit
/// grouping (`NUMBER($n, useGrouping: "false")` in a message prints one bare).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgValue<'a> {
    /// Text, inserted as it is.
    Text(&'a str),
    /// A whole number.
    Number(i64),
}

impl<'a> From<&'a str> for ArgValue<'a> {
    fn from(text: &'a str) -> ArgValue<'a> {
        ArgValue::Text(text)
    }
}

impl<'a> From<&'a String> for ArgValue<'a> {
    fn from(text: &'a String) -> ArgValue<'a> {
        ArgValue::Text(text)
    }
}

impl From<i64> for ArgValue<'_> {
    fn from(number: i64) -> Self {
        ArgValue::Number(number)
    }
}

/// Every language the site has: the built-in ones and those from the locales directory.
pub struct Locales {
    by_code: BTreeMap<String, Locale>,
    /// A copy of English, so that [`Locales::english`] needs no lookup that could fail.
    english: Locale,
}

impl fmt::Debug for Locales {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.by_code.values()).finish()
    }
}

impl Locales {
    /// Loads the built-in files (embedded from `themes/default/locales/*.ftl`), then every `*.ftl` in
    /// `extra_dir` (if given and it exists). A file there adds a language, or is laid over the built-in
    /// file of the same code (its messages replace those with the same key; the rest stay). Other files in
    /// the directory are ignored.
    ///
    /// Errors name the file: a name that is not `<code>.ftl`, Fluent syntax errors (with the line), a
    /// message defined twice, an unusable `locale-tag` or `date-pattern`. Messages a language lacks compared
    /// with English are logged as a warning; they are shown in English.
    pub fn load(extra_dir: Option<&Path>) -> Result<Locales, LocaleError> {
        let mut layers: BTreeMap<String, Vec<Source>> = BTreeMap::new();
        for name in BuiltIn::iter().filter(|name| name.ends_with(".ftl")) {
            let path = Path::new(BUILT_IN_DIR).join(name.as_ref());
            let code = code_of(&path)?;
            let file = BuiltIn::get(&name).ok_or_else(|| LocaleError::Io {
                path: path.clone(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "built-in file missing"),
            })?;
            let text = String::from_utf8(file.data.into_owned())
                .map_err(|_| LocaleError::Invalid { path: path.clone(), message: "not UTF-8".to_owned() })?;
            layers.entry(code).or_default().push(Source::parse(path, text, false)?);
        }
        if let Some(dir) = extra_dir.filter(|dir| dir.is_dir()) {
            for path in ftl_files(dir)? {
                let code = code_of(&path)?;
                let text =
                    std::fs::read_to_string(&path).map_err(|source| LocaleError::Io { path: path.clone(), source })?;
                layers.entry(code).or_default().push(Source::parse(path, text, true)?);
            }
        } else if let Some(dir) = extra_dir {
            tracing::debug!(dir = %dir.display(), "no locales directory; using the built-in languages only");
        }

        let english_sources = layers.remove(ENGLISH).unwrap_or_default();
        let warned = Arc::new(Mutex::new(HashSet::new()));
        let english = Locale::build(ENGLISH, &english_sources, None, Arc::clone(&warned))?;
        let english_keys: BTreeSet<&str> =
            english_sources.iter().flat_map(|s| s.keys.iter().map(String::as_str)).collect();
        let mut by_code = BTreeMap::new();
        by_code.insert(ENGLISH.to_owned(), english.clone());
        for (code, sources) in &layers {
            let locale = Locale::build(code, sources, Some(Arc::clone(&english.bundle)), Arc::clone(&warned))?;
            if sources.iter().any(|s| s.from_operator) {
                let own: BTreeSet<&str> = sources.iter().flat_map(|s| s.keys.iter().map(String::as_str)).collect();
                let missing: Vec<&str> = english_keys.difference(&own).copied().collect();
                if !missing.is_empty() {
                    tracing::warn!(
                        language = %code,
                        missing = %missing.join(", "),
                        "the language's file lacks {} messages English has; they are shown in English",
                        missing.len()
                    );
                }
            }
            by_code.insert(code.clone(), locale);
        }
        Ok(Locales { by_code, english })
    }

    /// The language with this code (`"zh"`), if the site has it.
    pub fn get(&self, code: &str) -> Option<&Locale> {
        self.by_code.get(code)
    }

    /// English, which is always there and which every other language falls back to.
    pub fn english(&self) -> &Locale {
        &self.english
    }

    /// The codes of every language, sorted.
    pub fn codes(&self) -> Vec<&str> {
        self.by_code.keys().map(String::as_str).collect()
    }
}

/// One language: its settings and its messages, with English behind them.
#[derive(Clone)]
pub struct Locale {
    code: String,
    tag: String,
    name: String,
    date_pattern: Option<String>,
    separator: String,
    bundle: Arc<Bundle>,
    /// English's messages, for keys this language lacks; `None` for English itself.
    english: Option<Arc<Bundle>>,
    /// Problems already logged, shared by every language, so each is logged once.
    warned: Arc<Mutex<HashSet<String>>>,
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locale").field("code", &self.code).field("tag", &self.tag).field("name", &self.name).finish()
    }
}

impl Locale {
    /// The language's code, the locale file's stem, used in addresses: `"zh"`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// BCP 47 tag from the message `locale-tag` (`"zh-Hans"`), for `<html lang>` and `hreflang`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The language's name in that language, from `locale-name` (`"中文"`, `"English"`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The chrono strftime pattern for dates and times from `date-pattern` (`"%Y年%-m月%-d日 %H:%M"`);
    /// `None` when the language's file sets none, and the site's own date setting applies. Checked at load.
    pub fn date_pattern(&self) -> Option<&str> {
        self.date_pattern.as_deref()
    }

    /// `n` with its digits grouped in threes by the language's `number-group-separator` (default `,`):
    /// `12345` becomes `"12,345"`.
    pub fn group_digits(&self, n: i64) -> String {
        group(n, &self.separator)
    }

    /// The message `key` formatted with `args`. A key this language lacks is taken from English; one that
    /// English lacks too gives the key itself (and a warning in the log, once).
    pub fn text(&self, key: &str, args: &[(&str, ArgValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match *value {
                ArgValue::Text(text) => fluent_args.set(*name, text),
                ArgValue::Number(number) => fluent_args.set(*name, number),
            }
        }
        for bundle in std::iter::once(&self.bundle).chain(&self.english) {
            let Some(pattern) = bundle.get_message(key).and_then(|message| message.value()) else { continue };
            let mut errors = Vec::new();
            let text = with_separator(&self.separator, || {
                bundle.format_pattern(pattern, Some(&fluent_args), &mut errors).into_owned()
            });
            if let Some(error) = errors.first() {
                self.warn_once(format!("{}:{key}", self.code), || {
                    tracing::warn!(language = %self.code, key, %error, "a message did not format cleanly");
                });
            }
            return text;
        }
        self.warn_once(key.to_owned(), || {
            tracing::warn!(key, "no language has this message; its key is shown instead");
        });
        key.to_owned()
    }

    fn warn_once(&self, id: String, log: impl FnOnce()) {
        let first = self.warned.lock().unwrap_or_else(PoisonError::into_inner).insert(id);
        if first {
            log();
        }
    }

    /// The language `code` from its files (built-in first, then the operator's laid over it).
    fn build(
        code: &str,
        sources: &[Source],
        english: Option<Arc<Bundle>>,
        warned: Arc<Mutex<HashSet<String>>>,
    ) -> Result<Locale, LocaleError> {
        let Some(last) = sources.last() else {
            return Err(LocaleError::Invalid {
                path: Path::new(BUILT_IN_DIR).join(format!("{code}.ftl")),
                message: "no file for this language".to_owned(),
            });
        };
        // The tag decides the plural rules, so it is read first, from the files alone.
        let provisional = bundle(LanguageIdentifier::default(), sources)?;
        let tag = own_text(&provisional, TAG_KEY).filter(|t| !t.trim().is_empty()).unwrap_or_else(|| code.to_owned());
        let tag = tag.trim().to_owned();
        let langid: LanguageIdentifier = tag.parse().map_err(|_| LocaleError::Invalid {
            path: last.path.clone(),
            message: format!("`{TAG_KEY}` is {tag:?}, which is not a BCP 47 language tag (such as `pt-BR`)"),
        })?;
        let bundle = bundle(langid, sources)?;
        let date_pattern = own_text(&bundle, DATE_PATTERN_KEY).filter(|p| !p.trim().is_empty());
        if let Some(pattern) = &date_pattern
            && chrono::format::StrftimeItems::new(pattern).any(|item| matches!(item, chrono::format::Item::Error))
        {
            return Err(LocaleError::Invalid {
                path: last.path.clone(),
                message: format!("`{DATE_PATTERN_KEY}` {pattern:?} is not a valid strftime pattern"),
            });
        }
        Ok(Locale {
            code: code.to_owned(),
            name: own_text(&bundle, NAME_KEY).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| code.to_owned()),
            separator: own_text(&bundle, SEPARATOR_KEY).unwrap_or_else(|| ",".to_owned()),
            tag,
            date_pattern,
            bundle: Arc::new(bundle),
            english,
            warned,
        })
    }
}

/// One locale file, checked.
struct Source {
    path: PathBuf,
    text: String,
    /// Identifiers of its messages.
    keys: BTreeSet<String>,
    /// From the operator's directory rather than built in.
    from_operator: bool,
}

impl Source {
    fn parse(path: PathBuf, text: String, from_operator: bool) -> Result<Source, LocaleError> {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_owned(),
            None => text,
        };
        let resource = resource(&path, text.clone())?;
        let mut keys = BTreeSet::new();
        for entry in resource.entries() {
            if let ast::Entry::Message(message) = entry
                && !keys.insert(message.id.name.to_owned())
            {
                return Err(LocaleError::Duplicate { path, key: message.id.name.to_owned() });
            }
        }
        Ok(Source { path, text, keys, from_operator })
    }
}

/// Parses Fluent text; the error names the line of the first problem.
fn resource(path: &Path, text: String) -> Result<FluentResource, LocaleError> {
    FluentResource::try_new(text).map_err(|(resource, errors)| {
        let source = resource.source();
        let (line, message) = match errors.first() {
            Some(error) => {
                let before = source.get(..error.pos.start).unwrap_or(source);
                (before.matches('\n').count() + 1, error.to_string())
            }
            None => (1, "syntax error".to_owned()),
        };
        let message = match errors.len() {
            0 | 1 => message,
            n => format!("{message} (and {} more errors)", n - 1),
        };
        LocaleError::Syntax { path: path.to_owned(), line, message }
    })
}

/// A bundle of `sources`, later ones overriding earlier ones.
fn bundle(langid: LanguageIdentifier, sources: &[Source]) -> Result<Bundle, LocaleError> {
    let mut bundle = Bundle::new_concurrent(vec![langid]);
    // Unicode isolation marks around placeables would end up in the HTML.
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(|value, _| format_number(value)));
    bundle.add_builtins().map_err(|error| LocaleError::Invalid {
        path: sources.first().map(|s| s.path.clone()).unwrap_or_default(),
        message: error.to_string(),
    })?;
    for source in sources {
        bundle.add_resource_overriding(resource(&source.path, source.text.clone())?);
    }
    Ok(bundle)
}

/// The message `key` of `bundle` alone (no English), formatted without arguments.
fn own_text(bundle: &Bundle, key: &str) -> Option<String> {
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    Some(bundle.format_pattern(pattern, None, &mut errors).into_owned())
}

/// The `*.ftl` files of `dir`, sorted by name.
fn ftl_files(dir: &Path) -> Result<Vec<PathBuf>, LocaleError> {
    let io = |source| LocaleError::Io { path: dir.to_owned(), source };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "ftl") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The language code a file's name gives: its stem, which must be lowercase ASCII letters, digits and
/// single hyphens between them.
fn code_of(path: &Path) -> Result<String, LocaleError> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let valid = !stem.is_empty()
        && stem
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
    if valid { Ok(stem.to_owned()) } else { Err(LocaleError::BadName { path: path.to_owned() }) }
}

thread_local! {
    /// The digit-group separator of the language whose message is being formatted. Fluent's number formatter
    /// is a plain function, so [`Locale::text`] hands it the separator this way for the length of one call.
    static SEPARATOR: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn with_separator<R>(separator: &str, format: impl FnOnce() -> R) -> R {
    let previous = SEPARATOR.with(|s| s.replace(Some(separator.to_owned())));
    let result = format();
    SEPARATOR.with(|s| *s.borrow_mut() = previous);
    result
}

/// Prints whole numbers with grouped digits; leaves others (fractions, `useGrouping: "false"`) to Fluent.
fn format_number(value: &FluentValue<'_>) -> Option<String> {
    let FluentValue::Number(number) = value else { return None };
    let options = &number.options;
    let plain = options.use_grouping
        && options.minimum_fraction_digits.is_none()
        && options.minimum_integer_digits.is_none()
        && options.minimum_significant_digits.is_none()
        && options.maximum_significant_digits.is_none();
    // Whole numbers that an f64 holds exactly.
    if !plain || number.value.fract() != 0.0 || number.value.abs() > 9.0e15 {
        return None;
    }
    let whole = number.value as i64;
    SEPARATOR.with(|s| s.borrow().as_deref().map(|separator| group(whole, separator)))
}

fn group(number: i64, separator: &str) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * separator.len() + 1);
    if number < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(separator);
        }
        grouped.push(digit);
    }
    grouped
}

/// Adds the template function `t(key, **kwargs)`: the message `key` in the page's language, formatted with
/// the keyword arguments (strings as text, integers as Fluent numbers, which pick plural variants; anything
/// else as its text). It returns plain text, which auto-escaping escapes like any other value.
///
/// The language is the render context's `locale` variable (a code such as `"zh"`); English when it is
/// absent or unknown. Pass `locale` at the top level of the context given to `render`: macros, including
/// those of imported templates, see that top-level context.
pub fn register(env: &mut Environment<'static>, locales: Arc<Locales>) {
    env.add_function("t", move |state: &State, key: &str, kwargs: Kwargs| -> Result<String, minijinja::Error> {
        let code = state.lookup("locale");
        let locale = code.as_ref().and_then(Value::as_str).and_then(|c| locales.get(c)).unwrap_or(locales.english());
        let mut values: Vec<(String, Value)> = Vec::new();
        for name in kwargs.args() {
            values.push((name.to_owned(), kwargs.get::<Value>(name)?));
        }
        let rendered: Vec<String> = values
            .iter()
            .map(|(_, v)| if v.is_undefined() || v.is_none() { String::new() } else { v.to_string() })
            .collect();
        let args: Vec<(&str, ArgValue<'_>)> = values
            .iter()
            .zip(&rendered)
            .map(|((name, value), text)| (name.as_str(), template_arg(value, text)))
            .collect();
        Ok(locale.text(key, &args))
    });
}

/// A template value as a message argument: integers stay numbers, strings and the rest become text.
fn template_arg<'a>(value: &'a Value, text: &'a str) -> ArgValue<'a> {
    if value.kind() == ValueKind::Number
        && value.is_integer()
        && let Ok(number) = i64::try_from(value.clone())
    {
        return ArgValue::Number(number);
    }
    match value.as_str() {
        Some(s) => ArgValue::Text(s),
        None => ArgValue::Text(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    /// Keys the Rust code formats with [`Locale::text`] rather than templates (see NOTES.md).
    const RUST_KEYS: &[&str] = &[
        "pagination-newer",
        "pagination-older",
        "pagination-previous",
        "pagination-next",
        "list-title-page",
        "breadcrumb-home",
        "search-title",
        "search-title-query",
        "search-summary",
        "error-not-found-title",
        "error-not-found-message",
        "error-too-many-title",
        "error-too-many-message",
        "error-bad-request-title",
        "error-bad-request-message",
        "error-server-title",
        "error-server-message",
        "error-fallback",
        "preview-unknown-title",
        "preview-unknown-message",
        "preview-expired-title",
        "preview-expired-message",
    ];

    /// Settings of a language, read by [`Locale`]'s accessors.
    const SETTING_KEYS: &[&str] = &[TAG_KEY, NAME_KEY, DATE_PATTERN_KEY, SEPARATOR_KEY];

    fn built_in_keys(code: &str) -> Result<BTreeSet<String>, Box<dyn std::error::Error>> {
        let name = format!("{code}.ftl");
        let file = BuiltIn::get(&name).ok_or("built-in file missing")?;
        let source = Source::parse(PathBuf::from(name), String::from_utf8(file.data.into_owned())?, false)?;
        Ok(source.keys)
    }

    /// The public templates: the theme's own in newsroom, the crate's copies in the helper crate.
    fn template_dir() -> PathBuf {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let theme = root.join("themes/default/templates");
        if theme.join("macros.html").is_file() { theme } else { root.join("templates") }
    }

    /// `key` of every `t("key"` in the public templates (not `admin/`).
    fn template_keys() -> Result<BTreeSet<String>, Box<dyn std::error::Error>> {
        let mut keys = BTreeSet::new();
        for entry in std::fs::read_dir(template_dir())? {
            let path = entry?.path();
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            for (at, _) in text.match_indices("t(\"") {
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if before.is_alphanumeric() || before == '_' || before == '.' {
                    continue;
                }
                let rest = &text[at + 3..];
                let end = rest.find('"').ok_or("unterminated key")?;
                keys.insert(rest[..end].to_owned());
            }
        }
        Ok(keys)
    }

    /// An environment that escapes like newsroom's theme: as minijinja does, but leaving `/` alone.
    fn html_env() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_formatter(|out, state, value| {
            if state.auto_escape() != minijinja::AutoEscape::Html || value.is_safe() {
                return minijinja::escape_formatter(out, state, value);
            }
            let text = if value.is_undefined() { String::new() } else { value.to_string() };
            out.write_str(&minijinja::HtmlEscape(&text).to_string().replace("&#x2f;", "/"))?;
            Ok(())
        });
        env
    }

    fn theme_env(locales: Arc<Locales>) -> Environment<'static> {
        let mut env = html_env();
        env.set_loader(minijinja::path_loader(template_dir()));
        env.add_function("asset", |name: &str| format!("/assets/{name}"));
        register(&mut env, locales);
        env
    }

    fn write(dir: &Path, name: &str, text: &str) -> Result<(), std::io::Error> {
        std::fs::write(dir.join(name), text)
    }

    #[test]
    fn english_and_chinese_have_the_same_keys() -> TestResult {
        let (en, zh) = (built_in_keys("en")?, built_in_keys("zh")?);
        assert_eq!(en.difference(&zh).collect::<Vec<_>>(), Vec::<&String>::new(), "in en.ftl, not in zh.ftl");
        assert_eq!(zh.difference(&en).collect::<Vec<_>>(), Vec::<&String>::new(), "in zh.ftl, not in en.ftl");
        Ok(())
    }

    #[test]
    fn every_key_the_templates_use_is_in_english_and_every_english_key_is_used() -> TestResult {
        let en = built_in_keys("en")?;
        let used = template_keys()?;
        assert!(used.len() > 30, "found the template keys: {used:?}");
        let missing: Vec<&String> = used.iter().filter(|k| !en.contains(*k)).collect();
        assert!(missing.is_empty(), "templates use keys en.ftl lacks: {missing:?}");
        for key in RUST_KEYS {
            assert!(en.contains(*key), "en.ftl lacks {key}");
        }
        let unused: Vec<&String> = en
            .iter()
            .filter(|k| !used.contains(*k) && !RUST_KEYS.contains(&k.as_str()) && !SETTING_KEYS.contains(&k.as_str()))
            .collect();
        assert!(unused.is_empty(), "en.ftl has keys nothing uses: {unused:?}");
        Ok(())
    }

    #[test]
    fn built_in_languages_and_their_settings() -> TestResult {
        let locales = Locales::load(None)?;
        assert_eq!(locales.codes(), ["en", "zh"]);
        let (en, zh) = (locales.english(), locales.get("zh").ok_or("no zh")?);
        assert_eq!((en.code(), en.tag(), en.name(), en.date_pattern()), ("en", "en", "English", None));
        assert_eq!((zh.code(), zh.tag(), zh.name()), ("zh", "zh-Hans", "中文"));
        assert_eq!(en.group_digits(12_345), "12,345");
        assert_eq!(zh.group_digits(-1_234_567), "-1,234,567");
        assert_eq!(en.group_digits(999), "999");
        Ok(())
    }

    #[test]
    fn chinese_dates_read_the_chinese_way() -> TestResult {
        let locales = Locales::load(None)?;
        let pattern = locales.get("zh").and_then(Locale::date_pattern).ok_or("zh has no date pattern")?;
        let moment =
            chrono::NaiveDate::from_ymd_opt(2025, 12, 2).and_then(|d| d.and_hms_opt(23, 21, 0)).ok_or("date")?;
        assert_eq!(moment.format(pattern).to_string(), "2025年12月2日 23:21");
        Ok(())
    }

    #[test]
    fn english_plurals_and_grouped_numbers() -> TestResult {
        let locales = Locales::load(None)?;
        let en = locales.english();
        let views = |n: i64, shown: &str| en.text("views", &[("count", n.into()), ("views", shown.into())]);
        assert_eq!(views(1, "1"), "1 view");
        assert_eq!(views(208, "208"), "208 views");
        assert_eq!(views(0, "0"), "0 views");
        let found = |n: i64| en.text("search-summary", &[("count", ArgValue::Number(n))]);
        assert_eq!(found(1), "1 article found");
        assert_eq!(found(12_345), "12,345 articles found");
        let zh = locales.get("zh").ok_or("no zh")?;
        assert_eq!(zh.text("views", &[("count", 1.into()), ("views", "1".into())]), "1 次阅读");
        assert_eq!(zh.text("search-summary", &[("count", 12_345.into())]), "找到 12,345 篇文章");
        // No Unicode isolation marks around placeables.
        let title = zh.text("list-title-page", &[("title", "国际".into()), ("page", 2.into())]);
        assert_eq!(title, "国际（第 2 页）");
        Ok(())
    }

    #[test]
    fn missing_keys_fall_back_to_english_then_to_the_key() -> TestResult {
        let dir = tempfile::tempdir()?;
        write(dir.path(), "fr.ftl", "locale-tag = fr\nlocale-name = Français\nnav-search = Rechercher\n")?;
        let locales = Locales::load(Some(dir.path()))?;
        let fr = locales.get("fr").ok_or("no fr")?;
        assert_eq!(fr.text("nav-search", &[]), "Rechercher");
        assert_eq!(fr.text("latest-heading", &[]), "Latest");
        assert_eq!(fr.text("no-such-key", &[]), "no-such-key");
        assert_eq!(locales.english().text("no-such-key", &[]), "no-such-key");
        Ok(())
    }

    #[test]
    fn an_operator_file_adds_a_language() -> TestResult {
        let dir = tempfile::tempdir()?;
        write(
            dir.path(),
            "pt-br.ftl",
            "locale-tag = pt-BR\nlocale-name = Português\nnumber-group-separator = .\n\
             date-pattern = %d/%m/%Y\nyear = { NUMBER($y, useGrouping: \"false\") }\nviews = { $count ->\n    [one] { $count } visualização\n   *[other] { $count } visualizações\n}\n",
        )?;
        write(dir.path(), "README.txt", "not a locale file")?;
        let locales = Locales::load(Some(dir.path()))?;
        assert_eq!(locales.codes(), ["en", "pt-br", "zh"]);
        let pt = locales.get("pt-br").ok_or("no pt-br")?;
        assert_eq!((pt.tag(), pt.name(), pt.date_pattern()), ("pt-BR", "Português", Some("%d/%m/%Y")));
        assert_eq!(pt.group_digits(1_234_567), "1.234.567");
        assert_eq!(pt.text("views", &[("count", 1.into())]), "1 visualização");
        assert_eq!(pt.text("views", &[("count", 2_500.into())]), "2.500 visualizações");
        assert_eq!(pt.text("article-tags", &[]), "Tags", "English fills in what the file lacks");
        assert_eq!(pt.text("year", &[("y", 2025.into())]), "2025", "NUMBER() can turn grouping off");
        Ok(())
    }

    #[test]
    fn an_operator_file_named_like_a_built_in_one_changes_only_its_own_messages() -> TestResult {
        let dir = tempfile::tempdir()?;
        write(dir.path(), "zh.ftl", "latest-heading = 最新消息\n")?;
        write(dir.path(), "en.ftl", "latest-heading = Just in\n")?;
        let locales = Locales::load(Some(dir.path()))?;
        let zh = locales.get("zh").ok_or("no zh")?;
        assert_eq!(zh.text("latest-heading", &[]), "最新消息");
        assert_eq!((zh.text("article-tags", &[]).as_str(), zh.tag()), ("标签", "zh-Hans"));
        assert_eq!(locales.english().text("latest-heading", &[]), "Just in");
        assert_eq!(locales.english().text("article-tags", &[]), "Tags");
        Ok(())
    }

    #[test]
    fn a_missing_directory_is_no_error() -> TestResult {
        let dir = tempfile::tempdir()?;
        assert_eq!(Locales::load(Some(&dir.path().join("absent")))?.codes(), ["en", "zh"]);
        Ok(())
    }

    #[test]
    fn bad_files_are_errors_that_name_them() -> TestResult {
        let cases = [
            ("French.ftl", "nav-search = Rechercher\n", "French.ftl"),
            ("fr_FR.ftl", "nav-search = Rechercher\n", "fr_FR.ftl"),
            ("de.ftl", "nav-search = Suche\nbroken line without equals\n", "de.ftl, line 2"),
            ("it.ftl", "a = 1\nb = { $n ->\n    [one] x\n}\n", "it.ftl, line"),
            ("es.ftl", "nav-search = Buscar\nnav-search = Otra vez\n", "`nav-search` is defined more than once"),
            ("ja.ftl", "date-pattern = %Y年%Q\n", "not a valid strftime pattern"),
            ("ko.ftl", "locale-tag = not a tag!\n", "not a BCP 47 language tag"),
        ];
        for (name, text, expected) in cases {
            let dir = tempfile::tempdir()?;
            write(dir.path(), name, text)?;
            let error = match Locales::load(Some(dir.path())) {
                Ok(_) => return Err(format!("{name} loaded").into()),
                Err(error) => error.to_string(),
            };
            assert!(error.contains(name), "{name}: {error}");
            assert!(error.contains(expected), "{name}: {error}");
        }
        Ok(())
    }

    #[test]
    fn locales_are_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Locales>();
        shared::<Locale>();
    }

    #[test]
    fn t_follows_the_locale_inside_imported_macros() -> TestResult {
        let mut env = Environment::new();
        register(&mut env, Arc::new(Locales::load(None)?));
        env.add_template("macros.html", r#"{% macro inner() %}{{ t("latest-heading") }}{% endmacro %}{% macro outer(xs) %}{% for x in xs %}[{{ inner() }}]{% endfor %}{% endmacro %}"#)?;
        env.add_template(
            "base.html",
            r#"{% import "macros.html" as m %}{{ m.outer([1]) }}{% block content %}{% endblock %}"#,
        )?;
        env.add_template(
            "page.html",
            r#"{% extends "base.html" %}{% import "macros.html" as m %}{% block content %}|{{ t("latest-heading") }}|{{ m.outer([1, 2]) }}|{% include "part.html" %}{% endblock %}"#,
        )?;
        env.add_template("part.html", r#"{% from "macros.html" import inner %}{{ inner() }}"#)?;
        let page = env.get_template("page.html")?;
        assert_eq!(page.render(context! { locale => "zh" })?, "[最新]|最新|[最新][最新]|最新");
        assert_eq!(page.render(context! { locale => "en" })?, "[Latest]|Latest|[Latest][Latest]|Latest");
        assert_eq!(page.render(context! {})?, "[Latest]|Latest|[Latest][Latest]|Latest");
        assert_eq!(page.render(context! { locale => "xx" })?, "[Latest]|Latest|[Latest][Latest]|Latest");
        Ok(())
    }

    #[test]
    fn t_takes_numbers_and_text_and_its_result_is_escaped() -> TestResult {
        let mut env = html_env();
        register(&mut env, Arc::new(Locales::load(None)?));
        env.add_template(
            "t.html",
            r#"{{ t("views", count=n, views=shown) }}|{{ t("pagination-status", page=1, total=1200) }}|{{ t("search-hint") }}|{{ t("search-only-author", author=who) }}"#,
        )?;
        let template = env.get_template("t.html")?;
        let en = template.render(context! { n => 1, shown => "1", who => "<b>Al</b>" })?;
        assert_eq!(
            en,
            "1 view|Page 1 of 1,200|Put &quot;quotation marks&quot; around a phrase; put a minus sign before a word \
             to leave it out, as in -football.|Only articles by &lt;b&gt;Al&lt;/b&gt;."
        );
        let zh = template.render(context! { locale => "zh", n => 208, shown => "208", who => "王五" })?;
        assert!(zh.starts_with("208 次阅读|第 1 页，共 1,200 页|"), "{zh}");
        assert!(zh.ends_with("仅显示作者“王五”的文章。"), "{zh}");
        Ok(())
    }

    /// A context with every variable the public templates read.
    fn sample(locale: &str) -> Value {
        let time = context! { iso => "2025-12-02T23:21:00+00:00", display => "Dec. 2, 2025, 11:21 p.m." };
        let authors = vec![
            context! { name => "Ann Lee", url => "/author/ann" },
            context! { name => "Bo Chen", url => "/author/bo" },
            context! { name => "Cy Diaz", url => "/author/cy" },
        ];
        let section = context! { name => "World", url => "/world/" };
        let card = |views: &str, count: i64| {
            context! {
                headline => "Talks resume", url => "/world/talks", standfirst => "Both sides return.",
                section => section.clone(), authors => authors.clone(), published => time.clone(),
                views => views, view_count => count, image => (),
            }
        };
        let pagination = context! {
            page => 2, total_pages => 3, prev_url => "/world/", next_url => "/world/?page=3",
            prev_label => "Newer", next_label => "Older",
        };
        // The article page gets its count and its Latest block made (both are filled into kept pages): made
        // here as the site makes them.
        let views_label = Locales::load(None).ok().and_then(|all| {
            let language = all.get(locale)?;
            Some(language.text("views", &[("count", ArgValue::Number(1)), ("views", ArgValue::Text("1"))]))
        });
        let latest_block = Locales::load(None)
            .ok()
            .and_then(|all| {
                let env = theme_env(Arc::new(all));
                env.get_template("latest.html").ok()?.render(context! { locale, latest => vec![card("5", 5)] }).ok()
            })
            .unwrap_or_default();
        let latest_block = Value::from_safe_string(latest_block);
        context! {
            views_label, latest_block,
            locale, home_url => "/", search_url => "/search", year => 2025, status => 404, message => "Gone.",
            site => context! { name => "The Ledger", description => "Daily news", lang => "en", logo => () },
            nav => vec![context! { name => "World", url => "/world/", current => true }],
            editions => vec![
                context! { name => "English", lang => "en", url => "/", current => locale == "en" },
                context! { name => "中文", lang => "zh-Hans", url => "/zh/", current => locale == "zh" },
            ],
            page => context! {
                title => "Talks resume | The Ledger", description => "d", canonical => "https://x/", og_type => "website",
                feeds => Vec::<Value>::new(), image => (), json_ld => (),
                alternates => vec![
                    context! { hreflang => "en", url => "https://x/" },
                    context! { hreflang => "zh-Hans", url => "https://x/zh/" },
                    context! { hreflang => "x-default", url => "https://x/" },
                ],
            },
            article => context! {
                section => section.clone(), headline => "Talks resume", standfirst => "s", authors => authors.clone(),
                published => time.clone(), updated => time.clone(), views => "1", view_count => 1, image => (),
                correction => "An earlier version erred.", body_html => "<p>Body</p>",
                tags => vec![context! { name => "Diplomacy", url => "/tag/diplomacy" }],
            },
            recommend => vec![card("5", 5)], latest => vec![card("5", 5)], top => card("5", 5),
            most_read => vec![card("1", 1), card("12,345", 12_345)],
            sections => vec![context! { name => "World", url => "/world/", description => "", articles => vec![card("5", 5)] }],
            list => context! { kind => "tag", title => "Diplomacy", description => "", avatar => () },
            articles => vec![card("5", 5)], pagination,
            search => context! {
                q => "talks", searched => true, filtered => true, summary => "1 article found", corrected => "talk",
                corrected_url => "/search?q=talk", ready => false, sections => vec![context! { value => "world", name => "World", selected => true }],
                author => context! { value => "ann", name => "Ann Lee" }, without_author_url => "/search?q=talks",
                from => "", to => "", newest => false,
            },
            results => vec![context! { card => card("5", 5), snippet => "<b>talks</b>" }],
        }
    }

    const PAGES: [&str; 6] = ["article.html", "latest.html", "home.html", "list.html", "search.html", "not_found.html"];

    #[test]
    fn the_public_templates_render_in_english_as_before() -> TestResult {
        let env = theme_env(Arc::new(Locales::load(None)?));
        let mut all = String::new();
        for name in PAGES {
            all.push_str(&env.get_template(name)?.render(sample("en"))?);
        }
        for expected in [
            "Skip to content",
            r#"<a href="/search">Search</a>"#,
            r#"By <a href="/author/ann">Ann Lee</a>, <a href="/author/bo">Bo Chen</a> and <a href="/author/cy">Cy Diaz</a>"#,
            "<span>1 view</span>",
            r#"<span class="views">12,345 views</span>"#,
            r#"<span class="views">1 view</span>"#,
            "Page 2 of 3",
            "Updated <time",
            ">Correction</h2>",
            "Most read",
            "Error 404",
            "Showing results for <a href=\"/search?q=talk\">talk</a>.",
            r#"<link rel="alternate" hreflang="x-default" href="https://x/">"#,
            r#"<nav class="language-switcher" aria-label="Language">"#,
            r#"<a href="/" hreflang="en" lang="en" aria-current="page">English</a>"#,
            r#"<a href="/zh/" hreflang="zh-Hans" lang="zh-Hans">中文</a>"#,
        ] {
            assert!(all.contains(expected), "missing {expected:?}");
        }
        Ok(())
    }

    #[test]
    fn the_public_templates_render_in_chinese_with_no_english_left() -> TestResult {
        let env = theme_env(Arc::new(Locales::load(None)?));
        for name in PAGES {
            let html = env.get_template(name)?.render(sample("zh"))?;
            // Drop what the sample data itself puts in English, then look for interface words.
            let html = html
                .replace("Newer", "")
                .replace("Older", "")
                .replace("1 article found", "")
                .replace("The Ledger", "")
                .replace("Talks resume", "");
            for english in [
                "Skip",
                ">Search<",
                "Sections",
                "Footer",
                "Latest",
                "Most read",
                "Top story",
                " view",
                "By ",
                "Page ",
                "Pagination",
                "Updated",
                "Correction",
                "Tags",
                "Recommend",
                "Error",
                "front page",
                "Words to find",
                "Filters",
                "Nothing published",
                "No articles",
                "Showing results",
                "Language",
            ] {
                assert!(!html.contains(english), "{name} still says {english:?}");
            }
        }
        let article = env.get_template("article.html")?.render(sample("zh"))?;
        assert!(article.contains("作者：<a href=\"/author/ann\">Ann Lee</a>、<a href=\"/author/bo\">Bo Chen</a>和<a"));
        assert!(article.contains("<span>1 次阅读</span>") && article.contains("更新于 <time"));
        let home = env.get_template("home.html")?.render(sample("zh"))?;
        assert!(home.contains(r#"<span class="views">12,345 次阅读</span>"#));
        let list = env.get_template("list.html")?.render(sample("zh"))?;
        assert!(list.contains("第 2 页，共 3 页") && list.contains(r#"aria-current="page">中文</a>"#));
        Ok(())
    }
}
