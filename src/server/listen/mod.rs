//! The HTTP/1.1 front door: accepts connections and serves them with hyper, except for one
//! kind of request. An event stream (`GET /api/spaces/{id}/events`) that arrives on an idle
//! connection is taken off hyper and written by [`direct`]: a stream lives for hours, and an
//! idle one then costs its socket and its stream state, not hyper's per-connection buffers
//! (an 8 KiB write buffer and a read buffer that grows to 16 KiB). docs/PERFORMANCE.md has the
//! figures; docs/DECISIONS.md, "Serving event streams", the reasoning.
//!
//! Taking a connection over is safe at any request boundary: [`tap::Tap`] sees each read before
//! hyper does, and only while no request is in flight on the connection does it hold back a
//! read that begins an event-stream request. hyper is then closed gracefully (it is idle, so it
//! writes nothing), and gives back whatever it had buffered: if that is not empty the held
//! bytes were not a request's start after all, and a new hyper connection gets everything back
//! in order.

mod conn;
mod direct;
mod tap;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

/// Counters for operators and tests.
#[derive(Debug, Default)]
pub struct Stats {
    direct_streams: AtomicU64,
}

impl Stats {
    /// Event streams served directly (not through hyper) since start.
    pub fn direct_streams(&self) -> u64 {
        self.direct_streams.load(Ordering::Relaxed)
    }

    fn count_direct_stream(&self) {
        self.direct_streams.fetch_add(1, Ordering::Relaxed);
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, closes idle
/// connections, lets in-flight requests finish and waits for every connection to end. (Event
/// streams end on their own when sync shuts down: `Sync::shut_down`.)
pub async fn serve(
    listener: TcpListener,
    app: Router,
    stats: Arc<Stats>,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    // Each connection holds a sender; `recv` returns `None` once they have all ended.
    let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Deltas are small writes that must leave at once.
                    let _ = stream.set_nodelay(true);
                    let connection = conn::Connection {
                        app: app.clone(),
                        stats: stats.clone(),
                        stop: stop_rx.clone(),
                        _alive: alive_tx.clone(),
                    };
                    tokio::spawn(connection.serve(stream));
                }
                Err(error) => accept_failed(error).await,
            },
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    stop_tx.send_replace(true);
    drop(alive_tx);
    let _ = alive_rx.recv().await;
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
