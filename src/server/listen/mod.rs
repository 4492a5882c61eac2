//! The HTTP/1.1 front door: accepts connections and serves them with hyper, except for one
//! kind of request. An event stream (`GET /api/spaces/{id}/events`) that arrives on an idle
//! connection is taken off hyper and written by [`direct`]: a stream lives for hours, and an
//! idle one then costs its socket and its stream state, not hyper's per-connection buffers
//! (an 8 KiB write buffer and a read buffer that grows to 16 KiB). docs/PERFORMANCE.md has the
//! figures; docs/DECISIONS.md, "Serving event streams", the reasoning.
//!
//! One connection, as [`conn`] serves it. Each spell of hyper has a [`tap::Tap`] in front of
//! it that sees every read first; its state (one atomic, shared with the spell's service) moves
//! like this:
//!
//! ```text
//!                        a read arrives while no request is in flight (nor
//!                        a response unflushed) and starts
//!  ┌──────────┐          GET /api/spaces/{id}/events: held back             ┌─────────┐
//!  │ WATCHING │ ──────────────────────────────────────────────────────────▶ │ HOLDING │
//!  └──────────┘                                                             └─────────┘
//!       │ the server stops; a request body is dropped                            │ conn.rs sees it and
//!       │ unread; or `direct-streams = false` (starts here)                      │ asks hyper to close
//!       ▼                                                                        ▼ gracefully
//!  ┌──────────┐        hyper reads again: it was in the middle of a       ┌──────────────┐
//!  │   OFF    │ ◀──────────────────────────────────────────────────────── │ HANDING_OVER │
//!  └──────────┘        head, so the held bytes are its (handed_back_      └──────────────┘
//!       │              mid_head); it answers, then closes                        │ hyper closed
//!       ▼                                                                        ▼
//!  hyper serves to the end of the connection          had hyper buffered bytes of its own?
//!                                                       yes: the held bytes were not a
//!                                                       request's start; all of it is given
//!                                                       back (given_back) to a new spell of
//!                                                       hyper, which starts WATCHING
//!                                                       no:  direct.rs writes the stream
//!                                                       (direct_streams); the connection
//!                                                       closes when it ends
//! ```
//!
//! A request is in flight from when hyper hands it to the app until its response body is
//! written and its request body read to the end ([`conn`]'s `Counting`); the tap itself sees
//! whether hyper has flushed what it wrote.
//!
//! At most `max-connections` connections are served at once, and `max-connections-per-address`
//! from one address ([`slots`]). Past either cap a new connection is answered once by
//! [`overflow`] — the health check as usual, anything else `503` with `Retry-After` — and
//! closed, so the connections already open (and their streams) go on as before and a monitor
//! still sees the server answer.

mod conn;
mod direct;
mod overflow;
mod slots;
mod tap;
mod wire;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use self::slots::Slots;

use crate::server::config::Config;

/// How long one write may wait on a client that does not read before its connection is
/// dropped, by hyper's side ([`tap`]) or a direct stream's ([`direct`]): a client must not hold
/// its slot, or the server's memory, by never taking its answer.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// What the front door did, counted as it happens: for operators and tests.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    held: AtomicU64,
    given_back: AtomicU64,
    handed_back_mid_head: AtomicU64,
    direct_streams: AtomicU64,
    over_the_cap: AtomicU64,
}

/// A reading of [`Stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrontDoorCounts {
    /// Reads held back as the start of an event-stream request.
    pub held: u64,
    /// Held reads given back to hyper: hyper had bytes of its own, so they were not a start.
    pub given_back: u64,
    /// Held reads handed back to hyper because it was in the middle of a request head.
    pub handed_back_mid_head: u64,
    /// Event-stream requests answered directly (not through hyper): with a stream, or with the
    /// error the app gave (a space that does not exist, say).
    pub direct_streams: u64,
    /// Connections that came past the cap on connections (answered once, or closed at once).
    pub over_the_cap: u64,
}

impl Stats {
    fn count(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn counts(&self) -> FrontDoorCounts {
        FrontDoorCounts {
            held: self.held.load(Ordering::Relaxed),
            given_back: self.given_back.load(Ordering::Relaxed),
            handed_back_mid_head: self.handed_back_mid_head.load(Ordering::Relaxed),
            direct_streams: self.direct_streams.load(Ordering::Relaxed),
            over_the_cap: self.over_the_cap.load(Ordering::Relaxed),
        }
    }
}

/// What every connection of a front door is served with.
#[derive(Clone, Copy, Debug)]
pub(super) struct DoorSettings {
    /// Take event streams off hyper (the `direct-streams` setting).
    direct_streams: bool,
    /// How long a client may take to send a request head (`head-timeout-secs`).
    head_timeout: Duration,
}

/// The front door of one server.
pub(crate) struct FrontDoor {
    app: Router,
    stats: Arc<Stats>,
    settings: DoorSettings,
    /// Connections served.
    served: Arc<Slots>,
    /// Connections past the cap, answered once.
    answered: Arc<Slots>,
}

impl FrontDoor {
    pub fn new(app: Router, stats: Arc<Stats>, config: &Config) -> Self {
        FrontDoor {
            app,
            stats,
            settings: DoorSettings {
                direct_streams: config.direct_streams,
                head_timeout: config.head_timeout,
            },
            served: Slots::new(config.max_connections, config.max_connections_per_address),
            answered: Slots::new(overflow::AT_ONCE, overflow::PER_ADDRESS),
        }
    }

    /// Serves on `listener` until `shutdown` resolves, then stops accepting, closes idle
    /// connections, lets in-flight requests finish and waits for every connection to end.
    /// (Event streams end on their own when live sync shuts down: `LiveSync::shut_down`.)
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        // Each connection holds a sender; `recv` returns `None` once they have all ended.
        let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (stream, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        accept_failed(error).await;
                        continue;
                    }
                },
                _ = &mut shutdown => break,
            };
            // Deltas are small writes that must leave at once.
            let _ = stream.set_nodelay(true);
            let Some(slot) = self.served.take(peer.ip()) else {
                self.stats.count(&self.stats.over_the_cap);
                // Answered once when there is room for that; closed at once when not.
                if let Some(slot) = self.answered.take(peer.ip()) {
                    let answer = overflow::answer_once(stream, peer, self.app.clone());
                    tokio::spawn(async move {
                        answer.await;
                        drop(slot);
                    });
                }
                continue;
            };
            let connection = conn::Connection {
                app: self.app.clone(),
                stats: self.stats.clone(),
                settings: self.settings,
                peer,
                stop: stop_rx.clone(),
                _alive: alive_tx.clone(),
                _slot: slot,
            };
            tokio::spawn(connection.serve(stream));
        }
        drop(listener);
        stop_tx.send_replace(true);
        drop(alive_tx);
        let _ = alive_rx.recv().await;
    }
}

/// A connection that failed before we saw it is the client's business; anything else (out of
/// file descriptors, say) is logged, and accepting pauses for a second rather than spinning.
async fn accept_failed(error: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(?error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
