//! `POST /api/spaces/{id}/typing` — the caller is writing a message there.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::extract::{Actor, parse_id};
use crate::model::ApiError;
use crate::server::ops;
use crate::server::state::AppState;

/// 204: the space's live streams are told; nothing is stored.
pub(super) async fn typing(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    ops::typing::typing(&state, &me, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
