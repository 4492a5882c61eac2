//! What every request handler and server function can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::bots::BotWorker;
use super::config::Config;
use super::db::Db;
use super::guard::rate::RateLimits;
use super::live::LiveSync;
use super::oidc::OidcProviders;
use super::session::SessionKeys;

#[derive(Clone, Debug)]
pub(crate) struct AppState {
    pub db: Db,
    pub sessions: SessionKeys,
    pub leptos: LeptosOptions,
    pub live: Arc<LiveSync>,
    pub limits: Arc<RateLimits>,
    /// The passkeys' relying party; `None` when the public URL has no domain name.
    pub webauthn: Option<Arc<webauthn_rs::Webauthn>>,
    /// The OpenID Connect providers people may sign in with.
    pub oidc: Arc<OidcProviders>,
    /// The bots' worker: it answers the wakes.
    pub bots: Arc<BotWorker>,
    /// The server's settings.
    pub config: Arc<Config>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
