//! `POST /api/session`, `GET /api/me`.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use super::extract::{Json, SignedIn};
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
    Json(body): Json<JoinBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (being, cookie) = ops::session::join(&state, address, &body.name).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, cookie);
    Ok((headers, axum::Json(json!({ "being": being }))))
}

/// GET /api/me — the signed-in guest.
pub(super) async fn me(SignedIn(me): SignedIn) -> impl IntoResponse {
    axum::Json(json!({ "being": me }))
}
