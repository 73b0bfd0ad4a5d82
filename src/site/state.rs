//! What the public site's handlers reach: everything every face shares ([`AppState`], reached through
//! `Deref`) and the site's own memory of rendered parts.

use std::ops::Deref;
use std::sync::Arc;

use super::LatestBlock;
use super::kept::KeptPages;
use super::recommend::PendingRecommendations;
use super::view::SiteFrame;
use crate::cache::{Memo, Memos};
use crate::web::AppState;

/// The public site's state. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SiteState(Arc<SiteShared>);

/// The parts behind [`SiteState`].
#[derive(Debug)]
pub struct SiteShared {
    /// What every face shares.
    pub app: AppState,
    /// The site's name, description and sections, shared by every render.
    pub frame: Memo<SiteFrame>,
    /// The newest articles of each language, for every article page's Latest block.
    pub latest: Memos<LatestBlock>,
    /// Article pages rendered on this node, waiting to be kept, and the fingerprint kept pages need here.
    pub kept: KeptPages,
    /// Recommend lists computed on page renders, written by [`SiteState::write_pending`] each second.
    pub recommendations: PendingRecommendations,
}

impl SiteState {
    /// The site's state over `app`, keeping pages through `kept`.
    pub fn new(app: AppState, kept: KeptPages) -> SiteState {
        SiteState(Arc::new(SiteShared {
            app,
            frame: Memo::default(),
            latest: Memos::default(),
            kept,
            recommendations: PendingRecommendations::default(),
        }))
    }

    /// Writes the Recommend lists and kept pages made since the last call (housekeeping calls it each second,
    /// and the server once more as it stops).
    pub async fn write_pending(&self) {
        self.recommendations.write(&self.store).await;
        self.kept.write(&self.store).await;
    }
}

impl Deref for SiteState {
    type Target = SiteShared;
    fn deref(&self) -> &SiteShared {
        &self.0
    }
}

impl Deref for SiteShared {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.app
    }
}
