//! One live stream: how it opens (subscribe, then read the catch-up or reset, then come
//! online), and how its frames reach the client — written to its socket by the front door and
//! the hub ([`LiveStream::write_to`]), or pulled through hyper when it arrived behind another
//! request on its connection ([`LiveStream::next_chunk`]).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio::time::{Instant, Interval, MissedTickBehavior, timeout_at};
use uuid::Uuid;

use super::LiveSync;
use super::ending::Ending;
use super::event::opening_text;
use super::frame::{EventFrame, Framing};
use super::hub::Subscription;
use super::opening::Opening;
use super::presence::PresenceGuard;
use super::session_streams::{SessionEnded, SessionWatch};
use super::sink::{Flushed, Popped, Sink};
use crate::model::{ApiError, Timestamp};
use crate::server::db::{Db, bots, sessions};
use crate::server::locks::lock;
use crate::server::metrics::METRICS;

/// The live part of one stream: its place in the fan-out, its heartbeat, and what ends it.
pub(crate) struct LiveStream {
    subscription: Subscription,
    heartbeat: Interval,
    /// Resolves when the server shuts down: the stream ends so the shutdown can finish.
    shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// The viewer's session: when it ends, the stream says `signed_out` and ends.
    session: Option<SessionWatch>,
    _presence: Option<PresenceGuard>,
    space_id: Uuid,
    opened: Instant,
    /// How the client's side ended it, when it did.
    client_ended: Option<Ending>,
}

impl Drop for LiveStream {
    /// Every stream's end is logged with why and how long it lived, and counted.
    fn drop(&mut self) {
        let why = self
            .client_ended
            .or_else(|| self.sink().ending())
            .unwrap_or(Ending::ClientGone);
        METRICS.streams_open.dec();
        METRICS.stream_ended(why);
        tracing::info!(
            space = %self.space_id,
            reason = why.as_str(),
            seconds = self.opened.elapsed().as_secs_f64(),
            "a stream ended"
        );
    }
}

/// Who a stream is for: a signed-in being, through one of its sessions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Viewer {
    pub being_id: Uuid,
    pub session_id: Uuid,
    /// The page has been hidden for a while: its being counts as away, unless another of its
    /// streams says otherwise.
    pub away: bool,
}

/// The last event of a stream whose session ended: signed out, or replaced by a new session of
/// the same device (it signed in again).
pub(super) const SIGNED_OUT: &[u8] = b"event: signed_out\ndata: {}\n\n";
pub(super) const SESSION_REPLACED: &[u8] = b"event: session_replaced\ndata: {}\n\n";

/// How a stream written to its socket ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StreamEnd {
    /// By the server (shutdown, the client too far behind, the space deleted) at a frame's
    /// end: the response can be finished properly.
    Finished,
    /// The client went away, or the stream was stopped inside a frame: close, nothing more.
    Dropped,
}

impl LiveStream {
    /// Opens a stream of `space_id` for `viewer` (anonymous: `None`) from `cursor` (the raw
    /// `Last-Event-ID` or `after`): subscribe first, so nothing committed from here on can be
    /// missed, then read the opening, then count the viewer in.
    pub async fn open(
        live: &LiveSync,
        db: &Db,
        space_id: Uuid,
        viewer: Option<Viewer>,
        cursor: Option<&str>,
    ) -> Result<LiveStream, ApiError> {
        let subscription = live
            .hub
            .subscribe(space_id, viewer.map(|v| v.being_id))
            .await?;
        let session = viewer.map(|v| live.session_streams.watch(v.session_id));
        let ended = match viewer {
            Some(viewer) => ended_already(live, db, viewer.session_id).await?,
            None => false,
        };
        let opening = Opening::read(db, live, space_id, cursor).await?;
        let presence = match viewer.filter(|_| !ended) {
            Some(viewer) => Some(
                live.presence
                    .connect(space_id, viewer.being_id, viewer.away)
                    .await,
            ),
            None => None,
        };
        subscription.sink.open(
            opening.position(),
            EventFrame::raw(opening_text(&live.epoch, &opening).as_bytes()),
        );
        if ended {
            subscription
                .sink
                .end_with(EventFrame::raw(SIGNED_OUT), Ending::SessionEnded);
        }
        // Half the period: a heartbeat goes out once nothing was written for a whole period.
        let period = (live.config.heartbeat / 2).max(Duration::from_millis(5));
        let mut heartbeat = tokio::time::interval_at(Instant::now() + period, period);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        METRICS.streams_open.inc();
        Ok(LiveStream {
            subscription,
            heartbeat,
            shutdown: Box::pin(live.shutting_down()),
            session,
            _presence: presence,
            space_id,
            opened: Instant::now(),
            client_ended: None,
        })
    }

    /// The stream as an HTTP response. Its live part is there twice over: as the body, for
    /// hyper, and as a [`StreamHandoff`] extension, which the front door takes to write the
    /// stream to its socket itself.
    pub fn into_response(self) -> Response {
        let handoff = StreamHandoff(Arc::new(Mutex::new(Some(self))));
        let pulled = handoff.clone();
        let body = futures_util::stream::once(async move { pulled.take() })
            .filter_map(std::future::ready)
            .flat_map(|live| {
                futures_util::stream::unfold(live, |mut live| async move {
                    live.next_chunk()
                        .await
                        .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), live))
                })
            });
        let mut response = event_stream(Body::from_stream(body));
        response.extensions_mut().insert(handoff);
        response
    }

    fn sink(&self) -> &Sink {
        &self.subscription.sink
    }

    /// Writes the stream to `socket` until it ends: the opening and anything queued by this
    /// task, every other frame by the hub as it publishes. `gone` resolves when the client
    /// has gone away. A socket that stays full, taking nothing, for `write_timeout` ends the
    /// stream.
    pub async fn write_to(
        mut self,
        socket: Arc<TcpStream>,
        framing: Framing,
        gone: impl Future<Output = ()>,
        write_timeout: Duration,
    ) -> io::Result<StreamEnd> {
        let mut gone = std::pin::pin!(gone);
        self.sink().attach(socket.clone(), framing);
        // When the socket, full and taking nothing, stops this stream for good.
        let mut deadline: Option<Instant> = None;
        loop {
            match self.sink().flush()? {
                Flushed::Ended => return Ok(StreamEnd::Finished),
                Flushed::Done => deadline = None,
                Flushed::Blocked { moved } => {
                    if moved || deadline.is_none() {
                        deadline = Some(Instant::now() + write_timeout);
                    }
                }
            }
            tokio::select! {
                () = self.subscription.sink.woken() => {}
                ready = timeout_at(deadline.unwrap_or_else(Instant::now), socket.writable()),
                    if deadline.is_some() =>
                {
                    ready.map_err(|_| {
                        self.client_ended = Some(Ending::ClientStoppedReading);
                        io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")
                    })??;
                }
                _ = self.heartbeat.tick() => {
                    self.subscription.sink.heartbeat_due();
                }
                () = &mut gone => {
                    self.client_ended = Some(Ending::ClientGone);
                    return Ok(StreamEnd::Dropped);
                }
                why = session_ended(&mut self.session) => self.session_ended(why),
                () = &mut self.shutdown => {
                    let cut = self.subscription.sink.detach();
                    return Ok(if cut { StreamEnd::Dropped } else { StreamEnd::Finished });
                }
            }
        }
    }

    /// The next chunk for a stream served through hyper: every frame waiting, or a
    /// heartbeat. `None` ends the stream (shutdown, too far behind, the space deleted); the
    /// client resumes with its cursor.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            match self.sink().pop() {
                Popped::Bytes(bytes) => return Some(bytes),
                Popped::Ended => return None,
                Popped::Empty => {}
            }
            tokio::select! {
                () = self.subscription.sink.woken() => {}
                _ = self.heartbeat.tick() => {
                    self.subscription.sink.heartbeat_due();
                }
                why = session_ended(&mut self.session) => self.session_ended(why),
                _ = &mut self.shutdown => return None,
            }
        }
    }
}

impl LiveStream {
    /// The viewer's session ended: the client hears why, and the stream ends.
    fn session_ended(&mut self, why: SessionEnded) {
        self.session = None;
        let last = match why {
            SessionEnded::SignedOut => SIGNED_OUT,
            SessionEnded::Replaced => SESSION_REPLACED,
        };
        self.sink()
            .end_with(EventFrame::raw(last), Ending::SessionEnded);
    }
}

/// An event stream's response: never cached, never buffered by a proxy on the way.
pub(super) fn event_stream(body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Whether the session `session_id` ended between its lookup and a stream's watch on it (then
/// the stream is over as it opens).
pub(super) async fn ended_already(
    live: &LiveSync,
    db: &Db,
    session_id: Uuid,
) -> Result<bool, ApiError> {
    let mut conn = db.reader().await?;
    let max_age = live.config.session_max_age.as_micros() as i64;
    let cutoff = Timestamp(Timestamp::now().0 - max_age);
    let ids = [session_id];
    Ok(sessions::existing(conn.exec(), &ids, cutoff)
        .await?
        .is_empty()
        && bots::existing_tokens(conn.exec(), &ids).await?.is_empty())
}

/// Resolves when the stream's session ends; never for an anonymous stream.
pub(super) async fn session_ended(session: &mut Option<SessionWatch>) -> SessionEnded {
    match session {
        Some(session) => session.ended().await,
        None => std::future::pending().await,
    }
}

/// The live part of a stream's response, taken once by whoever serves it: the front door
/// (written directly) or hyper (pulled through the body).
#[derive(Clone)]
pub(crate) struct StreamHandoff(Arc<Mutex<Option<LiveStream>>>);

impl StreamHandoff {
    /// The stream, unless it was taken already.
    pub fn take(&self) -> Option<LiveStream> {
        lock(&self.0).take()
    }
}
