//! Background work of a node: renew its presence rows, sweep rows that expired (a node that
//! died), and prune the change log by age.

use std::sync::Arc;
use std::time::Duration;

use super::Sync;
use crate::model::Timestamp;
use crate::server::db::{Db, changes, presence};
use crate::sync::Change;

pub fn spawn(db: Db, sync: Arc<Sync>) {
    let period = (sync.settings.presence_ttl / 3).max(Duration::from_millis(100));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        let stop = sync.shutting_down();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = &mut stop => return,
            }
            if let Err(error) = round(&db, &sync).await {
                tracing::warn!(?error, "presence and pruning round failed");
            }
        }
    });
}

async fn round(db: &Db, sync: &Sync) -> sqlx::Result<()> {
    let now = Timestamp::now();
    let cutoff = super::presence_cutoff(now, &sync.settings);
    let mut tx = db.begin().await?;
    presence::renew(tx.exec(), sync.node_id, now).await?;
    let mut recorder = sync.recorder();
    for (space_id, being_id) in presence::take_expired(tx.exec(), cutoff).await? {
        // Another stream of the same being (any node) keeps it online.
        if !presence::online_elsewhere(tx.exec(), space_id, being_id, uuid::Uuid::nil(), cutoff)
            .await?
        {
            tracing::info!(%space_id, %being_id, "presence expired");
            recorder
                .record(
                    tx.exec(),
                    space_id,
                    Change::Presence {
                        being_id,
                        online: false,
                    },
                )
                .await?;
        }
    }
    let oldest = Timestamp(now.0 - sync.settings.change_max_age.as_micros() as i64);
    for (space_id, floor) in changes::floors_before(tx.exec(), oldest).await? {
        changes::raise_floor(tx.exec(), space_id, floor).await?;
    }
    tx.commit().await?;
    recorder.publish();
    Ok(())
}
