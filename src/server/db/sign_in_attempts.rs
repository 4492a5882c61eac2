//! Sign-ins in progress: a passkey ceremony's or an OpenID Connect round trip's state, kept
//! under the hash of an id only the browser holds, taken exactly once before it expires.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Timestamp;

/// What kind of sign-in an attempt is: one kind's id is no good for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptKind {
    PasskeyRegistration,
    PasskeySignIn,
    Oidc,
}

impl AttemptKind {
    fn as_str(self) -> &'static str {
        match self {
            AttemptKind::PasskeyRegistration => "passkey_registration",
            AttemptKind::PasskeySignIn => "passkey_sign_in",
            AttemptKind::Oidc => "oidc",
        }
    }
}

/// An attempt taken back: the being it was for (if any) and its state.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Attempt {
    pub being_id: Option<Uuid>,
    pub state: String,
}

pub async fn insert(
    ex: Exec<'_>,
    id_hash: &[u8],
    kind: AttemptKind,
    being_id: Option<Uuid>,
    state: &str,
    expires_at: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO sign_in_attempts (id_hash, kind, being_id, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash)
    .bind(kind.as_str())
    .bind(being_id)
    .bind(state)
    .bind(expires_at)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Takes the attempt: gone afterwards, used or not. `None` if there is none of this kind, or
/// it expired.
pub async fn take(
    ex: Exec<'_>,
    id_hash: &[u8],
    kind: AttemptKind,
    now: Timestamp,
) -> sqlx::Result<Option<Attempt>> {
    on_exec!(ex, c => sqlx::query_as::<_, Attempt>(
        "DELETE FROM sign_in_attempts WHERE id_hash = $1 AND kind = $2 AND expires_at > $3 \
         RETURNING being_id, state",
    )
    .bind(id_hash)
    .bind(kind.as_str())
    .bind(now)
    .fetch_optional(&mut *c)
    .await)
}

pub async fn delete_expired(ex: Exec<'_>, now: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("DELETE FROM sign_in_attempts WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}
