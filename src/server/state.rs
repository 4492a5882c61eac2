//! What every request handler and server function can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::db::Db;
use super::live::LiveSync;
use super::session::SessionKey;

#[derive(Clone, Debug)]
pub(crate) struct AppState {
    pub db: Db,
    pub sessions: SessionKey,
    pub leptos: LeptosOptions,
    pub live: Arc<LiveSync>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
