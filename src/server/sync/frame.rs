//! A delta as it goes on the wire: serialized once per publish, its bytes shared by every
//! stream of the space.

use axum::body::Bytes;

use super::sink::Framing;

/// One delta as it goes on the wire, shared by every subscriber.
#[derive(Clone, Debug)]
pub struct Frame {
    pub pos: u64,
    pub prev: u64,
    /// The whole SSE event (`id:`, `event: delta`, `data:`) as one HTTP/1.1 chunk: its size
    /// line, the event, `\r\n`. Made once, so each subscriber's write is a single slice.
    chunk: Bytes,
    /// Where the event itself lies in `chunk`.
    event: std::ops::Range<usize>,
    /// The space was deleted: streams end after this frame.
    pub ends: bool,
}

impl Frame {
    /// Bytes that are not a delta (a stream's opening, a heartbeat): no position of their own.
    pub fn raw(event: &[u8]) -> Frame {
        let size = format!("{:x}\r\n", event.len());
        let mut chunk = Vec::with_capacity(size.len() + event.len() + 2);
        chunk.extend_from_slice(size.as_bytes());
        chunk.extend_from_slice(event);
        chunk.extend_from_slice(b"\r\n");
        Frame {
            pos: 0,
            prev: 0,
            event: size.len()..size.len() + event.len(),
            chunk: Bytes::from(chunk),
            ends: false,
        }
    }

    /// The delta at `pos` (following `prev`); `ends` when it deletes the space.
    pub fn delta(pos: u64, prev: u64, event: &[u8], ends: bool) -> Frame {
        Frame {
            pos,
            prev,
            ends,
            ..Frame::raw(event)
        }
    }

    /// Not a delta: the log no longer has what came before `floor`. No stream takes it (one at
    /// or past `floor` has it already; one behind cannot follow it), so those behind end and
    /// resume with a reset, and nothing is written.
    pub fn lost_before(floor: u64) -> Frame {
        Frame::delta(floor, floor, b"", false)
    }

    /// `: ping`, the comment that keeps an idle stream's connection alive.
    pub fn heartbeat() -> Frame {
        static PING: std::sync::LazyLock<Frame> =
            std::sync::LazyLock::new(|| Frame::raw(b": ping\n\n"));
        PING.clone()
    }

    /// The frame's bytes as they go on a socket with `framing`.
    pub fn wire(&self, framing: Framing) -> &[u8] {
        match framing {
            Framing::Chunked => &self.chunk,
            Framing::Raw => &self.chunk[self.event.clone()],
        }
    }

    /// The event alone, sharing the frame's buffer.
    pub fn event(&self) -> Bytes {
        self.chunk.slice(self.event.clone())
    }
}

/// `{"pos":P,"prev":Q,<the change's fields>}`, spliced from the change's own JSON.
pub fn delta_json(pos: u64, prev: u64, change_json: &str) -> String {
    let fields = change_json.strip_prefix('{').unwrap_or(change_json);
    format!("{{\"pos\":{pos},\"prev\":{prev},{fields}")
}

#[cfg(test)]
mod tests {
    use super::{Frame, Framing, delta_json};

    #[test]
    fn a_frame_is_one_http_chunk_around_its_event() {
        let frame = Frame::delta(3, 2, b"data: {}\n\n", false);
        assert_eq!(frame.wire(Framing::Chunked), b"a\r\ndata: {}\n\n\r\n");
        assert_eq!(frame.wire(Framing::Raw), b"data: {}\n\n");
        assert_eq!(&frame.event()[..], b"data: {}\n\n");
        assert_eq!(
            Frame::heartbeat().wire(Framing::Chunked),
            b"8\r\n: ping\n\n\r\n"
        );
    }

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
