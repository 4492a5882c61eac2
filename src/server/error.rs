//! Turning server-side failures into the wire error: log the whole cause, send none of it.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::model::{ApiError, ErrorCode};

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut => {
                tracing::warn!("database pool timed out");
                ApiError::new(
                    ErrorCode::Unavailable,
                    "the server is busy; try again shortly",
                )
            }
            error => {
                tracing::error!(error = ?error, "database error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(serde_json::json!({ "error": self }))).into_response()
    }
}
