//! The public surface's guards, in the order a request meets them ([`guard`]): security
//! headers on every answer; the client's address ([`address`]); cross-site requests that
//! change data refused ([`origin`]); reads counted against their limit ([`reads`]); the body
//! bounded in size and time ([`body`]). The other rate limits ([`rate`]) are checked where the
//! request is known: a sign-in, a write, a stream's opening.
//! docs/SECURITY.md has the threat model and every limit with its default.

pub(crate) mod address;
mod body;
pub(crate) mod headers;
pub(crate) mod origin;
pub(crate) mod rate;
mod reads;

use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};

pub use rate::Rate;

use crate::server::state::AppState;

/// `router` behind every guard.
pub(crate) fn guard(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    // Layers run outside in: the last added meets the request first.
    router
        .layer(from_fn_with_state(state.clone(), body::bound_body))
        .layer(from_fn_with_state(state.clone(), reads::limit_reads))
        .layer(from_fn_with_state(state.clone(), origin::refuse_cross_site))
        .layer(from_fn_with_state(state.clone(), address::resolve))
        .layer(from_fn(headers::security_headers))
}
