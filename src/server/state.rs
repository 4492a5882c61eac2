//! What every request handler and server function can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::config::Config;
use super::db::Db;
use super::guard::rate::RateLimits;
use super::live::LiveSync;
use super::session::SessionKeys;

#[derive(Clone, Debug)]
pub(crate) struct AppState {
    pub db: Db,
    pub sessions: SessionKeys,
    pub leptos: LeptosOptions,
    pub live: Arc<LiveSync>,
    pub limits: Arc<RateLimits>,
    /// The server's settings.
    pub config: Arc<Config>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
