//! Request bodies, bounded before anything reads them: one larger than `max-body-bytes` is a
//! 413 (at once when it says its length, else as soon as it passes the limit), one that takes
//! longer than `body-timeout-secs` to arrive is a 408. What passes is read here (at most the
//! limit), so no handler — the server functions included — ever buffers more.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::model::{ApiError, ErrorCode};
use crate::server::state::AppState;

/// Middleware: see the module header.
pub(crate) async fn bound_body(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let limit = state.config.max_body_bytes;
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("request bodies are limited to {} KiB", limit / 1024),
        )
        .into_response()
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return too_large();
    }
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(
        state.config.body_timeout,
        Limited::new(body, limit).collect(),
    );
    let bytes = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(error)) if error.downcast_ref::<LengthLimitError>().is_some() => return too_large(),
        Ok(Err(_)) => {
            return ApiError::new(ErrorCode::BadRequest, "the request body could not be read")
                .into_response();
        }
        Err(_) => {
            return ApiError::new(
                ErrorCode::RequestTimeout,
                "the request body did not arrive in time",
            )
            .into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
