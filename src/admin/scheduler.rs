//! The background job that publishes scheduled articles when their time comes. It runs on every node; the
//! store's conditional claim ([`crate::store::Store::publish_due`]) makes each publication happen once.

use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinHandle;

use crate::store::Store;

/// How often the job looks for due articles: well within the promised minute.
pub const INTERVAL: Duration = Duration::from_secs(10);

/// Starts the job; abort the handle at shutdown.
pub fn spawn(store: Store) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match store.publish_due(Utc::now()).await {
                Ok(ids) if !ids.is_empty() => tracing::info!(?ids, "published scheduled articles"),
                Ok(_) => {}
                Err(error) => {
                    store.note_unavailable(&error);
                    tracing::error!(%error, "publishing scheduled articles failed; trying again soon");
                }
            }
        }
    })
}
