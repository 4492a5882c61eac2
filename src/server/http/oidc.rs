//! Signing in with an OpenID Connect provider, in the browser: `GET /auth/oidc/{name}` sends it
//! to the provider (a link, not a form: the page's policy lets forms post only here), and the
//! provider sends it back to `GET /auth/oidc/{name}/callback`. Also the JSON lists of the
//! providers (`GET /api/oidc/providers`) and of those linked to you (`GET /api/oidc/links`).

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::extract::ReadingSession;
use crate::model::{ApiError, ErrorCode};
use crate::server::guard::address::ClientAddress;
use crate::server::ops;
use crate::server::ops::oidc::{Callback, StartQuery, flow_cookie, flow_id};
use crate::server::state::AppState;

/// GET /auth/oidc/{name}?link=&only= — off to the provider.
pub(super) async fn start(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(asked): Query<StartQuery>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
) -> Response {
    match ops::oidc::start(&state, &name, &headers, address, &asked).await {
        Ok((url, cookie)) => {
            ([(header::SET_COOKIE, cookie)], Redirect::to(url.as_str())).into_response()
        }
        Err(error) => back_to_sign_in(&error),
    }
}

/// GET /auth/oidc/{name}/callback — back from the provider: signed in, home; or the sign-in
/// page, saying what went wrong.
pub(super) async fn callback(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(answer): Query<Callback>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
) -> Response {
    let flow = flow_id(&state, &headers);
    let done = ops::oidc::finish(&state, &name, &answer, flow.as_deref(), &headers, address).await;
    let forget_flow = flow_cookie(&state, "", Duration::ZERO);
    let mut response = match done {
        Ok((_, session)) => {
            let mut home = Redirect::to("/").into_response();
            home.headers_mut().append(header::SET_COOKIE, session);
            home
        }
        Err(error) => back_to_sign_in(&error),
    };
    response
        .headers_mut()
        .append(header::SET_COOKIE, forget_flow);
    response
}

/// The sign-in page, told what went wrong by a word of ours (never text from the URL's
/// sender: the page says it in its own words).
fn back_to_sign_in(error: &ApiError) -> Response {
    let word = match (error.code, error.field.as_deref()) {
        (ErrorCode::Conflict, Some("confirm")) => "strand",
        (ErrorCode::Conflict, _) => "linked_elsewhere",
        (ErrorCode::RateLimited, _) => "rate_limited",
        (ErrorCode::Unavailable, _) => "unavailable",
        (ErrorCode::NotFound, _) => "no_such_provider",
        _ => "refused",
    };
    Redirect::to(&format!("/sign-in?error={word}")).into_response()
}

/// GET /api/oidc/providers — the providers one can sign in with, and where each one's button
/// leads (for a signed-in being: to linking an account new to rhizom to it).
pub(super) async fn providers(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(
        ops::oidc::choices(&state, &headers, false).await?,
    ))
}

/// GET /api/oidc/links — the providers linked to the signed-in being.
pub(super) async fn links(
    State(state): State<AppState>,
    ReadingSession(me): ReadingSession,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::oidc::linked(&state, &me).await?))
}
