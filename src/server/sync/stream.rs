//! `GET /api/spaces/{id}/events` (SSE) and `GET /api/spaces/{id}/changes` (polling).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Interval, MissedTickBehavior};

use super::hub::Subscription;
use super::opening::{Opening, open};
use super::presence::Guard;
use crate::model::ApiError;
use crate::server::http::parse_id;
use crate::server::ops;
use crate::server::state::AppState;
use crate::sync::{Changes, Delta, Live};

/// Deltas that pile up while a socket is busy go out together, up to about this much.
const BATCH_BYTES: usize = 64 * 1024;

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
    let first = first_chunk(&state.sync.epoch, &opening);
    let mut heartbeat = tokio::time::interval_at(
        tokio::time::Instant::now() + state.sync.settings.heartbeat,
        state.sync.settings.heartbeat.max(Duration::from_millis(10)),
    );
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let live = LiveStream {
        subscription,
        position: opening.position(),
        heartbeat,
        ended: false,
        shutdown: Box::pin(state.sync.shutting_down()),
        _presence: presence,
    };
    let body = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(first) })
        .chain(futures_util::stream::unfold(live, |mut live| async move {
            live.next_chunk().await.map(|chunk| (Ok(chunk), live))
        }));
    let mut response = Body::from_stream(body).into_response();
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
fn first_chunk(epoch: &str, opening: &Opening) -> Bytes {
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
    let live = serde_json::to_string(&Live {
        position: opening.position(),
    })
    .expect("serializes");
    out.push_str(&format!("event: live\ndata: {live}\n\n"));
    Bytes::from(out)
}

/// The live part of one stream.
struct LiveStream {
    subscription: Subscription,
    /// The position of the last delta this client has (frames at or below it are skipped).
    position: u64,
    heartbeat: Interval,
    ended: bool,
    /// Resolves when the server shuts down: the stream ends so the shutdown can finish.
    shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
    _presence: Option<Guard>,
}

impl LiveStream {
    /// The next write: every frame ready now (the first is never held back), or a heartbeat.
    /// `None` ends the stream: the client is too far behind, continuity broke, or the space is
    /// gone. The client resumes with its cursor.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if self.ended {
            return None;
        }
        loop {
            tokio::select! {
                received = self.subscription.rx.recv() => {
                    let frame = match received {
                        Ok(frame) => frame,
                        Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return None,
                    };
                    let Some(first) = self.take(&frame) else {
                        if self.ended { return None; }
                        continue;
                    };
                    // The frame's own bytes, shared with every subscriber; copied into a batch
                    // only when more frames are ready at once.
                    let mut batch: Option<Vec<u8>> = None;
                    while !self.ended && batch.as_ref().is_none_or(|b| b.len() < BATCH_BYTES) {
                        match self.subscription.rx.try_recv() {
                            Ok(frame) => {
                                if let Some(more) = self.take(&frame) {
                                    batch.get_or_insert_with(|| first.to_vec()).extend_from_slice(&more);
                                }
                            }
                            Err(TryRecvError::Empty) => break,
                            Err(_) => self.ended = true,
                        }
                    }
                    self.heartbeat.reset();
                    return Some(batch.map_or(first, Bytes::from));
                }
                _ = self.heartbeat.tick() => return Some(Bytes::from_static(b": ping\n\n")),
                _ = &mut self.shutdown => return None,
            }
        }
    }

    /// The bytes of a frame that follows this client's position; `None` for one it already
    /// has. A frame that does not follow (possible only when a coalesced change raced the
    /// connect) ends the stream so the client resumes exactly.
    fn take(&mut self, frame: &super::hub::Frame) -> Option<Bytes> {
        if frame.pos <= self.position {
            return None;
        }
        if frame.prev != self.position {
            self.ended = true;
            return None;
        }
        self.position = frame.pos;
        self.ended |= frame.ends;
        Some(frame.bytes.clone())
    }
}
