//! The Recommend block of an article page. Each article's list is computed from the search index once and
//! kept in the database, so that rendering a page (a cache miss) reads five ids instead of running a
//! more-like-this query; a list is computed again when its article is edited or when it is a day old, so that
//! newer articles find their way into older articles' lists.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::SiteError;
use super::SiteState;
use super::edition::Edition;
use crate::content::{Article, ArticleCard, KeptRecommendations, plain_text};
use crate::search::{RecommendSource, near_duplicates};
use crate::store::Store;

/// How many related articles the Recommend block shows.
const SHOWN: usize = 5;
/// How many ids a kept list holds: a few more than shown, so that an article unpublished since still leaves
/// enough.
pub const RECOMMEND_KEPT: usize = 8;
/// How long a kept list is used before it is computed again.
pub(super) const KEPT_FOR_SECONDS: i64 = 86_400;
/// Lists waiting to be written at most; beyond this (a database that does not answer) new ones are dropped
/// and simply computed again later.
const PENDING_MAX: usize = 10_000;

/// Lists computed on this node and not yet written, by article (one article's page rendered twice within a
/// second, under two addresses, say, leaves one list).
#[derive(Debug, Default)]
pub struct PendingRecommendations(Mutex<HashMap<i64, KeptRecommendations>>);

impl PendingRecommendations {
    fn push(&self, article: i64, list: KeptRecommendations) {
        let mut pending = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if pending.len() < PENDING_MAX || pending.contains_key(&article) {
            pending.insert(article, list);
        }
    }

    /// Writes what has been computed since the last call, in one transaction. On failure the lists are
    /// dropped: they are derived, and computed again when next needed.
    pub async fn write(&self, store: &Store) {
        let lists: Vec<_> = std::mem::take(&mut *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
            .into_iter()
            .collect();
        if lists.is_empty() {
            return;
        }
        if let Err(error) = store.keep_recommendations(&lists).await {
            store.note_unavailable(&error);
            tracing::warn!(%error, lists = lists.len(), "keeping Recommend lists failed");
        }
    }
}

/// The Recommend block for `article` read in `edition`: its kept list when there is a fresh one for this
/// edition's language rule, else computed from the search index now (and kept), topped up by shared tags and
/// section when the index is still being built or finds fewer than the block holds. A list computed now is kept
/// only when `keep` says so (a preview's is not: the article may change before it goes out).
pub(super) async fn recommendations(
    state: &SiteState,
    edition: &Edition,
    article: &Article,
    now: DateTime<Utc>,
    keep: bool,
) -> Result<Vec<ArticleCard>, SiteError> {
    let language = edition.list_language();
    let kept = article.recommended.as_ref().filter(|kept| {
        kept.language == language.unwrap_or_default() && now.timestamp() - kept.computed_at < KEPT_FOR_SECONDS
    });
    let ids = match kept {
        Some(kept) => Some(kept.ids.clone()),
        None if state.search.is_ready() => {
            let source = || RecommendSource {
                id: article.card.id,
                headline: article.card.headline.clone(),
                standfirst: article.card.standfirst.clone(),
                body: plain_text(&article.body_markdown),
                tags: article.tags.iter().map(|tag| tag.name.clone()).collect(),
                language: language.map(str::to_owned),
            };
            // Computed in place rather than on the blocking pool: a millisecond or two of work, about what the
            // template costs, and a thread hand-off per cache miss costs more than it saves on two cores.
            let ids = state
                .search
                .recommend_for(article.card.id, now.timestamp(), RECOMMEND_KEPT, source)
                .map_err(|error| SiteError::Internal(error.to_string()))?;
            let ids = ids.to_vec();
            let list = KeptRecommendations {
                language: language.unwrap_or_default().to_owned(),
                ids: ids.clone(),
                computed_at: now.timestamp(),
            };
            if keep {
                state.recommendations.push(article.card.id, list);
            }
            Some(ids)
        }
        None => None,
    };
    let mut cards = match ids {
        Some(ids) => state.store.cards_by_ids(&ids, now).await?,
        None => Vec::new(),
    };
    cards.truncate(SHOWN);
    if cards.len() < SHOWN {
        for card in state.store.related(article, language, now, SHOWN as i64).await? {
            let fresh = |c: &ArticleCard| c.id != card.id && !near_duplicates(&c.headline, &card.headline);
            if cards.len() < SHOWN && cards.iter().all(fresh) && fresh(&article.card) {
                cards.push(card);
            }
        }
    }
    Ok(cards)
}
