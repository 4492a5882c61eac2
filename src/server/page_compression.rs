//! Pages travel compressed, with brotli or gzip as the browser takes them: a space page's
//! HTML, with the data it hydrates from, is a few kilobytes instead of fifteen
//! (docs/PERFORMANCE.md, "First visit").
//!
//! Only pages. The client's files are compressed once, at build time (`assets.rs`); an event
//! stream must never wait in a compressor; and the answers that may carry a secret (a bot's
//! token or signing secret, a sign-in link) stay as they are, so that text a visitor puts into
//! the same answer cannot guess the secret from the compressed size (BREACH). No page carries
//! a secret: those are shown only from a server function's or the API's answer.

use axum::http::header::CONTENT_TYPE;
use axum::http::{Extensions, HeaderMap, StatusCode, Version};
use tower_http::compression::{CompressionLayer, Predicate};

/// The layer that compresses pages, and nothing else.
pub(crate) fn pages() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new().compress_when(is_page)
}

fn is_page(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| kind.starts_with("text/html"))
}
