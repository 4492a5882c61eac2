//! A connection past the cap on connections: answered once, then closed. `GET /healthz` is
//! answered as always (a monitor must not see a busy server as a dead one); anything else gets
//! `503 unavailable` with `Retry-After`, the JSON error. Nothing here is kept: no keep-alive,
//! no stream, a deadline on the whole exchange.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tower::ServiceExt;

use super::DoorSettings;
use crate::model::{ApiError, ErrorCode};
use crate::server::guard::address::PeerAddress;

/// Connections past the cap answered at the same time; beyond that they are closed at once.
pub(super) const AT_ONCE: usize = 256;
/// How long a client past the cap is told to wait.
const RETRY_AFTER_SECS: u64 = 5;

pub(super) async fn answer_once(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    settings: DoorSettings,
) {
    let service = service_fn(move |mut request: Request<Incoming>| {
        let app = app.clone();
        async move {
            request.extensions_mut().insert(PeerAddress(peer));
            let response = if request.uri().path() == "/healthz" {
                let request = request.map(Body::new);
                app.oneshot(request).await?
            } else {
                busy()
            };
            Ok::<Response<Body>, Infallible>(response)
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(settings.head_timeout)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    let deadline = settings.head_timeout + Duration::from_secs(5);
    let _ = tokio::time::timeout(deadline, connection).await;
}

fn busy() -> Response<Body> {
    let mut error = ApiError::new(
        ErrorCode::Unavailable,
        "the server has as many connections as it takes; try again shortly",
    );
    error.retry_after = Some(RETRY_AFTER_SECS);
    error.into_response()
}
