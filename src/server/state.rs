//! What every request handler and server function can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use std::sync::Arc;

use super::db::Db;
use super::session::SessionKey;
use super::sync::Sync;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub sessions: SessionKey,
    pub leptos: LeptosOptions,
    pub sync: Arc<Sync>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
