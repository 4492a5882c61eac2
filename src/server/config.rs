//! Run-time settings: built-in defaults, then `Leptos.toml`, then environment variables.
//!
//! Build settings (for cargo-leptos) live in `Cargo.toml`; this file is only what the running
//! server reads. See README.md for the table of keys.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use super::sync::SyncSettings;

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (`site-addr`, `LEPTOS_SITE_ADDR`).
    pub site_addr: SocketAddr,
    /// `sqlite://…` or `postgres://…` (`database-url`, `DATABASE_URL`).
    pub database_url: String,
    /// Key for session cookies (`session-secret`, `RHIZOM_SESSION_SECRET`); generated and kept
    /// in the database when absent.
    pub session_secret: Option<String>,
    /// The built site: wasm, js, css, public assets (`site-root`, `LEPTOS_SITE_ROOT`).
    pub site_root: String,
    /// How long a being stays online after its last stream closes (`presence-grace-ms`).
    pub presence_grace: Duration,
    /// Presence rows not renewed for this long are swept (`presence-ttl-ms`).
    pub presence_ttl: Duration,
    /// Changes kept per space for exact resume (`change-window`).
    pub change_window: u64,
    /// The oldest change kept (`change-max-age-secs`).
    pub change_max_age: Duration,
    /// Frames queued for one stream whose socket is full; a stream further behind is cut off
    /// (`stream-buffer`).
    pub stream_buffer: usize,
    /// Threads that write one space's streams at the same time (`fanout-threads`); `None`:
    /// every thread of the runtime.
    pub fanout_threads: Option<usize>,
    /// Longest silence on a stream before a heartbeat comment (`heartbeat-ms`).
    pub heartbeat: Duration,
}

/// The keys of `Leptos.toml`, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct FileConfig {
    site_addr: Option<SocketAddr>,
    database_url: Option<String>,
    session_secret: Option<String>,
    site_root: Option<String>,
    presence_grace_ms: Option<u64>,
    presence_ttl_ms: Option<u64>,
    change_window: Option<u64>,
    change_max_age_secs: Option<u64>,
    stream_buffer: Option<usize>,
    fanout_threads: Option<usize>,
    heartbeat_ms: Option<u64>,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/rhizom.db";

impl Default for Config {
    fn default() -> Self {
        Config {
            site_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            session_secret: None,
            site_root: "target/site".to_owned(),
            presence_grace: Duration::from_secs(10),
            presence_ttl: Duration::from_secs(60),
            change_window: 10_000,
            change_max_age: Duration::from_secs(24 * 60 * 60),
            stream_buffer: 1024,
            fanout_threads: None,
            heartbeat: Duration::from_secs(15),
        }
    }
}

impl Config {
    /// Reads `Leptos.toml` (or the file named by `RHIZOM_CONFIG`) if present, then the environment.
    pub fn load() -> anyhow::Result<Config> {
        let path = std::env::var("RHIZOM_CONFIG").unwrap_or_else(|_| "Leptos.toml".to_owned());
        let mut config = Config::default();
        if Path::new(&path).exists() {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
            config
                .apply_file(&text)
                .with_context(|| format!("parsing {path}"))?;
        }
        config.apply_env(|key| std::env::var(key).ok())?;
        Ok(config)
    }

    /// A server for a test: any free port on loopback, the given database.
    pub fn for_tests(database_url: impl Into<String>) -> Config {
        Config {
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            ..Config::default()
        }
    }

    fn apply_file(&mut self, text: &str) -> anyhow::Result<()> {
        let file: FileConfig = toml::from_str(text)?;
        if let Some(v) = file.site_addr {
            self.site_addr = v;
        }
        if let Some(v) = file.database_url {
            self.database_url = v;
        }
        if file.session_secret.is_some() {
            self.session_secret = file.session_secret;
        }
        if let Some(v) = file.site_root {
            self.site_root = v;
        }
        self.presence_grace = file
            .presence_grace_ms
            .map_or(self.presence_grace, Duration::from_millis);
        self.presence_ttl = file
            .presence_ttl_ms
            .map_or(self.presence_ttl, Duration::from_millis);
        self.change_window = file.change_window.unwrap_or(self.change_window);
        self.change_max_age = file
            .change_max_age_secs
            .map_or(self.change_max_age, Duration::from_secs);
        self.stream_buffer = file.stream_buffer.unwrap_or(self.stream_buffer);
        self.fanout_threads = file.fanout_threads.or(self.fanout_threads);
        self.heartbeat = file
            .heartbeat_ms
            .map_or(self.heartbeat, Duration::from_millis);
        Ok(())
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = var("LEPTOS_SITE_ADDR") {
            self.site_addr = v
                .parse()
                .with_context(|| format!("LEPTOS_SITE_ADDR={v:?} is not an address"))?;
        }
        if let Some(v) = var("DATABASE_URL").filter(|v| !v.is_empty()) {
            self.database_url = v;
        }
        if let Some(v) = var("RHIZOM_SESSION_SECRET").filter(|v| !v.is_empty()) {
            self.session_secret = Some(v);
        }
        if let Some(v) = var("LEPTOS_SITE_ROOT") {
            self.site_root = v;
        }
        if let Some(ms) = number(&var, "RHIZOM_PRESENCE_GRACE_MS")? {
            self.presence_grace = Duration::from_millis(ms);
        }
        if let Some(ms) = number(&var, "RHIZOM_PRESENCE_TTL_MS")? {
            self.presence_ttl = Duration::from_millis(ms);
        }
        if let Some(n) = number(&var, "RHIZOM_CHANGE_WINDOW")? {
            self.change_window = n;
        }
        if let Some(secs) = number(&var, "RHIZOM_CHANGE_MAX_AGE_SECS")? {
            self.change_max_age = Duration::from_secs(secs);
        }
        if let Some(n) = number(&var, "RHIZOM_STREAM_BUFFER")? {
            self.stream_buffer = n as usize;
        }
        if let Some(n) = number(&var, "RHIZOM_FANOUT_THREADS")? {
            self.fanout_threads = Some(n as usize);
        }
        if let Some(ms) = number(&var, "RHIZOM_HEARTBEAT_MS")? {
            self.heartbeat = Duration::from_millis(ms);
        }
        Ok(())
    }

    pub fn sync_settings(&self) -> SyncSettings {
        SyncSettings {
            change_window: self.change_window,
            change_max_age: self.change_max_age,
            stream_buffer: self.stream_buffer,
            fanout_threads: self.fanout_threads,
            heartbeat: self.heartbeat,
            presence_grace: self.presence_grace,
            presence_ttl: self.presence_ttl,
        }
    }
}

/// A whole number from the environment, if set.
fn number(var: &impl Fn(&str) -> Option<String>, key: &str) -> anyhow::Result<Option<u64>> {
    var(key)
        .map(|v| {
            v.parse()
                .with_context(|| format!("{key}={v:?} is not a whole number"))
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file_which_overrides_the_defaults() {
        let mut config = Config::default();
        config
            .apply_file("site-addr = \"0.0.0.0:8080\"\ndatabase-url = \"sqlite://x.db\"\n")
            .unwrap();
        assert_eq!(config.site_addr.port(), 8080);
        config
            .apply_env(|k| (k == "DATABASE_URL").then(|| "postgres://db/rhizom".to_owned()))
            .unwrap();
        assert_eq!(config.database_url, "postgres://db/rhizom");
        assert_eq!(config.site_addr.port(), 8080);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error() {
        assert!(Config::default().apply_file("databse-url = \"x\"").is_err());
    }

    #[test]
    fn a_bad_address_in_the_environment_is_an_error() {
        let err = Config::default().apply_env(|_| Some("nowhere".to_owned()));
        assert!(err.is_err());
    }
}
