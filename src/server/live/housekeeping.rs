//! Background work of a node: renew its lease (which keeps its presence rows live), sweep the
//! rows of nodes whose lease ran out (a node that died), prune the change log by age, and end the streams of sessions ended on other nodes.

use std::sync::Arc;
use std::time::Duration;

use super::session_streams::SessionEnded;
use super::{LiveSync, presence_cutoff};
use crate::model::Timestamp;
use crate::server::db::{Db, bots, changes, presence, sessions};

pub(super) fn spawn(db: Db, live: Arc<LiveSync>) {
    let period = (live.config.presence_ttl / 3).max(Duration::from_millis(100));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        let stop = live.shutting_down();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = &mut stop => return,
            }
            if let Err(error) = round(&db, &live).await {
                tracing::warn!(?error, "presence and pruning round failed");
            }
        }
    });
}

async fn round(db: &Db, live: &LiveSync) -> sqlx::Result<()> {
    let now = Timestamp::now();
    let cutoff = presence_cutoff(now, &live.config);
    let mut tx = db.begin().await?;
    presence::renew(tx.exec(), live.node_id, now).await?;
    let mut recorder = live.recorder();
    for (space_id, being_id) in presence::take_expired(tx.exec(), cutoff).await? {
        // Another stream of the same being (any node) keeps it online, or only away; a shown
        // page on a live node kept it as it was.
        let seen = presence::seen(tx.exec(), space_id, being_id, cutoff).await?;
        if !seen.online || seen.away {
            tracing::info!(%space_id, %being_id, away = seen.away, "presence expired");
            recorder
                .record(tx.exec(), space_id, seen.change(being_id))
                .await?;
        }
    }
    let oldest = Timestamp(now.0 - live.config.change_max_age.as_micros() as i64);
    for (space_id, floor) in changes::floors_before(tx.exec(), oldest).await? {
        changes::raise_floor(tx.exec(), space_id, floor).await?;
    }
    tx.commit().await?;
    recorder.publish();
    end_streams_of_ended_sessions(db, live).await
}

/// A session ended on another node (or here, by a request that did not reach this node's
/// registry): its streams here end now.
async fn end_streams_of_ended_sessions(db: &Db, live: &LiveSync) -> sqlx::Result<()> {
    let open = live.session_streams.sessions();
    if open.is_empty() {
        return Ok(());
    }
    let mut conn = db.reader().await?;
    let cutoff = Timestamp(Timestamp::now().0 - live.config.session_max_age.as_micros() as i64);
    let mut existing = sessions::existing(conn.exec(), &open, cutoff).await?;
    // A bot's token stands for a session too (it does not expire).
    existing.extend(bots::existing_tokens(conn.exec(), &open).await?);
    for session in open.into_iter().filter(|s| !existing.contains(s)) {
        tracing::info!(%session, "its session ended elsewhere: its streams end");
        live.session_streams.end(session, SessionEnded::SignedOut);
    }
    Ok(())
}
