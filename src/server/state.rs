//! What every request handler and server function can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::db::Db;
use super::session::SessionKey;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub sessions: SessionKey,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
