//! `POST|DELETE /api/session`, `GET /api/me`, `GET|DELETE /api/sessions[/{id}]`: becoming a
//! guest, who you are, and the devices signed in as you.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use super::extract::{ActingSession, ConfirmQuery, Json, ReadingSession, SignedInBeing, parse_id};
use crate::model::ApiError;
use crate::server::guard::address::ClientAddress;
use crate::server::ops;
use crate::server::state::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JoinBody {
    name: String,
}

/// POST /api/session — become a new guest called `name`; sets the session cookie.
pub(super) async fn create(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    request_headers: HeaderMap,
    Json(body): Json<JoinBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (being, cookie) = ops::session::join(&state, &request_headers, address, &body.name).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie);
    Ok((headers, axum::Json(json!({ "being": being }))))
}

/// DELETE /api/session?confirm= — sign out: this session ends, and its cookie is cleared.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    Query(query): Query<ConfirmQuery>,
) -> Result<impl IntoResponse, ApiError> {
    ops::session::end(&state, &me, me.session_id, query.confirmed()?).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, state.sessions.clear_cookie())],
    ))
}

/// GET /api/me — the signed-in being.
pub(super) async fn me(SignedInBeing(me): SignedInBeing) -> impl IntoResponse {
    axum::Json(json!({ "being": me }))
}

/// GET /api/sessions — the being's sessions, this one marked `current`.
pub(super) async fn list(
    State(state): State<AppState>,
    ReadingSession(me): ReadingSession,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::session::list(&state, &me).await?))
}

/// DELETE /api/sessions/{id}?confirm= — sign one device out (this one too).
pub(super) async fn end(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    Path(id): Path<String>,
    Query(query): Query<ConfirmQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let id = parse_id(&id)?;
    ops::session::end(&state, &me, id, query.confirmed()?).await?;
    let mut headers = HeaderMap::new();
    if id == me.session_id {
        headers.insert(header::SET_COOKIE, state.sessions.clear_cookie());
    }
    Ok((StatusCode::NO_CONTENT, headers))
}

#[derive(Deserialize)]
pub(super) struct EndAllQuery {
    confirm: Option<String>,
    including_this: Option<String>,
}

/// DELETE /api/sessions?including_this=&confirm= — sign every other device out (and this one
/// with `including_this=true`); answers how many sessions ended.
pub(super) async fn end_all(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    Query(query): Query<EndAllQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let including_this = ConfirmQuery::flag("including_this", query.including_this.as_deref())?;
    let confirm = ConfirmQuery::flag("confirm", query.confirm.as_deref())?;
    let ended = ops::session::end_all(&state, &me, including_this, confirm).await?;
    let mut headers = HeaderMap::new();
    if including_this {
        headers.insert(header::SET_COOKIE, state.sessions.clear_cookie());
    }
    Ok((headers, axum::Json(json!({ "ended": ended.len() }))))
}
