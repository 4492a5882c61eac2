//! Signing in with an OpenID Connect provider, in the browser: `GET /auth/oidc/{name}` sends it
//! to the provider (a link, not a form: the page's policy lets forms post only here), and the
//! provider sends it back to `GET /auth/oidc/{name}/callback`. Also the JSON lists of the
//! providers (`GET /api/oidc/providers`) and of those linked to you (`GET /api/oidc/links`).

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::extract::ReadingSession;
use crate::model::ApiError;
use crate::server::guard::address::ClientAddress;
use crate::server::ops;
use crate::server::ops::oidc::{Callback, FLOW_COOKIE, flow_cookie};
use crate::server::session::cookie_pairs;
use crate::server::state::AppState;

#[derive(Deserialize)]
pub(super) struct StartQuery {
    /// From the profile: link the account to the signed-in being (a proof of its session).
    link: Option<String>,
}

/// GET /auth/oidc/{name}?link= — off to the provider.
pub(super) async fn start(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<StartQuery>,
    headers: HeaderMap,
) -> Response {
    match ops::oidc::start(&state, &name, &headers, query.link.as_deref()).await {
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
    let flow = cookie_pairs(&headers)
        .find(|(cookie, _)| *cookie == FLOW_COOKIE)
        .map(|(_, value)| value.to_owned());
    let done = ops::oidc::finish(&state, &name, &answer, flow.as_deref(), &headers, address).await;
    let forget_flow = flow_cookie(&state, "", Duration::ZERO);
    match done {
        Ok((_, session)) => {
            let mut response = Redirect::to("/").into_response();
            let set = response.headers_mut();
            set.append(header::SET_COOKIE, session);
            set.append(header::SET_COOKIE, forget_flow);
            response
        }
        Err(error) => {
            let mut response = back_to_sign_in(&error);
            response
                .headers_mut()
                .append(header::SET_COOKIE, forget_flow);
            response
        }
    }
}

/// The sign-in page, with what went wrong.
fn back_to_sign_in(error: &ApiError) -> Response {
    let message: String = url::form_urlencoded::byte_serialize(error.message.as_bytes()).collect();
    Redirect::to(&format!("/sign-in?error={message}")).into_response()
}

/// GET /api/oidc/providers — the providers one can sign in with, and where each one's button
/// leads (for a signed-in being: to linking an account to it).
pub(super) async fn providers(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::oidc::choices(&state, &headers).await?))
}

/// GET /api/oidc/links — the providers linked to the signed-in being.
pub(super) async fn links(
    State(state): State<AppState>,
    ReadingSession(me): ReadingSession,
) -> Result<impl IntoResponse, ApiError> {
    Ok(axum::Json(ops::oidc::linked(&state, &me).await?))
}
