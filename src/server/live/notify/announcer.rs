//! This node's announcements: what its transactions committed, queued as they publish and
//! sent by one task, everything queued meanwhile together — on the bus when there is one, and
//! otherwise (or for what the bus did not take) in one statement, one commit of PostgreSQL's
//! notification lock for the lot. An announcement that cannot be sent (a full queue, a
//! database error) is not retried: the other nodes' sweep finds the change.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;
use uuid::Uuid;

use super::bus::Bus;
use super::{Announced, CHANNEL, SIGNAL_CHANNEL, payloads, signal_payload};
use crate::server::db::{Db, Exec};
use crate::server::metrics::METRICS;

/// Changes waiting to be announced; past this, the sweep announces them.
const QUEUE: usize = 65_536;
/// The most changes one statement announces.
const BATCH: usize = 4096;
/// Signals being told to the other nodes at once; more are dropped (someone typing says so
/// again within seconds, a client reads its marks again when it reconnects), so signals never
/// crowd out the database's real work.
const SIGNALS_IN_FLIGHT: usize = 8;

#[derive(Debug)]
pub(crate) struct Announcer {
    queue: mpsc::Sender<Announced>,
    db: Db,
    node: Uuid,
    bus: Option<Arc<Bus>>,
    signals_in_flight: Arc<tokio::sync::Semaphore>,
}

impl Announcer {
    /// Starts the sending task, which ends once `stop` resolves and what was queued is sent.
    pub fn spawn(
        db: Db,
        node: Uuid,
        bus: Option<Arc<Bus>>,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> Announcer {
        let (queue, mut queued) = mpsc::channel(QUEUE);
        let announcer = Announcer {
            queue,
            db: db.clone(),
            node,
            bus: bus.clone(),
            signals_in_flight: Arc::new(tokio::sync::Semaphore::new(SIGNALS_IN_FLIGHT)),
        };
        tokio::spawn(async move {
            tokio::pin!(stop);
            let mut batch = Vec::new();
            loop {
                let open = tokio::select! {
                    n = queued.recv_many(&mut batch, BATCH) => n > 0,
                    () = &mut stop => false,
                };
                if !open {
                    queued.close();
                    while queued.recv_many(&mut batch, BATCH).await > 0 {
                        send(&db, node, bus.as_deref(), &mut batch).await;
                    }
                    return;
                }
                send(&db, node, bus.as_deref(), &mut batch).await;
            }
        });
        announcer
    }

    /// Queues a committed change to be announced.
    pub fn announce(&self, announced: Announced) {
        if let Err(error) = self.queue.try_send(announced) {
            tracing::warn!(%error, "a change is left to the other nodes' sweep");
        }
    }
}

impl Announcer {
    /// Tells the other nodes a signal of a space: on the bus, or by `NOTIFY`; in the
    /// background, never again if it fails, and not at all while [`SIGNALS_IN_FLIGHT`] are on
    /// their way.
    pub fn signal(&self, space_id: Uuid, signal_json: String) {
        let Ok(permit) = self.signals_in_flight.clone().try_acquire_owned() else {
            return;
        };
        let (db, node, bus) = (self.db.clone(), self.node, self.bus.clone());
        tokio::spawn(async move {
            let _permit = permit;
            if let Some(bus) = bus
                && bus.publish_signal(space_id, &signal_json).await
            {
                return;
            }
            let payload = signal_payload(node, space_id, &signal_json);
            let sent = async {
                let mut conn = db.autocommit().await?;
                notify(conn.exec(), SIGNAL_CHANNEL, &[payload]).await
            };
            if let Err(error) = sent.await {
                METRICS.database_errors.inc();
                tracing::warn!(%error, "telling the other nodes a signal failed");
            }
        });
    }
}

/// Announces `batch` (emptied), ordered by space and position so that a node that hears it
/// finds no gap it would have to read the log for: on the bus, and by PostgreSQL what the bus
/// did not take.
async fn send(db: &Db, node: Uuid, bus: Option<&Bus>, batch: &mut Vec<Announced>) {
    batch.sort_unstable_by_key(|a| (a.space_id, a.position));
    if let Some(bus) = bus {
        *batch = bus.publish(std::mem::take(batch)).await;
        if batch.is_empty() {
            return;
        }
    }
    let texts = payloads(node, batch);
    let count = batch.len() as u64;
    batch.clear();
    let began = Instant::now();
    // One statement, one round trip: it commits (and notifies) by itself.
    let sent = async { notify(db.autocommit().await?.exec(), CHANNEL, &texts).await };
    match sent.await {
        Ok(()) => {
            METRICS.announcements.observe(began.elapsed());
            METRICS.changes_announced.add(count);
        }
        Err(error) => {
            METRICS.database_errors.inc();
            tracing::warn!(%error, "announcing changes failed; the other nodes' sweep finds them");
        }
    }
}

/// One `NOTIFY` on `channel` for each of `payloads`, in one statement.
async fn notify(ex: Exec<'_>, channel: &str, payloads: &[String]) -> sqlx::Result<()> {
    match ex {
        Exec::Postgres(c) => {
            sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
                .bind(channel)
                .bind(payloads)
                .execute(&mut *c)
                .await?;
            Ok(())
        }
        // One node, one process: its streams heard of everything directly.
        Exec::Sqlite(_) => Ok(()),
    }
}
