//! The server (the `ssr` build): configuration, database, the JSON API, server-side rendering.

mod config;
pub mod context;
pub mod db;
mod error;
mod http;
mod listen;
pub mod ops;
mod session;
pub mod state;
pub mod sync;
pub mod testing;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, file_and_error_handler_with_context, generate_route_list};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::trace::TraceLayer;

pub use config::Config;
use db::Db;
pub use session::SessionKey;
use state::AppState;

use crate::app::{App, shell};

/// Logs to stderr; `RUST_LOG` filters (default `info`).
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

/// Connects the database (migrating it) and loads the session key.
pub async fn state(config: &Config) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url).await?;
    let sessions = SessionKey::load(&db, config.session_secret.as_deref()).await?;
    let sync = sync::Sync::start(&db, config.sync_settings()).await?;
    // On PostgreSQL other nodes may write too: hear of their changes.
    if db::is_postgres_url(&config.database_url) {
        sync::notify::spawn_listener(&config.database_url, sync.clone())?;
    }
    let leptos = LeptosOptions::builder()
        .output_name("rhizom")
        .site_root(config.site_root.as_str())
        .site_addr(config.site_addr)
        .build();
    Ok(AppState {
        db,
        sessions,
        leptos,
        sync,
    })
}

/// The whole application: JSON API, health check, pages, server functions and static files.
pub fn app(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let leptos = state.leptos.clone();
    Router::new()
        .merge(http::router())
        .route("/healthz", get(healthz))
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(leptos.clone())
        })
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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

/// A server running in the background; dropping it shuts it down.
pub struct Running {
    pub addr: SocketAddr,
    sync: Arc<sync::Sync>,
    stats: Arc<listen::Stats>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Running {
    /// Event streams served without hyper so far (see `listen`).
    pub fn direct_streams(&self) -> u64 {
        self.stats.direct_streams()
    }

    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.sync.shut_down();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.context("the server task panicked")?;
        Ok(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.sync.shut_down();
        self.task.abort();
    }
}

/// Binds `config.site_addr` (port 0 picks a free one) and serves in a background task.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let state = state(&config).await?;
    let sync = state.sync.clone();
    let listener = TcpListener::bind(config.site_addr)
        .await
        .with_context(|| format!("listening on {}", config.site_addr))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let stats = Arc::new(listen::Stats::default());
    let task = tokio::spawn(listen::serve(listener, app(state), stats.clone(), async {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        sync,
        stats,
        shutdown: Some(tx),
        task,
    })
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let database = config.database_url.clone();
    let running = start(config).await?;
    tracing::info!(database = %redact(&database), "rhizom listening on http://{}", running.addr);
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// A database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}
