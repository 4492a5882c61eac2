//! Several nodes on one PostgreSQL database. Each change's transaction also sends
//! `NOTIFY rhizom_changes, '<space>:<position>'`, delivered to every node at commit. Each node
//! listens on one dedicated connection and hands the position to its hub, which reads the rows
//! it has not sent from the change log. A notification carries no data (NOTIFY payloads are
//! limited), and one missed while the connection was down is caught up from the log.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use uuid::Uuid;

use super::LiveSync;
use super::hub::Hub;
use crate::server::db::Exec;

const CHANNEL: &str = "rhizom_changes";
/// The listener's connection shows under this name in `pg_stat_activity`.
const APPLICATION_NAME: &str = "rhizom-listener";

/// Inside the writing transaction: tell every node (delivered at commit, never before).
pub(crate) async fn announce(ex: Exec<'_>, space_id: Uuid, position: u64) -> sqlx::Result<()> {
    match ex {
        Exec::Postgres(c) => sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(format!("{space_id}:{position}"))
            .execute(&mut *c)
            .await
            .map(|_| ()),
        // One node, one process: the hub hears of every change directly.
        Exec::Sqlite(_) => Ok(()),
    }
}

fn parse(payload: &str) -> Option<(Uuid, u64)> {
    let (space, position) = payload.split_once(':')?;
    Some((Uuid::try_parse(space).ok()?, position.parse().ok()?))
}

/// Listens until the server shuts down, reconnecting as needed.
pub(crate) fn spawn_listener(database_url: &str, live: Arc<LiveSync>) -> anyhow::Result<()> {
    let options = PgConnectOptions::from_str(database_url)?.application_name(APPLICATION_NAME);
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(options);
    let hub = live.hub.clone();
    let stop = live.shutting_down();
    tokio::spawn(async move {
        tokio::select! {
            _ = listen(pool, &hub) => {}
            _ = stop => {}
        }
    });
    Ok(())
}

async fn listen(pool: sqlx::PgPool, hub: &Arc<Hub>) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(?error, "cannot open the change listener; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(?error, "cannot listen for changes; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever happened while not listening is in the log.
        hub.catch_up_all().await;
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => match parse(notification.payload()) {
                    Some((space_id, position)) => hub.committed(space_id, position, None).await,
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "a change notification does not parse"
                    ),
                },
                // The connection was lost and is back: notifications may have been missed.
                Ok(None) => {
                    tracing::warn!("the change listener reconnected; catching up from the log");
                    hub.catch_up_all().await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_names_a_space_and_a_position() {
        let space = Uuid::new_v4();
        assert_eq!(parse(&format!("{space}:42")), Some((space, 42)));
        assert_eq!(parse("garbage"), None);
        assert_eq!(parse(&format!("{space}:-1")), None);
    }
}
