//! `GET|PUT /api/spaces/{id}/read` — how far the caller has read a space, and what is new.

use axum::extract::{Path, State};
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{Actor, Json, SignedInBeing, parse_id};
use crate::model::ApiError;
use crate::server::ops;
use crate::server::state::AppState;
use crate::sync::ReadState;

/// GET /api/spaces/{id}/read — the caller's mark there, unread messages and mentions.
pub(super) async fn get(
    State(state): State<AppState>,
    SignedInBeing(me): SignedInBeing,
    Path(id): Path<String>,
) -> Result<axum::Json<ReadState>, ApiError> {
    let read = ops::reading::read_state(&state, &me, parse_id(&id)?).await?;
    Ok(axum::Json(read))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MarkBody {
    /// The last message seen; without it, the newest message there now.
    #[serde(default)]
    up_to: Option<Uuid>,
}

/// PUT /api/spaces/{id}/read — the caller has seen the space up to `up_to`: the mark moves
/// there unless it is already further, and the caller's other streams hear where it is.
pub(super) async fn put(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
    Json(body): Json<MarkBody>,
) -> Result<axum::Json<ReadState>, ApiError> {
    let read = ops::reading::mark_read(&state, &me, parse_id(&id)?, body.up_to).await?;
    Ok(axum::Json(read))
}
