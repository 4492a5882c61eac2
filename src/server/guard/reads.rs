//! The limit on reads (`read-rate-per-address`): every page, list, catch-up and server
//! function call costs the database something, so each is counted against its client's
//! address. Static files, the health check and live streams (which have their own limit) are
//! not counted.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::address::ClientAddress;
use super::rate::Action;
use crate::server::state::AppState;

/// Middleware: a `429` for a client past its reads, before anything is read for it. Writes
/// are counted by their own limits (in `ops`), so only `GET`s and the server functions (the
/// page's reads are `POST`s to `/rpc/`) count here.
pub(crate) async fn limit_reads(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if counts_as_read(request.method(), request.uri().path())
        && let Some(ClientAddress(address)) = request.extensions().get::<ClientAddress>().copied()
        && let Err(refused) = state.limits.check(Action::Read, address, None)
    {
        return refused.into_response();
    }
    next.run(request).await
}

/// Is this request one the read limit counts?
fn counts_as_read(method: &Method, path: &str) -> bool {
    let uncounted = path.starts_with("/pkg/")
        || path == "/healthz"
        || path == "/favicon.ico"
        || path.ends_with("/events");
    if uncounted {
        return false;
    }
    *method == Method::GET || *method == Method::HEAD || path.starts_with("/rpc/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_lists_catch_ups_and_server_functions_count_and_files_and_streams_do_not() {
        for (method, path) in [
            (Method::GET, "/"),
            (Method::GET, "/s/0192"),
            (Method::GET, "/api/spaces"),
            (Method::GET, "/api/spaces/0192/changes"),
            (Method::POST, "/rpc/older_messages"),
        ] {
            assert!(counts_as_read(&method, path), "{method} {path}");
        }
        for (method, path) in [
            (Method::GET, "/pkg/rhizom.wasm"),
            (Method::GET, "/healthz"),
            (Method::GET, "/api/spaces/0192/events"),
            (Method::POST, "/api/spaces/0192/intentions"),
        ] {
            assert!(!counts_as_read(&method, path), "{method} {path}");
        }
    }
}
