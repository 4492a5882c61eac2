//! An event-stream request served without hyper: its head is read here, the app answers it as
//! it would through hyper, and the answer is written straight to the socket: the head, then
//! the live stream, whose frames the hub writes to this socket as it publishes them (the bytes
//! shared with every other subscriber); an answer that is not a live stream (an error) is
//! written chunk by chunk. The connection closes when the response ends.

use std::io::{self, IoSlice};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, Version};
use futures_util::StreamExt;
use http_body::Body as _;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, timeout_at};
use tower::ServiceExt;

use super::tap::Tap;
use super::wire::{BodyFraming, parse_request_head, response_head};
use super::{Stats, WRITE_TIMEOUT};
use crate::server::guard::address::PeerAddress;
use crate::server::live::frame::{Framing, chunk_size_line};
use crate::server::live::stream::{StreamEnd, StreamHandoff};

/// How long a stream may take to end once the server stops.
const STOP_GRACE: Duration = Duration::from_secs(1);
/// Bytes a client may send on a stream's connection before it is taken as misbehaving.
const MAX_UNEXPECTED: usize = 4 * 1024;

/// Serves the stream request whose start the tap holds. `head_timeout`: how long the client
/// may take to send the rest of its head.
pub(super) async fn serve(
    tap: Tap,
    app: Router,
    peer: PeerAddress,
    head_timeout: Duration,
    stats: &Stats,
    stop: watch::Receiver<bool>,
) {
    let Tap { stream, held, .. } = tap;
    // Shared with the hub, which writes the stream's frames while it is live.
    let stream = Arc::new(stream);
    tokio::select! {
        () = answer(&stream, held, app, peer, head_timeout, stats) => {}
        // A stream ends by itself when live sync shuts down; one stuck on a client that
        // stopped reading must not hold up the server's shutdown.
        () = stopped(stop) => {}
    }
    // The stream is over, so the hub has let go of the socket.
    if let Ok(mut stream) = Arc::try_unwrap(stream) {
        let _ = stream.shutdown().await;
    }
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
    tokio::time::sleep(STOP_GRACE).await;
}

/// Why no request came of the bytes on the socket.
enum NoRequest {
    /// Answer with this status.
    Refused(StatusCode),
    /// The client went away.
    Gone,
}

async fn answer(
    stream: &Arc<TcpStream>,
    held: Vec<u8>,
    app: Router,
    peer: PeerAddress,
    head_timeout: Duration,
    stats: &Stats,
) {
    let mut until_close = false;
    // Boxed, so that what the request needed is freed before the stream settles in.
    let response = match Box::pin(read_request(stream, held, head_timeout)).await {
        Ok(mut request) => {
            request.extensions_mut().insert(peer);
            stats.count(&stats.direct_streams);
            tracing::debug!(uri = %request.uri(), "event stream served directly");
            // HTTP/1.0 has no chunks: a body of unknown length ends when the connection does.
            until_close = request.version() == Version::HTTP_10;
            Box::pin(app.oneshot(request))
                .await
                .unwrap_or_else(|never| match never {})
        }
        Err(NoRequest::Refused(status)) => plain(status),
        Err(NoRequest::Gone) => return,
    };
    if let Err(error) = respond(stream, response, until_close).await {
        tracing::debug!(%error, "an event stream ended with an error");
    }
}

/// Reads the rest of the request head.
async fn read_request(
    stream: &TcpStream,
    mut buf: Vec<u8>,
    head_timeout: Duration,
) -> Result<Request<Body>, NoRequest> {
    let deadline = tokio::time::Instant::now() + head_timeout;
    loop {
        if let Some(request) = parse_request_head(&buf).map_err(NoRequest::Refused)? {
            return Ok(request);
        }
        buf.reserve(1024);
        match timeout_at(deadline, stream.readable()).await {
            Err(_) => return Err(NoRequest::Refused(StatusCode::REQUEST_TIMEOUT)),
            Ok(Err(_)) => return Err(NoRequest::Gone),
            Ok(Ok(())) => match stream.try_read_buf(&mut buf) {
                Ok(0) => return Err(NoRequest::Gone),
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return Err(NoRequest::Gone),
            },
        }
    }
}

/// The answer to a head that makes no request: the status alone, as hyper answers it.
fn plain(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// Writes the response: the head, then the body (chunked when its length is not known, unless
/// `until_close`), until it ends or the client goes away. A live event stream is not pulled
/// through the body: its frames go from the hub to the socket ([`StreamHandoff`]).
async fn respond(
    stream: &Arc<TcpStream>,
    response: Response<Body>,
    until_close: bool,
) -> io::Result<()> {
    let (mut parts, body) = response.into_parts();
    let live = parts
        .extensions
        .remove::<StreamHandoff>()
        .and_then(|handoff| handoff.take());
    let framing = match body.size_hint().exact() {
        Some(length) => BodyFraming::Length(length),
        None if until_close => BodyFraming::UntilClose,
        None => BodyFraming::Chunked,
    };
    let chunked = framing == BodyFraming::Chunked;
    let head = response_head(parts.status, &parts.headers, framing, SystemTime::now());
    // Nothing of the head stays for the life of the stream.
    drop(parts);
    write_all(stream, &mut [IoSlice::new(&head)]).await?;
    drop(head);
    if let Some(live) = live {
        drop(body);
        let framing = if chunked {
            Framing::Chunked
        } else {
            Framing::Raw
        };
        match live
            .write_to(stream.clone(), framing, gone(stream), WRITE_TIMEOUT)
            .await?
        {
            StreamEnd::Dropped => return Ok(()),
            StreamEnd::Finished => {}
        }
    } else {
        let mut body = body.into_data_stream();
        loop {
            let data = tokio::select! {
                data = body.next() => data,
                () = gone(stream) => return Ok(()),
            };
            match data {
                Some(Ok(data)) if data.is_empty() => {}
                Some(Ok(data)) if chunked => {
                    let mut size = [0u8; 18];
                    let size = chunk_size_line(data.len(), &mut size);
                    let chunk = [size, &data, b"\r\n"];
                    write_all(stream, &mut chunk.map(IoSlice::new)).await?;
                }
                Some(Ok(data)) => write_all(stream, &mut [IoSlice::new(&data)]).await?,
                Some(Err(error)) => return Err(io::Error::other(error)),
                None => break,
            }
        }
    }
    if chunked {
        write_all(stream, &mut [IoSlice::new(b"0\r\n\r\n")]).await?;
    }
    Ok(())
}

/// Writes all of `slices` (the frame's bytes are not copied), in one write when the socket
/// takes it all, as most do. A client that leaves the socket full for [`WRITE_TIMEOUT`] is
/// dropped; no timer is set unless the socket is full.
async fn write_all(stream: &TcpStream, slices: &mut [IoSlice<'_>]) -> io::Result<()> {
    let mut rest = slices;
    let mut deadline = None;
    while !rest.is_empty() {
        match stream.try_write_vectored(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                let deadline = *deadline.get_or_insert_with(|| Instant::now() + WRITE_TIMEOUT);
                timeout_at(deadline, stream.writable())
                    .await
                    .map_err(|_| {
                        io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")
                    })??;
            }
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Resolves when the client has closed its side (or the socket failed). A client has nothing
/// to send on a stream's connection: a few bytes are read and dropped, more end the stream.
async fn gone(stream: &TcpStream) {
    let mut scratch = [0u8; 64];
    let mut unexpected = 0;
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        match stream.try_read(&mut scratch) {
            Ok(0) => return,
            Ok(n) => {
                unexpected += n;
                if unexpected > MAX_UNEXPECTED {
                    return;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}
