//! Signed session cookies: `v1.<being id>.<issued at>.<HMAC-SHA256 of what comes before>`.
//!
//! The cookie names a guest being and when it was issued; nothing else is kept server-side, so
//! any node holding a key accepts it. A cookie older than `session-max-age-days` is refused; one
//! older than a day is issued again on the next request ([`renew`]), so a session in use never
//! ends and one left alone does. Several keys are accepted at once (`session-secret` signs,
//! `session-old-secrets` still verify), so the key can be rotated without signing anyone out.
//! When the public URL is https the cookie is `Secure` and named `__Host-rhizom_session`, and
//! only that name is read: a cookie under the plain name may have been planted over http or
//! by a neighbouring subdomain, so it signs nobody in (moving a site to https signs its guests
//! out once).

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
use super::state::AppState;

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
    max_age: Duration,
    secure: bool,
}

impl std::fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKeys(..)")
    }
}

/// Who a request's cookie signs in, and whether to issue the cookie again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CookieSession {
    pub being_id: Uuid,
    /// Issued over a day ago, by an earlier key, or in the first form: [`renew`] issues it
    /// again.
    pub stale: bool,
}

fn now_secs() -> u64 {
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

    fn name(&self) -> &'static str {
        if self.secure { HOST_NAME } else { PLAIN_NAME }
    }

    fn sign(&self, id: Uuid, issued_at: u64) -> String {
        let signed = format!("v1.{}.{issued_at}", id.simple());
        let tag = self.signing.mac(signed.as_bytes()).finalize().into_bytes();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The being a cookie's value signs in, if a key signed it and it has not expired, and
    /// whether it is due to be issued again.
    fn verify(&self, value: &str, now: u64) -> Option<CookieSession> {
        let (signed, tag) = value.rsplit_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let keys = std::iter::once(&self.signing).chain(&self.earlier);
        let (index, _) = keys
            .enumerate()
            .find(|(_, key)| key.mac(signed.as_bytes()).verify_slice(&tag).is_ok())
            .or_else(|| self.verify_before_v1(signed, &tag))?;
        let earlier_key = index > 0;
        let Some(rest) = signed.strip_prefix("v1.") else {
            // A cookie from before issue times: good for a while yet, replaced at once.
            if now >= FIRST_FORM_ACCEPTED_UNTIL {
                return None;
            }
            return Some(CookieSession {
                being_id: Uuid::try_parse(signed).ok()?,
                stale: true,
            });
        };
        let (id, issued_at) = rest.split_once('.')?;
        let issued_at: u64 = issued_at.parse().ok()?;
        let age = Duration::from_secs(now.saturating_sub(issued_at));
        if age > self.max_age {
            return None;
        }
        Some(CookieSession {
            being_id: Uuid::try_parse(id).ok()?,
            stale: earlier_key || age > RENEW_AFTER,
        })
    }

    /// A cookie of the first form, `<being id>.<HMAC of the id's bytes>`: still accepted (its
    /// key index, if a key signed it), so that nobody was signed out by the new form.
    fn verify_before_v1(&self, signed: &str, tag: &[u8]) -> Option<(usize, &Key)> {
        let id = Uuid::try_parse(signed).ok()?;
        std::iter::once(&self.signing)
            .chain(&self.earlier)
            .enumerate()
            .find(|(_, key)| key.mac(id.as_bytes()).verify_slice(tag).is_ok())
    }

    /// The `Set-Cookie` header that signs `id` in, issued now.
    pub fn set_cookie(&self, id: Uuid) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let value = format!(
            "{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            self.name(),
            self.sign(id, now_secs()),
            self.max_age.as_secs().min(BROWSER_MAX_AGE_SECS),
        );
        HeaderValue::from_str(&value).expect("a signed id is a valid header value")
    }

    /// Who the request's cookies sign in, if anyone.
    pub fn read(&self, headers: &HeaderMap) -> Option<CookieSession> {
        let now = now_secs();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == self.name())
            .find_map(|(_, value)| self.verify(value, now))
    }
}

fn key_from(secret: &str) -> anyhow::Result<Key> {
    anyhow::ensure!(
        secret.len() >= 32,
        "a session secret must be at least 32 bytes long"
    );
    Ok(Key(secret.as_bytes().into()))
}

/// Middleware: a request whose cookie is due to be issued again gets a fresh one with its
/// answer (unless the answer signs someone in itself).
pub(crate) async fn renew(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let signed = state.sessions.read(request.headers());
    let mut response = next.run(request).await;
    if let Some(signed) = signed.filter(|s| s.stale)
        && !response.headers().contains_key(header::SET_COOKIE)
    {
        response.headers_mut().append(
            header::SET_COOKIE,
            state.sessions.set_cookie(signed.being_id),
        );
    }
    response
}

#[cfg(test)]
mod tests;
