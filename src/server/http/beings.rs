//! `POST /api/beings`, `GET|PATCH|DELETE /api/beings/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use axum::http::HeaderMap;

use super::extract::{Actor, Json, parse_id};
use crate::model::{ApiError, BeingKind, BeingWithBot, BotSettings};
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
    /// A bot's settings (`kind: "bot"` only).
    #[serde(default)]
    bot: Option<BotSettings>,
}

/// POST /api/beings — a bot, document or space owned by the caller.
pub(super) async fn create(
    State(state): State<AppState>,
    Actor(me): Actor,
    Json(body): Json<CreateBeing>,
) -> Result<impl IntoResponse, ApiError> {
    let kind = ops::beings::parse_creatable_kind(&body.kind)?;
    if let Some(settings) = &body.bot {
        if kind != BeingKind::Bot {
            return Err(ApiError::invalid("bot", "only a bot has bot settings"));
        }
        ops::bots::validate(settings)?;
    }
    let being = ops::beings::create(&state, &me, kind, &body.name, body.location_id).await?;
    let bot = match body.bot {
        Some(settings) => Some(ops::bots::configure(&state, &me, being.id, settings).await?),
        None => None,
    };
    Ok((StatusCode::CREATED, axum::Json(BeingWithBot { being, bot })))
}

/// GET /api/beings/{id} — with its bot settings when the caller owns the bot.
pub(super) async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let being = ops::beings::get(&state, parse_id(&id)?).await?;
    let viewer = ops::session::current(&state, &headers).await?;
    let bot = ops::bots::view(&state, viewer.as_ref(), &being).await?;
    Ok(axum::Json(BeingWithBot { being, bot }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PatchBeing {
    #[serde(default)]
    name: Option<String>,
    /// Absent: unchanged; `null`: move to the top level.
    #[serde(default, deserialize_with = "present")]
    location_id: Option<Option<Uuid>>,
    /// A bot's new settings.
    #[serde(default)]
    bot: Option<BotSettings>,
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
    let id = parse_id(&id)?;
    if let Some(settings) = &body.bot {
        ops::bots::validate(settings)?;
    }
    let changes = BeingChanges {
        name: body.name,
        location: body.location_id,
    };
    let being = ops::beings::update(&state, &me, id, changes).await?;
    let bot = match body.bot {
        Some(settings) => Some(ops::bots::configure(&state, &me, id, settings).await?),
        None => ops::bots::view(&state, Some(&me), &being).await?,
    };
    Ok(axum::Json(BeingWithBot { being, bot }))
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
