//! Server-side sessions (`server::session` has the cookie). A session is found by its
//! token's hash; the token itself is never stored.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{SessionInfo, Timestamp};

/// A session as a request meets it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub being_id: Uuid,
    pub last_seen_at: Timestamp,
}

pub async fn insert(
    ex: Exec<'_>,
    id: Uuid,
    token_hash: &[u8],
    being_id: Uuid,
    user_agent: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO sessions (id, token_hash, being_id, user_agent, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(id)
    .bind(token_hash)
    .bind(being_id)
    .bind(user_agent)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

pub async fn by_token(ex: Exec<'_>, token_hash: &[u8]) -> sqlx::Result<Option<SessionRow>> {
    on_exec!(ex, c => sqlx::query_as::<_, SessionRow>(
        "SELECT id, being_id, last_seen_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&mut *c)
    .await)
}

pub async fn touch(ex: Exec<'_>, id: Uuid, now: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// The being's sessions used since `cutoff` (the others have expired), oldest first.
pub async fn of_being(
    ex: Exec<'_>,
    being_id: Uuid,
    cutoff: Timestamp,
) -> sqlx::Result<Vec<SessionInfo>> {
    on_exec!(ex, c => sqlx::query_as::<_, SessionInfo>(
        "SELECT id, user_agent, created_at, last_seen_at FROM sessions \
         WHERE being_id = $1 AND last_seen_at >= $2 ORDER BY created_at, id",
    )
    .bind(being_id)
    .bind(cutoff)
    .fetch_all(&mut *c)
    .await)
}

/// Ends the session `id` if it is `being_id`'s; `true` if there was one.
pub async fn delete(ex: Exec<'_>, id: Uuid, being_id: Uuid) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query("DELETE FROM sessions WHERE id = $1 AND being_id = $2")
        .bind(id)
        .bind(being_id)
        .execute(&mut *c)
        .await
        .map(|done| done.rows_affected() > 0))
}

/// Ends every session of `being_id` but `keep`; returns the ids ended.
pub async fn delete_all_but(
    ex: Exec<'_>,
    being_id: Uuid,
    keep: Option<Uuid>,
) -> sqlx::Result<Vec<Uuid>> {
    on_exec!(ex, c => sqlx::query_scalar::<_, Uuid>(
        "DELETE FROM sessions WHERE being_id = $1 AND id <> $2 RETURNING id",
    )
    .bind(being_id)
    .bind(keep.unwrap_or(Uuid::nil()))
    .fetch_all(&mut *c)
    .await)
}

/// Ends the sessions unused since `cutoff`; returns the ids ended.
pub async fn delete_unused_since(ex: Exec<'_>, cutoff: Timestamp) -> sqlx::Result<Vec<Uuid>> {
    on_exec!(ex, c => sqlx::query_scalar::<_, Uuid>(
        "DELETE FROM sessions WHERE last_seen_at < $1 RETURNING id",
    )
    .bind(cutoff)
    .fetch_all(&mut *c)
    .await)
}

/// Which of `ids` are still sessions, used since `cutoff`.
pub async fn existing(ex: Exec<'_>, ids: &[Uuid], cutoff: Timestamp) -> sqlx::Result<Vec<Uuid>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new("SELECT id FROM sessions WHERE last_seen_at >= ");
        query.push_bind(cutoff);
        query.push(" AND id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build_query_scalar::<Uuid>().fetch_all(&mut *c).await
    })
}

/// How many sessions `being_id` has besides `except`, used since `cutoff`.
pub async fn count_others(
    ex: Exec<'_>,
    being_id: Uuid,
    except: Uuid,
    cutoff: Timestamp,
) -> sqlx::Result<i64> {
    on_exec!(ex, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM sessions WHERE being_id = $1 AND id <> $2 AND last_seen_at >= $3",
    )
    .bind(being_id)
    .bind(except)
    .bind(cutoff)
    .fetch_one(&mut *c)
    .await)
}

/// Makes changes to one being's ways in take turns until the transaction ends (PostgreSQL: a
/// lock on the being's row; SQLite has one writer): two devices signing out at once must not
/// each count the other as the way back.
pub async fn lock_being(ex: Exec<'_>, being_id: Uuid) -> sqlx::Result<()> {
    match ex {
        Exec::Postgres(c) => sqlx::query("SELECT 1 FROM beings WHERE id = $1 FOR UPDATE")
            .bind(being_id)
            .execute(&mut *c)
            .await
            .map(|_| ()),
        Exec::Sqlite(_) => Ok(()),
    }
}

/// Records that the old cookie whose MAC hashes to `tag_hash` was exchanged; `false` if it was
/// already (it signs nobody in again).
pub async fn record_exchange(ex: Exec<'_>, tag_hash: &[u8], now: Timestamp) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO exchanged_cookies (tag_hash, exchanged_at) VALUES ($1, $2) \
         ON CONFLICT (tag_hash) DO NOTHING",
    )
    .bind(tag_hash)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}
