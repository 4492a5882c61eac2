//! A being's passkeys: each a webauthn-rs `Passkey` as JSON (its public key and counter).

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{PasskeyInfo, Timestamp};

/// A passkey as signing in with it needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: Uuid,
    pub being_id: Uuid,
    /// `webauthn_rs::prelude::Passkey`, as JSON.
    pub passkey: String,
}

pub async fn insert(
    ex: Exec<'_>,
    id: Uuid,
    being_id: Uuid,
    name: &str,
    credential_id: &[u8],
    passkey: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO passkeys (id, being_id, name, credential_id, passkey, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(being_id)
    .bind(name)
    .bind(credential_id)
    .bind(passkey)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

pub async fn by_credential(ex: Exec<'_>, credential_id: &[u8]) -> sqlx::Result<Option<PasskeyRow>> {
    on_exec!(ex, c => sqlx::query_as::<_, PasskeyRow>(
        "SELECT id, being_id, passkey FROM passkeys WHERE credential_id = $1",
    )
    .bind(credential_id)
    .fetch_optional(&mut *c)
    .await)
}

/// The credential ids of the being's passkeys (a new one must not repeat them).
pub async fn credentials_of(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<Vec<Vec<u8>>> {
    on_exec!(ex, c => sqlx::query_scalar::<_, Vec<u8>>(
        "SELECT credential_id FROM passkeys WHERE being_id = $1",
    )
    .bind(being_id)
    .fetch_all(&mut *c)
    .await)
}

/// After a sign-in: the passkey's new counter and flags, and when it was used.
pub async fn used(ex: Exec<'_>, id: Uuid, passkey: &str, now: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("UPDATE passkeys SET passkey = $2, last_used_at = $3 WHERE id = $1")
        .bind(id)
        .bind(passkey)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

pub async fn of_being(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<Vec<PasskeyInfo>> {
    on_exec!(ex, c => sqlx::query_as::<_, PasskeyInfo>(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE being_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(being_id)
    .fetch_all(&mut *c)
    .await)
}

/// Renames the passkey `id` if it is `being_id`'s; `true` if it was.
pub async fn rename(ex: Exec<'_>, id: Uuid, being_id: Uuid, name: &str) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query("UPDATE passkeys SET name = $3 WHERE id = $1 AND being_id = $2")
        .bind(id)
        .bind(being_id)
        .bind(name)
        .execute(&mut *c)
        .await
        .map(|done| done.rows_affected() > 0))
}

/// Removes the passkey `id` if it is `being_id`'s; `true` if it was.
pub async fn delete(ex: Exec<'_>, id: Uuid, being_id: Uuid) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query("DELETE FROM passkeys WHERE id = $1 AND being_id = $2")
        .bind(id)
        .bind(being_id)
        .execute(&mut *c)
        .await
        .map(|done| done.rows_affected() > 0))
}

pub async fn count_of(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<i64> {
    on_exec!(ex, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM passkeys WHERE being_id = $1")
        .bind(being_id)
        .fetch_one(&mut *c)
        .await)
}
