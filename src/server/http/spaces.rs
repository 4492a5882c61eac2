//! `GET|POST /api/spaces`, `GET /api/spaces/{id}/beings`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::extract::{Actor, Json, parse_id};
use crate::model::{ApiError, BeingKind};
use crate::server::ops;
use crate::server::state::AppState;

/// GET /api/spaces — every space, oldest first.
pub(super) async fn list(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::beings::list_spaces(&state).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateSpace {
    name: String,
}

/// POST /api/spaces — a new top-level space owned by the caller.
pub(super) async fn create(
    State(state): State<AppState>,
    Actor(me): Actor,
    Json(body): Json<CreateSpace>,
) -> Result<impl IntoResponse, ApiError> {
    let space = ops::beings::create(&state, &me, BeingKind::Space, &body.name, None).await?;
    Ok((StatusCode::CREATED, axum::Json(space)))
}

/// GET /api/spaces/{id}/beings — who and what is in the space.
pub(super) async fn beings(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = parse_id(&id)?;
    Ok(axum::Json(ops::beings::list_in_space(&state, id).await?))
}
