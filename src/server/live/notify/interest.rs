//! This node's subscriptions on the bus: one per space it streams, made when the space's first
//! stream here opens and dropped with its last (the hub says which, as [`Interest`]), so NATS
//! routes a space's changes (and its signals) only to the nodes that stream it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use uuid::Uuid;

use super::bus::{self, Bus};
use crate::server::live::LiveSync;
use crate::server::live::hub::Hub;
use crate::server::live::signal::Signal;
use crate::server::metrics::METRICS;

/// What a space's subscriptions bring.
enum BusMessage {
    Change(async_nats::Message),
    Signal(async_nats::Message),
}

/// A space this node begins or stops streaming.
#[derive(Debug)]
pub(crate) enum Interest {
    Watch(Uuid),
    Leave(Uuid),
}

/// Follows the hub's interest until the server shuts down.
pub(crate) fn spawn(
    bus: Arc<Bus>,
    live: &LiveSync,
    mut interest: mpsc::UnboundedReceiver<Interest>,
) {
    let hub = live.hub.clone();
    let stop = live.shutting_down();
    tokio::spawn(async move {
        tokio::pin!(stop);
        let mut followed: HashMap<Uuid, AbortHandle> = HashMap::new();
        loop {
            let next = tokio::select! {
                next = interest.recv() => next,
                () = &mut stop => None,
            };
            match next {
                Some(Interest::Watch(space_id)) => {
                    let task = tokio::spawn(follow(bus.clone(), hub.clone(), space_id));
                    if let Some(before) = followed.insert(space_id, task.abort_handle()) {
                        before.abort();
                    }
                }
                Some(Interest::Leave(space_id)) => {
                    if let Some(task) = followed.remove(&space_id) {
                        task.abort();
                    }
                }
                None => break,
            }
        }
        followed.values().for_each(AbortHandle::abort);
    });
}

/// Hands each change of the space the bus carries to the hub. The subscription is made first
/// and the history read after it, so a change published in between comes one way or the
/// other (the hub sends each position once). While NATS is away the client resubscribes by
/// itself; what was published meanwhile went by PostgreSQL.
async fn follow(bus: Arc<Bus>, hub: Arc<Hub>, space_id: Uuid) {
    let (changes, signals) = loop {
        match bus.subscribe(space_id).await {
            Ok(subscribers) => break subscribers,
            Err(error) => {
                METRICS.bus_errors.inc();
                tracing::warn!(%error, %space_id, "cannot subscribe to a space on the bus; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    hub.recall(space_id, bus.history(space_id).await).await;
    let signals = signals.map(BusMessage::Signal);
    let mut heard = futures_util::stream::select(changes.map(BusMessage::Change), signals);
    while let Some(message) = heard.next().await {
        let message = match message {
            BusMessage::Change(message) => message,
            BusMessage::Signal(message) => {
                let signal = std::str::from_utf8(&message.payload)
                    .ok()
                    .and_then(Signal::from_wire);
                if let Some(signal) = signal {
                    hub.signal(space_id, &signal).await;
                }
                continue;
            }
        };
        let Some((position, change)) = bus::read(space_id, &message) else {
            tracing::warn!(subject = %message.subject, "a message on the bus is not a change");
            continue;
        };
        match change {
            Some(_) => METRICS.changes_heard_inline.inc(),
            None => METRICS.changes_heard_bare.inc(),
        }
        hub.committed(space_id, position, change).await;
    }
}
