//! Signing in with an OpenID Connect provider: the authorization code flow with PKCE, a
//! nonce and a state, all kept server-side for ten minutes and taken once. The first sign-in
//! with an account makes a new being — or links the account to the signed-in being, when it
//! asked from its profile (with a proof of its session, so another site cannot make it link
//! an account it does not own) — and later sign-ins return to that being. An account signs in
//! only the being it is linked to.

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use super::session::{self, SignedIn};
use crate::model::{ApiError, Being, BeingKind, LinkedProvider, Name, ProviderChoice, Timestamp};
use crate::server::db::sign_in_attempts::AttemptKind;
use crate::server::db::{beings as db_beings, oidc_links, sign_in_attempts};
use crate::server::guard::rate::Action;
use crate::server::state::AppState;
use crate::server::token::SecretToken;

/// How long a round trip through the provider may take.
const FLOW_TIME: Duration = Duration::from_secs(10 * 60);
/// The cookie that ties the browser's return to the flow it started.
pub const FLOW_COOKIE: &str = "rhizom_oidc";

/// A flow under way, kept server-side.
#[derive(Serialize, Deserialize)]
struct Flow {
    provider: String,
    csrf: String,
    nonce: String,
    pkce_verifier: String,
}

/// What the provider sent back to the callback.
#[derive(Debug, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The issuer, when the provider says (RFC 9207): it must be the one the flow went to.
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Starts signing in with `provider`: where to send the browser, and the flow's cookie. With
/// `link_proof` (from the signed-in being's profile) the account is to be linked to it.
pub async fn start(
    state: &AppState,
    provider: &str,
    headers: &HeaderMap,
    link_proof: Option<&str>,
) -> Result<(Url, HeaderValue), ApiError> {
    let client = state.oidc.client(provider).await?;
    let link_to = match link_proof {
        Some(proof) => match session::signed_in(state, headers).await? {
            Some(me) if state.sessions.proves(me.session_id, proof) => Some(me.being.id),
            _ => return Err(ApiError::forbidden("this link to a provider is not yours")),
        },
        None => None,
    };
    let (pkce_challenge, pkce_verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(pkce_challenge)
        .url();
    let flow = Flow {
        provider: provider.to_owned(),
        csrf: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: pkce_verifier.secret().clone(),
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
        link_to,
        &kept,
        Timestamp(now.0 + FLOW_TIME.as_micros() as i64),
    )
    .await?;
    tx.commit().await?;
    Ok((url, flow_cookie(state, &id.encode(), FLOW_TIME)))
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
        "{FLOW_COOKIE}={value}; Path=/auth/oidc/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        lifetime.as_secs()
    );
    HeaderValue::from_str(&text).expect("a valid header value")
}

fn refused(why: impl std::fmt::Display) -> ApiError {
    tracing::info!(%why, "an OpenID Connect sign-in was refused");
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
    if let Some(error) = &answer.error {
        let description = answer.error_description.as_deref().unwrap_or("");
        return Err(ApiError::forbidden(format!(
            "the provider refused the sign-in: {error} {description}"
        )));
    }
    if answer.state.as_deref() != Some(flow.csrf.as_str()) {
        return Err(refused("the state does not match"));
    }
    let issuer = state.oidc.issuer(provider)?;
    if answer.iss.as_deref().is_some_and(|iss| iss != issuer) {
        return Err(refused("the answer names another issuer"));
    }
    let code = answer
        .code
        .clone()
        .ok_or_else(|| refused("the answer has no code"))?;
    let client = state.oidc.client(provider).await?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(refused)?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier))
        .request_async(state.oidc.http())
        .await
        .map_err(refused)?;
    let id_token = token.id_token().ok_or_else(|| refused("no ID token"))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(flow.nonce))
        .map_err(refused)?;
    // The ID token's own checks (signature, issuer, audience, expiry, nonce) are what sign
    // in; the access token is not used.
    let subject = claims.subject().as_str();
    let account_issuer = claims.issuer().as_str();
    let name = claims
        .name()
        .and_then(|names| names.get(None))
        .map(|n| n.as_str().to_owned())
        .or_else(|| claims.preferred_username().map(|u| u.as_str().to_owned()));
    let being = being_for(
        state,
        provider,
        account_issuer,
        subject,
        attempt.being_id,
        name,
    )
    .await?;
    let cookie = session::start(state, being.id, headers).await?;
    Ok((being, cookie))
}

/// The being an account signs in: the one it is linked to; else, on its first sign-in, the
/// being that asked to link it, or a new one.
async fn being_for(
    state: &AppState,
    provider: &str,
    issuer: &str,
    subject: &str,
    link_to: Option<Uuid>,
    name: Option<String>,
) -> Result<Being, ApiError> {
    let mut tx = state.db.begin().await?;
    let being_id = match oidc_links::being_of(tx.exec(), issuer, subject).await? {
        Some(linked) if link_to.is_some_and(|asked| asked != linked) => {
            return Err(ApiError::conflict(
                "this account signs in another being already; it cannot be linked to this one",
            ));
        }
        Some(linked) => linked,
        None => {
            let being_id = match link_to {
                Some(being_id) => being_id,
                None => {
                    let name = name
                        .and_then(|n| Name::parse(&n).ok())
                        .map_or_else(|| "Guest".to_owned(), Name::into_inner);
                    let guest = db_beings::new_being(BeingKind::Guest, name, None, None);
                    db_beings::insert(tx.exec(), &guest).await?;
                    guest.id
                }
            };
            oidc_links::insert(
                tx.exec(),
                issuer,
                subject,
                provider,
                being_id,
                Timestamp::now(),
            )
            .await?;
            tracing::info!(being = %being_id, provider, "an account was linked");
            being_id
        }
    };
    let being = db_beings::get(tx.exec(), being_id)
        .await?
        .ok_or_else(|| ApiError::not_found("being"))?;
    tx.commit().await?;
    Ok(being)
}

/// The providers one can sign in with; for a signed-in being, each leads to linking an account
/// new to rhizom to it.
pub async fn choices(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Vec<ProviderChoice>, ApiError> {
    let me = session::signed_in(state, headers).await?;
    Ok(state
        .oidc
        .names()
        .map(|name| {
            let href = match &me {
                Some(me) => format!(
                    "/auth/oidc/{name}?link={}",
                    state.sessions.session_proof(me.session_id)
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
