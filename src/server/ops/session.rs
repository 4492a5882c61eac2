//! Sessions: becoming a guest, starting a session for a being (every way of signing in ends
//! here), finding who a request is, listing a being's sessions and ending them. Ending a
//! session ends its live streams (`live::session_streams`).

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::model::{ApiError, Being, BeingKind, Name, SessionInfo, Timestamp};
use crate::server::db::{beings as db_beings, sessions, sign_in_links};
use crate::server::guard::rate::Action;
use crate::server::live::session_streams::SessionEnded;
use crate::server::ops;
use crate::server::ops::ways_back::{self, WaysBack};
use crate::server::session::SessionCookie;
use crate::server::state::AppState;
use crate::server::token::SecretToken;

/// A session's last use is written at most this often.
const TOUCH_EVERY: Duration = Duration::from_secs(60 * 60);
/// The longest `User-Agent` kept to name a session's device.
const USER_AGENT_MAX_CHARS: usize = 200;

/// Who a request is: a being, through one of its sessions.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub being: Being,
    pub session_id: Uuid,
}

/// Sessions unused since before this have expired.
pub(crate) fn unused_since(state: &AppState) -> Timestamp {
    Timestamp(Timestamp::now().0 - state.sessions.max_age.as_micros() as i64)
}

/// Creates a new guest called `name` for a client at `address`; returns it and the
/// `Set-Cookie` header of its session.
pub async fn join(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
    name: &str,
) -> Result<(Being, HeaderValue), ApiError> {
    let name = Name::parse(name)?;
    state.limits.check(Action::SignIn, address, None)?;
    let guest = db_beings::new_being(BeingKind::Guest, name.into_inner(), None, None);
    ways_back::refuse_to_strand(state, headers, guest.id).await?;
    let mut tx = state.db.begin().await?;
    db_beings::insert(tx.exec(), &guest).await?;
    tx.commit().await?;
    tracing::info!(guest = %guest.id, "a guest joined");
    let cookie = start(state, guest.id, headers).await?;
    Ok((guest, cookie))
}

/// Starts a session for `being_id` on the device that sent `headers`, and returns its cookie.
/// A session the request already had ends (its streams are told it was replaced): signing in
/// always starts a fresh session. Every way of signing in calls
/// [`ways_back::refuse_to_strand`] first.
pub(crate) async fn start(
    state: &AppState,
    being_id: Uuid,
    headers: &HeaderMap,
) -> Result<HeaderValue, ApiError> {
    let token = SecretToken::generate();
    let session_id = Uuid::now_v7();
    let now = Timestamp::now();
    let mut tx = state.db.begin().await?;
    let earlier = match state.sessions.read(headers) {
        Some(SessionCookie::Session { token, .. }) => {
            sessions::by_token(tx.exec(), &token.hash()).await?
        }
        _ => None,
    };
    if let Some(earlier) = &earlier {
        sessions::delete(tx.exec(), earlier.id, earlier.being_id).await?;
    }
    let expired = sessions::delete_unused_since(tx.exec(), unused_since(state)).await?;
    sessions::insert(
        tx.exec(),
        session_id,
        &token.hash(),
        being_id,
        &device_of(headers),
        now,
    )
    .await?;
    tx.commit().await?;
    if let Some(earlier) = earlier {
        state
            .live
            .session_streams
            .end(earlier.id, SessionEnded::Replaced);
    }
    for ended in expired {
        state
            .live
            .session_streams
            .end(ended, SessionEnded::SignedOut);
    }
    tracing::info!(being = %being_id, session = %session_id, "signed in");
    Ok(state.sessions.set_cookie(being_id, &token))
}

/// A cookie from before sessions names `being_id`, and `tag` is its MAC: its session, once
/// per cookie (a copy sent again, or after, signs nobody in), within the sign-in limit.
pub(crate) async fn exchange(
    state: &AppState,
    being_id: Uuid,
    tag: &[u8],
    address: IpAddr,
    headers: &HeaderMap,
) -> Result<Option<HeaderValue>, ApiError> {
    state.limits.check(Action::SignIn, address, None)?;
    if find(state, being_id).await?.is_none() {
        return Ok(None);
    }
    let mut tx = state.db.begin().await?;
    let first_time =
        sessions::record_exchange(tx.exec(), &Sha256::digest(tag), Timestamp::now()).await?;
    tx.commit().await?;
    if !first_time {
        return Ok(None);
    }
    start(state, being_id, headers).await.map(Some)
}

/// The device a session is on, as its `User-Agent` names it.
fn device_of(headers: &HeaderMap) -> String {
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim();
    match agent {
        "" => "an unnamed device".to_owned(),
        agent => agent.chars().take(USER_AGENT_MAX_CHARS).collect(),
    }
}

/// A bot's token, when the request carries one (`Authorization: Bearer rhz_…`). Other
/// `Authorization` headers (a proxy's Basic or its own bearer tokens) are not ours: the cookie
/// decides then.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| token.starts_with("rhz_"))
}

/// Who the request is: the bot its bearer token acts as (the token stands for its session),
/// or the being of the session its cookie names, if that session goes on and the being exists.
/// A bearer token that is not a bot's signs nobody in, cookie or not.
pub async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<SignedIn>, ApiError> {
    if let Some(token) = bearer_token(headers) {
        return Ok(ops::bot_tokens::bearer(state, token)
            .await?
            .map(|(being, session_id)| SignedIn { being, session_id }));
    }
    let Some(SessionCookie::Session {
        being_id, token, ..
    }) = state.sessions.read(headers)
    else {
        return Ok(None);
    };
    let mut conn = state.db.reader().await?;
    let Some(session) = sessions::by_token(conn.exec(), &token.hash()).await? else {
        return Ok(None);
    };
    if session.being_id != being_id {
        return Ok(None);
    }
    let now = Timestamp::now();
    if session.last_seen_at < unused_since(state) {
        drop(conn);
        end_quietly(state, session.id, being_id).await?;
        return Ok(None);
    }
    let Some(being) = db_beings::get(conn.exec(), being_id).await? else {
        return Ok(None);
    };
    drop(conn);
    let unused_for = Duration::from_micros(now.0.saturating_sub(session.last_seen_at.0) as u64);
    if unused_for > TOUCH_EVERY {
        let mut tx = state.db.begin().await?;
        sessions::touch(tx.exec(), session.id, now).await?;
        tx.commit().await?;
    }
    Ok(Some(SignedIn {
        being,
        session_id: session.id,
    }))
}

/// The signed-in being, if any.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Being>, ApiError> {
    Ok(signed_in(state, headers).await?.map(|me| me.being))
}

/// The signed-in person (a guest, not a bot acting through its token), for what only a person
/// does with their identity — sessions, passkeys, sign-in links, linked accounts: 401 without
/// one, 403 for a bot, whose token must not mint credentials that outlive it.
pub async fn require_person(state: &AppState, headers: &HeaderMap) -> Result<SignedIn, ApiError> {
    let me = require(state, headers).await?;
    if me.being.kind != BeingKind::Guest {
        return Err(ApiError::forbidden(
            "only a person manages sessions and ways to sign in",
        ));
    }
    Ok(me)
}

/// [`require_person`] about to change something: held to the write limits too.
pub async fn person_writing(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
) -> Result<SignedIn, ApiError> {
    let me = writer(state, headers, address).await?;
    if me.being.kind != BeingKind::Guest {
        return Err(ApiError::forbidden(
            "only a person manages sessions and ways to sign in",
        ));
    }
    Ok(me)
}

/// The signed-in being, or 401.
pub async fn require(state: &AppState, headers: &HeaderMap) -> Result<SignedIn, ApiError> {
    signed_in(state, headers)
        .await?
        .ok_or_else(ApiError::unauthorized)
}

/// The signed-in being about to write, from `address`: 401 without one, 429 past the write
/// limits (checked on the cookie's signed being before the database is asked anything).
pub async fn writer(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
) -> Result<SignedIn, ApiError> {
    if bearer_token(headers).is_some() {
        // The address first: a made-up token costs a query only within the limit.
        state.limits.check(Action::Write, address, None)?;
        let bot = require(state, headers).await?;
        state.limits.check_being(Action::Write, bot.being.id)?;
        return Ok(bot);
    }
    let cookie = state
        .sessions
        .read(headers)
        .ok_or_else(ApiError::unauthorized)?;
    state
        .limits
        .check(Action::Write, address, Some(cookie.being_id()))?;
    require(state, headers).await
}

async fn find(state: &AppState, id: Uuid) -> Result<Option<Being>, ApiError> {
    let mut conn = state.db.reader().await?;
    Ok(db_beings::get(conn.exec(), id).await?)
}

/// The being's sessions, the asking one marked `current`.
pub async fn list(state: &AppState, me: &SignedIn) -> Result<Vec<SessionInfo>, ApiError> {
    let mut conn = state.db.reader().await?;
    let mut list = sessions::of_being(conn.exec(), me.being.id, unused_since(state)).await?;
    for session in &mut list {
        session.current = session.id == me.session_id;
    }
    Ok(list)
}

/// Ends one of the being's sessions (its own included: signing out). Ending the asking one
/// when it is the last way back into the being needs `confirm`.
pub async fn end(
    state: &AppState,
    me: &SignedIn,
    session_id: Uuid,
    confirm: bool,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    sessions::lock_being(tx.exec(), me.being.id).await?;
    if !sessions::delete(tx.exec(), session_id, me.being.id).await? {
        return Err(ApiError::not_found("session"));
    }
    if session_id == me.session_id {
        let left = WaysBack::count(tx.exec(), me, unused_since(state)).await?;
        left.refuse_unless_confirmed(left.total() - left.this_session, confirm)?;
    }
    tx.commit().await?;
    state
        .live
        .session_streams
        .end(session_id, SessionEnded::SignedOut);
    tracing::info!(being = %me.being.id, session = %session_id, "session ended");
    Ok(())
}

/// Ends every other session of the being, or every one (`including_this`, which needs
/// `confirm` when no passkey or provider leads back), and cancels its sign-in links. The ids
/// ended.
pub async fn end_all(
    state: &AppState,
    me: &SignedIn,
    including_this: bool,
    confirm: bool,
) -> Result<Vec<Uuid>, ApiError> {
    let mut tx = state.db.begin().await?;
    sessions::lock_being(tx.exec(), me.being.id).await?;
    if including_this {
        let left = WaysBack::count(tx.exec(), me, unused_since(state)).await?;
        left.refuse_unless_confirmed(left.passkeys + left.providers, confirm)?;
    }
    let keep = (!including_this).then_some(me.session_id);
    let ended = sessions::delete_all_but(tx.exec(), me.being.id, keep).await?;
    sign_in_links::delete_all_of(tx.exec(), me.being.id).await?;
    tx.commit().await?;
    for session in &ended {
        state
            .live
            .session_streams
            .end(*session, SessionEnded::SignedOut);
    }
    tracing::info!(being = %me.being.id, ended = ended.len(), "sessions ended");
    Ok(ended)
}

/// Ends a session nobody asked to keep (expired), and its streams.
async fn end_quietly(state: &AppState, session_id: Uuid, being_id: Uuid) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    sessions::delete(tx.exec(), session_id, being_id).await?;
    tx.commit().await?;
    state
        .live
        .session_streams
        .end(session_id, SessionEnded::SignedOut);
    Ok(())
}
