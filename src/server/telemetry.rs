//! Logs: to stderr, filtered by `RUST_LOG` (default `info`, SQLx's statements at `warn`).

/// Installs the log subscriber (once; later calls do nothing).
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
