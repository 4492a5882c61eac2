//! The public JSON API (docs/API.md): thin routes over [`super::ops`], which the UI's server
//! functions call too.

mod beings;
mod extract;
mod intentions;
mod session;
mod spaces;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, patch, post};

use super::state::AppState;
use super::sync::stream as sync_stream;
use crate::model::{ApiError, ErrorCode};
pub use extract::parse_id;

/// Request bodies larger than this get a 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/session", post(session::create))
        .route("/api/me", get(session::me))
        .route("/api/spaces", get(spaces::list).post(spaces::create))
        .route("/api/spaces/{id}/beings", get(spaces::beings))
        .route("/api/spaces/{id}/events", get(sync_stream::events))
        .route("/api/spaces/{id}/changes", get(sync_stream::changes))
        .route(
            "/api/spaces/{id}/intentions",
            get(intentions::list).post(intentions::create),
        )
        .route("/api/beings", post(beings::create))
        .route(
            "/api/beings/{id}",
            get(beings::get)
                .patch(beings::update)
                .delete(beings::delete),
        )
        .route(
            "/api/intentions/{id}",
            patch(intentions::update).delete(intentions::delete),
        )
        .route("/api/{*rest}", any(unknown_route))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

async fn unknown_route() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such API route; see docs/API.md")
}
