//! The theme: templates and static assets. The default theme is embedded in the binary; a theme directory
//! (`--theme DIR`, holding `templates/` and `assets/`) overrides it file by file, read at start.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use minijinja::{AutoEscape, Environment, ErrorKind, Output, State, Value};
use rust_embed::RustEmbed;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "themes/default/templates/"]
struct DefaultTemplates;

#[derive(RustEmbed)]
#[folder = "themes/default/assets/"]
struct DefaultAssets;

/// Why the theme could not be loaded or a page rendered.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// A template has a syntax error, or rendering failed.
    #[error("template: {0:#}")]
    Template(#[from] minijinja::Error),
    /// A theme file could not be read.
    #[error("reading theme file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A static asset held in memory, addressed by a URL that changes whenever its content does.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The file's bytes.
    pub bytes: Bytes,
    /// Its MIME type.
    pub content_type: String,
}

/// Loaded templates and assets.
#[derive(Debug)]
pub struct Theme {
    env: Environment<'static>,
    assets: HashMap<String, Asset>,
    urls: Arc<HashMap<String, String>>,
    fingerprint: String,
}

impl Theme {
    /// Loads the default theme, overridden by `dir` where it has a file, and compiles every template so
    /// that a broken override stops the start with a clear message instead of failing a reader's request.
    pub fn load(dir: Option<&Path>, locales: Arc<crate::i18n::Locales>) -> Result<Theme, ThemeError> {
        let AssetSet { assets, urls } = load_assets(dir)?;
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        // The back office (in English) groups the digits of its figures: `{{ views|digits }}`.
        let english = Arc::clone(&locales);
        env.add_filter("digits", move |number: i64| english.english().group_digits(number));
        crate::i18n::register(&mut env, locales);
        let template_dir = dir.map(|d| d.join("templates"));
        env.set_loader(move |name| load_template(template_dir.as_deref(), name));
        let urls = Arc::new(urls);
        let lookup = Arc::clone(&urls);
        env.add_function("asset", move |name: &str| {
            lookup
                .get(name)
                .cloned()
                .ok_or_else(|| minijinja::Error::new(ErrorKind::InvalidOperation, format!("no asset named {name:?}")))
        });
        // The back office shows statuses in words: `status_names[article.status]`.
        let status_names: HashMap<&str, &str> =
            crate::content::ArticleStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect();
        env.add_global("status_names", Value::from_serialize(status_names));
        // What the theme renders public pages from, hashed: templates as loaded (the directory's over the
        // defaults) and the assets' fingerprinted addresses, in name order. The back office's own (`admin…`)
        // are left out: a change to the editor renders no kept page again.
        let public = |name: &str| !name.starts_with("admin");
        let mut hasher = Sha256::new();
        let mut names: Vec<_> = DefaultTemplates::iter().filter(|name| public(name)).collect();
        names.sort();
        for name in &names {
            let source = env.get_template(name)?.source().to_owned();
            hasher.update(format!("{name}\0{}\0{source}\0", source.len()));
        }
        let mut addresses: Vec<_> = urls.iter().filter(|(name, _)| public(name)).collect();
        addresses.sort();
        for (name, url) in addresses {
            hasher.update(format!("{name}\0{url}\0"));
        }
        let fingerprint = hex::encode(hasher.finalize());
        Ok(Theme { env, assets, urls, fingerprint })
    }

    /// Renders the template `name` with `context`.
    pub fn render(&self, name: &str, context: impl Serialize) -> Result<String, ThemeError> {
        Ok(self.env.get_template(name)?.render(context)?)
    }

    /// A hash of the public site's templates and assets: pages made with another theme have another.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The fingerprinted URL of the asset `name` (such as `logo.svg`), if the theme has it.
    pub fn asset_url(&self, name: &str) -> Option<&str> {
        self.urls.get(name).map(String::as_str)
    }

    /// The asset served at `/assets/{file}`, where `file` is a fingerprinted name.
    pub fn asset(&self, file: &str) -> Option<&Asset> {
        self.assets.get(file)
    }
}

/// Escapes like minijinja's default but leaves `/` alone: `&#x2f;` in every URL is valid yet makes pages
/// larger and harder to read, and `/` cannot end an attribute or start a tag on its own.
fn html_formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    if state.auto_escape() != AutoEscape::Html || value.is_safe() {
        return minijinja::escape_formatter(out, state, value);
    }
    // Strings (nearly every value) are escaped where they are, without a formatted copy.
    let formatted;
    let mut rest = match value.as_str() {
        Some(text) => text,
        None if value.is_undefined() => "",
        None => {
            formatted = value.to_string();
            formatted.as_str()
        }
    };
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)?;
    Ok(())
}

fn load_template(dir: Option<&Path>, name: &str) -> Result<Option<String>, minijinja::Error> {
    // Template names come from our own templates, but refuse anything that could step out of the directory.
    if !Path::new(name).components().all(|c| matches!(c, Component::Normal(_))) {
        return Ok(None);
    }
    if let Some(path) = dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
        return std::fs::read_to_string(&path).map(Some).map_err(|e| {
            minijinja::Error::new(ErrorKind::TemplateNotFound, format!("reading {}: {e}", path.display()))
        });
    }
    Ok(DefaultTemplates::get(name).and_then(|file| String::from_utf8(file.data.into_owned()).ok()))
}

/// Every asset of a theme.
struct AssetSet {
    /// Keyed by fingerprinted file name, as requested under `/assets/`.
    assets: HashMap<String, Asset>,
    /// Plain name to URL, for the `asset()` template function.
    urls: HashMap<String, String>,
}

/// Reads every asset: the defaults, then the theme directory's.
fn load_assets(dir: Option<&Path>) -> Result<AssetSet, ThemeError> {
    let mut files: HashMap<String, Bytes> = DefaultAssets::iter()
        .filter_map(|name| DefaultAssets::get(&name).map(|f| (name.into_owned(), Bytes::from(f.data.into_owned()))))
        .collect();
    if let Some(asset_dir) = dir.map(|d| d.join("assets")).filter(|d| d.is_dir()) {
        let entries =
            std::fs::read_dir(&asset_dir).map_err(|source| ThemeError::Io { path: asset_dir.clone(), source })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if let (true, Some(name)) = (path.is_file(), path.file_name().and_then(|n| n.to_str())) {
                let bytes = std::fs::read(&path).map_err(|source| ThemeError::Io { path: path.clone(), source })?;
                files.insert(name.to_owned(), Bytes::from(bytes));
            }
        }
    }
    let mut assets = HashMap::new();
    let mut urls = HashMap::new();
    for (name, bytes) in files {
        let fingerprinted = fingerprint(&name, &bytes);
        urls.insert(name.clone(), format!("/assets/{fingerprinted}"));
        let content_type = mime_guess::from_path(&name).first_or_octet_stream().to_string();
        assets.insert(fingerprinted, Asset { bytes, content_type });
    }
    Ok(AssetSet { assets, urls })
}

/// `style.css` with content hash `3fa9…` becomes `style.3fa9c1d2e4b5.css`.
fn fingerprint(name: &str, bytes: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(bytes));
    let hash = &digest[..12];
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{name}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_keeps_extension_and_changes_with_content() {
        let a = fingerprint("style.css", b"body{}");
        let b = fingerprint("style.css", b"body{color:red}");
        assert!(a.starts_with("style.") && a.ends_with(".css"));
        assert_ne!(a, b);
    }

    #[test]
    fn theme_directory_overrides_one_template_and_keeps_the_rest() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("templates"))?;
        std::fs::write(dir.path().join("templates/not_found.html"), "custom 404: {{ message }}")?;
        let theme = Theme::load(Some(dir.path()), Arc::new(crate::i18n::Locales::load(None)?))?;
        assert_eq!(theme.render("not_found.html", minijinja::context! { message => "gone" })?, "custom 404: gone");
        assert!(theme.env.get_template("article.html").is_ok());
        Ok(())
    }

    #[test]
    fn escapes_markup_but_not_slashes() -> Result<(), minijinja::Error> {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        env.add_template("t.html", "{{ v }}|{{ v|safe }}")?;
        let out = env.get_template("t.html")?.render(minijinja::context! { v => "/a?x=1&y=<b>\"'" })?;
        assert_eq!(out, "/a?x=1&amp;y=&lt;b&gt;&quot;&#39;|/a?x=1&y=<b>\"'");
        Ok(())
    }

    #[test]
    fn template_names_cannot_escape_the_theme_directory() -> Result<(), minijinja::Error> {
        assert_eq!(load_template(Some(Path::new("/tmp")), "../etc/passwd")?, None);
        Ok(())
    }
}
