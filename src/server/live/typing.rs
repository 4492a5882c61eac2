//! Someone typing in a space: an event for the space's live streams on every node, and nowhere
//! else — not the change log, not the memory of recent deltas, not the database (docs/SYNC.md,
//! "Typing"). Between nodes it travels as changes do, on the bus or by `NOTIFY`, on a channel
//! of its own, and nothing is retried: a lost one is followed by the next within seconds.

use uuid::Uuid;

use super::LiveSync;
use super::frame::EventFrame;
use crate::sync::Typing;

/// The frame a stream gets: an event with no id, so a resume never asks for it again.
pub(crate) fn frame(typing_json: &str) -> EventFrame {
    EventFrame::raw(format!("event: typing\ndata: {typing_json}\n\n").as_bytes())
}

/// The frame for a typing event another node sent, read and written again so that nothing but
/// a typing event reaches a stream; `None` when it is not one.
pub(crate) fn frame_from_wire(typing_json: &str) -> Option<EventFrame> {
    let typing: Typing = serde_json::from_str(typing_json).ok()?;
    Some(frame(&serde_json::to_string(&typing).ok()?))
}

impl LiveSync {
    /// Tells the space's streams, here and on the other nodes, that `typing` is writing.
    pub async fn typing(&self, space_id: Uuid, typing: &Typing) {
        let json = serde_json::to_string(typing).expect("a typing event serializes");
        self.hub.ephemeral(space_id, frame(&json)).await;
        if let Some(announcer) = &self.announcer {
            announcer.typing(space_id, json);
        }
    }
}
