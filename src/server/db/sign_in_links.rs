//! Sign-in links: single-use, short-lived, kept as their token's hash.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{SignInLinkInfo, Timestamp};

pub async fn insert(
    ex: Exec<'_>,
    id: Uuid,
    token_hash: &[u8],
    being_id: Uuid,
    now: Timestamp,
    expires_at: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO sign_in_links (id, token_hash, being_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(token_hash)
    .bind(being_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// The being a live link signs in, without using it (for the page that asks first).
pub async fn peek(ex: Exec<'_>, token_hash: &[u8], now: Timestamp) -> sqlx::Result<Option<Uuid>> {
    on_exec!(ex, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT being_id FROM sign_in_links WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)
}

/// Uses a live link: it is gone afterwards, whoever asks again. The being it signs in.
pub async fn take(ex: Exec<'_>, token_hash: &[u8], now: Timestamp) -> sqlx::Result<Option<Uuid>> {
    on_exec!(ex, c => sqlx::query_scalar::<_, Uuid>(
        "DELETE FROM sign_in_links WHERE token_hash = $1 AND expires_at > $2 RETURNING being_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)
}

/// The being's links that still work.
pub async fn pending(
    ex: Exec<'_>,
    being_id: Uuid,
    now: Timestamp,
) -> sqlx::Result<Vec<SignInLinkInfo>> {
    on_exec!(ex, c => sqlx::query_as::<_, SignInLinkInfo>(
        "SELECT id, created_at, expires_at FROM sign_in_links \
         WHERE being_id = $1 AND expires_at > $2 ORDER BY created_at, id",
    )
    .bind(being_id)
    .bind(now)
    .fetch_all(&mut *c)
    .await)
}

/// Cancels the link `id` if it is `being_id`'s; `true` if it was.
pub async fn delete(ex: Exec<'_>, id: Uuid, being_id: Uuid) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query("DELETE FROM sign_in_links WHERE id = $1 AND being_id = $2")
        .bind(id)
        .bind(being_id)
        .execute(&mut *c)
        .await
        .map(|done| done.rows_affected() > 0))
}

/// Cancels every link of the being (its sessions were all ended: none may start another).
pub async fn delete_all_of(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("DELETE FROM sign_in_links WHERE being_id = $1")
        .bind(being_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

pub async fn delete_expired(ex: Exec<'_>, now: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("DELETE FROM sign_in_links WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}
