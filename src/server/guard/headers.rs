//! Headers every response carries, and the Content-Security-Policy of a page.
//!
//! A page's policy allows its own scripts (with the per-response nonce Leptos puts on the
//! hydration script), its own wasm, styles, images and connections, and nothing else; every
//! other response gets a policy that allows nothing. No page may be framed by another site.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// What a response that is not a page may do: nothing.
const NOTHING: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Middleware: `nosniff`, no referrer to other sites, no framing, and a policy on every
/// response that did not set one (a page sets its own).
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(NOTHING));
    response
}

/// The policy of a page whose inline scripts carry `nonce`. `cargo leptos watch` reloads the
/// page over a WebSocket on another port, which the policy then allows too.
pub(crate) fn page_policy(nonce: &str) -> String {
    let reload = if std::env::var_os("LEPTOS_WATCH").is_some() {
        " ws:"
    } else {
        ""
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}
