//! The server (the `ssr` build). docs/ARCHITECTURE.md draws how the parts below fit together.
//!
//! - [`config`]: the settings; [`lifecycle`]: start, serve, stop; [`telemetry`]: logs.
//! - [`listen`]: the front door (accepts connections; hyper, and event streams written
//!   directly); [`router`]: the routes behind it; [`assets`]: the client's files.
//! - [`http`]: the JSON API; the UI's server functions (`crate::api`) reach the same
//!   operations through [`context`].
//! - [`ops`]: each operation once; [`db`]: the queries, for SQLite and PostgreSQL.
//! - [`live`]: live sync (change log, fan-out to streams, presence).
//! - [`session`]: signed cookies naming server-side sessions; [`token`]: the secrets handed
//!   out (kept as hashes); [`oidc`]: the OpenID Connect providers; [`state`]: what every
//!   handler reaches.

mod assets;
pub(crate) mod bots;
mod config;
pub(crate) mod context;
pub(crate) mod db;
mod error;
pub(crate) mod guard;
mod http;
mod lifecycle;
mod listen;
pub(crate) mod live;
mod locks;
pub(crate) mod metrics;
mod offline;
mod oidc;
pub(crate) mod ops;
mod page_compression;
pub(crate) mod qr;
mod router;
mod rpc_status;
mod session;
pub(crate) mod state;
mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
mod token;

pub use config::{Config, DatabaseUrl, OidcProvider};
pub use guard::Rate;
pub use lifecycle::{Running, run, start};
pub use listen::FrontDoorCounts;
pub use telemetry::init_tracing;
