//! `/api/passkeys…`: a being's passkeys, adding one (two steps, around the browser's
//! `navigator.credentials.create`), and signing in with one (two steps, around `…get`).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};

use super::extract::{ActingSession, ConfirmQuery, Json, ReadingSession, parse_id};
use crate::model::ApiError;
use crate::server::guard::address::ClientAddress;
use crate::server::ops;
use crate::server::state::AppState;

/// GET /api/passkeys — the being's passkeys.
pub(super) async fn list(
    State(state): State<AppState>,
    ReadingSession(me): ReadingSession,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::passkeys::list(&state, &me).await?))
}

/// POST /api/passkeys/registration — the options for `navigator.credentials.create`.
pub(super) async fn start_registration(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(
        ops::passkeys::start_registration(&state, &me).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FinishRegistration {
    attempt: String,
    credential: Value,
    name: String,
}

/// POST /api/passkeys — add the passkey the browser made.
pub(super) async fn finish_registration(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    Json(body): Json<FinishRegistration>,
) -> Result<impl IntoResponse, ApiError> {
    let credential = body.credential.to_string();
    let passkey =
        ops::passkeys::finish_registration(&state, &me, &body.attempt, &credential, &body.name)
            .await?;
    Ok((StatusCode::CREATED, axum::Json(passkey)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Rename {
    name: String,
}

/// PATCH /api/passkeys/{id} — rename a passkey.
pub(super) async fn rename(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    Path(id): Path<String>,
    Json(body): Json<Rename>,
) -> Result<StatusCode, ApiError> {
    ops::passkeys::rename(&state, &me, parse_id(&id)?, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// DELETE /api/passkeys/{id}?confirm= — remove a passkey.
pub(super) async fn remove(
    State(state): State<AppState>,
    ActingSession(me): ActingSession,
    Path(id): Path<String>,
    Query(query): Query<ConfirmQuery>,
) -> Result<StatusCode, ApiError> {
    ops::passkeys::remove(&state, &me, parse_id(&id)?, query.confirmed()?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// POST /api/passkeys/sign-in — the options for `navigator.credentials.get`.
pub(super) async fn start_sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(
        ops::passkeys::start_sign_in(&state, address).await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FinishSignIn {
    attempt: String,
    credential: Value,
}

/// POST /api/passkeys/sign-in/finish — sign in with the browser's answer; sets the cookie.
pub(super) async fn finish_sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    request_headers: HeaderMap,
    Json(body): Json<FinishSignIn>,
) -> Result<impl IntoResponse, ApiError> {
    let credential = body.credential.to_string();
    let (being, cookie) = ops::passkeys::finish_sign_in(
        &state,
        &request_headers,
        address,
        &body.attempt,
        &credential,
    )
    .await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::Json(json!({ "being": being })),
    ))
}
