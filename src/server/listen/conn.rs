//! One connection: hyper serves it until the tap takes an event stream off it.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tower::ServiceExt;

use super::slots::Slot;
use super::tap::{Tap, TapControl};
use super::{DoorSettings, Stats, direct};
use crate::server::guard::address::PeerAddress;

pub(super) struct Connection {
    pub(super) app: Router,
    pub(super) stats: Arc<Stats>,
    pub(super) settings: DoorSettings,
    /// Who is at the other end of the socket.
    pub(super) peer: SocketAddr,
    /// Turns `true` when the server shuts down.
    pub(super) stop: watch::Receiver<bool>,
    /// Held for as long as the connection lives (see `FrontDoor::serve`).
    pub(super) _alive: mpsc::Sender<()>,
    /// This connection's place under the caps on connections.
    pub(super) _slot: Slot,
}

/// How a spell of hyper serving the connection ended.
enum SpellEnd {
    /// The connection is finished (closed by either side, or failed).
    Closed,
    /// The tap took an event-stream request at a request boundary.
    Stream(Tap),
    /// The tap took bytes that turned out not to start a request: serve them with hyper.
    GiveBack(Tap),
}

impl Connection {
    pub(super) async fn serve(mut self, stream: TcpStream) {
        let mut tap = Tap::new(stream, self.stats.clone());
        loop {
            // Boxed: hyper's connection state is freed before a stream settles in this task.
            match Box::pin(self.hyper(tap)).await {
                SpellEnd::Closed => return,
                SpellEnd::GiveBack(again) => tap = again,
                SpellEnd::Stream(taken) => {
                    let peer = PeerAddress(self.peer);
                    let head_timeout = self.settings.head_timeout;
                    return direct::serve(
                        taken,
                        self.app,
                        peer,
                        head_timeout,
                        &self.stats,
                        self.stop,
                    )
                    .await;
                }
            }
        }
    }

    async fn hyper(&mut self, mut tap: Tap) -> SpellEnd {
        let control = tap.start_spell(self.settings.direct_streams);
        let service = Counted {
            app: self.app.clone(),
            control: control.clone(),
            peer: PeerAddress(self.peer),
        };
        let mut conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.settings.head_timeout)
            .serve_connection(TokioIo::new(tap), service);
        let mut stopping = std::pin::pin!(self.stop.wait_for(|stop| *stop));
        let mut closing = false;
        let served = poll_fn(|cx| {
            if !closing {
                let for_stream = control.hand_over_if_holding();
                if for_stream || stopping.as_mut().poll(cx).is_ready() {
                    if !for_stream {
                        control.stop_watching();
                    }
                    Pin::new(&mut conn).graceful_shutdown();
                    closing = true;
                }
            }
            conn.poll_without_shutdown(cx)
        })
        .await;
        if let Err(error) = served {
            tracing::debug!(%error, "connection ended with an error");
            return SpellEnd::Closed;
        }
        let parts = conn.into_parts();
        let mut tap = parts.io.into_inner();
        if !control.handed_over() {
            let _ = tap.stream.shutdown().await;
            return SpellEnd::Closed;
        }
        if parts.read_buf.is_empty() {
            SpellEnd::Stream(tap)
        } else {
            tap.give_back(parts.read_buf);
            SpellEnd::GiveBack(tap)
        }
    }
}

/// The app as hyper calls it, counting requests in flight for the tap.
#[derive(Clone)]
struct Counted {
    app: Router,
    control: Arc<TapControl>,
    peer: PeerAddress,
}

type Respond = Pin<Box<dyn Future<Output = Result<Response<Counting<Body>>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for Counted {
    type Response = Response<Counting<Body>>;
    type Error = Infallible;
    type Future = Respond;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(self.peer);
        let in_flight = InFlight::new(&self.control);
        let request = if http_body::Body::is_end_stream(request.body()) {
            request.map(Body::new)
        } else {
            request.map(|body| Body::new(Counting::request(body, InFlight::new(&self.control))))
        };
        let app = self.app.clone();
        Box::pin(async move {
            let response = app.oneshot(request).await?;
            Ok(response.map(|body| Counting::response(body, in_flight)))
        })
    }
}

/// One request in flight (see [`Counting`]).
struct InFlight(Arc<TapControl>);

impl InFlight {
    fn new(control: &Arc<TapControl>) -> Self {
        control.request_started();
        InFlight(control.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.request_ended();
    }
}

/// A body that keeps its request counted as in flight until it has been read to its end.
///
/// A response body ends its count when hyper has written it (or dropped it). A request body ends
/// it when the app has read it all: until then, what the socket brings is more of it. A request
/// body dropped unread (an app that answered without reading it) is drained by hyper itself,
/// and nobody here knows where the next request starts, so the tap takes nothing more from
/// this connection.
struct Counting<B> {
    body: B,
    in_flight: Option<InFlight>,
    /// Dropped before its end, this body stops the tap for the rest of the connection.
    unread_stops_tap: bool,
}

impl<B> Counting<B> {
    fn response(body: B, in_flight: InFlight) -> Self {
        Counting {
            body,
            in_flight: Some(in_flight),
            unread_stops_tap: false,
        }
    }

    fn request(body: B, in_flight: InFlight) -> Self {
        Counting {
            body,
            in_flight: Some(in_flight),
            unread_stops_tap: true,
        }
    }
}

impl<B> Drop for Counting<B> {
    fn drop(&mut self) {
        if let Some(InFlight(control)) = &self.in_flight
            && self.unread_stops_tap
        {
            control.stop_watching();
        }
    }
}

impl<B: http_body::Body + Unpin> http_body::Body for Counting<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.get_mut();
        let frame = std::task::ready!(Pin::new(&mut this.body).poll_frame(cx));
        let ended = match &frame {
            None => true,
            Some(Ok(_)) => this.body.is_end_stream(),
            Some(Err(_)) => false,
        };
        if ended {
            this.in_flight = None;
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
