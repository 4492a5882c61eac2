//! Server functions whose arguments do not decode: Leptos answers those before the function
//! runs, always with `500`. This middleware gives such an answer the status its error's code
//! names (`400 bad_request`), as the JSON API would.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::model::{ApiError, ErrorCode};

/// Where the server functions live (`#[server(prefix = "/rpc")]`).
const RPC_PREFIX: &str = "/rpc/";
/// A server function's error is a few hundred bytes; anything longer is left alone.
const ERROR_BODY_MAX: usize = 16 * 1024;

/// Middleware: see the module header.
pub(crate) async fn status_from_error(request: Request, next: Next) -> Response {
    let is_rpc = request.uri().path().starts_with(RPC_PREFIX);
    let response = next.run(request).await;
    if !is_rpc || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, ERROR_BODY_MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes)
        && error.code != ErrorCode::Internal
        && let Ok(status) = StatusCode::from_u16(error.code.status())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
