//! `GET /sw.js`: the service worker that keeps the page's files and the last copy of each page
//! for when the server cannot be reached (`service_worker.js`, in the binary). Its policy lets
//! it fetch from this origin and nothing else.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const SCRIPT: &str = include_str!("service_worker.js");

pub(crate) async fn service_worker() -> Response {
    let mut response = SCRIPT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // A new version is picked up at the next visit.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; connect-src 'self'"),
    );
    response
}
