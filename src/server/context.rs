//! What a server function reaches through Leptos context: the app state and the request.

use axum::http::{HeaderValue, header, request::Parts};
use leptos::prelude::{expect_context, use_context};
use leptos_axum::ResponseOptions;

use super::ops;
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

/// The signed-in guest, or 401.
pub async fn actor() -> Result<Being, ApiError> {
    current().await?.ok_or_else(ApiError::unauthorized)
}

pub fn set_cookie(cookie: HeaderValue) {
    expect_context::<ResponseOptions>().append_header(header::SET_COOKIE, cookie);
}
