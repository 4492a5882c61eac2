//! Turning server-side failures into the wire error: log the whole cause, send none of it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sqlx::error::ErrorKind;

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
            // Two writes that waited on each other, or found the database busy: nothing was
            // written, and it may be tried again (`ops::retry`).
            sqlx::Error::Database(db) if meets_another(db.as_ref()) => {
                tracing::info!(error = %db, "a write met another at the same moment");
                let mut error = ApiError::new(
                    ErrorCode::Busy,
                    "the server was busy with another write at the same moment; try again",
                );
                error.retry_after = Some(1);
                error
            }
            // Two requests that raced: the database refused the second, as it should. The
            // answer says so, the same on both engines.
            sqlx::Error::Database(db) if db.kind() != ErrorKind::Other => {
                tracing::info!(error = %db, constraint = ?db.constraint(), "a write lost a race");
                match db.kind() {
                    ErrorKind::UniqueViolation => ApiError::conflict(
                        "something with this id or name was written at the same moment; try again",
                    ),
                    ErrorKind::ForeignKeyViolation => ApiError::conflict(
                        "something this refers to was deleted at the same moment",
                    ),
                    _ => ApiError::new(ErrorCode::Invalid, "the database refused this value"),
                }
            }
            error => {
                tracing::error!(error = ?error, "database error");
                ApiError::internal()
            }
        }
    }
}

/// A deadlock or serialization failure (PostgreSQL: SQLSTATE 40P01, 40001), or a database that
/// was busy or locked (SQLite: 5, 6).
fn meets_another(db: &dyn sqlx::error::DatabaseError) -> bool {
    matches!(
        db.code().as_deref(),
        Some("40P01" | "40001" | "5" | "6" | "517" | "262")
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after;
        let mut response =
            (status, axum::Json(serde_json::json!({ "error": self }))).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
