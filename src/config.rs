//! Typed settings, layered: built-in defaults < `newsroom.toml` < `NEWSROOM_*` environment < command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::store::DatabaseUrl;

/// The address `cargo run --release` serves on when nothing else is configured.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// The data directory used when nothing else is configured.
pub const DEFAULT_DATA_DIR: &str = "newsroom-data";
/// The page cache's default size. Pages stay at most 4 seconds, so this holds the pages read in any 4 seconds
/// (about 1,200 article pages); a miss on an article costs one kept row. On 100,000 articles read at random,
/// 256 MB took the server to 300 MB resident and served no faster than 32 (125 MB; `docs/benchmarks.md`).
pub const DEFAULT_CACHE_MB: u64 = 32;
/// Who may read `/metrics` unless configured: the node itself.
pub const DEFAULT_METRICS_FROM: &str = "127.0.0.1, ::1";
/// The optional configuration file read from the working directory.
pub const CONFIG_FILE: &str = "newsroom.toml";

/// How views reach the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CountingMode {
    /// The server counts article pages as it serves them.
    #[default]
    Server,
    /// Pages carry a small script that reports the view to `/views/{id}`: for sites behind a CDN, where the
    /// server never sees most page requests.
    Beacon,
}

/// Whether feeds carry whole articles or only their standfirsts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FeedContent {
    /// The full body.
    #[default]
    Full,
    /// The standfirst only; readers follow the link for the rest.
    Summary,
}

/// Everything a running newsroom needs to know, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen; port 0 picks a free port (tests use that).
    pub addr: SocketAddr,
    /// Holds the SQLite database (unless `database_url` names another), the media directory and this
    /// node's search index.
    pub data_dir: PathBuf,
    /// A PostgreSQL database (`postgres://…`) to use instead of the SQLite file in the data directory. Its
    /// password never shows in `Debug` or messages (see [`DatabaseUrl`]).
    pub database_url: Option<DatabaseUrl>,
    /// Where uploaded and generated media live when not in the data directory: a directory every node of a
    /// cluster shares (NFS, or a mounted object store).
    pub media_dir: Option<PathBuf>,
    /// Fill an empty database with the demo site at start.
    pub demo: bool,
    /// Templates and assets here override the embedded default theme, file by file.
    pub theme_dir: Option<PathBuf>,
    /// The site's time zone when the operator fixes it here; otherwise the back office sets it (default UTC).
    pub timezone: Option<Tz>,
    /// The site's public address when the operator fixes it here; otherwise the back office sets it (default
    /// `http://{addr}`).
    pub base_url: Option<String>,
    /// Whether the server counts views itself or pages report them with a beacon (behind a CDN).
    pub views: CountingMode,
    /// Proxies whose `X-Forwarded-For` is believed when finding a reader's address.
    pub trusted_proxies: Vec<IpNet>,
    /// Addresses allowed to read `/metrics` (the node itself by default).
    pub metrics_from: Vec<IpNet>,
    /// Memory the page cache may use, in bytes.
    pub cache_bytes: u64,
    /// Whether feeds carry full articles or summaries.
    pub feed_content: FeedContent,
}

/// Settings as written in files and the environment, before validation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RawConfig {
    /// Listen address, such as `127.0.0.1:8080`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    /// Data directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<PathBuf>,
    /// Database URL: `postgres://user@host:port/name`, or `sqlite:PATH`; the data directory's SQLite file
    /// when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<DatabaseUrl>,
    /// Media directory shared by several nodes; `{data}/media` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_dir: Option<PathBuf>,
    /// Whether to load the demo site into an empty database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
    /// Theme directory overriding the default theme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<PathBuf>,
    /// IANA time-zone name, such as `Europe/London`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Public base URL, such as `https://news.example.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// `server` (count as pages are served) or `beacon` (pages report their views; for CDNs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub views: Option<CountingMode>,
    /// Comma-separated addresses or networks of trusted reverse proxies, such as `127.0.0.1, 10.0.0.0/8`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_proxies: Option<String>,
    /// Comma-separated addresses or networks allowed to read `/metrics`, such as `127.0.0.1, 10.0.5.0/24`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_from: Option<String>,
    /// Page cache size in megabytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_mb: Option<u64>,
    /// `full` (whole articles in feeds) or `summary` (standfirsts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_content: Option<FeedContent>,
}

/// Why the settings could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file or environment variable could not be read or parsed.
    #[error("reading settings: {0}")]
    Source(#[from] Box<figment::Error>),
    /// The listen address is not `host:port`.
    #[error("invalid address {value:?}: expected host:port such as 127.0.0.1:8080")]
    Addr {
        /// What was given.
        value: String,
    },
    /// The time zone is not a known IANA name.
    #[error("unknown time zone {value:?}: expected an IANA name such as UTC or Europe/London")]
    Timezone {
        /// What was given.
        value: String,
    },
    /// A trusted proxy is neither an address nor a network.
    #[error("invalid trusted proxy {value:?}: expected an address such as 10.0.0.2 or a network such as 10.0.0.0/8")]
    Proxy {
        /// What was given.
        value: String,
    },
    /// The base URL is not http:// or https:// and a host.
    #[error(
        "invalid base URL {value:?}: expected http:// or https:// followed by a host, such as https://news.example.com"
    )]
    BaseUrl {
        /// What was given.
        value: String,
    },
}

impl RawConfig {
    /// Reads `newsroom.toml` (from `file`, or the working directory when absent) and `NEWSROOM_*` variables,
    /// then lays `overrides` (command-line flags) on top.
    pub fn load(file: Option<&Path>, overrides: &RawConfig) -> Result<RawConfig, ConfigError> {
        let file = file.map_or_else(|| PathBuf::from(CONFIG_FILE), Path::to_path_buf);
        Figment::new()
            .merge(Toml::file(file))
            .merge(Env::prefixed("NEWSROOM_"))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| ConfigError::Source(Box::new(e)))
    }

    /// Checks every value and fills in defaults.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let addr_text = self.addr.unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr: SocketAddr = addr_text.parse().map_err(|_| ConfigError::Addr { value: addr_text.clone() })?;
        let timezone = match self.timezone {
            Some(name) => Some(name.parse::<Tz>().map_err(|_| ConfigError::Timezone { value: name.clone() })?),
            None => None,
        };
        let base_url = match self.base_url {
            Some(url) => Some(normalise_base_url(&url).map_err(|_| ConfigError::BaseUrl { value: url.clone() })?),
            None => None,
        };
        let trusted_proxies = parse_proxies(self.trusted_proxies.as_deref().unwrap_or(""))?;
        let metrics_from = parse_proxies(self.metrics_from.as_deref().unwrap_or(DEFAULT_METRICS_FROM))?;
        Ok(Config {
            addr,
            data_dir: self.data.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR)),
            database_url: self.database_url.filter(|url| !url.is_blank()),
            media_dir: self.media_dir,
            demo: self.demo.unwrap_or(true),
            theme_dir: self.theme,
            timezone,
            base_url,
            views: self.views.unwrap_or_default(),
            trusted_proxies,
            metrics_from,
            cache_bytes: self.cache_mb.unwrap_or(DEFAULT_CACHE_MB).saturating_mul(1024 * 1024),
            feed_content: self.feed_content.unwrap_or_default(),
        })
    }
}

impl Config {
    /// Settings for a data directory with every other value at its default: for tests and tools.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            database_url: None,
            media_dir: None,
            demo: false,
            theme_dir: None,
            timezone: None,
            base_url: None,
            views: CountingMode::Server,
            trusted_proxies: Vec::new(),
            metrics_from: parse_proxies(DEFAULT_METRICS_FROM).unwrap_or_default(),
            cache_bytes: DEFAULT_CACHE_MB * 1024 * 1024,
            feed_content: FeedContent::Full,
        }
    }

    /// The public address when neither the configuration nor the back office sets one: the listen address.
    pub fn default_base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The SQLite database file inside the data directory.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("newsroom.db")
    }

    /// Opens the configured database: `database_url` when set, else the data directory's SQLite file.
    pub async fn open_store(&self) -> Result<crate::store::Store, crate::store::StoreError> {
        match &self.database_url {
            Some(url) => crate::store::Store::open_url(url.expose()).await,
            None => crate::store::Store::open_sqlite(&self.database_path()).await,
        }
    }

    /// The database for messages: its URL without a password, or the SQLite file's path.
    pub fn database_label(&self) -> String {
        match &self.database_url {
            Some(url) => url.to_string(),
            None => self.database_path().display().to_string(),
        }
    }

    /// This node's search index (a cache of the database, rebuilt when missing).
    pub fn search_dir(&self) -> PathBuf {
        self.data_dir.join("search")
    }

    /// Translation files an operator adds (`{code}.ftl`), beside or instead of the built-in ones.
    pub fn locales_dir(&self) -> PathBuf {
        self.data_dir.join("locales")
    }

    /// The directory uploaded and generated media live in.
    pub fn media_dir(&self) -> PathBuf {
        self.media_dir.clone().unwrap_or_else(|| self.data_dir.join("media"))
    }
}

fn parse_proxies(list: &str) -> Result<Vec<IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| ConfigError::Proxy { value: item.to_owned() })
        })
        .collect()
}

/// Checks a base URL (`http://` or `https://` and a host) and drops a trailing slash.
pub fn normalise_base_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let host = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
    match host {
        Some(host)
            if !host.is_empty() && !host.contains(|c: char| c.is_whitespace() || c == '/' || c == '?' || c == '#') =>
        {
            Ok(trimmed.to_owned())
        }
        _ => Err(format!(
            "{url:?} is not a site address: write http:// or https:// and the host, such as https://news.example.com"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_on_8080_in_utc() -> Result<(), ConfigError> {
        let config = RawConfig::default().validate()?;
        assert_eq!(config.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(config.timezone, None, "the back office chooses");
        assert_eq!(config.default_base_url(), "http://127.0.0.1:8080");
        assert!(config.demo);
        Ok(())
    }

    #[test]
    fn rejects_unknown_time_zone_and_bad_urls() {
        let bad_tz = RawConfig { timezone: Some("Mars/Olympus".into()), ..RawConfig::default() };
        assert!(matches!(bad_tz.validate(), Err(ConfigError::Timezone { .. })));
        let bad_url = RawConfig { base_url: Some("ftp://x".into()), ..RawConfig::default() };
        assert!(matches!(bad_url.validate(), Err(ConfigError::BaseUrl { .. })));
        let bad_addr = RawConfig { addr: Some("localhost".into()), ..RawConfig::default() };
        assert!(matches!(bad_addr.validate(), Err(ConfigError::Addr { .. })));
    }

    #[test]
    fn trusted_proxies_take_addresses_and_networks() -> Result<(), ConfigError> {
        let raw = RawConfig { trusted_proxies: Some("127.0.0.1, 10.0.0.0/8".into()), ..RawConfig::default() };
        let proxies = raw.validate()?.trusted_proxies;
        assert_eq!(proxies.len(), 2);
        assert!(proxies[1].contains(&std::net::IpAddr::from([10, 1, 2, 3])));
        let bad = RawConfig { trusted_proxies: Some("10.0.0.0/99".into()), ..RawConfig::default() };
        assert!(matches!(bad.validate(), Err(ConfigError::Proxy { .. })));
        Ok(())
    }

    #[test]
    fn base_url_loses_its_trailing_slash() -> Result<(), ConfigError> {
        let raw = RawConfig { base_url: Some("https://news.example.com/".into()), ..RawConfig::default() };
        assert_eq!(raw.validate()?.base_url.as_deref(), Some("https://news.example.com"));
        Ok(())
    }

    #[test]
    fn base_urls_need_a_scheme_and_a_bare_host() {
        assert_eq!(normalise_base_url("https://news.example.com/").ok().as_deref(), Some("https://news.example.com"));
        assert_eq!(normalise_base_url("http://127.0.0.1:8080").ok().as_deref(), Some("http://127.0.0.1:8080"));
        for bad in
            ["news.example.com", "ftp://x", "https://", "https://a b", "https://x.com/path", "javascript:alert(1)"]
        {
            assert!(normalise_base_url(bad).is_err(), "{bad:?} is refused");
        }
    }
}
