//! The client's files under `/pkg/` (its WASM, JavaScript and style): brotli or gzip when the
//! browser takes them and the build made them (`cargo leptos build --release --precompress`),
//! and kept by the browser for a year when their names carry a hash of their content (the
//! build's `hash-files`): a new build has new names, so nothing stale is ever used. Unhashed
//! names (a build without hashes) are checked with the server each time.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use tower_http::services::ServeDir;

use super::state::AppState;

const FOR_A_YEAR: &str = "public, max-age=31536000, immutable";
const CHECK_EACH_TIME: &str = "no-cache";

/// The routes under `/pkg/`.
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let options = &state.leptos;
    let dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let policy = if options.hash_files {
        FOR_A_YEAR
    } else {
        CHECK_EACH_TIME
    };
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(axum::middleware::map_response(
            move |mut response: Response| async move {
                if response.status().is_success() || response.status().is_redirection() {
                    let headers = response.headers_mut();
                    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
                    // The body depends on what the browser takes: a cache keeps one per kind.
                    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                }
                response
            },
        ))
}

/// Did the build name the client's files by their hashes? It writes them to `hash.txt` beside
/// the server binary then, which is where Leptos reads them from.
pub(crate) fn hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("hash.txt")))
        .is_some_and(|file| file.exists())
}
