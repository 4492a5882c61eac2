//! Signing in as a guest and finding who is signed in.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue};
use uuid::Uuid;

use crate::model::{ApiError, Being, BeingKind, Name};
use crate::server::db::beings as db_beings;
use crate::server::guard::rate::Action;
use crate::server::state::AppState;

/// Creates a new guest called `name` for a client at `address`; returns it and the
/// `Set-Cookie` header that signs it in.
pub async fn join(
    state: &AppState,
    address: IpAddr,
    name: &str,
) -> Result<(Being, HeaderValue), ApiError> {
    let name = Name::parse(name)?;
    state.limits.check(Action::SignIn, address, None)?;
    let guest = db_beings::new_being(BeingKind::Guest, name.into_inner(), None, None);
    let mut tx = state.db.begin().await?;
    db_beings::insert(tx.exec(), &guest).await?;
    tx.commit().await?;
    tracing::info!(guest = %guest.id, "a guest joined");
    let cookie = state.sessions.set_cookie(guest.id);
    Ok((guest, cookie))
}

/// The signed-in guest, if the request carries a valid cookie for a being that still exists.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Being>, ApiError> {
    match state.sessions.read(headers) {
        Some(signed) => find(state, signed.being_id).await,
        None => Ok(None),
    }
}

/// The signed-in guest, or 401.
pub async fn require(state: &AppState, headers: &HeaderMap) -> Result<Being, ApiError> {
    current(state, headers)
        .await?
        .ok_or_else(ApiError::unauthorized)
}

/// The signed-in guest about to write, from `address`: 401 without one, 429 past the write
/// limits (checked before the database is asked anything).
pub async fn writer(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
) -> Result<Being, ApiError> {
    let signed = state
        .sessions
        .read(headers)
        .ok_or_else(ApiError::unauthorized)?;
    state
        .limits
        .check(Action::Write, address, Some(signed.being_id))?;
    find(state, signed.being_id)
        .await?
        .ok_or_else(ApiError::unauthorized)
}

async fn find(state: &AppState, id: Uuid) -> Result<Option<Being>, ApiError> {
    let mut conn = state.db.reader().await?;
    Ok(db_beings::get(conn.exec(), id).await?)
}
