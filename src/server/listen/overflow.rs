//! A connection past the caps on connections: answered once, then closed. `GET /healthz` is
//! answered as always (a monitor must not see a busy server as a dead one); anything else gets
//! `503 unavailable` with `Retry-After`, the JSON error. Nothing here is kept: no keep-alive,
//! no stream, and a short deadline on the whole exchange, so that a client cannot hold these
//! answers either.

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

use crate::model::{ApiError, ErrorCode};
use crate::server::guard::address::PeerAddress;

/// Connections past the cap answered at the same time, in all and from one address; beyond
/// that they are closed at once.
pub(super) const AT_ONCE: usize = 256;
pub(super) const PER_ADDRESS: usize = 4;
/// The whole exchange, from the first byte of the request to the last of the answer.
const DEADLINE: Duration = Duration::from_secs(2);
/// How long a client past the cap is told to wait.
const RETRY_AFTER_SECS: u64 = 5;

pub(super) async fn answer_once(stream: TcpStream, peer: SocketAddr, app: Router) {
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
        .header_read_timeout(DEADLINE)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(DEADLINE, connection).await;
}

fn busy() -> Response<Body> {
    let mut error = ApiError::new(
        ErrorCode::Unavailable,
        "the server has as many connections as it takes; try again shortly",
    );
    error.retry_after = Some(RETRY_AFTER_SECS);
    error.into_response()
}
