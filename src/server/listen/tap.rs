//! The socket as hyper sees it: every read passes through [`Tap`], which holds back the start
//! of an event-stream request that arrives while the connection is idle. The states and the
//! moves between them are drawn in the module header (`listen/mod.rs`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

use axum::body::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

use super::{Stats, WRITE_TIMEOUT};

/// Where the tap is, for one spell of hyper on the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum TapState {
    /// Reads that start while no request is in flight are looked at.
    Watching = 0,
    /// The start of an event-stream request is held back; hyper must be asked to let go.
    Holding = 1,
    /// hyper has been asked to let go of the connection for the held request.
    HandingOver = 2,
    /// Everything passes to hyper.
    Off = 3,
}

impl TapState {
    fn from_u8(value: u8) -> TapState {
        match value {
            0 => TapState::Watching,
            1 => TapState::Holding,
            2 => TapState::HandingOver,
            _ => TapState::Off,
        }
    }
}

/// What the tap and the connection's service share while hyper serves the connection.
#[derive(Debug)]
pub(super) struct TapControl {
    /// Requests hyper has handed to the app whose responses are not yet fully written.
    in_flight: AtomicUsize,
    state: AtomicU8,
}

impl TapControl {
    fn new(start: TapState) -> Self {
        TapControl {
            in_flight: AtomicUsize::new(0),
            state: AtomicU8::new(start as u8),
        }
    }

    fn state(&self) -> TapState {
        TapState::from_u8(self.state.load(Ordering::Acquire))
    }

    fn set(&self, state: TapState) {
        self.state.store(state as u8, Ordering::Release);
    }

    /// Moves `from` → `to` if the tap is at `from`; `true` if it moved.
    fn advance(&self, from: TapState, to: TapState) -> bool {
        self.state
            .compare_exchange(from as u8, to as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    pub(super) fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn request_ended(&self) {
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    /// HOLDING → HANDING_OVER: `true` when the tap holds a stream request, so hyper must now
    /// be asked to let go.
    pub(super) fn hand_over_if_holding(&self) -> bool {
        self.advance(TapState::Holding, TapState::HandingOver)
    }

    /// WATCHING → OFF: take nothing more (the server is stopping, or a request body was
    /// dropped unread, so where the next request starts is unknown).
    pub(super) fn stop_watching(&self) {
        self.advance(TapState::Watching, TapState::Off);
    }

    /// hyper let go while the tap was handing a stream request over.
    pub(super) fn handed_over(&self) -> bool {
        self.state() == TapState::HandingOver
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
    /// Since when a write has waited on a full socket (it fails at [`WRITE_TIMEOUT`]).
    write_stalled: Option<Pin<Box<Sleep>>>,
    control: Arc<TapControl>,
    stats: Arc<Stats>,
}

impl Tap {
    pub(super) fn new(stream: TcpStream, stats: Arc<Stats>) -> Self {
        Tap {
            stream,
            replay: Bytes::new(),
            held: Vec::new(),
            unflushed: false,
            write_stalled: None,
            control: Arc::new(TapControl::new(TapState::Off)),
            stats,
        }
    }

    /// Starts a new spell of hyper, watching for stream requests when `watch`; returns what
    /// the spell's service shares with the tap.
    pub(super) fn start_spell(&mut self, watch: bool) -> Arc<TapControl> {
        let start = if watch {
            TapState::Watching
        } else {
            TapState::Off
        };
        self.control = Arc::new(TapControl::new(start));
        self.control.clone()
    }

    /// Turns the held bytes back into input, after `earlier` (bytes hyper had read but not
    /// used): they were not the start of a request.
    pub(super) fn give_back(&mut self, earlier: Bytes) {
        self.stats.count(&self.stats.given_back);
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
        match this.control.state() {
            // hyper is being asked to let go; its connection task is already awake.
            TapState::Holding => return Poll::Pending,
            // Asked to let go, hyper still reads: it was not between requests after all (in
            // the middle of a request head, say), so the held bytes are the rest of what it
            // was reading. hyper gets them, and closes after answering.
            TapState::HandingOver => {
                this.control.set(TapState::Off);
                this.stats.count(&this.stats.handed_back_mid_head);
                let mut held = std::mem::take(&mut this.held);
                let n = buf.remaining().min(held.len());
                buf.put_slice(&held[..n]);
                this.replay = Bytes::from(held.split_off(n));
                return Poll::Ready(Ok(()));
            }
            TapState::Watching | TapState::Off => {}
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.stream).poll_read(cx, buf))?;
        let fresh = &buf.filled()[before..];
        let watching = this.control.state() == TapState::Watching;
        if watching && this.control.idle() && !this.unflushed && starts_stream_request(fresh) {
            this.held.extend_from_slice(fresh);
            buf.set_filled(before);
            this.control.set(TapState::Holding);
            this.stats.count(&this.stats.held);
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
        let poll = Pin::new(&mut this.stream).poll_write(cx, buf);
        let written = ready!(this.timed(cx, poll))?;
        this.unflushed |= written > 0;
        Poll::Ready(Ok(written))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        let written = ready!(this.timed(cx, poll))?;
        this.unflushed |= written > 0;
        Poll::Ready(Ok(written))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    /// hyper flushes the socket only once its own buffer is empty: the response is out.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.stream).poll_flush(cx);
        ready!(this.timed(cx, poll))?;
        this.unflushed = false;
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

impl Tap {
    /// What a write that returned `poll` means: done (the stall clock stops), or waiting — an
    /// error once it has waited [`WRITE_TIMEOUT`].
    fn timed<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if poll.is_ready() {
            self.write_stalled = None;
            return poll;
        }
        let stalled = self
            .write_stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(WRITE_TIMEOUT)));
        match stalled.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading",
            ))),
            Poll::Pending => Poll::Pending,
        }
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
