//! The command line: `newsroom [serve|demo] …`. Errors end here as one line of context and a non-zero exit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::app::{App, shutdown_signal};
use crate::config::CountingMode;
use crate::config::FeedContent;
use crate::config::{Config, RawConfig};
use crate::store::{DatabaseUrl, Store};

/// newsroom: a publishing platform for news and opinion sites.
///
/// With no command, serves the site (as `newsroom serve`). Settings come from, in rising priority:
/// built-in defaults, `newsroom.toml` in the working directory, `NEWSROOM_*` environment variables, flags.
#[derive(Debug, Parser)]
#[command(name = "newsroom", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    global: GlobalArgs,
}

#[derive(Debug, Args)]
struct GlobalArgs {
    /// Data directory holding the database and media [env: NEWSROOM_DATA] [default: ./newsroom-data]
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Configuration file [default: ./newsroom.toml, if present]
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database to use instead of the data directory's SQLite file: postgres://user@host:port/name
    /// [env: NEWSROOM_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL")]
    database: Option<DatabaseUrl>,
    /// Media directory, when several nodes share one [env: NEWSROOM_MEDIA_DIR] [default: DATA/media]
    #[arg(long, global = true, value_name = "DIR")]
    media: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the public site (the default command). Fills an empty database with the demo site unless
    /// --no-demo is given.
    Serve(ServeArgs),
    /// Load the demo site into the data directory (creating it if needed). Loading again updates the demo
    /// articles instead of duplicating them.
    Demo,
    /// Generate a large realistic site (for benchmarks and load tests) into an empty data directory.
    Generate(GenerateArgs),
    /// Rebuild this node's search index from the database. Stop the server on this data directory first; a
    /// running server keeps its index up to date by itself.
    Reindex,
    /// Import a site exported from WordPress, Ghost or newsroom. The whole file lands in one transaction:
    /// a malformed or truncated file changes nothing. Importing the same file again updates what the first
    /// import made instead of duplicating it.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export the whole site (content, sections, authors, tags, redirects, media references, settings and
    /// accounts without password hashes) as one JSON file that `newsroom import newsroom` reads back.
    Export(ExportArgs),
    /// Check every article against the style guide (the glossary kept in the back office, and names spelled
    /// two ways in one article). Lists each finding with its article and position; exits with status 1 when
    /// there are findings, so scripts can stop on them.
    Lint(LintArgs),
    /// Copy the whole site from one database to another (SQLite to PostgreSQL or back) and print each
    /// table's rows and checksums on both sides. The target must be empty; the copy lands whole or not at
    /// all. Media files are not in the database: copy the media directory too.
    Copy(CopyArgs),
    /// Write a consistent copy of the SQLite database to FILE while the site keeps running, and check it.
    /// (On PostgreSQL use pg_dump: see docs/operations.md.)
    Backup(BackupArgs),
    /// Manage back-office accounts (the first one is made here; later ones also in the back office).
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, clap::Args)]
struct CopyArgs {
    /// The site's database: postgres://user@host:port/name, sqlite:FILE, a .db file or a data directory
    #[arg(long, value_name = "DATABASE")]
    from: DatabaseUrl,
    /// The new, empty database, named the same ways (an SQLite file is created)
    #[arg(long, value_name = "DATABASE")]
    to: DatabaseUrl,
}

#[derive(Debug, clap::Args)]
struct BackupArgs {
    /// The backup file to write (it must not exist)
    file: PathBuf,
}

#[derive(Debug, clap::Args)]
struct LintArgs {
    /// Check only articles in this language (a tag such as en or zh)
    #[arg(long)]
    language: Option<String>,
    /// Print each finding as a line of JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from a hidden prompt, or from standard input when it is not a
    /// terminal (never from the command line).
    Add {
        /// Sign-in email address
        #[arg(long)]
        email: String,
        /// Display name (also the byline)
        #[arg(long)]
        name: String,
        /// administrator, editor, author or contributor
        #[arg(long)]
        role: crate::auth::Role,
    },
    /// Set a new password for an account (read like `user add`'s) and sign it out everywhere.
    ResetPassword {
        /// Sign-in email address
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A WordPress export (Tools → Export, WXR 1.0–1.2).
    Wordpress {
        /// The export file (.xml)
        file: PathBuf,
        /// The site's wp-content/uploads folder, to copy featured images from (otherwise they stay at their
        /// original addresses)
        #[arg(long, value_name = "DIR")]
        media_dir: Option<PathBuf>,
    },
    /// A Ghost export (Settings → Labs → Export, Ghost 0.x to 5.x JSON).
    Ghost {
        /// The export file (.json)
        file: PathBuf,
        /// Ghost's content/images folder, to copy feature images from
        #[arg(long, value_name = "DIR")]
        media_dir: Option<PathBuf>,
        /// The Ghost site's address, to resolve `__GHOST_URL__` and site-relative image addresses
        #[arg(long, value_name = "URL")]
        site_url: Option<String>,
    },
    /// A file written by `newsroom export`.
    Newsroom {
        /// The export file (.json)
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Where to write the export (.json)
    file: PathBuf,
    /// Include password hashes, so that accounts can sign in on the new site
    #[arg(long)]
    with_users: bool,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it (it is shown only this once).
    Create {
        /// The account's email address
        #[arg(long)]
        email: String,
        /// A note saying what the token is for
        #[arg(long, default_value = "")]
        label: String,
    },
}

#[derive(Debug, Args)]
struct GenerateArgs {
    /// How many articles to generate
    #[arg(long, value_name = "N")]
    articles: usize,
    /// Random seed; the same seed gives the same site
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Debug, Args, Default)]
struct ServeArgs {
    /// Address to listen on [env: NEWSROOM_ADDR] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    addr: Option<String>,
    /// Do not load the demo site into an empty database [env: NEWSROOM_DEMO=false]
    #[arg(long)]
    no_demo: bool,
    /// Theme directory whose templates/ and assets/ override the default theme [env: NEWSROOM_THEME]
    #[arg(long, value_name = "DIR")]
    theme: Option<PathBuf>,
    /// Time zone for publication times, an IANA name [env: NEWSROOM_TIMEZONE] [default: UTC]
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// Public address of the site, for canonical links [env: NEWSROOM_BASE_URL] [default: http://ADDR]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// How views are counted: `server` (as pages are served) or `beacon` (pages report views; use behind a
    /// CDN) [env: NEWSROOM_VIEWS] [default: server]
    #[arg(long, value_name = "MODE")]
    views: Option<CountingMode>,
    /// Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed
    /// [env: NEWSROOM_TRUSTED_PROXIES] [default: none]
    #[arg(long, value_name = "LIST")]
    trusted_proxies: Option<String>,
    /// Comma-separated addresses or networks allowed to read /metrics [env: NEWSROOM_METRICS_FROM]
    /// [default: 127.0.0.1, ::1]
    #[arg(long, value_name = "LIST")]
    metrics_from: Option<String>,
    /// Memory for the page cache, in megabytes [env: NEWSROOM_CACHE_MB] [default: 32]
    #[arg(long, value_name = "MB")]
    cache_mb: Option<u64>,
    /// What feeds carry: `full` articles or a `summary` (the standfirst) [env: NEWSROOM_FEED_CONTENT]
    /// [default: full]
    #[arg(long, value_name = "WHAT")]
    feed_content: Option<FeedContent>,
}

/// Parses the command line, runs the command and turns any error into a message and exit code 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard output as text, or as one JSON object a line with `NEWSROOM_LOG_FORMAT=json` (for log
/// collectors). Either way each line of a request carries its request id.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("NEWSROOM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    if std::env::var("NEWSROOM_LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    let flags = match &command {
        Command::Serve(args) => RawConfig {
            addr: args.addr.clone(),
            data: cli.global.data.clone(),
            database_url: cli.global.database.clone(),
            media_dir: cli.global.media.clone(),
            demo: args.no_demo.then_some(false),
            theme: args.theme.clone(),
            timezone: args.timezone.clone(),
            base_url: args.base_url.clone(),
            views: args.views,
            trusted_proxies: args.trusted_proxies.clone(),
            metrics_from: args.metrics_from.clone(),
            cache_mb: args.cache_mb,
            feed_content: args.feed_content,
        },
        Command::Demo
        | Command::Generate(_)
        | Command::Reindex
        | Command::User(_)
        | Command::Token(_)
        | Command::Import(_)
        | Command::Lint(_)
        | Command::Copy(_)
        | Command::Backup(_)
        | Command::Export(_) => RawConfig {
            data: cli.global.data.clone(),
            database_url: cli.global.database.clone(),
            media_dir: cli.global.media.clone(),
            ..RawConfig::default()
        },
    };
    let config = RawConfig::load(cli.global.config.as_deref(), &flags)?.validate()?;
    match command {
        Command::Serve(_) => serve(config).await,
        Command::Demo => load_demo(&config).await,
        Command::Generate(args) => generate(&config, &args).await,
        Command::Reindex => reindex(&config).await,
        Command::User(command) => users(&config, command).await,
        Command::Import(command) => import(&config, command).await,
        Command::Export(args) => export(&config, &args).await,
        Command::Lint(args) => lint(&config, &args).await,
        Command::Copy(args) => copy(&args).await,
        Command::Backup(args) => backup(&config, &args).await,
        Command::Token(TokenCommand::Create { email, label }) => {
            let store = open_data_dir(&config).await?;
            let token = crate::auth::commands::create_token(&store, &email, &label).await;
            store.close().await;
            println!("{}", token?);
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let data_dir = config.data_dir.clone();
    let app = App::build(config)
        .await
        .with_context(|| format!("starting newsroom with data directory {}", data_dir.display()))?;
    let addr = app.local_addr().context("reading the bound address")?;
    // Listen for SIGTERM before announcing the address: whoever reads it may stop us at once.
    let shutdown = shutdown_signal();
    tracing::info!("serving http://{addr} from {}", data_dir.display());
    app.serve(shutdown).await.context("serving")?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Creates the data directory and opens its store, for commands that write content.
async fn open_data_dir(config: &Config) -> anyhow::Result<Store> {
    let media = config.media_dir();
    std::fs::create_dir_all(&media).with_context(|| format!("creating {}", media.display()))?;
    config.open_store().await.with_context(|| format!("opening {}", config.database_label()))
}

async fn users(config: &Config, command: UserCommand) -> anyhow::Result<()> {
    use crate::auth::commands;
    let store = open_data_dir(config).await?;
    let outcome = match command {
        UserCommand::Add { email, name, role } => commands::add_user(&store, &email, &name, role).await,
        UserCommand::ResetPassword { email } => commands::reset_password(&store, &email).await,
    };
    store.close().await;
    println!("{}", outcome?);
    Ok(())
}

async fn generate(config: &Config, args: &GenerateArgs) -> anyhow::Result<()> {
    let store = open_data_dir(config).await?;
    let bar = indicatif::ProgressBar::new(args.articles as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} articles ({per_sec})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    crate::generate::generate(&store, &config.media_dir(), args.articles, args.seed, |n| bar.set_position(n as u64))
        .await
        .context("generating the site")?;
    bar.finish_and_clear();
    store.close().await;
    println!(
        "Generated {} articles into {} in {:.1} s.",
        args.articles,
        config.data_dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Indexing memory for a rebuild from the command line, where nothing else competes for it.
const REINDEX_WRITER_BYTES: usize = 256 * 1024 * 1024;

async fn reindex(config: &Config) -> anyhow::Result<()> {
    let store = open_data_dir(config).await?;
    let started = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let index = std::sync::Arc::new(
        crate::search::SearchIndex::open_with(&config.search_dir(), threads, REINDEX_WRITER_BYTES)
            .context("opening the search index")?,
    );
    let count = index.rebuild(&store).await.context("rebuilding the search index")?;
    println!(
        "Indexed {count} published articles into {} in {:.1} s.",
        config.search_dir().display(),
        started.elapsed().as_secs_f64()
    );
    // Pages then read each article's Recommend list instead of querying the index on every render.
    let started = std::time::Instant::now();
    let site = crate::settings::SiteSettings::load(&store, config).await.context("reading the site's settings")?;
    let restrict =
        |language: &str| crate::settings::Edition::serving(&site, language).list_language().map(str::to_owned);
    let kept = index
        .keep_all_recommendations(&store, crate::site::RECOMMEND_KEPT, restrict)
        .await
        .context("computing Recommend lists")?;
    index.close().await;
    store.close().await;
    println!("Computed the Recommend lists of {kept} articles in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

async fn import(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    use crate::import::{ghost, newsroom, wordpress};
    let file = match &command {
        ImportCommand::Wordpress { file, .. }
        | ImportCommand::Ghost { file, .. }
        | ImportCommand::Newsroom { file } => file.clone(),
    };
    let size = std::fs::metadata(&file).with_context(|| format!("reading {}", file.display()))?.len();
    let store = open_data_dir(config).await?;
    let media = config.media_dir();
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let watch = |position: &crate::import::Position, summary: &crate::import::Summary| {
        bar.set_position(position.bytes());
        bar.set_message(format!("{} articles", summary.written_of("articles")));
    };
    let started = std::time::Instant::now();
    let (kind, outcome) = match command {
        ImportCommand::Wordpress { file, media_dir } => {
            let timezone = crate::settings::SiteSettings::load(&store, config).await?.timezone;
            let options = wordpress::Options { media_dir, timezone };
            ("WordPress", wordpress::import(&store, &file, options, &media, watch).await)
        }
        ImportCommand::Ghost { file, media_dir, site_url } => {
            let options = ghost::Options { media_dir, site_url };
            ("Ghost", ghost::import(&store, &file, options, &media, watch).await)
        }
        ImportCommand::Newsroom { file } => ("newsroom", newsroom::import(&store, &file, &media, watch).await),
    };
    bar.finish_and_clear();
    store.close().await;
    let summary = outcome.with_context(|| format!("importing {}; nothing was changed", file.display()))?;
    println!("Imported {} ({kind} export) in {:.1} s:", file.display(), started.elapsed().as_secs_f64());
    print!("{summary}");
    Ok(())
}

async fn lint(config: &Config, args: &LintArgs) -> anyhow::Result<()> {
    let store = open_data_dir(config).await?;
    let outcome = crate::styleguide::lint_site(&store, args.language.as_deref(), |article, findings| {
        for finding in findings {
            if args.json {
                let line = serde_json::json!({
                    "article": article.id, "path": format!("/{}/{}", article.section, article.slug),
                    "language": article.language, "finding": finding,
                });
                println!("{line}");
            } else {
                println!(
                    "/{}/{} (article {}, {}) {} {}:{}: {}",
                    article.section,
                    article.slug,
                    article.id,
                    article.language,
                    finding.field,
                    finding.line,
                    finding.column,
                    finding.message
                );
            }
        }
    })
    .await;
    store.close().await;
    let report = outcome.context("checking the articles")?;
    let summary = format!(
        "{} finding{} in {} of {} articles",
        report.findings,
        if report.findings == 1 { "" } else { "s" },
        report.flagged,
        report.articles
    );
    if report.findings > 0 {
        anyhow::bail!("{summary}: correct them in the editor (its Style guide box offers each correction)");
    }
    eprintln!("The style guide finds nothing to correct: {summary}.");
    Ok(())
}

async fn export(config: &Config, args: &ExportArgs) -> anyhow::Result<()> {
    let store = open_data_dir(config).await?;
    let report = crate::import::newsroom::export(&store, &args.file, args.with_users).await;
    store.close().await;
    let report = report.with_context(|| format!("exporting to {}", args.file.display()))?;
    println!(
        "Exported {} articles, {} image references and {} accounts{} to {}.",
        report.articles,
        report.images,
        report.users,
        if args.with_users { " (with password hashes)" } else { "" },
        args.file.display()
    );
    Ok(())
}

/// Opens a database named as `newsroom copy` accepts: a URL, an SQLite file, or a data directory. Messages
/// name it without its password.
async fn open_named(database: &DatabaseUrl) -> anyhow::Result<Store> {
    let name = database.expose();
    let store = if name.contains("://") || name.starts_with("sqlite:") {
        Store::open_url(name).await
    } else {
        let path = Path::new(name);
        let file = if path.is_dir() { path.join("newsroom.db") } else { path.to_owned() };
        Store::open_sqlite(&file).await
    };
    store.with_context(|| format!("opening {database}"))
}

async fn copy(args: &CopyArgs) -> anyhow::Result<()> {
    if args.from == args.to {
        anyhow::bail!("--from and --to name the same database");
    }
    let source = open_named(&args.from).await?;
    let target = open_named(&args.to).await?;
    let report = source.copy_to(&target).await;
    source.close().await;
    target.close().await;
    let report = report.with_context(|| format!("copying {} to {}", args.from, args.to))?;
    println!("{:<20} {:>10} {:>10}  {:<32}  {:<32}", "table", "source", "target", "source checksum", "target checksum");
    for table in &report {
        println!(
            "{:<20} {:>10} {:>10}  {}  {}{}",
            table.table,
            table.source_rows,
            table.target_rows,
            table.source_checksum,
            table.target_checksum,
            if table.matches() { "" } else { "  MISMATCH" }
        );
    }
    let rows: u64 = report.iter().map(|table| table.target_rows).sum();
    if report.iter().all(crate::store::TableCopy::matches) {
        println!("Copied {} tables, {rows} rows; every count and checksum matches.", report.len());
        Ok(())
    } else {
        anyhow::bail!("the copy does not match its source (see MISMATCH above)")
    }
}

async fn backup(config: &Config, args: &BackupArgs) -> anyhow::Result<()> {
    let store = open_data_dir(config).await?;
    let articles = store.backup_sqlite(&args.file).await;
    store.close().await;
    let articles = articles.with_context(|| format!("backing up to {}", args.file.display()))?;
    println!(
        "Backed up {} ({articles} articles) to {}; integrity check ok.",
        config.database_label(),
        args.file.display()
    );
    Ok(())
}

async fn load_demo(config: &Config) -> anyhow::Result<()> {
    let media = config.media_dir();
    let store = open_data_dir(config).await?;
    let zone = config.timezone.unwrap_or(chrono_tz::UTC);
    let report = crate::demo::load(&store, &media, zone).await.context("loading the demo site")?;
    store.close().await;
    println!(
        "Loaded the demo site into {}: {} sections, {} authors, {} articles.",
        config.data_dir.display(),
        report.sections,
        report.authors,
        report.articles
    );
    Ok(())
}
