//! `GET /api/spaces/{id}/events` (the live stream, SSE), `GET /api/live` (one stream of several
//! spaces) and `GET /api/spaces/{id}/changes` (the same answer as one JSON document, for
//! polling).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::IpAddr;
use std::num::NonZeroU32;
use uuid::Uuid;

use super::extract::{ConfirmQuery, parse_id};
use crate::model::ApiError;
use crate::server::guard::address::ClientAddress;
use crate::server::guard::origin::is_cross_site;
use crate::server::guard::rate::Action;
use crate::server::live::opening::Opening;
use crate::server::live::spaces_stream::{Followed, SpacesStream};
use crate::server::live::stream::{LiveStream, Viewer};
use crate::server::ops;
use crate::server::state::AppState;
use crate::sync::tabs::{MAX_SPACES, Visit};
use crate::sync::{Change, Changes, Delta};

#[derive(Deserialize)]
pub(super) struct CursorQuery {
    after: Option<String>,
    /// `true`: the page has been hidden for a while (docs/SYNC.md, "Presence").
    away: Option<String>,
}

/// The cursor of a request: `Last-Event-ID` (newer, sent by a reconnecting `EventSource`),
/// else `?after=`.
fn cursor<'a>(headers: &'a HeaderMap, query: &'a CursorQuery) -> Option<&'a str> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(query.after.as_deref())
}

/// GET /api/spaces/{id}/events — the live stream (docs/SYNC.md). A signed-in viewer is
/// online in the space while it is open.
pub(super) async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CursorQuery>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let space_id = parse_id(&id)?;
    let away = ConfirmQuery::flag("away", query.away.as_deref())?;
    let viewer = stream_viewer(&state, &headers, address, away, |_| NonZeroU32::MIN).await?;
    let cursor = cursor(&headers, &query);
    let stream = LiveStream::open(&state.live, &state.db, space_id, viewer, cursor).await?;
    Ok(stream.into_response())
}

#[derive(Deserialize)]
pub(super) struct SpacesQuery {
    spaces: Option<String>,
    epoch: Option<String>,
    /// Followed spaces the viewer is in, with a page shown.
    here: Option<String>,
    /// Followed spaces the viewer is in, every page of them hidden for a while.
    away: Option<String>,
}

/// GET /api/live?epoch=EPOCH&spaces=ID[:POSITION],…[&here=ID,…][&away=ID,…] — one stream of
/// several spaces (docs/SYNC.md, "Many spaces on one stream"). A signed-in viewer is online in
/// the spaces named in `here` (and away in those named in `away`) while it is open.
pub(super) async fn spaces(
    State(state): State<AppState>,
    Query(query): Query<SpacesQuery>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let raw = query.spaces.unwrap_or_default();
    let mut followed = followed_spaces(&raw, query.epoch.as_deref())?;
    visits(&mut followed, "here", query.here.as_deref(), Visit::Here)?;
    visits(&mut followed, "away", query.away.as_deref(), Visit::Away)?;
    // What it costs against the stream limits: what the viewer's open streams do not follow
    // already (`server/live/open_lists.rs`).
    let lists = state.live.open_lists.clone();
    let weigh = |being_id| lists.weight(being_id, &followed);
    let viewer = stream_viewer(&state, &headers, address, false, weigh).await?;
    let stream = SpacesStream::open(&state.live, &state.db, &followed, viewer).await?;
    Ok(stream.into_response())
}

/// `ID[:POSITION],…`, each position a cursor of `epoch`: at least one space, at most
/// [`MAX_SPACES`], each once. (One epoch for all keeps a long list short.)
fn followed_spaces(raw: &str, epoch: Option<&str>) -> Result<Vec<Followed>, ApiError> {
    let mut followed: Vec<Followed> = Vec::new();
    for entry in raw.split(',').filter(|e| !e.is_empty()) {
        let (id, cursor) = match entry.split_once(':') {
            Some((id, position)) => {
                let epoch = epoch.ok_or_else(|| {
                    ApiError::bad_request("epoch", "positions need the epoch they belong to")
                })?;
                (id, Some(format!("{epoch}:{position}")))
            }
            None => (entry, None),
        };
        let space_id = Uuid::try_parse(id)
            .map_err(|_| ApiError::bad_request("spaces", format!("{id:?} is not a UUID")))?;
        if followed.iter().any(|f| f.space_id == space_id) {
            return Err(ApiError::bad_request(
                "spaces",
                format!("{id} is there twice"),
            ));
        }
        followed.push(Followed {
            space_id,
            cursor,
            visit: Visit::Watching,
        });
    }
    if followed.is_empty() || followed.len() > MAX_SPACES {
        return Err(ApiError::bad_request(
            "spaces",
            format!("follow from 1 to {MAX_SPACES} spaces: spaces=ID[:POSITION],…"),
        ));
    }
    Ok(followed)
}

/// Marks the followed spaces listed in `raw` (`ID,…`, the query's `field`) as `visit`: each must
/// be followed, and named once in `here` and `away` together.
fn visits(
    followed: &mut [Followed],
    field: &str,
    raw: Option<&str>,
    visit: Visit,
) -> Result<(), ApiError> {
    for id in raw.unwrap_or_default().split(',').filter(|e| !e.is_empty()) {
        let space_id = Uuid::try_parse(id)
            .map_err(|_| ApiError::bad_request(field, format!("{id:?} is not a UUID")))?;
        let space = followed
            .iter_mut()
            .find(|f| f.space_id == space_id)
            .ok_or_else(|| ApiError::bad_request(field, format!("{id} is not in spaces")))?;
        if space.visit != Visit::Watching {
            return Err(ApiError::bad_request(
                field,
                format!("{id} is named twice in here and away"),
            ));
        }
        space.visit = visit;
    }
    Ok(())
}

/// Who a stream is for, limited (as `weigh` streams, given the being a signed cookie names)
/// before the database is asked who the cookie names (a bot's token, not signed, by its address first, then by its bot). A stream
/// opened from another site's page must not make anyone present anywhere: it is anonymous.
async fn stream_viewer(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
    away: bool,
    weigh: impl FnOnce(Option<Uuid>) -> NonZeroU32,
) -> Result<Option<Viewer>, ApiError> {
    let from_another_site = is_cross_site(headers, state.config.public_url.as_ref());
    let bearer = ops::session::bearer_token(headers).is_some();
    let signed = (!from_another_site)
        .then(|| state.sessions.read(headers))
        .flatten();
    let being_id = signed.as_ref().filter(|_| !bearer).map(|s| s.being_id());
    state
        .limits
        .check_weighted(Action::OpenStream, address, being_id, weigh(being_id))?;
    let viewer = if signed.is_some() || bearer {
        ops::session::signed_in(state, headers)
            .await?
            .map(|me| Viewer {
                being_id: me.being.id,
                session_id: me.session_id,
                away,
            })
    } else {
        None
    };
    if bearer {
        let bot = viewer.ok_or_else(ApiError::unauthorized)?;
        state.limits.check_being(Action::OpenStream, bot.being_id)?;
    }
    Ok(viewer)
}

/// GET /api/spaces/{id}/changes?after= — the same answer as the stream, as one JSON document.
pub(super) async fn changes(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CursorQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let space_id = parse_id(&id)?;
    let answer =
        match Opening::read(&state.db, &state.live, space_id, query.after.as_deref()).await? {
            Opening::Reset(snapshot) => Changes::Reset(*snapshot),
            Opening::CatchUp { position, deltas } => Changes::Deltas {
                epoch: state.live.epoch.to_string(),
                position,
                deltas: deltas
                    .into_iter()
                    .map(|delta| {
                        let change = serde_json::from_str::<Change>(delta.change.as_str())?;
                        Ok(Delta {
                            pos: delta.pos,
                            prev: delta.prev,
                            change,
                        })
                    })
                    .collect::<Result<_, serde_json::Error>>()
                    .map_err(|error| {
                        tracing::error!(%error, "a logged change does not parse");
                        ApiError::internal()
                    })?,
            },
        };
    Ok(axum::Json(answer))
}
