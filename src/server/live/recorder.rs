//! Recording changes inside the transaction that makes them, publishing them after commit: to
//! this node's hub, and (on PostgreSQL) announced to the other nodes.

use std::sync::Arc;

use uuid::Uuid;

use super::committed::Committed;
use super::hub::Hub;
use super::notify::{Announced, Announcer};
use crate::model::Timestamp;
use crate::server::db::{Exec, changes};
use crate::sync::Change;

/// The changes of one transaction. Call [`Recorder::record`] inside it and
/// [`Recorder::publish`] once it has committed.
pub(crate) struct Recorder {
    hub: Arc<Hub>,
    /// The other nodes' ears (PostgreSQL only).
    announcer: Option<Arc<Announcer>>,
    /// How many changes of a space the log keeps.
    change_window: u64,
    /// `(space, position, the change)`.
    pending: Vec<(Uuid, u64, Committed)>,
}

impl Recorder {
    pub fn new(hub: Arc<Hub>, announcer: Option<Arc<Announcer>>, change_window: u64) -> Self {
        Recorder {
            hub,
            announcer,
            change_window,
            pending: Vec::new(),
        }
    }

    /// Gives `change` the space's next position in the change log.
    pub async fn record(
        &mut self,
        mut ex: Exec<'_>,
        space_id: Uuid,
        change: Change,
    ) -> sqlx::Result<()> {
        let committed = Committed::of(space_id, &change);
        let position = changes::advance(ex.reborrow(), space_id).await?;
        changes::log(
            ex.reborrow(),
            space_id,
            position,
            change.entity(),
            committed.json.as_str(),
            Timestamp::now(),
        )
        .await?;
        // Pruning every 16th change keeps the cost off most writes; the window is then
        // between `window` and `window + 16` changes.
        if position > self.change_window && position % 16 == 0 {
            changes::raise_floor(ex.reborrow(), space_id, position - self.change_window).await?;
        }
        self.pending.push((space_id, position, committed));
        Ok(())
    }

    /// Hands the committed changes to the hub and the announcer. The fan-out runs in its own
    /// task, so a request that is dropped after its commit still publishes.
    pub fn publish(self) {
        if self.pending.is_empty() {
            return;
        }
        if let Some(announcer) = &self.announcer {
            for (space_id, position, change) in &self.pending {
                announcer.announce(Announced {
                    space_id: *space_id,
                    position: *position,
                    change: change.json.clone(),
                });
            }
        }
        let hub = self.hub;
        let pending = self.pending;
        tokio::spawn(async move {
            for (space_id, position, change) in pending {
                hub.committed(space_id, position, Some(change)).await;
            }
        });
    }
}
