//! Hearing the other nodes: one dedicated connection listens for their announcements and hands
//! each change to the hub; a sweep of the watched spaces' positions, every second, finds what
//! no announcement told (and what a lost connection missed).

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use uuid::Uuid;

use super::{CHANNEL, SIGNAL_CHANNEL, parse, parse_signal};
use crate::server::live::LiveSync;
use crate::server::live::hub::Hub;
use crate::server::live::signal::Signal;
use crate::server::metrics::METRICS;

/// The listener's connection shows under this name in `pg_stat_activity`.
const APPLICATION_NAME: &str = "rhizom-listener";
/// How often the watched spaces' positions are read: the longest a change that was never
/// announced waits.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// Listens and sweeps until the server shuts down, reconnecting as needed.
pub(crate) fn spawn(database_url: &str, live: Arc<LiveSync>) -> anyhow::Result<()> {
    let options = PgConnectOptions::from_str(database_url)?.application_name(APPLICATION_NAME);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(options);
    let hub = live.hub.clone();
    let node = live.node_id;
    let stop = live.shutting_down();
    tokio::spawn(async move {
        tokio::select! {
            () = listen(pool, &hub, node) => {}
            () = sweep(&hub) => {}
            () = stop => {}
        }
    });
    Ok(())
}

async fn sweep(hub: &Hub) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        if let Err(error) = hub.catch_up_to_positions().await {
            METRICS.database_errors.inc();
            tracing::warn!(%error, "reading the watched spaces' positions failed");
        }
    }
}

async fn listen(pool: sqlx::PgPool, hub: &Hub, node: Uuid) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(?error, "cannot open the change listener; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen_all([CHANNEL, SIGNAL_CHANNEL]).await {
            tracing::warn!(?error, "cannot listen for changes; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever happened while not listening is in the log.
        catch_up(hub).await;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) if notification.channel() == SIGNAL_CHANNEL => {
                    match parse_signal(notification.payload()) {
                        Some((from, space_id, json)) if from != node && hub.watches(space_id) => {
                            if let Some(signal) = Signal::from_wire(json) {
                                hub.signal(space_id, &signal).await;
                            }
                        }
                        _ => {}
                    }
                }
                Ok(Some(notification)) => match parse(notification.payload()) {
                    // This node's own: its hub had them first.
                    Some((from, _)) if from == node => {}
                    Some((_, heard)) => {
                        // Only what this node streams is read; the rest is skipped unparsed.
                        for heard in heard.iter().filter(|h| hub.watches(h.space_id)) {
                            let change = heard.change();
                            match change {
                                Some(_) => METRICS.changes_heard_inline.inc(),
                                None => METRICS.changes_heard_bare.inc(),
                            }
                            hub.committed(heard.space_id, heard.position, change).await;
                        }
                    }
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "a change notification does not parse"
                    ),
                },
                // The connection was lost and is back: notifications may have been missed.
                Ok(None) => {
                    tracing::warn!("the change listener reconnected; catching up from the log");
                    catch_up(hub).await;
                }
                Err(error) => {
                    tracing::warn!(?error, "the change listener failed; reopening it");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    break;
                }
            }
        }
    }
}

async fn catch_up(hub: &Hub) {
    if let Err(error) = hub.catch_up_to_positions().await {
        METRICS.database_errors.inc();
        tracing::warn!(%error, "catching up from the log failed; the sweep tries again");
    }
}
