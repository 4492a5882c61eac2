//! Presence: a being is online in a space while it has a live stream there.
//!
//! [`Presence`] counts this node's streams per (space, being) and decides *when* someone comes
//! online or goes offline, with a grace period so a reload does not flicker; [`DbWriter`] makes
//! it durable (presence rows with an expiry, renewed by [`super::tasks`]) and a delta.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use uuid::Uuid;

use super::hub::Hub;
use super::{Recorder, SyncSettings};
use crate::model::Timestamp;
use crate::server::db::{Db, presence};
use crate::sync::Change;

type Pending = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where presence transitions go: the database in the server, a recorder in tests.
pub trait PresenceWriter: Send + Sync + std::fmt::Debug {
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
pub struct Presence(Arc<Inner>);

/// Held by a live stream; dropping it starts the grace period.
#[derive(Debug)]
pub struct Guard {
    presence: Presence,
    key: (Uuid, Uuid),
}

impl Presence {
    pub fn new(grace: Duration, writer: Arc<dyn PresenceWriter>) -> Self {
        Presence(Arc::new(Inner {
            grace,
            entries: Mutex::new(HashMap::new()),
            writer,
        }))
    }

    /// A stream of `being_id` in `space_id` opened. The first one (outside a grace period)
    /// brings the being online before this returns.
    pub async fn connect(&self, space_id: Uuid, being_id: Uuid) -> Guard {
        let key = (space_id, being_id);
        let came_online = {
            let mut entries = self.0.entries.lock().expect("presence lock");
            let is_new = !entries.contains_key(&key);
            let entry = entries.entry(key).or_default();
            entry.streams += 1;
            entry.generation += 1;
            is_new
        };
        if came_online {
            self.0.writer.set(space_id, being_id, true).await;
        }
        Guard {
            presence: self.clone(),
            key,
        }
    }

    fn released(&self, key: (Uuid, Uuid)) {
        let generation = {
            let mut entries = self.0.entries.lock().expect("presence lock");
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
                let mut entries = inner.entries.lock().expect("presence lock");
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

impl Drop for Guard {
    fn drop(&mut self) {
        self.presence.released(self.key);
    }
}

/// Makes presence durable: a row per (space, being, node) with an expiry, and a `presence`
/// delta when the being's state across all nodes changes.
#[derive(Clone, Debug)]
pub struct DbWriter {
    db: Db,
    hub: Arc<Hub>,
    node_id: Uuid,
    settings: SyncSettings,
}

impl DbWriter {
    pub fn new(db: Db, hub: Arc<Hub>, node_id: Uuid, settings: SyncSettings) -> Self {
        DbWriter {
            db,
            hub,
            node_id,
            settings,
        }
    }

    async fn write(&self, space_id: Uuid, being_id: Uuid, online: bool) -> sqlx::Result<()> {
        let now = Timestamp::now();
        let mut tx = self.db.begin().await?;
        if online {
            presence::upsert(tx.exec(), space_id, being_id, self.node_id, now).await?;
        } else {
            presence::remove(tx.exec(), space_id, being_id, self.node_id).await?;
        }
        let mut recorder = Recorder::new(self.hub.clone(), self.settings.change_window);
        if !presence::online_elsewhere(
            tx.exec(),
            space_id,
            being_id,
            self.node_id,
            super::presence_cutoff(now, &self.settings),
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

impl PresenceWriter for DbWriter {
    fn set(&self, space_id: Uuid, being_id: Uuid, online: bool) -> Pending {
        let writer = self.clone();
        Box::pin(async move {
            if let Err(error) = writer.write(space_id, being_id, online).await {
                // A lost write here is healed by expiry: rows not renewed are swept.
                tracing::error!(%space_id, %being_id, online, ?error, "writing presence failed");
            }
        })
    }
}

#[cfg(test)]
mod tests;
