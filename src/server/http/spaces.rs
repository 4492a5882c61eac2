//! `GET|POST /api/spaces`, `GET /api/spaces/{id}/beings`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::extract::{Actor, Json, parse_id};
use crate::model::{ApiError, BeingKind};
use crate::server::ops;
use crate::server::state::AppState;

/// `?after=&limit=`: a page of a list in order of arrival.
#[derive(Deserialize)]
pub(super) struct AfterPageQuery {
    after: Option<String>,
    limit: Option<String>,
}

/// GET /api/spaces?after=&limit= — a page of the spaces, oldest first.
pub(super) async fn list(
    State(state): State<AppState>,
    Query(query): Query<AfterPageQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let page = ops::spaces::list_spaces(&state, query.after.as_deref(), query.limit.as_deref());
    Ok(axum::Json(page.await?))
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

/// DELETE /api/spaces/{id}/beings/{being_id} — remove a being from the space (its owner or
/// a moderator): moved out, and kept out until readmitted.
pub(super) async fn remove(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path((id, being_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (space_id, being_id) = (parse_id(&id)?, parse_id(&being_id)?);
    ops::moderation::remove(&state, &me, space_id, being_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /api/spaces/{id}/removals/{being_id} — let a removed being back in.
pub(super) async fn readmit(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path((id, being_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (space_id, being_id) = (parse_id(&id)?, parse_id(&being_id)?);
    ops::moderation::readmit(&state, &me, space_id, being_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/spaces/{id}/beings?after=&limit= — a page of who and what is in the space.
pub(super) async fn beings(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<AfterPageQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let id = parse_id(&id)?;
    let (after, limit) = (query.after.as_deref(), query.limit.as_deref());
    Ok(axum::Json(
        ops::spaces::list_in_space(&state, id, after, limit).await?,
    ))
}
