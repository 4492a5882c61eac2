//! OpenID Connect identities (issuer and subject) and the beings they sign in.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{LinkedProvider, Timestamp};

/// The being `(issuer, subject)` signs in, if it is linked.
pub async fn being_of(ex: Exec<'_>, issuer: &str, subject: &str) -> sqlx::Result<Option<Uuid>> {
    on_exec!(ex, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT being_id FROM oidc_links WHERE issuer = $1 AND subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(&mut *c)
    .await)
}

pub async fn insert(
    ex: Exec<'_>,
    issuer: &str,
    subject: &str,
    provider: &str,
    being_id: Uuid,
    now: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO oidc_links (issuer, subject, provider, being_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(issuer)
    .bind(subject)
    .bind(provider)
    .bind(being_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

pub async fn of_being(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<Vec<LinkedProvider>> {
    on_exec!(ex, c => sqlx::query_as::<_, LinkedProvider>(
        "SELECT provider, created_at FROM oidc_links WHERE being_id = $1 ORDER BY created_at",
    )
    .bind(being_id)
    .fetch_all(&mut *c)
    .await)
}

pub async fn count_of(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<i64> {
    on_exec!(ex, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM oidc_links WHERE being_id = $1")
        .bind(being_id)
        .fetch_one(&mut *c)
        .await)
}
