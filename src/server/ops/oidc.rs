//! Signing in with an OpenID Connect provider: the authorization code flow with PKCE, a
//! nonce and a state, all kept server-side for ten minutes and taken once. An account signs in
//! the being it is linked to. An account new to rhizom makes a new being — or, when a signed-in
//! being started the flow with a proof of its session (so another site cannot make it link an
//! account it does not own), is linked to that being. From the profile's "Link" button the
//! link is all that may happen; from the sign-in page an account linked elsewhere signs the
//! device in as that being instead.

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use openidconnect::{AuthorizationCode, PkceCodeChallenge};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use super::session::{self, SignedIn};
use super::ways_back;
use crate::model::{ApiError, Being, BeingKind, LinkedProvider, Name, ProviderChoice, Timestamp};
use crate::server::db::sign_in_attempts::AttemptKind;
use crate::server::db::{beings as db_beings, oidc_links, sign_in_attempts};
use crate::server::guard::rate::Action;
use crate::server::oidc::Account;
use crate::server::session::cookie_pairs;
use crate::server::state::AppState;
use crate::server::token::SecretToken;

/// How long a round trip through the provider may take.
const FLOW_TIME: Duration = Duration::from_secs(10 * 60);

/// What a flow started by a signed-in being may do with an account new to rhizom: link it to
/// that being. `only`: nothing else (the profile's "Link" button) — an account linked to
/// another being is refused rather than signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Linking {
    being: Uuid,
    /// The session that started it: the flow dies with it.
    session: Uuid,
    only: bool,
}

/// A flow under way, kept server-side.
#[derive(Serialize, Deserialize)]
struct Flow {
    provider: String,
    csrf: String,
    nonce: String,
    pkce_verifier: String,
    linking: Option<Linking>,
}

/// What the provider sent back to the callback.
#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The issuer, when the provider says (RFC 9207): it must be the one the flow went to.
    pub iss: Option<String>,
    pub error: Option<String>,
}

/// How a flow is asked to start: `link` carries a proof of the signed-in session, `only` asks
/// for a link and nothing else.
#[derive(Debug, Default, Deserialize)]
pub struct StartQuery {
    pub link: Option<String>,
    pub only: Option<String>,
}

/// Starts signing in with `provider`: where to send the browser, and the flow's cookie.
pub async fn start(
    state: &AppState,
    provider: &str,
    headers: &HeaderMap,
    address: IpAddr,
    asked: &StartQuery,
) -> Result<(Url, HeaderValue), ApiError> {
    state.limits.check(Action::SignIn, address, None)?;
    let linking = match &asked.link {
        Some(proof) => match session::signed_in(state, headers).await? {
            Some(me) if state.sessions.proves(me.session_id, proof) => Some(Linking {
                being: me.being.id,
                session: me.session_id,
                only: asked.only.as_deref() == Some("link"),
            }),
            _ => return Err(ApiError::forbidden("this link to a provider is not yours")),
        },
        None => None,
    };
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = state.oidc.authorize_url(provider, pkce_challenge).await?;
    let flow = Flow {
        provider: provider.to_owned(),
        csrf: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: pkce_verifier.secret().clone(),
        linking,
    };
    let id = SecretToken::generate();
    let now = Timestamp::now();
    let kept = serde_json::to_string(&flow).map_err(|_| ApiError::internal())?;
    let mut tx = state.db.begin().await?;
    sign_in_attempts::delete_expired(tx.exec(), now).await?;
    sign_in_attempts::insert(
        tx.exec(),
        &id.hash(),
        AttemptKind::Oidc,
        linking.map(|l| l.being),
        &kept,
        Timestamp(now.0 + FLOW_TIME.as_micros() as i64),
    )
    .await?;
    tx.commit().await?;
    Ok((url, flow_cookie(state, &id.encode(), FLOW_TIME)))
}

/// The flow cookie's name: over https `__Host-` (it cannot be planted by a neighbouring
/// subdomain or over http, which would let someone finish their own flow in a victim's browser).
fn flow_cookie_name(state: &AppState) -> &'static str {
    if state.sessions.secure() {
        "__Host-rhizom_oidc"
    } else {
        "rhizom_oidc"
    }
}

/// The flow's cookie (sent back on the provider's redirect: `SameSite=Lax` lets a top-level
/// `GET` carry it), or its removal.
pub fn flow_cookie(state: &AppState, value: &str, lifetime: Duration) -> HeaderValue {
    let secure = if state.sessions.secure() {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{}={value}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        flow_cookie_name(state),
        lifetime.as_secs()
    );
    HeaderValue::from_str(&text).expect("a valid header value")
}

/// The flow id the request's cookie holds.
pub fn flow_id(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let name = flow_cookie_name(state);
    cookie_pairs(headers)
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value.to_owned())
}

fn refused(why: &str) -> ApiError {
    tracing::info!(why, "an OpenID Connect sign-in was refused");
    ApiError::forbidden("the sign-in with this provider could not be checked; start again")
}

/// The provider sent the browser back: check everything, then sign the browser in as the
/// account's being (made or linked on its first sign-in).
pub async fn finish(
    state: &AppState,
    provider: &str,
    answer: &Callback,
    flow_id: Option<&str>,
    headers: &HeaderMap,
    address: IpAddr,
) -> Result<(Being, HeaderValue), ApiError> {
    state.limits.check(Action::SignIn, address, None)?;
    let id = flow_id
        .and_then(SecretToken::decode)
        .ok_or_else(|| refused("no flow cookie"))?;
    let mut tx = state.db.begin().await?;
    let attempt =
        sign_in_attempts::take(tx.exec(), &id.hash(), AttemptKind::Oidc, Timestamp::now())
            .await?
            .ok_or_else(|| refused("no such flow, or it expired"))?;
    tx.commit().await?;
    let flow: Flow = serde_json::from_str(&attempt.state).map_err(|_| ApiError::internal())?;
    if flow.provider != provider {
        return Err(refused("the flow went to another provider"));
    }
    // The state first: an answer that is not this flow's says nothing, error or not.
    if answer.state.as_deref() != Some(flow.csrf.as_str()) {
        return Err(refused("the state does not match"));
    }
    if let Some(error) = &answer.error {
        tracing::info!(provider, error, "the provider refused a sign-in");
        return Err(ApiError::forbidden("the provider did not sign you in"));
    }
    let issuer = state.oidc.issuer(provider)?;
    if answer.iss.as_deref().is_some_and(|iss| iss != issuer) {
        return Err(refused("the answer names another issuer"));
    }
    if let Some(linking) = flow.linking {
        let still = session::signed_in(state, headers).await?;
        if still.is_none_or(|me| me.session_id != linking.session) {
            return Err(refused("the session that asked for the link has ended"));
        }
    }
    let code = answer
        .code
        .clone()
        .ok_or_else(|| refused("the answer has no code"))?;
    let account = state
        .oidc
        .verified_account(
            provider,
            AuthorizationCode::new(code),
            flow.pkce_verifier,
            &flow.nonce,
        )
        .await?;
    let being = being_for(state, provider, &account, flow.linking, headers).await?;
    let cookie = session::start(state, being.id, headers).await?;
    Ok((being, cookie))
}

/// The being an account signs in: the one it is linked to (unless the flow was to link it to
/// another, and only that); else, on its first sign-in, the being that asked to link it, or a
/// new one. Never strands the device's present being ([`ways_back::refuse_to_strand`]).
async fn being_for(
    state: &AppState,
    provider: &str,
    account: &Account,
    linking: Option<Linking>,
    headers: &HeaderMap,
) -> Result<Being, ApiError> {
    let mut conn = state.db.reader().await?;
    let linked = oidc_links::being_of(conn.exec(), &account.issuer, &account.subject).await?;
    drop(conn);
    let target = match (linked, linking) {
        (Some(linked), Some(linking)) if linked != linking.being && linking.only => {
            return Err(ApiError::conflict(
                "this account signs in another being already; it cannot be linked to this one",
            ));
        }
        (Some(linked), _) => linked,
        (None, Some(linking)) => linking.being,
        (None, None) => Uuid::now_v7(),
    };
    ways_back::refuse_to_strand(state, headers, target).await?;
    let mut tx = state.db.begin().await?;
    if linked.is_none() {
        if linking.is_none() {
            let name = account
                .name
                .as_deref()
                .and_then(|n| Name::parse(n).ok())
                .map_or_else(|| "Guest".to_owned(), Name::into_inner);
            let mut guest = db_beings::new_being(BeingKind::Guest, name, None, None);
            guest.id = target;
            guest.owner_id = Some(target);
            db_beings::insert(tx.exec(), &guest).await?;
        }
        oidc_links::insert(
            tx.exec(),
            &account.issuer,
            &account.subject,
            provider,
            target,
            Timestamp::now(),
        )
        .await?;
        tracing::info!(being = %target, provider, "an account was linked");
    }
    let being = db_beings::get(tx.exec(), target)
        .await?
        .ok_or_else(|| ApiError::not_found("being"))?;
    tx.commit().await?;
    Ok(being)
}

/// The providers one can sign in with, and where each button leads. For a signed-in being
/// the button carries a proof of its session: an account new to rhizom is then linked to it —
/// and nothing else, with `only_link` (the profile's "Link" buttons).
pub async fn choices(
    state: &AppState,
    headers: &HeaderMap,
    only_link: bool,
) -> Result<Vec<ProviderChoice>, ApiError> {
    let me = session::signed_in(state, headers).await?;
    Ok(state
        .oidc
        .names()
        .map(|name| {
            let href = match &me {
                Some(me) => format!(
                    "/auth/oidc/{name}?link={}{}",
                    state.sessions.session_proof(me.session_id),
                    if only_link { "&only=link" } else { "" }
                ),
                None => format!("/auth/oidc/{name}"),
            };
            ProviderChoice {
                name: name.to_owned(),
                href,
            }
        })
        .collect())
}

/// The providers linked to the signed-in being.
pub async fn linked(state: &AppState, me: &SignedIn) -> Result<Vec<LinkedProvider>, ApiError> {
    let mut conn = state.db.reader().await?;
    Ok(oidc_links::of_being(conn.exec(), me.being.id).await?)
}
