//! Sign-in links: a signed-in being makes one to sign another device in as itself (shown as a
//! QR code too). A link works once, for a few minutes, and can be cancelled; whoever holds it
//! before then can become the being, so only its hash is kept. Opening the link shows whom it
//! signs in; a `POST` uses it (a link previewer that only fetches it uses nothing).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use uuid::Uuid;

use super::session::{self, SignedIn};
use super::ways_back;
use crate::model::{ApiError, Being, NewSignInLink, SignInLinkInfo, Timestamp};
use crate::server::db::{beings as db_beings, sign_in_links};
use crate::server::guard::rate::Action;
use crate::server::state::AppState;
use crate::server::token::SecretToken;

/// How long a link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// The path that opens a link: `/link/<token>`.
pub const LINK_PATH: &str = "/link/";

/// Makes a link that signs another device in as `me`. Its URL is shown now and never again.
pub async fn create(
    state: &AppState,
    me: &SignedIn,
    headers: &HeaderMap,
) -> Result<NewSignInLink, ApiError> {
    let token = SecretToken::generate();
    let id = Uuid::now_v7();
    let now = Timestamp::now();
    let expires_at = Timestamp(now.0 + LINK_LIFETIME.as_micros() as i64);
    let mut tx = state.db.begin().await?;
    sign_in_links::delete_expired(tx.exec(), now).await?;
    sign_in_links::insert(tx.exec(), id, &token.hash(), me.being.id, now, expires_at).await?;
    tx.commit().await?;
    tracing::info!(being = %me.being.id, link = %id, "sign-in link made");
    Ok(NewSignInLink {
        id,
        url: format!("{}{LINK_PATH}{}", site_of(state, headers), token.encode()),
        expires_at,
    })
}

/// The being's links that still work.
pub async fn pending(state: &AppState, me: &SignedIn) -> Result<Vec<SignInLinkInfo>, ApiError> {
    let mut conn = state.db.reader().await?;
    Ok(sign_in_links::pending(conn.exec(), me.being.id, Timestamp::now()).await?)
}

/// Cancels one of the being's links.
pub async fn cancel(state: &AppState, me: &SignedIn, id: Uuid) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    if !sign_in_links::delete(tx.exec(), id, me.being.id).await? {
        return Err(ApiError::not_found("sign-in link"));
    }
    tx.commit().await?;
    Ok(())
}

/// Where the site is reached: the public URL, or else the host the request named.
fn site_of(state: &AppState, headers: &HeaderMap) -> String {
    match &state.config.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    }
}

fn gone() -> ApiError {
    ApiError::forbidden("this sign-in link was used, cancelled or has expired; make a new one")
}

/// Whom a link signs in, without using it.
pub async fn peek(state: &AppState, token: &str) -> Result<Being, ApiError> {
    let token = SecretToken::decode(token).ok_or_else(gone)?;
    let mut conn = state.db.reader().await?;
    let being_id = sign_in_links::peek(conn.exec(), &token.hash(), Timestamp::now())
        .await?
        .ok_or_else(gone)?;
    db_beings::get(conn.exec(), being_id)
        .await?
        .ok_or_else(gone)
}

/// Uses a link: this device is signed in as its being (a session it had ends), and the link
/// is gone.
pub async fn use_link(
    state: &AppState,
    headers: &HeaderMap,
    address: std::net::IpAddr,
    token: &str,
) -> Result<(Being, HeaderValue), ApiError> {
    state.limits.check(Action::SignIn, address, None)?;
    let owner = peek(state, token).await?;
    ways_back::refuse_to_strand(state, headers, owner.id).await?;
    let token = SecretToken::decode(token).ok_or_else(gone)?;
    let mut tx = state.db.begin().await?;
    let being_id = sign_in_links::take(tx.exec(), &token.hash(), Timestamp::now())
        .await?
        .ok_or_else(gone)?;
    let being = db_beings::get(tx.exec(), being_id)
        .await?
        .ok_or_else(gone)?;
    tx.commit().await?;
    let cookie = session::start(state, being.id, headers).await?;
    tracing::info!(being = %being.id, "signed in with a link");
    Ok((being, cookie))
}
