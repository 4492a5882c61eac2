//! Passkeys (WebAuthn, verified by webauthn-rs): a signed-in being adds, names and removes
//! them; anyone signs in with one, on any device, without a user name (discoverable
//! credentials). Each ceremony's challenge is kept server-side, taken once, for five minutes.
//! The relying party is the public URL's host (`relying_party`).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use serde_json::Value;
use url::Url;
use uuid::Uuid;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Webauthn, WebauthnBuilder,
};

use super::session::{self, SignedIn};
use super::ways_back::{self, WaysBack};
use crate::model::{ApiError, Being, Name, PasskeyCeremony, PasskeyInfo, Timestamp};
use crate::server::config::Config;
use crate::server::db::sign_in_attempts::AttemptKind;
use crate::server::db::{beings as db_beings, passkeys, sessions, sign_in_attempts};
use crate::server::guard::rate::Action;
use crate::server::state::AppState;
use crate::server::token::SecretToken;

/// How long a ceremony may take, from its options to its answer.
const CEREMONY_TIME: Duration = Duration::from_secs(5 * 60);

/// The relying party: the public URL (or `http://localhost:<port>` without one). `None`, with
/// a warning, when its host is an IP address: WebAuthn needs a domain name.
pub(crate) fn relying_party(config: &Config) -> anyhow::Result<Option<Webauthn>> {
    let origin = match &config.public_url {
        Some(url) => url.clone(),
        None => Url::parse(&format!("http://localhost:{}", config.site_addr.port()))?,
    };
    let Some(url::Host::Domain(domain)) = origin.host() else {
        tracing::warn!(%origin, "passkeys need a public URL with a domain name; they are off");
        return Ok(None);
    };
    let webauthn = WebauthnBuilder::new(domain, &origin)?
        .rp_name("rhizom")
        .timeout(CEREMONY_TIME)
        .build()?;
    Ok(Some(webauthn))
}

fn webauthn(state: &AppState) -> Result<&Webauthn, ApiError> {
    state.webauthn.as_deref().ok_or_else(|| {
        ApiError::unavailable("passkeys are off here: the server's public URL needs a domain name")
    })
}

/// A ceremony's outcome from the browser that does not verify.
fn refused(error: impl std::fmt::Display) -> ApiError {
    tracing::info!(%error, "a passkey ceremony was refused");
    ApiError::forbidden("the passkey could not be verified")
}

/// Keeps a ceremony's state for one answer; returns the id the browser sends back.
async fn keep_ceremony(
    state: &AppState,
    kind: AttemptKind,
    being_id: Option<Uuid>,
    ceremony: &impl serde::Serialize,
) -> Result<String, ApiError> {
    let id = SecretToken::generate();
    let now = Timestamp::now();
    let expires_at = Timestamp(now.0 + CEREMONY_TIME.as_micros() as i64);
    let kept = serde_json::to_string(ceremony).map_err(|error| {
        tracing::error!(%error, "a ceremony's state does not serialize");
        ApiError::internal()
    })?;
    let mut tx = state.db.begin().await?;
    sign_in_attempts::delete_expired(tx.exec(), now).await?;
    sign_in_attempts::insert(tx.exec(), &id.hash(), kind, being_id, &kept, expires_at).await?;
    tx.commit().await?;
    Ok(id.encode())
}

/// Takes a ceremony's state back, once: `403` if there is none (used, expired, or another's).
async fn take_ceremony<T: serde::de::DeserializeOwned>(
    state: &AppState,
    kind: AttemptKind,
    being_id: Option<Uuid>,
    attempt: &str,
) -> Result<T, ApiError> {
    let gone = || ApiError::forbidden("this passkey attempt has expired or was used; start again");
    let id = SecretToken::decode(attempt).ok_or_else(gone)?;
    let mut tx = state.db.begin().await?;
    let taken = sign_in_attempts::take(tx.exec(), &id.hash(), kind, Timestamp::now()).await?;
    tx.commit().await?;
    let taken = taken.filter(|t| t.being_id == being_id).ok_or_else(gone)?;
    serde_json::from_str(&taken.state).map_err(|error| {
        tracing::error!(%error, "a kept ceremony does not parse");
        ApiError::internal()
    })
}

/// Starts adding a passkey to the signed-in being: the options for
/// `navigator.credentials.create`.
pub async fn start_registration(
    state: &AppState,
    me: &SignedIn,
) -> Result<PasskeyCeremony, ApiError> {
    let webauthn = webauthn(state)?;
    let mut conn = state.db.reader().await?;
    let existing = passkeys::credentials_of(conn.exec(), me.being.id).await?;
    drop(conn);
    let (options, ceremony) = webauthn
        .start_passkey_registration(me.being.id, &me.being.name, &me.being.name, Some(existing))
        .map_err(|error| {
            tracing::error!(%error, "could not start a passkey registration");
            ApiError::internal()
        })?;
    let mut options = serde_json::to_value(options.public_key).map_err(|_| ApiError::internal())?;
    // A passkey signs in without a user name: the authenticator must keep the credential
    // (webauthn-rs asks for "discouraged"; its verification does not depend on it).
    options["authenticatorSelection"]["residentKey"] = Value::from("required");
    options["authenticatorSelection"]["requireResidentKey"] = Value::from(true);
    let attempt = keep_ceremony(
        state,
        AttemptKind::PasskeyRegistration,
        Some(me.being.id),
        &ceremony,
    )
    .await?;
    Ok(PasskeyCeremony { attempt, options })
}

/// Finishes adding a passkey, named `name`, with the browser's answer (`credential`, the
/// JSON of `PublicKeyCredential.toJSON()`).
pub async fn finish_registration(
    state: &AppState,
    me: &SignedIn,
    attempt: &str,
    credential: &str,
    name: &str,
) -> Result<PasskeyInfo, ApiError> {
    let webauthn = webauthn(state)?;
    let name = Name::parse(name).map_err(|e| e.with_field("name"))?;
    let credential: RegisterPublicKeyCredential = serde_json::from_str(credential)
        .map_err(|e| ApiError::invalid("credential", format!("not a passkey's answer: {e}")))?;
    let ceremony: PasskeyRegistration = take_ceremony(
        state,
        AttemptKind::PasskeyRegistration,
        Some(me.being.id),
        attempt,
    )
    .await?;
    let passkey = webauthn
        .finish_passkey_registration(&credential, &ceremony)
        .map_err(refused)?;
    let kept = serde_json::to_string(&passkey).map_err(|_| ApiError::internal())?;
    let info = PasskeyInfo {
        id: Uuid::now_v7(),
        name: name.into_inner(),
        created_at: Timestamp::now(),
        last_used_at: None,
    };
    let mut tx = state.db.begin().await?;
    passkeys::insert(
        tx.exec(),
        info.id,
        me.being.id,
        &info.name,
        passkey.cred_id(),
        &kept,
        info.created_at,
    )
    .await
    .map_err(|error| match ApiError::from(error) {
        conflict if conflict.code == crate::model::ErrorCode::Conflict => {
            ApiError::conflict("this passkey is registered already")
        }
        other => other,
    })?;
    tx.commit().await?;
    tracing::info!(being = %me.being.id, passkey = %info.id, "passkey added");
    Ok(info)
}

/// Starts signing in with a passkey: the options for `navigator.credentials.get`, with no
/// credentials listed (the authenticator offers the ones it keeps for this site). Counted
/// against the sign-in limit: each start keeps a row for five minutes.
pub async fn start_sign_in(
    state: &AppState,
    address: std::net::IpAddr,
) -> Result<PasskeyCeremony, ApiError> {
    state.limits.check(Action::SignIn, address, None)?;
    let webauthn = webauthn(state)?;
    let (options, ceremony) = webauthn
        .start_discoverable_authentication()
        .map_err(|error| {
            tracing::error!(%error, "could not start a passkey sign-in");
            ApiError::internal()
        })?;
    // The options alone: a button asks now, not through autofill (`mediation` is left out).
    let options = serde_json::to_value(options.public_key).map_err(|_| ApiError::internal())?;
    let attempt = keep_ceremony(state, AttemptKind::PasskeySignIn, None, &ceremony).await?;
    Ok(PasskeyCeremony { attempt, options })
}

/// Finishes signing in with a passkey: the being it belongs to, and its session's cookie. A
/// passkey signs in only the being it was added to.
pub async fn finish_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    address: std::net::IpAddr,
    attempt: &str,
    credential: &str,
) -> Result<(Being, HeaderValue), ApiError> {
    state.limits.check(Action::SignIn, address, None)?;
    let webauthn = webauthn(state)?;
    let credential: PublicKeyCredential = serde_json::from_str(credential)
        .map_err(|e| ApiError::invalid("credential", format!("not a passkey's answer: {e}")))?;
    let ceremony: DiscoverableAuthentication =
        take_ceremony(state, AttemptKind::PasskeySignIn, None, attempt).await?;
    let (user, credential_id) = webauthn
        .identify_discoverable_authentication(&credential)
        .map_err(refused)?;
    let mut conn = state.db.reader().await?;
    let row = passkeys::by_credential(conn.exec(), credential_id)
        .await?
        .filter(|row| row.being_id == user)
        .ok_or_else(|| refused("no passkey of this being has this credential"))?;
    let being = db_beings::get(conn.exec(), row.being_id)
        .await?
        .ok_or_else(|| refused("the passkey's being is gone"))?;
    drop(conn);
    let mut passkey: Passkey = serde_json::from_str(&row.passkey).map_err(|error| {
        tracing::error!(%error, "a kept passkey does not parse");
        ApiError::internal()
    })?;
    let result = webauthn
        .finish_discoverable_authentication_v2(&credential, ceremony, &passkey)
        .map_err(refused)?;
    passkey.update_credential(&result);
    let kept = serde_json::to_string(&passkey).map_err(|_| ApiError::internal())?;
    let mut tx = state.db.begin().await?;
    passkeys::used(tx.exec(), row.id, &kept, Timestamp::now()).await?;
    tx.commit().await?;
    ways_back::refuse_to_strand(state, headers, being.id).await?;
    let cookie = session::start(state, being.id, headers).await?;
    Ok((being, cookie))
}

pub async fn list(state: &AppState, me: &SignedIn) -> Result<Vec<PasskeyInfo>, ApiError> {
    let mut conn = state.db.reader().await?;
    Ok(passkeys::of_being(conn.exec(), me.being.id).await?)
}

pub async fn rename(state: &AppState, me: &SignedIn, id: Uuid, name: &str) -> Result<(), ApiError> {
    let name = Name::parse(name)?;
    let mut tx = state.db.begin().await?;
    if !passkeys::rename(tx.exec(), id, me.being.id, name.as_str()).await? {
        return Err(ApiError::not_found("passkey"));
    }
    tx.commit().await?;
    Ok(())
}

/// Removes a passkey; when it is the last way back into the being, only with `confirm`.
pub async fn remove(
    state: &AppState,
    me: &SignedIn,
    id: Uuid,
    confirm: bool,
) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    sessions::lock_being(tx.exec(), me.being.id).await?;
    if !passkeys::delete(tx.exec(), id, me.being.id).await? {
        return Err(ApiError::not_found("passkey"));
    }
    let left = WaysBack::count(tx.exec(), me, session::unused_since(state)).await?;
    left.refuse_unless_confirmed(
        left.passkeys + left.providers + left.other_sessions,
        confirm,
    )?;
    tx.commit().await?;
    tracing::info!(being = %me.being.id, passkey = %id, "passkey removed");
    Ok(())
}
