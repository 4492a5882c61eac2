//! The HTTP/1.1 that [`super::direct`] speaks, as pure functions over bytes: a request head
//! parsed into a request for the app, and a response head written as hyper would write it.

use std::time::SystemTime;

use axum::body::Body;
use axum::http::{
    HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Version, header,
};

/// A request head longer than this gets a 431.
const MAX_HEAD: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;

/// A complete head becomes a `GET` request (the tap takes nothing else); `Ok(None)` asks for
/// more bytes; `Err` is the status to answer with.
pub(super) fn parse_request_head(buf: &[u8]) -> Result<Option<Request<Body>>, StatusCode> {
    let bad = StatusCode::BAD_REQUEST;
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Request::new(&mut headers);
    match head.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD => {
            return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        }
        Err(_) => return Err(bad),
    }
    if head.method != Some("GET") {
        return Err(bad);
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
    // A body would be a request we do not expect on this route.
    if map.contains_key(header::CONTENT_LENGTH) || map.contains_key(header::TRANSFER_ENCODING) {
        return Err(bad);
    }
    Ok(Some(request))
}

/// How a response body is delimited on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BodyFraming {
    Length(u64),
    Chunked,
    /// Ends with the connection (HTTP/1.0 and a body of unknown length).
    UntilClose,
}

/// Status line and headers, as hyper would write them, with `connection: close` (the
/// connection ends with this response) and the framing given, whatever the app's headers said.
pub(super) fn response_head(
    status: StatusCode,
    headers: &HeaderMap,
    framing: BodyFraming,
    now: SystemTime,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    let ours = [
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
        header::CONNECTION,
        header::DATE,
    ];
    for (name, value) in headers.iter().filter(|(name, _)| !ours.contains(name)) {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    match framing {
        BodyFraming::Length(length) => {
            out.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
        }
        BodyFraming::Chunked => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
        BodyFraming::UntilClose => {}
    }
    out.extend_from_slice(b"connection: close\r\ndate: ");
    out.extend_from_slice(httpdate::fmt_http_date(now).as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    const STREAM: &str = "GET /api/spaces/x/events?after=ab:3 HTTP/1.1\r\nHost: rhizom\r\n\
                          Last-Event-ID: ab:4\r\n\r\n";

    #[test]
    fn a_whole_head_becomes_the_request() {
        let request = parse_request_head(STREAM.as_bytes()).unwrap().unwrap();
        assert_eq!(request.method(), Method::GET);
        assert_eq!(request.uri(), "/api/spaces/x/events?after=ab:3");
        assert_eq!(request.version(), Version::HTTP_11);
        assert_eq!(request.headers()["last-event-id"], "ab:4");
        let old = parse_request_head(b"GET /a HTTP/1.0\r\n\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(old.version(), Version::HTTP_10);
    }

    #[test]
    fn a_head_split_anywhere_asks_for_more_until_it_is_whole() {
        for end in 0..STREAM.len() {
            assert!(
                parse_request_head(&STREAM.as_bytes()[..end])
                    .unwrap()
                    .is_none(),
                "{end}"
            );
        }
    }

    #[test]
    fn heads_that_are_not_a_plain_get_are_refused() {
        for (head, status) in [
            ("POST /a HTTP/1.1\r\n\r\n", 400),
            ("GET /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", 400),
            ("GET /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            ("GET /a HTTP/1.1\r\nbad header\r\n\r\n", 400),
            ("NOT HTTP\r\n\r\n", 400),
        ] {
            assert_eq!(
                parse_request_head(head.as_bytes()).unwrap_err().as_u16(),
                status,
                "{head:?}"
            );
        }
        let many: String = (0..65).map(|i| format!("X-{i}: y\r\n")).collect();
        let head = format!("GET /a HTTP/1.1\r\n{many}\r\n");
        assert_eq!(
            parse_request_head(head.as_bytes()).unwrap_err().as_u16(),
            431
        );
        let endless = format!("GET /a HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD));
        assert_eq!(
            parse_request_head(endless.as_bytes()).unwrap_err().as_u16(),
            431
        );
    }

    #[test]
    fn a_response_head_has_our_framing_and_not_the_apps() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("text/event-stream"),
        );
        headers.insert("content-length", HeaderValue::from_static("999"));
        headers.insert("connection", HeaderValue::from_static("keep-alive"));
        let now = UNIX_EPOCH + Duration::from_secs(1_795_000_000);
        let head = response_head(StatusCode::OK, &headers, BodyFraming::Chunked, now);
        assert_eq!(
            String::from_utf8(head).unwrap(),
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
             transfer-encoding: chunked\r\nconnection: close\r\n\
             date: Wed, 18 Nov 2026 11:06:40 GMT\r\n\r\n"
        );
        let head = response_head(StatusCode::NOT_FOUND, &headers, BodyFraming::Length(2), now);
        let text = String::from_utf8(head).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\n"), "{text}");
        assert!(
            text.contains("content-length: 2\r\n") && !text.contains("999"),
            "{text}"
        );
        let head = response_head(StatusCode::OK, &headers, BodyFraming::UntilClose, now);
        let text = String::from_utf8(head).unwrap();
        assert!(!text.contains("content-length") && !text.contains("transfer-encoding"));
    }
}
