//! `GET /metrics`: the process's metrics in the Prometheus text format, for a client on this
//! machine (a scraper beside the server) or one that shows the `metrics-token`.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::model::ApiError;
use crate::server::guard::address::ClientAddress;
use crate::server::metrics::METRICS;
use crate::server::state::AppState;

pub(super) async fn metrics(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
) -> Response {
    let shown = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Compared as digests, so the comparison takes as long whatever the guess.
    let token_holds = match (&state.config.metrics_token, shown) {
        (Some(token), Some(shown)) => {
            Sha256::digest(token.expose_secret().as_bytes()) == Sha256::digest(shown.as_bytes())
        }
        _ => false,
    };
    if !address.is_loopback() && !token_holds {
        return ApiError::forbidden("the metrics are for this machine, or with the metrics token")
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        METRICS.render(),
    )
        .into_response()
}
