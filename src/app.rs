//! Building and running the server: `App::build` binds the address and opens everything, so tests start the
//! application exactly as production does (on port 0) and learn the real address.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::cache::PageCache;
use crate::config::Config;
use crate::i18n::Locales;
use crate::search::SearchIndex;
use crate::settings::{LiveSettings, SiteSettings};
use crate::site::SiteState;
use crate::store::StoreError;
use crate::theme::{Theme, ThemeError};
use crate::views::ViewCounter;
use crate::web::{AppState, Metrics, RequestIds, Shared};
use crate::{admin, api, demo, site};

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created.
    #[error("creating data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The theme could not be loaded.
    #[error(transparent)]
    Theme(#[from] ThemeError),
    /// A translation file could not be read.
    #[error(transparent)]
    Locale(#[from] crate::i18n::LocaleError),
    /// The search index could not be opened.
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
    /// The demo site could not be loaded.
    #[error(transparent)]
    Demo(#[from] demo::DemoError),
    /// The address could not be bound.
    #[error("listening on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
}

/// The setting that records that a fresh database was offered the demo site.
const DEMO_FLAG: &str = "demo_loaded";

/// What the server runs: every route of the application (the public site, the back office and the API) behind
/// the defences that apply to all of them, inside the page cache. Requests must carry `ConnectInfo` (the server
/// adds it).
pub fn router(
    site: SiteState,
) -> impl tower::Service<
    axum::extract::Request,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future: Send,
> + Clone
+ Send
+ 'static {
    let state = site.app.clone();
    let ids = RequestIds::new();
    // Pages are cached and rendered inside the public site's routes; the back office and the API never are.
    let routes = site::router(site.clone())
        .merge(admin::router(state.clone(), site::preview_pages(site.clone())))
        .merge(api::router(state.clone(), site::api_document()))
        .merge(crate::ops::router(state.clone()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::web::unavailable::record))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::web::security::strict_transport))
        .layer(axum::middleware::from_fn(crate::web::security::limit_request_head));
    let routes = crate::web::with_request_ids(routes, ids.clone())
        .layer(axum::middleware::from_fn_with_state(state, crate::web::measure));
    site::with_page_cache(routes, site, ids)
}

/// A started (bound, not yet serving) application.
#[derive(Debug)]
pub struct App {
    listener: TcpListener,
    site: SiteState,
}

impl App {
    /// Opens the data directory and database (running migrations), loads the demo into an empty database
    /// when configured, loads the theme, and binds the address.
    pub async fn build(mut config: Config) -> Result<App, StartError> {
        let media = config.media_dir();
        std::fs::create_dir_all(&media).map_err(|source| StartError::DataDir { path: media.clone(), source })?;
        // A process killed during an import leaves its upload behind; no request of this one can be using it yet.
        crate::admin::remove_stale_uploads(&config.data_dir);
        let store = config.open_store().await?;
        // The demo fills a fresh database once; after that an empty site is an editor's choice (they may
        // delete every article), so a one-time flag in settings decides, not the article count.
        if store.setting(DEMO_FLAG).await?.is_none() {
            if config.demo && store.article_count().await? == 0 {
                let report = demo::load(&store, &media, config.timezone.unwrap_or(chrono_tz::UTC)).await?;
                tracing::info!(articles = report.articles, sections = report.sections, "loaded the demo site");
            }
            let flag = crate::store::Batch { settings: vec![(DEMO_FLAG.into(), "done".into())], ..Default::default() };
            store.apply(&flag).await?;
        }
        let locales = Arc::new(Locales::load(Some(&config.locales_dir()))?);
        let theme = Theme::load(config.theme_dir.as_deref(), Arc::clone(&locales))?;
        let kept = site::kept::KeptPages::new(&config, &theme);
        let listener =
            TcpListener::bind(config.addr).await.map_err(|source| StartError::Bind { addr: config.addr, source })?;
        // With port 0 the system chose one: the default public address must name it.
        config.addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.addr, source })?;
        let settings = Arc::new(LiveSettings::new(SiteSettings::load(&store, &config).await?));
        let cache = PageCache::new(config.cache_bytes);
        let invalidate = cache.clone();
        store.on_change(move || invalidate.invalidate_all());
        let views = ViewCounter::new(config.trusted_proxies.clone(), Arc::clone(&settings));
        let search = Arc::new(SearchIndex::open(&config.search_dir())?);
        let search_wake = Arc::new(Notify::new());
        let wake = Arc::clone(&search_wake);
        store.on_change(move || wake.notify_one());
        let metrics = Metrics::new(store.clone(), cache.clone(), views.clone(), Arc::clone(&search), kept.stats());
        let state = AppState::new(Shared {
            config,
            settings,
            store,
            theme,
            locales,
            cache,
            views,
            rate_limits: Default::default(),
            search,
            search_wake,
            metrics,
        });
        Ok(App { listener, site: SiteState::new(state, kept) })
    }

    /// The address actually bound (the real port when port 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The state handlers see; tests use it to write content through the same store.
    pub fn state(&self) -> &AppState {
        &self.site.app
    }

    /// The public site's state (its own memory of rendered parts besides [`App::state`]).
    pub fn site_state(&self) -> &SiteState {
        &self.site
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests, writes the last views and closes
    /// the store.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let site = self.site.clone();
        let state = site.app.clone();
        let flusher = state.views.spawn_flusher(state.store.clone());
        let indexer = Arc::clone(&state.search).follow(state.store.clone(), Arc::clone(&state.search_wake));
        let publisher = admin::scheduler::spawn(state.store.clone());
        let housekeeping = housekeeping(site.clone());
        let filler = crate::site::kept::spawn_filler(site.clone());
        // Once after an upgrade: images stored before uploads were rewritten lose their camera metadata.
        let scrub = crate::media::spawn_scrub(state.store.clone(), state.config.media_dir());
        // Other nodes' writes (and commands') empty this node's page cache and wake its search index.
        let watcher = state.store.spawn_change_watcher();
        let result = crate::server::serve(self.listener, router(self.site), shutdown).await;
        watcher.abort();
        flusher.abort();
        indexer.abort();
        state.search.close().await;
        publisher.abort();
        housekeeping.abort();
        filler.abort();
        scrub.abort();
        if let Err(error) = state.views.flush(&state.store).await {
            tracing::error!(%error, "writing the last view counts failed");
        }
        site.write_pending().await;
        state.store.close().await;
        result
    }
}

/// How often a node rereads the site settings, to see a save made on another node or by a command.
const SETTINGS_POLL: std::time::Duration = std::time::Duration::from_secs(1);
/// Every how many settings polls the rate limiter forgets addresses that have gone quiet.
const FORGET_EVERY: u32 = 60;

/// Small periodic work: rereads the site settings every [`SETTINGS_POLL`] (one small query), emptying the page
/// cache when they changed; writes the Recommend lists computed since; now and then lets the rate limiter
/// forget quiet addresses.
fn housekeeping(site: SiteState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SETTINGS_POLL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        for tick in 1_u32.. {
            ticks.tick().await;
            if let Err(error) = site.reload_settings().await {
                tracing::warn!(%error, "rereading the site settings failed; trying again");
            }
            site.write_pending().await;
            if tick % FORGET_EVERY == 0 {
                site.rate_limits.forget_idle();
            }
        }
    })
}

/// Completes on Ctrl-C or SIGTERM, whichever comes first. SIGTERM is listened for from the call on, not from
/// the first poll, so a SIGTERM that arrives while the server is still starting stops it gracefully too.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send {
    #[cfg(unix)]
    let sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        #[cfg(unix)]
        let terminate = async move {
            match sigterm {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        wait_for(terminate).await;
    }
}

async fn wait_for(terminate: impl Future<Output = ()>) {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
