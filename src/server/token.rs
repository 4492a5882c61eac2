//! Secret tokens: 32 random bytes, given to one client (in a cookie, a link, a sign-in in
//! progress) and kept by the server only as their SHA-256 hash, so that a copy of the
//! database signs nobody in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SecretToken([u8; 32]);

impl SecretToken {
    pub fn generate() -> SecretToken {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretToken(bytes)
    }

    /// What the database keeps.
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0).to_vec()
    }

    /// As text, for a cookie or a URL (base64url, 43 characters).
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    pub fn decode(text: &str) -> Option<SecretToken> {
        URL_SAFE_NO_PAD
            .decode(text)
            .ok()?
            .try_into()
            .ok()
            .map(SecretToken)
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_kept_as_its_hash_reads_back_and_is_never_shown() {
        let token = SecretToken::generate();
        assert_eq!(token.hash().len(), 32);
        assert_ne!(token.hash(), token.0.to_vec());
        assert_ne!(token, SecretToken::generate());
        assert_eq!(format!("{token:?}"), "SecretToken(..)");
        assert_eq!(SecretToken::decode(&token.encode()), Some(token));
        assert_eq!(SecretToken::decode("short"), None);
    }
}
