//! Recording changes inside the transaction that makes them, publishing them after commit.

use std::sync::Arc;

use uuid::Uuid;

use super::committed::Committed;
use super::hub::Hub;
use super::notify;
use crate::model::Timestamp;
use crate::server::db::{Exec, changes};
use crate::sync::Change;

/// The changes of one transaction. Call [`Recorder::record`] inside it and
/// [`Recorder::publish`] once it has committed.
pub(crate) struct Recorder {
    hub: Arc<Hub>,
    /// How many changes of a space the log keeps.
    change_window: u64,
    /// `(space, position, the change)`.
    pending: Vec<(Uuid, u64, Committed)>,
}

impl Recorder {
    pub fn new(hub: Arc<Hub>, change_window: u64) -> Self {
        Recorder {
            hub,
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
        notify::announce(ex, space_id, position).await?;
        self.pending.push((space_id, position, committed));
        Ok(())
    }

    /// Hands the committed changes to the hub. The fan-out runs in its own task, so a request
    /// that is dropped after its commit still publishes.
    pub fn publish(self) {
        if self.pending.is_empty() {
            return;
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
