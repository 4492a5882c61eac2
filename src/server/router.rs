//! The routes: the JSON API, the health check, the pages and server functions, the client's
//! files (`/pkg/`), and other static files.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::http::StatusCode;
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use tower_http::trace::TraceLayer;
use tracing::Span;

use super::assets;
use super::guard::guard;
use super::http;
use super::offline;
use super::ops::sign_in_links::LINK_PATH;
use super::page_compression;
use super::rpc_status;
use super::session;
use super::state::AppState;
use crate::app::{App, shell};

/// The whole application, as the front door serves it.
pub(crate) fn app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let leptos = state.leptos.clone();
    let routes = Router::new()
        .merge(http::router())
        .route("/healthz", get(healthz))
        .route("/sw.js", get(offline::service_worker))
        .nest(
            &format!("/{}", state.leptos.site_pkg_dir),
            assets::router(&state),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ));
    let routes = routes
        .layer(page_compression::pages())
        .layer(axum::middleware::from_fn(rpc_status::status_from_error))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::renew,
        ));
    guard(routes, &state)
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// A request's log span: its method and path — never its query (an OpenID Connect code, a
/// link proof) nor a sign-in link's token.
fn request_span(request: &Request<Body>) -> Span {
    let path = request.uri().path();
    let path = match path.strip_prefix(LINK_PATH) {
        Some(_) => "/link/…",
        None => path,
    };
    tracing::debug_span!("request", method = %request.method(), path)
}

/// GET /healthz — 200 while the database answers.
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::error!(?error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
