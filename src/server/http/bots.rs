//! `/api/beings/{id}/tokens…` and `/api/beings/{id}/wakes`: a bot's tokens and the history of
//! its wakes, for its owner; `POST /api/intentions/{id}/stop` stops a reply still streaming.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::extract::{Actor, SignedInBeing, parse_id};
use crate::model::ApiError;
use crate::server::ops;
use crate::server::state::AppState;

/// POST /api/beings/{id}/tokens — a new token for the bot (shown once).
pub(super) async fn create_token(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let token = ops::bot_tokens::create_token(&state, &me, parse_id(&id)?).await?;
    Ok((StatusCode::CREATED, axum::Json(token)))
}

/// GET /api/beings/{id}/tokens — the bot's tokens (without their secrets).
pub(super) async fn tokens(
    State(state): State<AppState>,
    SignedInBeing(me): SignedInBeing,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(
        ops::bot_tokens::tokens(&state, &me, parse_id(&id)?).await?,
    ))
}

/// DELETE /api/beings/{id}/tokens/{token_id} — revoke a token; its streams end.
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path((id, token_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    ops::bot_tokens::revoke_token(&state, &me, parse_id(&id)?, parse_id(&token_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// GET /api/beings/{id}/wakes — the bot's latest wakes, what became of each, and why.
pub(super) async fn wakes(
    State(state): State<AppState>,
    SignedInBeing(me): SignedInBeing,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(
        ops::bots::wakes(&state, &me, parse_id(&id)?).await?,
    ))
}

/// POST /api/intentions/{id}/stop — stop a reply that is still streaming.
pub(super) async fn stop(
    State(state): State<AppState>,
    Actor(me): Actor,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(
        ops::intentions::stop(&state, &me, parse_id(&id)?).await?,
    ))
}
