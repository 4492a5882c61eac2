//! An SSE event as it goes on a socket: made once per publish, its bytes shared by every
//! stream of the space.

use axum::body::Bytes;

/// How the bytes of a frame go on a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// HTTP/1.1 chunked transfer encoding.
    Chunked,
    /// The body ends with the connection (HTTP/1.0).
    Raw,
}

/// One event (a delta, a stream's opening, a heartbeat), shared by every subscriber.
#[derive(Clone, Debug)]
pub(crate) struct EventFrame {
    /// For a delta, its position and the position before it; `0` for the rest.
    pub pos: u64,
    pub prev: u64,
    /// The whole SSE event as one HTTP/1.1 chunk: its size line, the event, `\r\n`. Made
    /// once, so each subscriber's write is a single slice.
    chunk: Bytes,
    /// Where the event itself lies in `chunk`.
    event: std::ops::Range<usize>,
    /// The delta deletes the space: streams end after this frame.
    pub ends_space: bool,
}

impl EventFrame {
    /// Bytes that are not a delta (a stream's opening, a heartbeat): no position of their own.
    pub fn raw(event: &[u8]) -> EventFrame {
        let mut line = [0u8; 18];
        let size = chunk_size_line(event.len(), &mut line);
        let mut chunk = Vec::with_capacity(size.len() + event.len() + 2);
        chunk.extend_from_slice(size);
        chunk.extend_from_slice(event);
        chunk.extend_from_slice(b"\r\n");
        EventFrame {
            pos: 0,
            prev: 0,
            event: size.len()..size.len() + event.len(),
            chunk: Bytes::from(chunk),
            ends_space: false,
        }
    }

    /// The delta at `pos` (following `prev`).
    pub fn delta(pos: u64, prev: u64, event: &[u8], ends_space: bool) -> EventFrame {
        EventFrame {
            pos,
            prev,
            ends_space,
            ..EventFrame::raw(event)
        }
    }

    /// `: ping`, the comment that keeps an idle stream's connection alive.
    pub fn heartbeat() -> EventFrame {
        static PING: std::sync::LazyLock<EventFrame> =
            std::sync::LazyLock::new(|| EventFrame::raw(b": ping\n\n"));
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

/// `{len:x}\r\n` in `buf`, without allocating: this runs once per subscriber per delta.
pub(crate) fn chunk_size_line(len: usize, buf: &mut [u8; 18]) -> &[u8] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 16;
    let mut rest = len;
    loop {
        start -= 1;
        buf[start] = HEX[rest & 0xf];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    buf[16] = b'\r';
    buf[17] = b'\n';
    &buf[start..]
}

#[cfg(test)]
mod tests {
    use super::{EventFrame, Framing, chunk_size_line};

    #[test]
    fn a_frame_is_one_http_chunk_around_its_event() {
        let frame = EventFrame::delta(3, 2, b"data: {}\n\n", false);
        assert_eq!(frame.wire(Framing::Chunked), b"a\r\ndata: {}\n\n\r\n");
        assert_eq!(frame.wire(Framing::Raw), b"data: {}\n\n");
        assert_eq!(&frame.event()[..], b"data: {}\n\n");
        assert_eq!(
            EventFrame::heartbeat().wire(Framing::Chunked),
            b"8\r\n: ping\n\n\r\n"
        );
    }

    #[test]
    fn a_chunk_size_line_is_the_length_in_lowercase_hex() {
        for len in [1, 9, 10, 255, 455, 65_536, usize::MAX] {
            let mut buf = [0u8; 18];
            assert_eq!(
                chunk_size_line(len, &mut buf),
                format!("{len:x}\r\n").as_bytes(),
                "{len}"
            );
        }
    }
}
