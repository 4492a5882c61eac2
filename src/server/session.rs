//! Session cookies: `v2.<being id>.<token>.<issued at>.<HMAC-SHA256 of what comes before>`.
//!
//! The token names a server-side session (`db::sessions`, which keeps only its hash): the
//! session can be listed, and ended from anywhere, and then the cookie signs nobody in. The
//! being's id rides along, signed, so that the rate limits can count a request before the
//! database is asked anything. The cookie is issued again once a day ([`renew`]), so a
//! session in use keeps its cookie and one left alone ends (`session-max-age-days`, checked
//! on the cookie's age and on the session's last use). Several keys are accepted at once
//! (`session-secret` signs, `session-old-secrets` still verify), so the key can be rotated
//! without signing anyone out.
//!
//! When the public URL is https the cookie is `Secure` and named `__Host-rhizom_session`, and
//! only that name is read: a cookie under the plain name may have been planted over http or
//! by a neighbouring subdomain, so it signs nobody in (moving a site to https signs its guests
//! out once).
//!
//! Cookies from before server-side sessions named only a being (`v1.<id>.<issued at>.<mac>`,
//! and before that `<id>.<mac>`): each such cookie is exchanged for a session once, on the spot
//! ([`renew`]), and never again (a copy of it signs nobody in); the first form only until
//! 2027-03-05.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::ExposeSecret;
use sha2::Sha256;
use uuid::Uuid;

use super::config::Config;
use super::db::{self, Db};
use super::guard::address::ClientAddress;
use super::ops;
use super::state::AppState;
use super::token::SecretToken;

/// The cookie's name over plain http.
const PLAIN_NAME: &str = "rhizom_session";
/// Its name over https: the browser keeps it to this host, `Secure`, `Path=/`.
const HOST_NAME: &str = "__Host-rhizom_session";
/// Browsers cap a cookie's life at 400 days; the server's own maximum is shorter.
const BROWSER_MAX_AGE_SECS: u64 = 400 * 24 * 60 * 60;
/// A cookie older than this is issued again, with the time of now.
const RENEW_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// Cookies of the first form (no issue time, so no age) are accepted until this moment
/// (2027-03-05T00:00:00Z, ninety days after the form changed), then never: any in use have
/// been replaced by then, and one stolen must not last for ever.
const FIRST_FORM_ACCEPTED_UNTIL: u64 = 1_804_204_800;

/// A key that signs or checks session cookies.
#[derive(Clone)]
struct Key(Arc<[u8]>);

impl Key {
    fn mac(&self, signed: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(signed);
        mac
    }
}

/// The keys, the cookie's name and its lifetime.
#[derive(Clone)]
pub(crate) struct SessionKeys {
    /// Signs new cookies; checks them first.
    signing: Key,
    /// Earlier keys: they still check.
    earlier: Vec<Key>,
    pub max_age: Duration,
    secure: bool,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

/// What a request's cookie says, once its signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SessionCookie {
    /// A session's cookie. `stale`: issued over a day ago or by an earlier key; [`renew`]
    /// issues it again.
    Session {
        being_id: Uuid,
        token: SecretToken,
        stale: bool,
    },
    /// A cookie from before sessions: it names the being alone. `tag` (its MAC) identifies
    /// this very cookie, which may be exchanged for a session once.
    BeingOnly { being_id: Uuid, tag: Vec<u8> },
}

impl SessionCookie {
    /// The being the cookie says it signs in (not yet checked against the database).
    pub fn being_id(&self) -> Uuid {
        match self {
            SessionCookie::Session { being_id, .. } | SessionCookie::BeingOnly { being_id, .. } => {
                *being_id
            }
        }
    }
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl SessionKeys {
    /// The configured keys, or the database's own key, generated on first start.
    pub async fn load(db: &Db, config: &Config) -> anyhow::Result<Self> {
        let signing = match &config.session_secret {
            Some(secret) => key_from(secret.expose_secret())?,
            None => {
                let mut fresh = [0u8; 64];
                rand::rng().fill_bytes(&mut fresh);
                let mut tx = db.begin().await?;
                let secret = db::settings::get_or_create(tx.exec(), "session", &fresh).await?;
                tx.commit().await?;
                Key(secret.into())
            }
        };
        let earlier = config
            .session_old_secrets
            .iter()
            .map(|secret| key_from(secret.expose_secret()))
            .collect::<anyhow::Result<_>>()?;
        let secure = config
            .public_url
            .as_ref()
            .is_some_and(|url| url.scheme() == "https");
        Ok(SessionKeys {
            signing,
            earlier,
            max_age: config.session_max_age,
            secure,
        })
    }

    /// Are cookies `Secure` (the public URL is https)?
    pub fn secure(&self) -> bool {
        self.secure
    }

    pub fn name(&self) -> &'static str {
        if self.secure { HOST_NAME } else { PLAIN_NAME }
    }

    fn keys(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.signing).chain(&self.earlier)
    }

    fn sign(&self, being_id: Uuid, token: &SecretToken, issued_at: u64) -> String {
        let signed = format!("v2.{}.{}.{issued_at}", being_id.simple(), token.encode());
        let tag = self.signing.mac(signed.as_bytes()).finalize().into_bytes();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// What a cookie's value says, if a key signed it and it has not expired.
    fn verify(&self, value: &str, now: u64) -> Option<SessionCookie> {
        let (signed, tag) = value.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let signed_by = |message: &[u8]| {
            self.keys()
                .position(|key| key.mac(message).verify_slice(&tag).is_ok())
        };
        if let Ok(being_id) = Uuid::try_parse(signed) {
            // The first form: the MAC of the id's bytes.
            signed_by(being_id.as_bytes())?;
            return (now < FIRST_FORM_ACCEPTED_UNTIL)
                .then_some(SessionCookie::BeingOnly { being_id, tag });
        }
        let key = signed_by(signed.as_bytes())?;
        let (version, rest) = signed.split_once('.')?;
        let (rest, issued_at) = rest.rsplit_once('.')?;
        let issued_at: u64 = issued_at.parse().ok()?;
        let age = Duration::from_secs(now.saturating_sub(issued_at));
        if age > self.max_age {
            return None;
        }
        match version {
            "v1" => Some(SessionCookie::BeingOnly {
                being_id: Uuid::try_parse(rest).ok()?,
                tag,
            }),
            "v2" => {
                let (being_id, token) = rest.split_once('.')?;
                Some(SessionCookie::Session {
                    being_id: Uuid::try_parse(being_id).ok()?,
                    token: SecretToken::decode(token)?,
                    stale: key > 0 || age > RENEW_AFTER,
                })
            }
            _ => None,
        }
    }

    /// The `Set-Cookie` header that holds the session `token` of `being_id`, issued now.
    pub fn set_cookie(&self, being_id: Uuid, token: &SecretToken) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            self.name(),
            self.sign(being_id, token, now_secs()),
            self.max_age.as_secs().min(BROWSER_MAX_AGE_SECS),
        );
        HeaderValue::from_str(&value).expect("a signed token is a valid header value")
    }

    /// The `Set-Cookie` header that removes the cookie (signing out).
    pub fn clear_cookie(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
            self.name()
        );
        HeaderValue::from_str(&value).expect("a valid header value")
    }

    /// What the request's session cookie says, if it has a good one.
    pub fn read(&self, headers: &HeaderMap) -> Option<SessionCookie> {
        let now = now_secs();
        cookie_pairs(headers)
            .filter(|(name, _)| *name == self.name())
            .find_map(|(_, value)| self.verify(value, now))
    }

    /// A token only this server could have made for `session_id`, for a link that must not be
    /// followed from another site's page (linking a provider to the signed-in being).
    pub fn session_proof(&self, session_id: Uuid) -> String {
        let tag = self
            .signing
            .mac(format!("proof.{}", session_id.simple()).as_bytes())
            .finalize()
            .into_bytes();
        URL_SAFE_NO_PAD.encode(tag)
    }

    /// Is `proof` [`SessionKeys::session_proof`] of `session_id`?
    pub fn proves(&self, session_id: Uuid, proof: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(proof) else {
            return false;
        };
        self.signing
            .mac(format!("proof.{}", session_id.simple()).as_bytes())
            .verify_slice(&tag)
            .is_ok()
    }
}

/// Every `name=value` pair of the request's `Cookie` headers.
pub(crate) fn cookie_pairs(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

fn key_from(secret: &str) -> anyhow::Result<Key> {
    anyhow::ensure!(
        secret.len() >= 32,
        "a session secret must be at least 32 bytes long"
    );
    Ok(Key(secret.as_bytes().into()))
}

/// Middleware: a cookie due to be issued again gets a fresh one with the answer (unless the
/// answer sets the cookie itself), and a cookie from before sessions is exchanged for a
/// session — the request then goes on as that session's.
pub(crate) async fn renew(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let reissue = match state.sessions.read(request.headers()) {
        Some(SessionCookie::Session {
            being_id,
            token,
            stale: true,
        }) => Some(state.sessions.set_cookie(being_id, &token)),
        Some(SessionCookie::BeingOnly { being_id, tag }) => {
            let address = ClientAddress::of_extensions(request.extensions()).0;
            match ops::session::exchange(&state, being_id, &tag, address, request.headers()).await {
                Ok(Some(cookie)) => {
                    carry_new_cookie(&state.sessions, request.headers_mut(), &cookie);
                    Some(cookie)
                }
                Ok(None) => None,
                Err(error) => {
                    tracing::warn!(?error, "could not exchange an old cookie for a session");
                    None
                }
            }
        }
        _ => None,
    };
    let mut response = next.run(request).await;
    let ours = format!("{}=", state.sessions.name());
    let answer_sets_ours = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|set| set.to_str().is_ok_and(|set| set.starts_with(&ours)));
    if let Some(cookie) = reissue
        && !answer_sets_ours
    {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Puts the cookie just set on the request itself, in place of the one it replaces.
fn carry_new_cookie(keys: &SessionKeys, headers: &mut HeaderMap, set_cookie: &HeaderValue) {
    let Some(ours) = set_cookie
        .to_str()
        .ok()
        .and_then(|text| text.split(';').next())
    else {
        return;
    };
    let others: Vec<String> = cookie_pairs(headers)
        .filter(|(name, _)| *name != keys.name())
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let joined = others
        .into_iter()
        .chain([ours.to_owned()])
        .collect::<Vec<_>>()
        .join("; ");
    headers.remove(header::COOKIE);
    if let Ok(value) = HeaderValue::from_str(&joined) {
        headers.insert(header::COOKIE, value);
    }
}

#[cfg(test)]
mod tests;
