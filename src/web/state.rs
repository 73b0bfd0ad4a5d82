//! What every request handler can reach, whatever face it serves: the configuration, settings, store, theme,
//! caches, counters and search index of this node. Cheap to clone. The public site adds its own parts in
//! `site::SiteState`.

use std::ops::Deref;
use std::sync::Arc;

use tokio::sync::Notify;

use super::{Metrics, RateLimits};
use crate::cache::PageCache;
use crate::config::Config;
use crate::editorial::Desk;
use crate::i18n::Locales;
use crate::search::SearchIndex;
use crate::settings::{LiveSettings, SiteSettings};
use crate::store::{Store, StoreError};
use crate::theme::Theme;
use crate::views::ViewCounter;

/// What every request handler can reach. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

/// The shared parts behind [`AppState`].
#[derive(Debug)]
pub struct Shared {
    /// Settings the server was started with.
    pub config: Config,
    /// The site settings in force (the back office's, under the configuration's fixed values).
    pub settings: Arc<LiveSettings>,
    /// The database.
    pub store: Store,
    /// Templates and assets.
    pub theme: Theme,
    /// The interface text of every language the theme is translated into.
    pub locales: Arc<Locales>,
    /// Rendered pages.
    pub cache: PageCache,
    /// Views counted and not yet written.
    pub views: ViewCounter,
    /// Per-address allowances for search and the API.
    pub rate_limits: RateLimits,
    /// This node's search index, following the database.
    pub search: Arc<SearchIndex>,
    /// Prompts the search index to catch up after a write on this node.
    pub search_wake: Arc<Notify>,
    /// Request figures and the registry `/metrics` reads.
    pub metrics: Metrics,
}

impl AppState {
    /// The state made of `shared`.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }

    /// The site settings in force now.
    pub fn site(&self) -> Arc<SiteSettings> {
        self.settings.get()
    }

    /// The content service, writing under the settings in force now: every change to an article goes
    /// through it.
    pub fn desk(&self) -> Desk<'_> {
        Desk::new(&self.store, self.site())
    }

    /// Reads the site settings again after a save and, when they changed, empties the page cache so that no
    /// page made with the old ones is served after the save returns.
    pub async fn reload_settings(&self) -> Result<(), StoreError> {
        if self.settings.reload(&self.store, &self.config).await? {
            self.cache.invalidate_all();
        }
        Ok(())
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}
