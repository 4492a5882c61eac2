//! `POST /api/beings`, `GET|PATCH|DELETE /api/beings/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use super::extract::{Actor, Json, parse_id};
use crate::model::ApiError;
use crate::server::ops;
use crate::server::ops::beings::BeingChanges;
use crate::server::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateBeing {
    kind: String,
    name: String,
    #[serde(default)]
    location_id: Option<Uuid>,
}

/// POST /api/beings — a bot, document or space owned by the caller.
pub(super) async fn create(
    State(state): State<AppState>,
    Actor(me): Actor,
    Json(body): Json<CreateBeing>,
) -> Result<impl IntoResponse, ApiError> {
    let kind = ops::beings::parse_creatable_kind(&body.kind)?;
    let being = ops::beings::create(&state, &me, kind, &body.name, body.location_id).await?;
    Ok((StatusCode::CREATED, axum::Json(being)))
}

/// GET /api/beings/{id}
pub(super) async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::beings::get(&state, parse_id(&id)?).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PatchBeing {
    #[serde(default)]
    name: Option<String>,
    /// Absent: unchanged; `null`: move to the top level.
    #[serde(default, deserialize_with = "present")]
    location_id: Option<Option<Uuid>>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// PATCH /api/beings/{id} — rename or move; owner only.
pub(super) async fn update(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
    Json(body): Json<PatchBeing>,
) -> Result<impl IntoResponse, ApiError> {
    let changes = BeingChanges {
        name: body.name,
        location: body.location_id,
    };
    Ok(axum::Json(
        ops::beings::update(&state, &me, parse_id(&id)?, changes).await?,
    ))
}

/// DELETE /api/beings/{id} — owner only.
pub(super) async fn delete(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    ops::beings::delete(&state, &me, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
