//! `/api/sign-in-links…`: links that sign another device in as you.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use super::extract::{ActingSession, Json, ReadingSession, parse_id};
use crate::model::ApiError;
use crate::server::guard::address::ClientAddress;
use crate::server::ops;
use crate::server::state::AppState;

/// POST /api/sign-in-links — a new link; its URL is in this answer only.
pub(super) async fn create(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    request_headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let link = ops::sign_in_links::create(&state, &me, &request_headers).await?;
    Ok((StatusCode::CREATED, axum::Json(link)))
}

/// GET /api/sign-in-links — the being's links that still work (without their URLs).
pub(super) async fn pending(
    State(state): State<AppState>,
    ReadingSession(me): ReadingSession,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::sign_in_links::pending(&state, &me).await?))
}

/// DELETE /api/sign-in-links/{id} — cancel a link.
pub(super) async fn cancel(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    ops::sign_in_links::cancel(&state, &me, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UseLink {
    token: String,
}

/// POST /api/sign-in-links/use — sign this client in with a link's token (the last part of
/// its URL); sets the cookie.
pub(super) async fn use_link(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    request_headers: HeaderMap,
    Json(body): Json<UseLink>,
) -> Result<impl IntoResponse, ApiError> {
    let (being, cookie) =
        ops::sign_in_links::use_link(&state, &request_headers, address, &body.token).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::Json(json!({ "being": being })),
    ))
}
