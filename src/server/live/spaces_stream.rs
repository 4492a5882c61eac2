//! One stream of several spaces (`GET /api/live`, docs/SYNC.md, "Many spaces on one stream"):
//! each space is followed exactly as a stream of its own would follow it — its own place in
//! the fan-out, its own cursor, catch-up or reset, gap checks — and their frames share one
//! response. A `space` event goes before the frames of a space other than the last one written,
//! so the frames themselves stay the ones every stream of the space shares, serialized once.
//!
//! It makes its viewer present in the spaces the client says it is in (a page of them is open),
//! and only there: the rest it watches (a home page's list). A space that is deleted leaves the
//! stream with its last delta; one that loses continuity (a gap, too far behind) ends the whole
//! stream, and the client reconnects with each space's cursor.

use std::future::Future;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use axum::response::Response;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use uuid::Uuid;

use super::LiveSync;
use super::ending::Ending;
use super::event::opening_text;
use super::frame::EventFrame;
use super::hub::Subscription;
use super::open_lists::OpenList;
use super::opening::Opening;
use super::presence::PresenceGuard;
use super::session_streams::{SessionEnded, SessionWatch};
use super::sink::Popped;
use super::stream::Viewer;
use super::stream::{SESSION_REPLACED, SIGNED_OUT, ended_already, event_stream, session_ended};
use crate::model::{ApiError, ErrorCode};
use crate::server::db::Db;
use crate::server::metrics::METRICS;
use crate::sync::tabs::Visit;

/// What a space that no longer exists says, in place of its opening.
const GONE: &[u8] = b"event: gone\ndata: {}\n\n";

/// One followed space: its own place in the space's fan-out.
struct Part {
    space_id: Uuid,
    subscription: Subscription,
}

pub(crate) struct SpacesStream {
    parts: Vec<Part>,
    /// The space whose frames went out last.
    last_space: Option<Uuid>,
    /// Where the next look for frames starts, so that a busy space does not starve the rest.
    next: usize,
    heartbeat: Interval,
    /// Something went out since the last heartbeat tick.
    wrote: bool,
    shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
    session: Option<SessionWatch>,
    /// The viewer's presence in the spaces it is in, held while the stream is open.
    _presence: Vec<PresenceGuard>,
    /// The signed-in viewer's list, for what its next stream costs.
    _listed: Option<OpenList>,
    /// The last frame, once the stream must end (its session ended).
    last_words: Option<&'static [u8]>,
    ended: bool,
    opened: Instant,
}

/// A followed space and where its client is (the raw cursor, if any).
#[derive(Clone, Debug)]
pub(crate) struct Followed {
    pub space_id: Uuid,
    pub cursor: Option<String>,
    pub visit: Visit,
}

impl SpacesStream {
    /// Opens a stream of `spaces` for `viewer` (its own signals reach it; `None`: anonymous):
    /// each space is subscribed first, then read from its cursor.
    pub async fn open(
        live: &LiveSync,
        db: &Db,
        spaces: &[Followed],
        viewer: Option<Viewer>,
    ) -> Result<SpacesStream, ApiError> {
        let session = viewer.map(|v| live.session_streams.watch(v.session_id));
        let ended = match viewer {
            Some(viewer) => ended_already(live, db, viewer.session_id).await?,
            None => false,
        };
        let being_id = viewer.map(|v| v.being_id);
        let mut parts = Vec::with_capacity(spaces.len());
        let mut presence = Vec::new();
        for followed in spaces {
            let subscription = live.hub.subscribe(followed.space_id, being_id).await?;
            let read = Opening::read(db, live, followed.space_id, followed.cursor.as_deref()).await;
            let opening = match read {
                Ok(opening) => opening,
                // Deleted since the client listed it: it says so, and the stream goes on.
                Err(error) if error.code == ErrorCode::NotFound => {
                    subscription.sink.open(0, EventFrame::raw(GONE));
                    subscription
                        .sink
                        .end_with(EventFrame::raw(b": gone\n\n"), Ending::SpaceDeleted);
                    parts.push(Part {
                        space_id: followed.space_id,
                        subscription,
                    });
                    continue;
                }
                Err(error) => return Err(error),
            };
            let away = match followed.visit {
                Visit::Watching => None,
                Visit::Here => Some(false),
                Visit::Away => Some(true),
            };
            if let (Some(being_id), Some(away), false) = (being_id, away, ended) {
                let guard = live.presence.connect(followed.space_id, being_id, away);
                presence.push(guard.await);
            }
            subscription.sink.open(
                opening.position(),
                EventFrame::raw(opening_text(&live.epoch, &opening).as_bytes()),
            );
            parts.push(Part {
                space_id: followed.space_id,
                subscription,
            });
        }
        let period = (live.config.heartbeat / 2).max(std::time::Duration::from_millis(5));
        let mut heartbeat = tokio::time::interval_at(Instant::now() + period, period);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        METRICS.streams_open.inc();
        Ok(SpacesStream {
            parts,
            last_space: None,
            next: 0,
            heartbeat,
            wrote: false,
            shutdown: Box::pin(live.shutting_down()),
            session,
            _presence: presence,
            _listed: being_id.map(|id| live.open_lists.open(id, spaces)),
            last_words: ended.then_some(SIGNED_OUT),
            ended: false,
            opened: Instant::now(),
        })
    }

    pub fn into_response(self) -> Response {
        let body = futures_util::stream::unfold(self, |mut stream| async move {
            stream
                .next_chunk()
                .await
                .map(|chunk| (Ok::<_, std::convert::Infallible>(chunk), stream))
        });
        event_stream(Body::from_stream(body))
    }

    /// The next chunk: a space's waiting frames (after a `space` event when the space changes),
    /// or a heartbeat. `None` ends the stream.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if self.ended {
                return None;
            }
            if let Some(last) = self.last_words.take() {
                self.ended = true;
                return Some(Bytes::from_static(last));
            }
            match self.take_frames() {
                Taken::Frames(bytes) => {
                    self.wrote = true;
                    return Some(bytes);
                }
                Taken::Broken => return None,
                Taken::Nothing => {}
            }
            if self.parts.is_empty() {
                return None;
            }
            let woken = futures_util::future::select_all(
                self.parts
                    .iter()
                    .map(|part| Box::pin(part.subscription.sink.woken())),
            );
            tokio::select! {
                _ = woken => {}
                _ = self.heartbeat.tick() => {
                    if !std::mem::take(&mut self.wrote) {
                        return Some(EventFrame::heartbeat().event());
                    }
                }
                why = session_ended(&mut self.session) => {
                    self.session = None;
                    self.last_words = Some(match why {
                        SessionEnded::SignedOut => SIGNED_OUT,
                        SessionEnded::Replaced => SESSION_REPLACED,
                    });
                }
                _ = &mut self.shutdown => return None,
            }
        }
    }

    /// The frames waiting in the first space (from `next` on) that has some.
    fn take_frames(&mut self) -> Taken {
        let count = self.parts.len();
        for step in 0..count {
            let at = (self.next + step) % count;
            let part = &self.parts[at];
            match part.subscription.sink.pop() {
                Popped::Empty => {}
                Popped::Bytes(frames) => {
                    let space_id = part.space_id;
                    self.next = (at + 1) % count;
                    if self.last_space == Some(space_id) {
                        return Taken::Frames(frames);
                    }
                    self.last_space = Some(space_id);
                    let mut chunk = space_event(space_id).into_bytes();
                    chunk.extend_from_slice(&frames);
                    return Taken::Frames(Bytes::from(chunk));
                }
                Popped::Ended => {
                    if part.subscription.sink.ending() != Some(Ending::SpaceDeleted) {
                        return Taken::Broken;
                    }
                    // Its last delta (the delete) went out: the others go on.
                    self.parts.remove(at);
                    return self.take_frames();
                }
            }
        }
        Taken::Nothing
    }
}

enum Taken {
    Frames(Bytes),
    Nothing,
    /// A space lost continuity: the stream ends, and the client resumes every space.
    Broken,
}

/// The event that says whose frames follow.
fn space_event(space_id: Uuid) -> String {
    format!("event: space\ndata: {{\"space_id\":\"{space_id}\"}}\n\n")
}

impl Drop for SpacesStream {
    fn drop(&mut self) {
        METRICS.streams_open.dec();
        tracing::info!(
            spaces = self.parts.len(),
            lived_ms = self.opened.elapsed().as_millis() as u64,
            "a stream of several spaces ended"
        );
    }
}
