//! Presence: a being is online in a space while it has a live stream there.
//!
//! [`PresenceTracker`] counts this node's streams per (space, being) and decides *when* someone
//! comes online or goes offline, with a grace period so a reload does not flicker;
//! [`PresenceRows`] makes it durable (a row written when the being comes and deleted when it
//! goes, live while this node's lease is, which [`super::housekeeping`] renews) and a delta.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use uuid::Uuid;

use super::hub::Hub;
use super::notify::Announcer;
use super::{Recorder, presence_cutoff};
use crate::model::Timestamp;
use crate::server::config::Config;
use crate::server::db::{Db, presence};
use crate::server::locks::lock;
use crate::sync::Change;

type Pending = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where presence transitions go: the database in the server, a recorder in tests.
pub(crate) trait PresenceWriter: Send + Sync + std::fmt::Debug {
    fn set(&self, space_id: Uuid, being_id: Uuid, online: bool) -> Pending;
}

#[derive(Debug, Default)]
struct Entry {
    streams: usize,
    /// Bumped on every connect, so a grace timer knows whether it is still the latest word.
    generation: u64,
}

#[derive(Debug)]
struct Inner {
    grace: Duration,
    entries: Mutex<HashMap<(Uuid, Uuid), Entry>>,
    writer: Arc<dyn PresenceWriter>,
}

#[derive(Clone, Debug)]
pub(crate) struct PresenceTracker(Arc<Inner>);

/// Held by a live stream; dropping it starts the grace period.
#[derive(Debug)]
pub(crate) struct PresenceGuard {
    tracker: PresenceTracker,
    key: (Uuid, Uuid),
}

impl PresenceTracker {
    pub fn new(grace: Duration, writer: Arc<dyn PresenceWriter>) -> Self {
        PresenceTracker(Arc::new(Inner {
            grace,
            entries: Mutex::new(HashMap::new()),
            writer,
        }))
    }

    /// A stream of `being_id` in `space_id` opened. The first one (outside a grace period)
    /// brings the being online before this returns.
    pub async fn connect(&self, space_id: Uuid, being_id: Uuid) -> PresenceGuard {
        let key = (space_id, being_id);
        let came_online = {
            let mut entries = lock(&self.0.entries);
            let is_new = !entries.contains_key(&key);
            let entry = entries.entry(key).or_default();
            entry.streams += 1;
            entry.generation += 1;
            is_new
        };
        if came_online {
            self.0.writer.set(space_id, being_id, true).await;
        }
        PresenceGuard {
            tracker: self.clone(),
            key,
        }
    }

    fn released(&self, key: (Uuid, Uuid)) {
        let generation = {
            let mut entries = lock(&self.0.entries);
            let Some(entry) = entries.get_mut(&key) else {
                return;
            };
            entry.streams -= 1;
            if entry.streams > 0 {
                return;
            }
            entry.generation
        };
        let inner = self.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(inner.grace).await;
            let gone = {
                let mut entries = lock(&inner.entries);
                let still_gone = entries
                    .get(&key)
                    .is_some_and(|e| e.streams == 0 && e.generation == generation);
                if still_gone {
                    entries.remove(&key);
                }
                still_gone
            };
            if gone {
                inner.writer.set(key.0, key.1, false).await;
            }
        });
    }
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        self.tracker.released(self.key);
    }
}

/// Makes presence durable: a row per (space, being, node) with an expiry, and a `presence`
/// delta when the being's state across all nodes changes.
#[derive(Clone, Debug)]
pub(crate) struct PresenceRows {
    pub db: Db,
    pub hub: Arc<Hub>,
    pub announcer: Option<Arc<Announcer>>,
    pub node_id: Uuid,
    pub config: Arc<Config>,
}

impl PresenceRows {
    async fn write(&self, space_id: Uuid, being_id: Uuid, online: bool) -> sqlx::Result<()> {
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if online {
            presence::upsert(tx.exec(), space_id, being_id, self.node_id, now).await?;
        } else {
            presence::remove(tx.exec(), space_id, being_id, self.node_id).await?;
        }
        let mut recorder = Recorder::new(
            self.hub.clone(),
            self.announcer.clone(),
            self.config.change_window,
        );
        if !presence::online_elsewhere(
            tx.exec(),
            space_id,
            being_id,
            self.node_id,
            presence_cutoff(now, &self.config),
        )
        .await?
        {
            recorder
                .record(tx.exec(), space_id, Change::Presence { being_id, online })
                .await?;
        }
        tx.commit().await?;
        recorder.publish();
        Ok(())
    }
}

impl PresenceWriter for PresenceRows {
    fn set(&self, space_id: Uuid, being_id: Uuid, online: bool) -> Pending {
        let writer = self.clone();
        Box::pin(async move {
            if let Err(error) = writer.write(space_id, being_id, online).await {
                // A lost write leaves the row as it was until the being comes or goes again,
                // or this node's lease ends.
                tracing::error!(%space_id, %being_id, online, ?error, "writing presence failed");
            }
        })
    }
}

#[cfg(test)]
mod tests;
