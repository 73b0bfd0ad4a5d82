//! The test harness: starts the real application on port 0 with a temporary data directory and speaks HTTP
//! to it. Content is written through the same store the server reads.

use chrono::{DateTime, Duration, Utc};
use newsroom::content::{ArticleInput, ArticleStatus, AuthorInput, LeadImage, SectionInput, Slug};
use newsroom::site::SiteState;
use newsroom::store::Batch;
use newsroom::{App, Config};
use reqwest::StatusCode;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A running site and a client for it.
pub struct TestSite {
    pub base: String,
    pub client: reqwest::Client,
    pub state: SiteState,
    /// An administrator's API token, made on first use by the helpers that read the site as an API client does.
    pub auditor_token: tokio::sync::OnceCell<String>,
    dir: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// A response's status, body and headers.
pub struct Page {
    pub status: StatusCode,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl TestSite {
    /// A site with three sections and three authors and no articles.
    pub async fn start() -> Result<TestSite, Box<dyn std::error::Error + Send + Sync>> {
        Self::start_with(|_| {}).await
    }

    /// Like [`TestSite::start`], with settings changed by `adjust` first.
    pub async fn start_with(
        adjust: impl FnOnce(&mut Config),
    ) -> Result<TestSite, Box<dyn std::error::Error + Send + Sync>> {
        let dir = tempfile::tempdir()?;
        let mut site = Self::start_in(dir.path(), adjust).await?;
        // The configuration the test started the site with.
        if !site.state.config.demo {
            site.add_fixture_taxonomy().await?;
        }
        site.dir = Some(dir);
        Ok(site)
    }

    /// Starts on an existing data directory (for restarts), adding nothing.
    pub async fn start_in(
        data_dir: &std::path::Path,
        adjust: impl FnOnce(&mut Config),
    ) -> Result<TestSite, Box<dyn std::error::Error + Send + Sync>> {
        let mut config = test_config(data_dir).await?;
        adjust(&mut config);
        let app = App::build(config).await?;
        let base = format!("http://{}", app.local_addr()?);
        let state = app.site_state().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(app.serve(async {
            stopped.await.ok();
        }));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
        Ok(TestSite {
            base,
            client,
            state,
            auditor_token: tokio::sync::OnceCell::new(),
            dir: None,
            stop: Some(stop),
            served: Some(served),
        })
    }

    /// Stops the server the way SIGTERM does and waits until it has finished; returns the data directory.
    pub async fn stop(mut self) -> Result<Option<TempDir>, Box<dyn std::error::Error + Send + Sync>> {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        if let Some(served) = self.served.take() {
            served.await??;
        }
        Ok(self.dir.take())
    }

    /// GETs `path` as a reader at `ip` with `user_agent` (the site must trust 127.0.0.1 as a proxy).
    pub async fn read_as(&self, path: &str, ip: &str, user_agent: &str) -> Result<Page, reqwest::Error> {
        self.send_as(reqwest::Method::GET, path, ip, user_agent).await
    }

    /// Sends `method` to `path` as a reader at `ip` with `user_agent`.
    pub async fn send_as(
        &self,
        method: reqwest::Method,
        path: &str,
        ip: &str,
        user_agent: &str,
    ) -> Result<Page, reqwest::Error> {
        let response = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-forwarded-for", ip)
            .header("user-agent", user_agent)
            .send()
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await?;
        Ok(Page { status, body, headers })
    }

    /// Writes collected views now and returns the stored total of the article at `path`, as the API lists it.
    pub async fn stored_views(&self, path: &str) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
        // Views are written on a timer no client can hurry: write them now instead of sleeping.
        self.state.views.flush(&self.state.store).await?;
        let article = self.api_listed(path).await?.ok_or("an article")?;
        article["view_count"].as_i64().ok_or_else(|| format!("no view count in {article}").into())
    }

    async fn add_fixture_taxonomy(&self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let section = |slug: &str, name: &str, position| -> Result<SectionInput, newsroom::content::SlugError> {
            Ok(SectionInput {
                slug: Slug::parse(slug)?,
                name: name.into(),
                description: format!("All about {name}."),
                position,
            })
        };
        let author = |slug: &str, name: &str| -> Result<AuthorInput, newsroom::content::SlugError> {
            Ok(AuthorInput {
                slug: Slug::parse(slug)?,
                name: name.into(),
                bio: format!("{name} writes here."),
                avatar: None,
            })
        };
        let batch = Batch {
            settings: vec![("site.name".into(), "Test Ledger".into()), ("site.description".into(), "Tests.".into())],
            sections: vec![
                section("opinion", "Columns and Opinions", 0)?,
                section("world", "World", 1)?,
                section("sport", "Sport", 2)?,
            ],
            authors: vec![
                author("ann-author", "Ann Author")?,
                author("ben-writer", "Ben Writer")?,
                author("cy-third", "Cy Third")?,
            ],
            articles: vec![],
        };
        // Fixture: written behind the server's back, as a command would; the settings are taken in now rather
        // than within the second the server takes to notice.
        self.state.store.apply(&batch).await?;
        self.state.reload_settings().await?;
        Ok(())
    }

    /// GETs `path` (which may carry a query string).
    pub async fn get(&self, path: &str) -> Result<Page, reqwest::Error> {
        let response = self.client.get(format!("{}{path}", self.base)).send().await?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await?;
        Ok(Page { status, body, headers })
    }

    /// The value of `name` (without the `newsroom_` prefix) in `/metrics`, as an operator's scraper reads it.
    pub async fn metric(&self, name: &str) -> Result<f64, Box<dyn std::error::Error + Send + Sync>> {
        let page = self.get("/metrics").await?;
        let line = format!("newsroom_{name} ");
        let value = page.body.lines().find_map(|l| l.strip_prefix(&line)).ok_or(format!("no {name} in /metrics"))?;
        Ok(value.trim().parse()?)
    }

    /// Starts describing an article in `section` with `slug`, published an hour ago, by Ann Author.
    pub fn article(&self, section: &str, slug: &str) -> ArticleBuilder<'_> {
        ArticleBuilder {
            site: self,
            section: section.to_owned(),
            slug: slug.to_owned(),
            headline: format!("Headline of {slug}"),
            standfirst: format!("Standfirst of {slug}."),
            body: format!("Body of {slug}.\n\nA second paragraph."),
            authors: vec!["ann-author".to_owned()],
            tags: vec![],
            image: None,
            status: ArticleStatus::Published,
            published_at: Utc::now() - Duration::hours(1),
            updated_at: None,
            views: 0,
            language: "en".to_owned(),
        }
    }

    /// Makes the site publish in `languages` (codes separated by commas, the default first).
    pub async fn set_languages(&self, languages: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let batch = Batch { settings: vec![("site.languages".into(), languages.into())], ..Batch::default() };
        // Fixture: written as a command would, and taken in at once (no account is needed for it).
        self.state.store.apply(&batch).await?;
        self.state.reload_settings().await?;
        Ok(())
    }
}

/// The variable naming a PostgreSQL server to run the suite on (`postgres://user@host:port/database`); the
/// suite runs on SQLite files when it is unset.
pub const POSTGRES_VARIABLE: &str = "NEWSROOM_TEST_POSTGRES";
/// The file in a test's data directory that names its PostgreSQL database, so that restarts find it again.
const DATABASE_FILE: &str = "test-database-url";

/// The configuration of a test site on `data_dir`. With [`POSTGRES_VARIABLE`] set, each data directory gets a
/// database of its own on that server (made at its first start), so that tests run in parallel.
pub async fn test_config(data_dir: &std::path::Path) -> Result<Config, Box<dyn std::error::Error + Send + Sync>> {
    let mut config = Config::for_data_dir(data_dir);
    let Ok(server) = std::env::var(POSTGRES_VARIABLE) else {
        return Ok(config);
    };
    let remembered = data_dir.join(DATABASE_FILE);
    let url = match std::fs::read_to_string(&remembered) {
        Ok(url) => url,
        Err(_) => {
            use sqlx::{Connection, Executor};
            let name = format!("newsroom_test_{:016x}", rand::random::<u64>());
            let mut admin = sqlx::PgConnection::connect(&server).await?;
            admin.execute(format!("CREATE DATABASE {name}").as_str()).await?;
            admin.close().await?;
            let mut url = url::Url::parse(&server)?;
            url.set_path(&name);
            std::fs::create_dir_all(data_dir)?;
            std::fs::write(&remembered, url.as_str())?;
            url.to_string()
        }
    };
    config.database_url = Some(url.into());
    Ok(config)
}

/// Makes `command` (the `newsroom` binary) use the database of the test site on `data_dir`, making one first
/// when the suite runs on PostgreSQL; nothing changes on SQLite, where the data directory says it all.
pub async fn use_test_database(
    command: &mut std::process::Command,
    data_dir: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    if let Some(url) = test_config(data_dir).await?.database_url {
        command.env("NEWSROOM_DATABASE_URL", url.expose());
    }
    Ok(())
}

/// Opens the store a test site on `data_dir` uses (while its server is stopped, as a command would).
pub async fn open_store(
    data_dir: &std::path::Path,
) -> Result<newsroom::store::Store, Box<dyn std::error::Error + Send + Sync>> {
    Ok(test_config(data_dir).await?.open_store().await?)
}

impl Drop for TestSite {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}

/// Describes an article for a test; `save` writes it.
pub struct ArticleBuilder<'a> {
    site: &'a TestSite,
    section: String,
    slug: String,
    pub headline: String,
    standfirst: String,
    body: String,
    authors: Vec<String>,
    tags: Vec<String>,
    image: Option<LeadImage>,
    status: ArticleStatus,
    published_at: DateTime<Utc>,
    updated_at: Option<DateTime<Utc>>,
    views: i64,
    language: String,
}

impl ArticleBuilder<'_> {
    pub fn language(mut self, code: &str) -> Self {
        self.language = code.to_owned();
        self
    }
    pub fn headline(mut self, text: &str) -> Self {
        self.headline = text.to_owned();
        self
    }
    pub fn standfirst(mut self, text: &str) -> Self {
        self.standfirst = text.to_owned();
        self
    }
    pub fn body(mut self, markdown: &str) -> Self {
        self.body = markdown.to_owned();
        self
    }
    pub fn authors(mut self, slugs: &[&str]) -> Self {
        self.authors = slugs.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn tags(mut self, names: &[&str]) -> Self {
        self.tags = names.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn image(mut self, path: &str, alt: &str, caption: &str, credit: &str) -> Self {
        self.image = Some(LeadImage {
            path: path.into(),
            width: 1600,
            height: 900,
            alt: alt.into(),
            caption: caption.into(),
            credit: credit.into(),
            variants: Vec::new(),
            crops: Vec::new(),
        });
        self
    }
    pub fn status(mut self, status: ArticleStatus) -> Self {
        self.status = status;
        self
    }
    pub fn published_at(mut self, at: DateTime<Utc>) -> Self {
        self.published_at = at;
        self
    }
    pub fn hours_ago(self, hours: i64) -> Self {
        self.published_at(Utc::now() - Duration::hours(hours))
    }
    pub fn updated_at(mut self, at: DateTime<Utc>) -> Self {
        self.updated_at = Some(at);
        self
    }
    pub fn views(mut self, views: i64) -> Self {
        self.views = views;
        self
    }

    /// Saves the article and returns its path.
    pub async fn save(self) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
        let path = format!("/{}/{}", self.section, self.slug);
        let input = ArticleInput {
            section: Slug::parse(&self.section)?,
            slug: Slug::parse(&self.slug)?,
            headline: self.headline,
            standfirst: self.standfirst,
            body_markdown: self.body,
            authors: self.authors.iter().map(|a| Slug::parse(a)).collect::<Result<_, _>>()?,
            tags: self.tags,
            lead_image: self.image,
            language: self.language,
            status: self.status,
            published_at: Some(self.published_at),
            updated_at: self.updated_at,
            view_count: self.views,
        };
        // Fixture: written as a command would, with past dates and view counts the API cannot set.
        self.site.state.store.save_article(&input.prepare()?).await?;
        Ok(path)
    }
}

/// Runs one statement with one value bound as `$1` on the database of the test site on `data_dir` (SQLite, or
/// the PostgreSQL database the suite runs on): to move stored times into the past instead of sleeping.
pub async fn run_sql(data_dir: &std::path::Path, statement: &str, value: i64) -> TestResult {
    use sqlx::Connection;
    let config = test_config(data_dir).await?;
    match &config.database_url {
        Some(url) => {
            let mut conn = sqlx::PgConnection::connect(url.expose()).await?;
            sqlx::query(statement).bind(value).execute(&mut conn).await?;
            conn.close().await?;
        }
        None => {
            let mut conn =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", config.database_path().display())).await?;
            sqlx::query(statement).bind(value).execute(&mut conn).await?;
            conn.close().await?;
        }
    }
    Ok(())
}

/// The hrefs from `marker` (such as `id="recommend-heading"`) to the end of the block that holds it.
pub fn links_in_block<'a>(html: &'a str, marker: &str) -> Vec<&'a str> {
    let Some(start) = html.find(marker) else { return vec![] };
    let rest = &html[start..];
    let end = ["</section>", "</aside>"].iter().filter_map(|close| rest.find(close)).min().unwrap_or(rest.len());
    hrefs(&rest[..end])
}

/// Every `href="…"` value in `html`, in order.
pub fn hrefs(html: &str) -> Vec<&str> {
    html.split("href=\"").skip(1).filter_map(|s| s.split('"').next()).collect()
}
