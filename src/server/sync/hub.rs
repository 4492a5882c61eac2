//! The fan-out: one broadcast channel per watched space, frames serialized once.
//!
//! Publishing is keyed by position, not by who calls: [`Hub::committed`] says "space S has
//! reached position P" (with the change when the caller has it). The hub sends frames in
//! position order; if positions are missing (a publish raced ahead, or the change came from
//! another node) it reads them from the change log. So a delta can come from anywhere that
//! knows a position — which is how several nodes will share one database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::server::db::{Db, changes};
use crate::sync::Change;

/// One delta as it goes on the wire, shared by every subscriber.
#[derive(Clone, Debug)]
pub struct Frame {
    pub pos: u64,
    pub prev: u64,
    /// The whole SSE event: `id:`, `event: delta`, `data:`.
    pub bytes: Bytes,
    /// The space was deleted: streams end after this frame.
    pub ends: bool,
}

/// The channel of one space: subscribers, and the last position sent on it.
#[derive(Debug)]
struct Channel {
    tx: broadcast::Sender<Frame>,
    /// `None` until the first subscriber or publish reads the head from the database.
    last: tokio::sync::Mutex<Option<u64>>,
}

#[derive(Debug)]
pub struct Hub {
    db: Db,
    epoch: Arc<str>,
    buffer: usize,
    channels: Mutex<HashMap<Uuid, Arc<Channel>>>,
}

/// A live subscription; dropping it frees the space's channel when it was the last one.
pub struct Subscription {
    pub rx: broadcast::Receiver<Frame>,
    hub: Arc<Hub>,
    space_id: Uuid,
    channel: Arc<Channel>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut channels = self.hub.channels.lock().expect("hub lock");
        // Our receiver still counts until this struct is gone: 1 means only us.
        if self.channel.tx.receiver_count() <= 1
            && channels
                .get(&self.space_id)
                .is_some_and(|c| Arc::ptr_eq(c, &self.channel))
        {
            channels.remove(&self.space_id);
        }
    }
}

/// `{"pos":P,"prev":Q,<the change's fields>}`, spliced from the change's own JSON.
pub fn delta_json(pos: u64, prev: u64, change_json: &str) -> String {
    let fields = change_json.strip_prefix('{').unwrap_or(change_json);
    format!("{{\"pos\":{pos},\"prev\":{prev},{fields}")
}

impl Hub {
    pub fn new(db: Db, epoch: Arc<str>, buffer: usize) -> Self {
        Hub {
            db,
            epoch,
            buffer: buffer.max(1),
            channels: Mutex::new(HashMap::new()),
        }
    }

    /// The SSE event for one delta.
    pub fn frame(&self, space_id: Uuid, pos: u64, prev: u64, change_json: &str) -> Frame {
        let ends = change_json == format!("{{\"op\":\"being_delete\",\"id\":\"{space_id}\"}}");
        let data = delta_json(pos, prev, change_json);
        let bytes = format!("id: {}:{pos}\nevent: delta\ndata: {data}\n\n", self.epoch);
        Frame {
            pos,
            prev,
            bytes: Bytes::from(bytes),
            ends,
        }
    }

    /// Subscribes to a space. Subscribe first, then read the state: a change committed in
    /// between arrives both ways, and the stream skips what the state already had.
    pub async fn subscribe(self: &Arc<Self>, space_id: Uuid) -> sqlx::Result<Subscription> {
        let (channel, rx) = {
            let mut channels = self.channels.lock().expect("hub lock");
            let channel = channels
                .entry(space_id)
                .or_insert_with(|| {
                    Arc::new(Channel {
                        tx: broadcast::channel(self.buffer).0,
                        last: tokio::sync::Mutex::new(None),
                    })
                })
                .clone();
            let rx = channel.tx.subscribe();
            (channel, rx)
        };
        self.ensure_started(space_id, &channel).await?;
        Ok(Subscription {
            rx,
            hub: self.clone(),
            space_id,
            channel,
        })
    }

    async fn ensure_started(&self, space_id: Uuid, channel: &Channel) -> sqlx::Result<()> {
        let mut last = channel.last.lock().await;
        if last.is_none() {
            let mut conn = self.db.reader().await?;
            *last = Some(changes::head(conn.exec(), space_id).await?.0);
        }
        Ok(())
    }

    /// Sends whatever the log holds beyond what each watched space has sent: after a gap in
    /// notifications from other nodes.
    pub async fn catch_up_all(&self) {
        let spaces: Vec<Uuid> = self
            .channels
            .lock()
            .expect("hub lock")
            .keys()
            .copied()
            .collect();
        for space_id in spaces {
            self.committed(space_id, u64::MAX, None).await;
        }
    }

    /// The space has committed position `pos` (with `change` when the caller has it). Sends
    /// every position up to it that has not been sent, in order. No one watching: no work.
    pub async fn committed(&self, space_id: Uuid, pos: u64, change: Option<&Change>) {
        let Some(channel) = self
            .channels
            .lock()
            .expect("hub lock")
            .get(&space_id)
            .cloned()
        else {
            return;
        };
        if let Err(error) = self.send_up_to(space_id, &channel, pos, change).await {
            tracing::error!(%space_id, pos, ?error, "publishing a change failed");
        }
    }

    async fn send_up_to(
        &self,
        space_id: Uuid,
        channel: &Channel,
        pos: u64,
        change: Option<&Change>,
    ) -> sqlx::Result<()> {
        let mut guard = channel.last.lock().await;
        let last = match *guard {
            Some(last) => last,
            // Started by nobody yet: the head already includes `pos`; subscribers read it.
            None => return Ok(()),
        };
        if pos <= last {
            return Ok(());
        }
        match change {
            Some(change) if pos == last + 1 => {
                let json = serde_json::to_string(change).expect("a change serializes");
                let _ = channel.tx.send(self.frame(space_id, pos, last, &json));
                *guard = Some(pos);
            }
            _ => {
                let mut conn = self.db.reader().await?;
                let mut prev = last;
                for (row_pos, json) in changes::after(conn.exec(), space_id, last).await? {
                    let _ = channel.tx.send(self.frame(space_id, row_pos, prev, &json));
                    prev = row_pos;
                }
                *guard = Some(prev);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::delta_json;

    #[test]
    fn a_delta_is_the_change_with_its_positions_in_front() {
        let json = delta_json(7, 6, r#"{"op":"intention_delete","id":"x"}"#);
        assert_eq!(
            json,
            r#"{"pos":7,"prev":6,"op":"intention_delete","id":"x"}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed["op"], "intention_delete");
    }
}
