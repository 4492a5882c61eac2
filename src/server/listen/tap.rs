//! The socket as hyper sees it: every read passes through [`Tap`], which holds back the start
//! of an event-stream request that arrives while the connection is idle.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

use axum::body::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// What the tap and the connection's service share while hyper serves the connection.
#[derive(Debug, Default)]
pub(super) struct Shared {
    /// Requests hyper has handed to the app whose responses are not yet fully written.
    in_flight: AtomicUsize,
    /// One of the `WATCHING`… states below.
    state: AtomicU8,
}

/// The tap looks at reads that start while no request is in flight.
const WATCHING: u8 = 0;
/// The tap holds back an event-stream request; hyper must be asked to let go.
const TAKEN: u8 = 1;
/// hyper has been asked to let go of the connection for the held request.
const CLOSING: u8 = 2;
/// The tap passes everything to hyper (the server is stopping, or hyper was mid-request).
const OFF: u8 = 3;

impl Shared {
    pub(super) fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn request_ended(&self) {
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// `true` when the tap holds a request back: hyper is now being asked to let go.
    pub(super) fn close_for_stream(&self) -> bool {
        self.state
            .compare_exchange(TAKEN, CLOSING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// The server is stopping: take nothing more.
    pub(super) fn stop_watching(&self) {
        let _ = self
            .state
            .compare_exchange(WATCHING, OFF, Ordering::AcqRel, Ordering::Acquire);
    }

    /// hyper let go while the tap held a stream request.
    pub(super) fn let_go_for_stream(&self) -> bool {
        self.state.load(Ordering::Acquire) == CLOSING
    }

    fn idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }
}

pub(super) struct Tap {
    pub(super) stream: TcpStream,
    /// Bytes to hand out before reading the socket again (given back by a closed hyper).
    replay: Bytes,
    /// The held-back start of an event-stream request.
    pub(super) held: Vec<u8>,
    /// hyper has written bytes it has not flushed yet: its response is not finished, whatever
    /// the app's side says.
    unflushed: bool,
    shared: Arc<Shared>,
}

impl Tap {
    pub(super) fn new(stream: TcpStream) -> Self {
        Tap {
            stream,
            replay: Bytes::new(),
            held: Vec::new(),
            unflushed: false,
            shared: Arc::default(),
        }
    }

    /// Starts watching for a new hyper connection; returns what its service must share.
    pub(super) fn watch(&mut self) -> Arc<Shared> {
        self.shared = Arc::default();
        self.shared.clone()
    }

    /// Turns the held bytes back into input, after `earlier` (bytes hyper had read but not
    /// used): they were not the start of a request.
    pub(super) fn give_back(&mut self, earlier: Bytes) {
        let mut bytes = Vec::with_capacity(earlier.len() + self.held.len() + self.replay.len());
        bytes.extend_from_slice(&earlier);
        bytes.append(&mut self.held);
        bytes.extend_from_slice(&self.replay);
        self.replay = Bytes::from(bytes);
    }
}

/// Does a read that starts a request start `GET /api/spaces/{id}/events`? A read too short to
/// tell is left to hyper.
pub(super) fn starts_stream_request(bytes: &[u8]) -> bool {
    let Some(rest) = bytes.strip_prefix(b"GET /api/spaces/") else {
        return false;
    };
    let Some(end) = rest.iter().position(|&b| b == b' ' || b == b'?') else {
        return false;
    };
    rest[..end]
        .strip_suffix(b"/events")
        .is_some_and(|id| !id.is_empty() && !id.contains(&b'/'))
}

impl AsyncRead for Tap {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.replay.is_empty() {
            let n = buf.remaining().min(this.replay.len());
            buf.put_slice(&this.replay.split_to(n));
            return Poll::Ready(Ok(()));
        }
        match this.shared.state.load(Ordering::Acquire) {
            // hyper is being asked to let go; its connection task is already awake.
            TAKEN => return Poll::Pending,
            // Asked to let go, hyper still reads: it was not between requests after all (in
            // the middle of a request head, say), so the held bytes are the rest of what it
            // was reading. hyper gets them, and closes after answering.
            CLOSING => {
                this.shared.state.store(OFF, Ordering::Release);
                let mut held = std::mem::take(&mut this.held);
                let n = buf.remaining().min(held.len());
                buf.put_slice(&held[..n]);
                this.replay = Bytes::from(held.split_off(n));
                return Poll::Ready(Ok(()));
            }
            _ => {}
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.stream).poll_read(cx, buf))?;
        let fresh = &buf.filled()[before..];
        let watching = this.shared.state.load(Ordering::Acquire) == WATCHING;
        if watching && this.shared.idle() && !this.unflushed && starts_stream_request(fresh) {
            this.held.extend_from_slice(fresh);
            buf.set_filled(before);
            this.shared.state.store(TAKEN, Ordering::Release);
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Tap {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.stream).poll_write(cx, buf))?;
        this.unflushed |= written > 0;
        Poll::Ready(Ok(written))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.stream).poll_write_vectored(cx, bufs))?;
        this.unflushed |= written > 0;
        Poll::Ready(Ok(written))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    /// hyper flushes the socket only once its own buffer is empty: the response is out.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.stream).poll_flush(cx))?;
        this.unflushed = false;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::starts_stream_request;

    #[test]
    fn only_the_start_of_an_event_stream_request_is_taken() {
        let id = "0194f0c2-7a4e-7c3b-9d2a-5b1e8f0a6c11";
        for taken in [
            format!("GET /api/spaces/{id}/events HTTP/1.1\r\n"),
            format!("GET /api/spaces/{id}/events?after=ab:3 HTTP/1.1\r\nHost: x\r\n\r\n"),
            format!("GET /api/spaces/{id}/events "),
        ] {
            assert!(starts_stream_request(taken.as_bytes()), "{taken:?}");
        }
        for left in [
            format!("GET /api/spaces/{id}/events"),
            format!("GET /api/spaces/{id}/changes HTTP/1.1\r\n"),
            format!("POST /api/spaces/{id}/events HTTP/1.1\r\n"),
            format!("GET /api/spaces/{id}/eventsx HTTP/1.1\r\n"),
            format!("GET /api/spaces/{id}/x/events HTTP/1.1\r\n"),
            "GET /api/spaces//events HTTP/1.1\r\n".to_owned(),
            "GET /api/spac".to_owned(),
            String::new(),
        ] {
            assert!(!starts_stream_request(left.as_bytes()), "{left:?}");
        }
    }
}
