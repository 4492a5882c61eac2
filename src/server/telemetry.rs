//! Logs: to standard output, filtered by `RUST_LOG` (default `info`, SQLx's statements at `warn`); one
//! JSON object a line with `RHIZOM_LOG_FORMAT=json` (for a log shipper), text otherwise.

/// Installs the log subscriber (once; later calls do nothing).
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match std::env::var("RHIZOM_LOG_FORMAT").as_deref() {
        Ok("json") => logs.json().try_init(),
        _ => logs.try_init(),
    };
}
