//! Cross-site request forgery: a request that changes data and comes from a browser on
//! another site is refused (403) — on the server functions and the JSON API alike. Browsers
//! say where a request comes from (`Sec-Fetch-Site`, `Origin`); programs that send neither
//! (curl, bots) are not browsers, and are let through.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::model::ApiError;
use crate::server::state::AppState;

/// Middleware: refuses a cross-site request that is not a `GET` (or another safe method).
pub(crate) async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !request.method().is_safe()
        && is_cross_site(request.headers(), state.config.public_url.as_ref())
    {
        return ApiError::forbidden(
            "a request from another site cannot change anything here (cross-site request refused)",
        )
        .into_response();
    }
    next.run(request).await
}

/// Does the browser say this request comes from another origin than ours (the public URL's,
/// or the one the request's `Host` names)?
pub(crate) fn is_cross_site(headers: &HeaderMap, public_url: Option<&Url>) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        // `same-site` is a sibling host (another subdomain): not us either.
        if !matches!(site, "same-origin" | "none") {
            return true;
        }
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return false;
    };
    let Ok(origin) = Url::parse(origin) else {
        // `null` (a sandboxed frame, a file) or garbage: not us.
        return true;
    };
    match public_url {
        Some(public) => origin.origin() != public.origin(),
        None => {
            let host = text(header::HOST.as_str()).unwrap_or("");
            let port = origin
                .port()
                .map(|port| format!(":{port}"))
                .unwrap_or_default();
            let authority = format!("{}{port}", origin.host_str().unwrap_or(""));
            !authority.eq_ignore_ascii_case(host)
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn a_browser_on_another_site_is_refused() {
        let host = ("host", "chat.example.org");
        for cross in [
            headers(&[host, ("origin", "https://evil.example")]),
            headers(&[host, ("origin", "null")]),
            headers(&[host, ("sec-fetch-site", "cross-site")]),
            headers(&[host, ("sec-fetch-site", "same-site")]),
            headers(&[host, ("origin", "http://chat.example.org:8080")]),
        ] {
            assert!(is_cross_site(&cross, None), "{cross:?}");
        }
    }

    #[test]
    fn the_site_itself_and_programs_without_an_origin_pass() {
        let host = ("host", "chat.example.org");
        for same in [
            headers(&[host]),
            headers(&[host, ("origin", "https://chat.example.org")]),
            headers(&[host, ("sec-fetch-site", "same-origin")]),
            headers(&[host, ("sec-fetch-site", "none")]),
            headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3000"),
            ]),
        ] {
            assert!(!is_cross_site(&same, None), "{same:?}");
        }
    }

    #[test]
    fn the_public_url_is_the_origin_when_it_is_set() {
        let public: Url = "https://chat.example.org".parse().unwrap();
        // Behind a proxy the Host may be anything; the public URL decides.
        let ours = headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "https://chat.example.org"),
        ]);
        assert!(!is_cross_site(&ours, Some(&public)));
        let plain = headers(&[
            ("host", "10.0.0.5:3000"),
            ("origin", "http://chat.example.org"),
        ]);
        assert!(
            is_cross_site(&plain, Some(&public)),
            "http is another origin"
        );
    }
}
