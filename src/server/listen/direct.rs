//! An event-stream request served without hyper: its head is parsed here, the app answers it
//! as it would through hyper, and the answer is written straight to the socket: the head, then
//! the live stream, whose frames the hub writes to this socket as it publishes them (the bytes
//! shared with every other subscriber); an answer that is not a live stream (an error) is
//! written chunk by chunk. The connection closes when the response ends.

use std::io::{self, IoSlice};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::http::{
    HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode, Version, header,
};
use futures_util::StreamExt;
use http_body::Body as _;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, timeout_at};
use tower::ServiceExt;

use super::Stats;
use super::tap::Tap;
use crate::server::sync::sink::Framing;
use crate::server::sync::stream::{Ended, Live};

/// A request head longer than this gets a 431.
const MAX_HEAD: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
/// How long a client may take to send the rest of its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one write may wait on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stream may take to end once the server stops.
const STOP_GRACE: Duration = Duration::from_secs(1);
/// Bytes a client may send on a stream's connection before it is taken as misbehaving.
const MAX_UNEXPECTED: usize = 4 * 1024;

pub(super) async fn serve(tap: Tap, app: Router, stats: &Stats, stop: watch::Receiver<bool>) {
    let Tap { stream, held, .. } = tap;
    // Shared with the hub, which writes the stream's frames while it is live.
    let stream = Arc::new(stream);
    tokio::select! {
        () = answer(&stream, held, app, stats) => {}
        // A stream ends by itself when sync shuts down; one stuck on a client that stopped
        // reading must not hold up the server's shutdown.
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

async fn answer(stream: &Arc<TcpStream>, held: Vec<u8>, app: Router, stats: &Stats) {
    let mut close_delimited = false;
    // Boxed, so that what the request needed is freed before the stream settles in.
    let response = match Box::pin(read_head(stream, held)).await {
        Ok(request) => {
            stats.count_direct_stream();
            tracing::debug!(uri = %request.uri(), "event stream served directly");
            // HTTP/1.0 has no chunks: a body of unknown length ends when the connection does.
            close_delimited = request.version() == Version::HTTP_10;
            Box::pin(app.oneshot(request))
                .await
                .unwrap_or_else(|never| match never {})
        }
        Err(Some(status)) => plain(status),
        Err(None) => return,
    };
    if let Err(error) = respond(stream, response, close_delimited).await {
        tracing::debug!(%error, "an event stream ended with an error");
    }
}

/// Reads and parses the request head. `Err(Some(status))` answers with that status;
/// `Err(None)` means the client went away.
async fn read_head(
    stream: &TcpStream,
    mut buf: Vec<u8>,
) -> Result<Request<Body>, Option<StatusCode>> {
    let deadline = tokio::time::Instant::now() + HEAD_TIMEOUT;
    loop {
        if let Some(request) = parse(&buf)? {
            return Ok(request);
        }
        if buf.len() >= MAX_HEAD {
            return Err(Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
        }
        buf.reserve(1024);
        match timeout_at(deadline, stream.readable()).await {
            Err(_) => return Err(Some(StatusCode::REQUEST_TIMEOUT)),
            Ok(Err(_)) => return Err(None),
            Ok(Ok(())) => match stream.try_read_buf(&mut buf) {
                Ok(0) => return Err(None),
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return Err(None),
            },
        }
    }
}

/// A complete head becomes a request; `None` asks for more bytes.
fn parse(buf: &[u8]) -> Result<Option<Request<Body>>, Option<StatusCode>> {
    let bad = Some(StatusCode::BAD_REQUEST);
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Request::new(&mut headers);
    match head.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Some(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE));
        }
        Err(_) => return Err(bad),
    }
    let mut request = Request::new(Body::empty());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = head.path.unwrap_or("/").parse().map_err(|_| bad)?;
    *request.version_mut() = match head.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let map = request.headers_mut();
    for h in head.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| bad)?;
        let value = HeaderValue::from_bytes(h.value).map_err(|_| bad)?;
        map.append(name, value);
    }
    // The tap only takes `GET`s; a body would be a request we do not expect on this route.
    if map.contains_key(header::CONTENT_LENGTH) || map.contains_key(header::TRANSFER_ENCODING) {
        return Err(bad);
    }
    Ok(Some(request))
}

fn plain(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::from(
        status.canonical_reason().unwrap_or("error").to_owned(),
    ));
    *response.status_mut() = status;
    response
}

/// Writes the response: the head, then the body (chunked when its length is not known, unless
/// `close_delimited`), until it ends or the client goes away. A live event stream is not
/// pulled through the body: its frames go from the hub to the socket ([`Live`]).
async fn respond(
    stream: &Arc<TcpStream>,
    response: Response<Body>,
    close_delimited: bool,
) -> io::Result<()> {
    let (mut parts, body) = response.into_parts();
    let live = parts
        .extensions
        .remove::<Live>()
        .and_then(|live| live.take());
    let length = body.size_hint().exact();
    let chunked = length.is_none() && !close_delimited;
    let head = head(parts.status, &parts.headers, length, chunked);
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
            Ended::Dropped => return Ok(()),
            Ended::Finished => {}
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

/// Status line and headers, as hyper would write them, with `connection: close`: the
/// connection ends with this response.
fn head(status: StatusCode, headers: &HeaderMap, length: Option<u64>, chunked: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    let framing = [
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        header::CONNECTION,
        header::DATE,
    ];
    for (name, value) in headers.iter().filter(|(name, _)| !framing.contains(name)) {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if let Some(length) = length {
        out.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
    } else if chunked {
        out.extend_from_slice(b"transfer-encoding: chunked\r\n");
    }
    out.extend_from_slice(b"connection: close\r\ndate: ");
    out.extend_from_slice(httpdate::fmt_http_date(SystemTime::now()).as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}

/// `{len:x}\r\n` in `buf`, without allocating: this runs once per subscriber per delta.
fn chunk_size_line(len: usize, buf: &mut [u8; 18]) -> &[u8] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 16;
    let mut rest = len;
    loop {
        start -= 1;
        buf[start] = HEX[rest & 0xf];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    buf[16] = b'\r';
    buf[17] = b'\n';
    &buf[start..]
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

#[cfg(test)]
mod tests {
    use super::chunk_size_line;

    #[test]
    fn a_chunk_size_line_is_the_length_in_lowercase_hex() {
        for len in [1, 9, 10, 255, 455, 65_536, usize::MAX] {
            let mut buf = [0u8; 18];
            assert_eq!(
                chunk_size_line(len, &mut buf),
                format!("{len:x}\r\n").as_bytes(),
                "{len}"
            );
        }
    }
}
