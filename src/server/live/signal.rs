//! Signals: events for a space's live streams that are not changes — someone typing, a reader's
//! mark moving — on every node, and nowhere else: not the change log, not the memory of recent
//! deltas (docs/SYNC.md, "Signals"). Between nodes they travel as changes do, on the bus or by
//! `NOTIFY`, on a channel of their own, and nothing is retried: a lost typing event is followed
//! by the next within seconds, and a client reads its marks again whenever it reconnects.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::LiveSync;
use super::frame::EventFrame;
use crate::sync::{ReadState, Typing};

/// A signal, as it travels between nodes (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "signal", rename_all = "snake_case")]
pub(crate) enum Signal {
    /// Someone is writing a message: for every stream of the space.
    Typing { typing: Typing },
    /// Where `reader`'s mark is now: for that reader's own streams only.
    Read { reader: Uuid, read: ReadState },
}

impl Signal {
    /// The frame a stream gets: an event with no id, so a resume never asks for it again.
    pub fn frame(&self) -> EventFrame {
        let (event, json) = match self {
            Signal::Typing { typing } => ("typing", serde_json::to_string(typing)),
            Signal::Read { read, .. } => ("read", serde_json::to_string(read)),
        };
        let json = json.expect("a signal serializes");
        EventFrame::raw(format!("event: {event}\ndata: {json}\n\n").as_bytes())
    }

    /// The one being whose streams get it, if it is not for everyone's.
    pub fn only_for(&self) -> Option<Uuid> {
        match self {
            Signal::Typing { .. } => None,
            Signal::Read { reader, .. } => Some(*reader),
        }
    }

    /// A stream that is behind skips a typing event, stale by the time its queue drains; a
    /// mark waits its turn.
    pub fn may_skip(&self) -> bool {
        matches!(self, Signal::Typing { .. })
    }

    pub fn to_wire(&self) -> String {
        serde_json::to_string(self).expect("a signal serializes")
    }

    /// A signal another node sent; `None` when it is not one.
    pub fn from_wire(json: &str) -> Option<Signal> {
        serde_json::from_str(json).ok()
    }
}

impl LiveSync {
    /// Tells the space's streams, here and on the other nodes, that `typing` is writing.
    pub async fn typing(&self, space_id: Uuid, typing: Typing) {
        self.signal(space_id, Signal::Typing { typing }).await;
    }

    /// Tells `reader`'s streams of the space, here and on the other nodes, where its mark is.
    pub async fn read(&self, reader: Uuid, read: &ReadState) {
        let signal = Signal::Read {
            reader,
            read: read.clone(),
        };
        self.signal(read.space_id, signal).await;
    }

    async fn signal(&self, space_id: Uuid, signal: Signal) {
        self.hub.signal(space_id, &signal).await;
        if let Some(announcer) = &self.announcer {
            announcer.signal(space_id, signal.to_wire());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Timestamp;
    use crate::sync::ReadPlace;

    #[test]
    fn a_signal_crosses_the_wire_unchanged_and_frames_as_its_event() {
        let typing = Signal::Typing {
            typing: Typing {
                being_id: Uuid::new_v4(),
                name: "Ada".into(),
            },
        };
        let reader = Uuid::new_v4();
        let read = Signal::Read {
            reader,
            read: ReadState {
                space_id: Uuid::new_v4(),
                up_to: Some(ReadPlace {
                    at: Timestamp(1_700_000_000_000_000),
                    id: Uuid::new_v4(),
                }),
                unread: 3,
                mentions: 1,
            },
        };
        for signal in [&typing, &read] {
            assert_eq!(Signal::from_wire(&signal.to_wire()).as_ref(), Some(signal));
        }
        assert_eq!(Signal::from_wire(r#"{"being_id":"x","name":"y"}"#), None);
        assert_eq!((typing.only_for(), read.only_for()), (None, Some(reader)));
        let framed = String::from_utf8_lossy(&read.frame().event()).into_owned();
        assert!(framed.contains("event: read\ndata: {"), "{framed}");
        assert!(
            !framed.contains("reader"),
            "the reader's id stays on the server"
        );
    }
}
