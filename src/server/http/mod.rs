//! The public JSON API (docs/API.md): thin routes over [`super::ops`], which the UI's server
//! functions call too.

mod beings;
mod bots;
mod events;
mod extract;
mod intentions;
mod metrics;
mod oidc;
mod passkeys;
mod reading;
mod session;
mod sign_in_links;
mod spaces;
mod typing;

use axum::Router;
use axum::routing::{any, delete, get, patch, post};

use super::state::AppState;
use crate::model::{ApiError, ErrorCode};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics::metrics))
        .route(
            "/api/session",
            post(session::create).delete(session::sign_out),
        )
        .route("/api/me", get(session::me))
        .route("/api/sessions", get(session::list).delete(session::end_all))
        .route("/api/sessions/{id}", delete(session::end))
        .route(
            "/api/passkeys",
            get(passkeys::list).post(passkeys::finish_registration),
        )
        .route(
            "/api/passkeys/registration",
            post(passkeys::start_registration),
        )
        .route("/api/passkeys/sign-in", post(passkeys::start_sign_in))
        .route(
            "/api/passkeys/sign-in/finish",
            post(passkeys::finish_sign_in),
        )
        .route(
            "/api/passkeys/{id}",
            patch(passkeys::rename).delete(passkeys::remove),
        )
        .route(
            "/api/sign-in-links",
            get(sign_in_links::pending).post(sign_in_links::create),
        )
        .route("/api/sign-in-links/use", post(sign_in_links::use_link))
        .route("/api/sign-in-links/{id}", delete(sign_in_links::cancel))
        .route("/api/oidc/providers", get(oidc::providers))
        .route("/api/oidc/links", get(oidc::links))
        .route("/auth/oidc/{name}", get(oidc::start))
        .route("/auth/oidc/{name}/callback", get(oidc::callback))
        .route("/api/spaces", get(spaces::list).post(spaces::create))
        .route("/api/spaces/{id}/beings", get(spaces::beings))
        .route("/api/spaces/{id}/beings/{being_id}", delete(spaces::remove))
        .route(
            "/api/spaces/{id}/removals/{being_id}",
            delete(spaces::readmit),
        )
        .route("/api/spaces/{id}/events", get(events::events))
        .route("/api/live", get(events::spaces))
        .route("/api/spaces/{id}/changes", get(events::changes))
        .route("/api/spaces/{id}/typing", post(typing::typing))
        .route("/api/spaces/{id}/read", get(reading::get).put(reading::put))
        .route(
            "/api/spaces/{id}/intentions",
            get(intentions::list).post(intentions::create),
        )
        .route("/api/beings", post(beings::create))
        .route(
            "/api/beings/{id}/tokens",
            get(bots::tokens).post(bots::create_token),
        )
        .route(
            "/api/beings/{id}/tokens/{token_id}",
            delete(bots::revoke_token),
        )
        .route("/api/beings/{id}/wakes", get(bots::wakes))
        .route("/api/intentions/{id}/stop", post(bots::stop))
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
}

async fn unknown_route() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such API route; see docs/API.md")
}
