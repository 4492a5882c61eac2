//! What a server function reaches through Leptos context: the app state and the request.

use std::net::IpAddr;

use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use super::guard::address::ClientAddress;
use super::ops;
use super::ops::session::SignedIn;
use super::state::AppState;
use crate::model::{ApiError, Being};

pub fn state() -> Result<AppState, ApiError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        ApiError::internal()
    })
}

fn parts() -> Result<Parts, ApiError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the Leptos context");
        ApiError::internal()
    })
}

/// The signed-in guest, if any.
pub async fn current() -> Result<Option<Being>, ApiError> {
    ops::session::current(&state()?, &parts()?.headers).await
}

/// The signed-in guest about to write, or 401 (or 429 past the write limits).
pub async fn actor() -> Result<Being, ApiError> {
    Ok(acting_being().await?.being)
}

/// The signed-in being and its session, about to change something, or 401 (or 429).
async fn acting_being() -> Result<SignedIn, ApiError> {
    let parts = parts()?;
    ops::session::writer(&state()?, &parts.headers, ClientAddress::of(&parts).0).await
}

/// The signed-in person and their session, about to change their identity: 401, 403 for a
/// bot, 429 past the write limits.
pub async fn acting_session() -> Result<SignedIn, ApiError> {
    let parts = parts()?;
    ops::session::person_writing(&state()?, &parts.headers, ClientAddress::of(&parts).0).await
}

/// The signed-in person and their session, or 401 (403 for a bot).
pub async fn reading_session() -> Result<SignedIn, ApiError> {
    ops::session::require_person(&state()?, &parts()?.headers).await
}

/// The request's headers (for the operations that start a session: the device's name, and
/// the session the request had).
pub fn headers() -> Result<axum::http::HeaderMap, ApiError> {
    Ok(parts()?.headers)
}

/// The client's address (for the rate limits).
pub fn address() -> Result<IpAddr, ApiError> {
    Ok(ClientAddress::of(&parts()?).0)
}

/// A server function's result, with its error's HTTP status (and `Retry-After`) on the
/// response for the page's own calls. A form posted without JavaScript is sent back to its
/// page whatever happened, as Leptos does.
pub fn answer<T>(result: Result<T, ApiError>) -> Result<T, ApiError> {
    if let Err(error) = &result
        && let (Some(response), Ok(parts)) = (use_context::<ResponseOptions>(), parts())
    {
        let from_a_form = parts
            .headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        if !from_a_form {
            let status = StatusCode::from_u16(error.code.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
            if let Some(seconds) = error.retry_after {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
        }
    }
    result
}

pub fn set_cookie(cookie: HeaderValue) {
    expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, cookie);
}
