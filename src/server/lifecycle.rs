//! A server's life: connect the database and start live sync, bind and serve in the
//! background ([`start`]), stop gracefully ([`Running::stop`]); [`run`] does it until a signal.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::assets;
use super::bots::{self, BotWorker};
use super::config::Config;
use super::db::Db;
use super::guard::rate::RateLimits;
use super::listen;
use super::live::{self, LiveSync};
use super::oidc::OidcProviders;
use super::ops;
use super::router;
use super::session::SessionKeys;
use super::state::AppState;

/// Connects the database (migrating it), loads the session key, starts live sync.
async fn connect(config: Arc<Config>) -> anyhow::Result<AppState> {
    // The clients that call identity providers, models and webhooks speak TLS with rustls,
    // which needs a crypto provider: ring builds in seconds where aws-lc-rs (the one rustls
    // now prefers, for its post-quantum key exchange) compiles a C library of its own; these
    // calls do not need post-quantum keys yet.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = Db::connect(&config.database_url).await?;
    let sessions = SessionKeys::load(&db, &config).await?;
    let live = LiveSync::start(&db, config.clone()).await?;
    // On PostgreSQL other nodes may write too: hear of their changes.
    if config.database_url.is_postgres() {
        live::notify::listener::spawn(config.database_url.expose(), live.clone())?;
    }
    let leptos = LeptosOptions::builder()
        .output_name("rhizom")
        .site_root(config.site_root.as_str())
        .site_addr(config.site_addr)
        .hash_files(assets::hashed())
        .build();
    let limits = Arc::new(RateLimits::new(&config));
    tokio::spawn(
        limits
            .clone()
            .forget_idle_every(Duration::from_secs(60), live.shutting_down()),
    );
    let webauthn = ops::passkeys::relying_party(&config)?.map(Arc::new);
    let node = live.node_id;
    Ok(AppState {
        db,
        sessions,
        leptos,
        live,
        limits,
        webauthn,
        oidc: Arc::new(OidcProviders::new(&config)?),
        bots: BotWorker::new(&config, node)?,
        config,
    })
}

/// A server running in the background; dropping it shuts it down.
pub struct Running {
    pub addr: SocketAddr,
    live: Arc<LiveSync>,
    stats: Arc<listen::Stats>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    /// The bots' worker: on a stop it hands back what this node was answering.
    bots: JoinHandle<()>,
}

impl Running {
    /// What the front door has done so far (see `listen`).
    pub fn front_door(&self) -> listen::FrontDoorCounts {
        self.stats.counts()
    }

    /// Stops accepting, lets in-flight requests finish, and waits.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.live.shut_down();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.context("the server task panicked")?;
        (&mut self.bots)
            .await
            .context("the bots' worker panicked")?;
        Ok(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.live.shut_down();
        self.task.abort();
        self.bots.abort();
    }
}

/// Binds `config.site_addr` (port 0 picks a free one) and serves in a background task.
pub async fn start(config: Config) -> anyhow::Result<Running> {
    let config = Arc::new(config);
    let state = connect(config.clone()).await?;
    let live = state.live.clone();
    let listener = TcpListener::bind(config.site_addr)
        .await
        .with_context(|| format!("listening on {}", config.site_addr))?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let stats = Arc::new(listen::Stats::default());
    let bots = bots::spawn(state.clone());
    let door = listen::FrontDoor::new(router::app(state), stats.clone(), &config);
    let task = tokio::spawn(door.serve(listener, async {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        live,
        stats,
        shutdown: Some(tx),
        task,
        bots,
    })
}

/// Serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let database = config.database_url.to_string();
    let running = start(config).await?;
    tracing::info!(%database, "rhizom listening on http://{}", running.addr);
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
