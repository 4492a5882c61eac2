//! Signed session cookies: `rhizom_session=<being id>.<HMAC-SHA256 of the id>`.
//!
//! The cookie names a guest being; nothing else is kept server-side, so any node holding the
//! key accepts it. A deleted guest's cookie stops working because the being is gone.

use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use uuid::Uuid;

use super::db::{self, Db};

pub const COOKIE_NAME: &str = "rhizom_session";
/// Browsers cap cookie lifetime at 400 days.
const MAX_AGE_SECS: u64 = 400 * 24 * 60 * 60;

/// The key that signs and checks session cookies.
#[derive(Clone)]
pub struct SessionKey(Arc<[u8]>);

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(..)")
    }
}

impl SessionKey {
    pub fn new(secret: &[u8]) -> Self {
        SessionKey(secret.into())
    }

    /// The configured secret, or the database's own, generated on first start.
    pub async fn load(db: &Db, configured: Option<&str>) -> anyhow::Result<Self> {
        if let Some(secret) = configured {
            anyhow::ensure!(
                secret.len() >= 32,
                "the session secret must be at least 32 bytes long"
            );
            return Ok(SessionKey::new(secret.as_bytes()));
        }
        let mut fresh = [0u8; 64];
        rand::rng().fill_bytes(&mut fresh);
        let mut tx = db.begin().await?;
        let secret = db::settings::get_or_create(tx.exec(), "session", &fresh).await?;
        tx.commit().await?;
        Ok(SessionKey::new(&secret))
    }

    fn mac(&self, id: Uuid) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac
    }

    pub fn sign(&self, id: Uuid) -> String {
        let tag = self.mac(id).finalize().into_bytes();
        format!("{}.{}", id.simple(), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The being id in a cookie value, if the signature holds (checked in constant time).
    pub fn verify(&self, value: &str) -> Option<Uuid> {
        let (id, tag) = value.split_once('.')?;
        let id = Uuid::try_parse(id).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(id).verify_slice(&tag).ok()?;
        Some(id)
    }

    /// The `Set-Cookie` header that signs `id` in.
    pub fn set_cookie(&self, id: Uuid) -> HeaderValue {
        let value = format!(
            "{COOKIE_NAME}={}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax",
            self.sign(id)
        );
        HeaderValue::from_str(&value).expect("a signed id is a valid header value")
    }

    /// The signed-in being id in a request's cookies, if any.
    pub fn read_cookie(&self, headers: &HeaderMap) -> Option<Uuid> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().strip_prefix(COOKIE_NAME)?.strip_prefix('='))
            .find_map(|value| self.verify(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SessionKey {
        SessionKey::new(&[7u8; 64])
    }

    #[test]
    fn a_signed_id_verifies() {
        let id = Uuid::new_v4();
        assert_eq!(key().verify(&key().sign(id)), Some(id));
    }

    #[test]
    fn a_tampered_cookie_does_not_verify() {
        let signed = key().sign(Uuid::new_v4());
        let other = Uuid::new_v4().simple().to_string();
        let forged = format!("{other}{}", &signed[32..]);
        assert_eq!(key().verify(&forged), None);
        assert_eq!(SessionKey::new(&[8u8; 64]).verify(&signed), None);
        assert_eq!(key().verify("garbage"), None);
    }

    #[test]
    fn the_session_is_found_among_other_cookies() {
        let id = Uuid::new_v4();
        let mut headers = HeaderMap::new();
        let cookie = format!("theme=dark; {COOKIE_NAME}={}; x=1", key().sign(id));
        headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert_eq!(key().read_cookie(&headers), Some(id));
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site_lax() {
        let header = key().set_cookie(Uuid::new_v4());
        let text = header.to_str().unwrap();
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Lax"));
    }
}
