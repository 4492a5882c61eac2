//! `GET /api/spaces/{id}/events` (SSE) and `GET /api/spaces/{id}/changes` (polling).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio::time::{Instant, Interval, MissedTickBehavior, timeout_at};

use super::hub::{Frame, Subscription};
use super::opening::{Opening, open};
use super::presence::Guard;
use super::sink::{Flushed, Framing, Popped, Sink};
use crate::model::ApiError;
use crate::server::http::parse_id;
use crate::server::ops;
use crate::server::state::AppState;
use crate::sync::{Changes, Delta};

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<String>,
}

/// The cursor of a request: `Last-Event-ID` (newer, sent by a reconnecting `EventSource`),
/// else `?after=`.
fn cursor<'a>(headers: &'a HeaderMap, query: &'a AfterQuery) -> Option<&'a str> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(query.after.as_deref())
}

/// GET /api/spaces/{id}/changes?after= — the same answer as the stream, as one JSON document.
pub async fn changes(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<AfterQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let space_id = parse_id(&id)?;
    let answer = match open(&state.db, &state.sync, space_id, query.after.as_deref()).await? {
        Opening::Reset(snapshot) => Changes::Reset(snapshot),
        Opening::CatchUp { position, deltas } => Changes::Deltas {
            epoch: state.sync.epoch.to_string(),
            position,
            deltas: deltas
                .iter()
                .map(|(_, json)| serde_json::from_str::<Delta>(json))
                .collect::<Result<_, _>>()
                .map_err(|error| {
                    tracing::error!(?error, "a logged change does not parse");
                    ApiError::internal()
                })?,
        },
    };
    Ok(axum::Json(answer))
}

/// GET /api/spaces/{id}/events — the live stream (docs/SYNC.md).
///
/// The response carries its live part twice over: as the body, for hyper, and as a [`Live`]
/// extension, which the front door takes to write the stream to its socket itself.
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<AfterQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let space_id = parse_id(&id)?;
    // Subscribe before reading anything: nothing committed from here on can be missed.
    let subscription = state.sync.hub.subscribe(space_id).await?;
    let me = ops::session::current(&state, &headers).await?;
    let opening = open(&state.db, &state.sync, space_id, cursor(&headers, &query)).await?;
    let presence = match me {
        Some(me) => Some(state.sync.presence.connect(space_id, me.id).await),
        None => None,
    };
    subscription.sink.open(
        opening.position(),
        Frame::raw(&first_chunk(&state.sync.epoch, &opening)),
    );
    // Half the period: a heartbeat goes out once nothing was written for a whole period.
    let period = (state.sync.settings.heartbeat / 2).max(Duration::from_millis(5));
    let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let live = Live::new(LiveStream {
        subscription,
        heartbeat,
        shutdown: Box::pin(state.sync.shutting_down()),
        _presence: presence,
    });
    let pulled = live.clone();
    let body = futures_util::stream::once(async move { pulled.take() })
        .filter_map(std::future::ready)
        .flat_map(|live| {
            futures_util::stream::unfold(live, |mut live| async move {
                live.next_chunk()
                    .await
                    .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), live))
            })
        });
    let mut response = Body::from_stream(body).into_response();
    response.extensions_mut().insert(live);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// `retry:`, then the catch-up deltas or the reset, then `live`: one write.
fn first_chunk(epoch: &str, opening: &Opening) -> Vec<u8> {
    let mut out = String::from("retry: 2000\n\n");
    match opening {
        Opening::CatchUp { deltas, .. } => {
            for (pos, json) in deltas {
                out.push_str(&format!(
                    "id: {epoch}:{pos}\nevent: delta\ndata: {json}\n\n"
                ));
            }
        }
        Opening::Reset(snapshot) => {
            let data = serde_json::to_string(snapshot).expect("a snapshot serializes");
            out.push_str(&format!(
                "id: {epoch}:{}\nevent: reset\ndata: {data}\n\n",
                snapshot.position
            ));
        }
    }
    let live = serde_json::to_string(&crate::sync::Live {
        position: opening.position(),
    })
    .expect("serializes");
    out.push_str(&format!("event: live\ndata: {live}\n\n"));
    out.into_bytes()
}

/// The live part of a stream, taken once by whoever serves it.
#[derive(Clone)]
pub struct Live(Arc<Mutex<Option<LiveStream>>>);

impl Live {
    fn new(stream: LiveStream) -> Self {
        Live(Arc::new(Mutex::new(Some(stream))))
    }

    /// The stream, unless it was taken already.
    pub fn take(&self) -> Option<LiveStream> {
        self.0.lock().ok()?.take()
    }
}

/// How a stream written to its socket ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// By the server (shutdown, the client too far behind, the space deleted) at a frame's
    /// end: the response can be finished properly.
    Finished,
    /// The client went away, or the stream was stopped inside a frame: close, nothing more.
    Dropped,
}

/// The live part of one stream: its place in the fan-out, its heartbeat, and what ends it.
pub struct LiveStream {
    subscription: Subscription,
    heartbeat: Interval,
    /// Resolves when the server shuts down: the stream ends so the shutdown can finish.
    shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
    _presence: Option<Guard>,
}

impl LiveStream {
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
    ) -> io::Result<Ended> {
        let mut gone = std::pin::pin!(gone);
        self.sink().attach(socket.clone(), framing);
        // When the socket, full and taking nothing, stops this stream for good.
        let mut deadline: Option<Instant> = None;
        loop {
            match self.sink().flush()? {
                Flushed::Ended => return Ok(Ended::Finished),
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
                        io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")
                    })??;
                }
                _ = self.heartbeat.tick() => {
                    self.subscription.sink.heartbeat_due();
                }
                () = &mut gone => return Ok(Ended::Dropped),
                () = &mut self.shutdown => {
                    let cut = self.subscription.sink.detach();
                    return Ok(if cut { Ended::Dropped } else { Ended::Finished });
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
                _ = &mut self.shutdown => return None,
            }
        }
    }
}
