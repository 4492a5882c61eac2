//! Run-time settings: built-in defaults, then the settings file (`Leptos.toml`, or the file
//! named by `RHIZOM_CONFIG`), then environment variables.
//!
//! Each setting is written once, as a field of [`Config`]: its key in the file is the field's
//! serde name, its environment variable follows from the key ([`env_name`]), its default is in
//! `Default`. The tests in `config/tests.rs` check every key against its variable and against
//! the tables in README.md and docs/SYNC.md. Build settings (for cargo-leptos) live in
//! `Cargo.toml`; this is only what the running server reads.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use ipnet::IpNet;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use url::Url;
use uuid::Uuid;

use super::guard::Rate;

/// The server's settings. `Debug` shows no secret (nor the database's password).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Where to listen.
    pub site_addr: SocketAddr,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: DatabaseUrl,
    /// Key for session cookies; generated and kept in the database when absent.
    pub session_secret: Option<SecretString>,
    /// The built site: wasm, js, css, public assets.
    pub site_root: String,
    /// How long a being stays online after its last stream closes.
    #[serde(rename = "presence-grace-ms", deserialize_with = "millis")]
    pub presence_grace: Duration,
    /// How long every tab of a being must have been hidden before it shows as away (the page
    /// waits this long, then says so).
    #[serde(rename = "away-after-ms", deserialize_with = "millis")]
    pub away_after: Duration,
    /// A node whose lease was not renewed for this long is gone: its presence rows are swept.
    #[serde(rename = "presence-ttl-ms", deserialize_with = "millis")]
    pub presence_ttl: Duration,
    /// Changes kept per space for exact resume.
    pub change_window: u64,
    /// The oldest change kept.
    #[serde(rename = "change-max-age-secs", deserialize_with = "secs")]
    pub change_max_age: Duration,
    /// Frames queued for one stream whose socket is full; a stream further behind is cut off.
    pub stream_buffer: usize,
    /// Threads that write one space's streams at the same time; `None`: every thread of the
    /// runtime.
    pub fanout_threads: Option<usize>,
    /// Longest silence on a stream before a heartbeat comment.
    #[serde(rename = "heartbeat-ms", deserialize_with = "millis")]
    pub heartbeat: Duration,
    /// Event streams that arrive on an idle connection are written by the front door itself
    /// (`server::listen`); `false` serves every request through hyper (a safety switch).
    pub direct_streams: bool,
    /// Where people reach the server (`https://chat.example.org`). When it is https, cookies are
    /// `Secure` with the `__Host-` prefix; a browser's request that changes data must come from
    /// its origin. Unset: the request's own `Host` is the origin.
    pub public_url: Option<Url>,
    /// Request bodies larger than this get a 413.
    pub max_body_bytes: usize,
    /// The longest a client may take to send a request head.
    #[serde(rename = "head-timeout-secs", deserialize_with = "secs")]
    pub head_timeout: Duration,
    /// The longest a client may take to send a request body.
    #[serde(rename = "body-timeout-secs", deserialize_with = "secs")]
    pub body_timeout: Duration,
    /// Connections served at once; beyond it, new ones get only the health check and a 503
    /// (docs/SECURITY.md).
    pub max_connections: usize,
    /// Connections served at once from one address (an IPv6 client's /64).
    pub max_connections_per_address: usize,
    /// A catch-up of more changes than this is a reset instead.
    pub catch_up_max_changes: usize,
    /// A catch-up of more bytes than this is a reset instead.
    pub catch_up_max_bytes: usize,
    /// Becoming a new guest, per client address.
    pub sign_in_rate: Rate,
    /// Writes (posts, edits, deletes, spaces, beings), per client address.
    pub write_rate_per_address: Rate,
    /// Writes, per signed-in being.
    pub write_rate_per_being: Rate,
    /// Opening live streams, per client address.
    pub stream_rate_per_address: Rate,
    /// Reads (pages, lists, catch-ups, older messages), per client address.
    pub read_rate_per_address: Rate,
    /// Opening live streams, per signed-in being.
    pub stream_rate_per_being: Rate,
    /// Proxies in front of the server whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// A session unused for this long ends.
    #[serde(rename = "session-max-age-days", deserialize_with = "days")]
    pub session_max_age: Duration,
    /// Earlier session secrets, still accepted, so that a new one signs nobody out.
    pub session_old_secrets: Vec<SecretString>,
    /// Beings (by id) who may remove beings and messages in every space, the Lobby included.
    pub moderators: Vec<Uuid>,
    /// OpenID Connect providers people may sign in with (`[[oidc]]` entries).
    pub oidc: Vec<OidcProvider>,
    /// A model that sends no byte for this long has stopped: its reply fails.
    #[serde(rename = "bot-stall-secs", deserialize_with = "secs")]
    pub bot_stall: Duration,
    /// The longest a bot's webhook may take to answer one delivery.
    #[serde(rename = "bot-webhook-timeout-secs", deserialize_with = "secs")]
    pub bot_webhook_timeout: Duration,
    /// The waits before each new try of a webhook that did not answer; after the last, the
    /// space is told the bot could not answer.
    pub bot_retry_ms: Vec<u64>,
    /// How long a node holds a wake it is answering before it must renew its claim; a node that
    /// dies is noticed after this.
    #[serde(rename = "bot-lease-secs", deserialize_with = "secs")]
    pub bot_lease: Duration,
    /// May bots call private addresses (this machine, its network)? Off: only the public
    /// internet, since any bot's owner sets where its bot calls.
    pub bot_private_addresses: bool,
    /// Lets a client elsewhere than this machine read `GET /metrics` with
    /// `Authorization: Bearer <token>`.
    pub metrics_token: Option<SecretString>,
    /// NATS with JetStream (`nats://host:4222`), the bus that carries changes between nodes on
    /// PostgreSQL in place of its notifications (docs/SCALING.md). It may hold a password.
    pub nats_url: Option<SecretString>,
}

/// One OpenID Connect provider. Its redirect URI is `<public-url>/auth/oidc/<name>/callback`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct OidcProvider {
    /// In the URL and on the button ("Sign in with <name>"): letters, digits and `-`.
    pub name: String,
    /// The issuer exactly as the provider names itself (discovery checks it).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            site_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            database_url: DatabaseUrl("sqlite://data/rhizom.db".to_owned()),
            session_secret: None,
            site_root: "target/site".to_owned(),
            presence_grace: Duration::from_secs(10),
            away_after: Duration::from_secs(5 * 60),
            presence_ttl: Duration::from_secs(60),
            change_window: 10_000,
            change_max_age: Duration::from_secs(24 * 60 * 60),
            stream_buffer: 1024,
            fanout_threads: None,
            heartbeat: Duration::from_secs(15),
            direct_streams: true,
            public_url: None,
            max_body_bytes: 64 * 1024,
            head_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_connections: 16_384,
            max_connections_per_address: 512,
            catch_up_max_changes: 2_000,
            catch_up_max_bytes: 2 * 1024 * 1024,
            sign_in_rate: Rate::limited(300, HOUR, 60),
            write_rate_per_address: Rate::limited(50, SECOND, 300),
            write_rate_per_being: Rate::limited(10, SECOND, 60),
            stream_rate_per_address: Rate::limited(10, SECOND, 120),
            read_rate_per_address: Rate::limited(50, SECOND, 300),
            stream_rate_per_being: Rate::limited(2, SECOND, 30),
            trusted_proxies: Vec::new(),
            session_max_age: 90 * DAY,
            session_old_secrets: Vec::new(),
            moderators: Vec::new(),
            oidc: Vec::new(),
            bot_stall: Duration::from_secs(30),
            bot_webhook_timeout: Duration::from_secs(10),
            bot_retry_ms: vec![1_000, 5_000, 30_000, 120_000, 600_000],
            bot_lease: Duration::from_secs(30),
            bot_private_addresses: false,
            metrics_token: None,
            nats_url: None,
        }
    }
}

const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The environment variable that overrides `key` of the settings file: `RHIZOM_` and the key
/// in capitals, but for the three that Leptos and SQLx conventions name.
pub(crate) fn env_name(key: &str) -> String {
    match key {
        "site-addr" => "LEPTOS_SITE_ADDR".to_owned(),
        "site-root" => "LEPTOS_SITE_ROOT".to_owned(),
        "database-url" => "DATABASE_URL".to_owned(),
        key => format!("RHIZOM_{}", key.replace('-', "_").to_ascii_uppercase()),
    }
}

impl Config {
    /// Every key of the settings file, as serde names them.
    pub(crate) fn keys() -> &'static [&'static str] {
        serde_aux::serde_introspection::serde_introspect::<Config>()
    }

    /// Reads the settings file if present, then the environment.
    pub fn load() -> anyhow::Result<Config> {
        let path = std::env::var("RHIZOM_CONFIG").unwrap_or_else(|_| "Leptos.toml".to_owned());
        let file = if Path::new(&path).exists() {
            std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?
        } else {
            String::new()
        };
        Config::from_sources(&file, |name| std::env::var(name).ok())
            .with_context(|| format!("reading the settings ({path} and the environment)"))
    }

    /// A server for a test: any free port on loopback, the given database, and no rate limits
    /// (a test posts hundreds of messages a second; the tests of the limits set their own).
    pub fn for_tests(database_url: impl Into<String>) -> Config {
        Config {
            site_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: DatabaseUrl(database_url.into()),
            sign_in_rate: Rate::Off,
            write_rate_per_address: Rate::Off,
            write_rate_per_being: Rate::Off,
            stream_rate_per_address: Rate::Off,
            read_rate_per_address: Rate::Off,
            stream_rate_per_being: Rate::Off,
            // The tests' models and webhooks listen on this machine.
            bot_private_addresses: true,
            ..Config::default()
        }
    }

    /// The settings from a file's text and an environment (`var` looks a variable up). An
    /// empty variable counts as unset.
    fn from_sources(file: &str, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let mut table: toml::Table =
            toml::from_str(file).map_err(|error| file_error(file, &error))?;
        toml::from_str::<Config>(file).map_err(|error| file_error(file, &error))?;
        for key in Config::keys() {
            let name = env_name(key);
            let Some(raw) = var(&name).filter(|v| !v.is_empty()) else {
                continue;
            };
            let value =
                env_value(key, &raw).with_context(|| format!("{name} in the environment"))?;
            table.insert((*key).to_owned(), value);
        }
        Ok(toml::Value::Table(table).try_into()?)
    }
}

/// What is wrong with the settings file — where, and what, unless the file holds a secret or
/// the database's URL: then only where, since the message and the line it quotes may show it.
fn file_error(file: &str, error: &toml::de::Error) -> anyhow::Error {
    let holds_a_secret =
        file.contains("secret") || file.contains("database-url") || file.contains("nats-url");
    if !holds_a_secret {
        return anyhow::anyhow!("the settings file: {error}");
    }
    let start = error.span().map_or(0, |span| span.start.min(file.len()));
    let before = &file[..start];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |newline| newline + 1) + 1;
    anyhow::anyhow!(
        "the settings file: a value at line {line}, column {column} is not valid (the error is \
         not shown, as the file holds a secret)"
    )
}

/// An environment variable's text as the value of `key`: a number or `true`/`false` where
/// the setting takes one, a list (comma-separated) where it takes a list, a TOML value where
/// the setting takes tables (`[{ name = "…", … }]`), the text itself otherwise.
fn env_value(key: &str, raw: &str) -> anyhow::Result<toml::Value> {
    let typed = raw
        .parse::<i64>()
        .map(toml::Value::Integer)
        .or_else(|_| raw.parse::<bool>().map(toml::Value::Boolean));
    let list = raw
        .split(',')
        .map(|item| toml::Value::String(item.trim().to_owned()))
        .collect();
    let literal = toml::from_str::<toml::Table>(&format!("value = {raw}"))
        .ok()
        .and_then(|mut table| table.remove("value"));
    let candidates = typed
        .into_iter()
        .chain([
            toml::Value::Array(list),
            toml::Value::String(raw.to_owned()),
        ])
        .chain(literal);
    let mut last_error = None;
    for value in candidates {
        let one = toml::Table::from_iter([(key.to_owned(), value.clone())]);
        match toml::Value::Table(one).try_into::<Config>() {
            Ok(_) => return Ok(value),
            Err(error) => last_error = Some(error),
        }
    }
    let error = last_error.expect("at least the text itself was tried");
    // The message of a refused secret is not printed: it may quote the value.
    if key.contains("secret") || key == "oidc" || key == "nats-url" {
        anyhow::bail!("not a valid {key}");
    }
    Err(anyhow::Error::new(error).context(format!("not a valid {key}")))
}

/// A database URL, which may hold a password: shown (`Debug`, `Display`) without it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL itself, password and all: for connecting, never for logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Does it name a PostgreSQL database (rather than a SQLite file)?
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                write!(f, "{}://…{}", &self.0[..scheme], &self.0[at..])
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{self}\"")
    }
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

fn secs<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_secs)
}

fn days<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(|days| Duration::from_secs(days * 24 * 60 * 60))
}

#[cfg(test)]
mod tests;
