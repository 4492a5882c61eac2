//! Wakes: a message that woke a bot, and what became of it. Pending wakes are claimed by a node
//! for a lease it renews while it works; a lease that runs out means the node is gone.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{Timestamp, WakeInfo};

/// A wake as the worker needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WakeRow {
    pub id: Uuid,
    pub bot_id: Uuid,
    pub message_id: Uuid,
    pub space_id: Uuid,
    pub author_id: Uuid,
    pub reply_id: Option<Uuid>,
    pub attempts: i64,
}

const COLUMNS: &str = "id, bot_id, message_id, space_id, author_id, reply_id, attempts";

/// Records that `message_id` woke `bot_id` (nothing if it did already).
pub async fn insert(
    ex: Exec<'_>,
    id: Uuid,
    bot_id: Uuid,
    message_id: Uuid,
    space_id: Uuid,
    author_id: Uuid,
    now: Timestamp,
) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO wakes (id, bot_id, message_id, space_id, author_id, state, next_attempt_at, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6, $6) \
         ON CONFLICT (bot_id, message_id) DO NOTHING",
    )
    .bind(id)
    .bind(bot_id)
    .bind(message_id)
    .bind(space_id)
    .bind(author_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// Claims up to `limit` pending wakes that are due, for `node` until `lease_until`. On
/// PostgreSQL two nodes claiming at once skip each other's rows; SQLite has one writer.
pub async fn claim_due(
    ex: Exec<'_>,
    node: Uuid,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> sqlx::Result<Vec<WakeRow>> {
    let skip_locked = match ex {
        Exec::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        Exec::Sqlite(_) => "",
    };
    let statement = format!(
        "UPDATE wakes SET state = 'running', claimed_by = $1, lease_until = $3, updated_at = $2 \
         WHERE id IN (SELECT id FROM wakes WHERE state = 'pending' AND next_attempt_at <= $2 \
         ORDER BY next_attempt_at LIMIT $4{skip_locked}) RETURNING {COLUMNS}"
    );
    on_exec!(ex, c => sqlx::query_as::<_, WakeRow>(sqlx::AssertSqlSafe(statement))
        .bind(node)
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&mut *c)
        .await)
}

/// Extends `node`'s leases on `ids`.
pub async fn renew(ex: Exec<'_>, node: Uuid, lease_until: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "UPDATE wakes SET lease_until = $2 WHERE claimed_by = $1 AND state = 'running'",
    )
    .bind(node)
    .bind(lease_until)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// The running wakes whose node let its lease run out (it died, or stopped), or — with
/// `node` — those of that node. They are taken back: `running` no more.
pub async fn take_abandoned(
    ex: Exec<'_>,
    now: Timestamp,
    node: Option<Uuid>,
) -> sqlx::Result<Vec<WakeRow>> {
    on_exec!(ex, c => sqlx::query_as::<_, WakeRow>(sqlx::AssertSqlSafe(format!(
        "UPDATE wakes SET state = 'failed', updated_at = $1 WHERE state = 'running' \
         AND (lease_until < $1 OR claimed_by = $2) RETURNING {COLUMNS}"
    )))
    .bind(now)
    .bind(node.unwrap_or(Uuid::nil()))
    .fetch_all(&mut *c)
    .await)
}

/// The wake's reply, once made.
pub async fn set_reply(ex: Exec<'_>, id: Uuid, reply_id: Uuid) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("UPDATE wakes SET reply_id = $2 WHERE id = $1")
        .bind(id)
        .bind(reply_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// The wake is over: `done`, or `failed` with why (in full, for the owner).
pub async fn finish(
    ex: Exec<'_>,
    id: Uuid,
    failed: Option<&str>,
    attempts: i64,
    now: Timestamp,
) -> sqlx::Result<()> {
    let state = if failed.is_some() { "failed" } else { "done" };
    on_exec!(ex, c => sqlx::query(
        "UPDATE wakes SET state = $2, last_error = COALESCE($3, last_error), attempts = $4, \
         updated_at = $5, claimed_by = NULL, lease_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(failed)
    .bind(attempts)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// The wake is tried again at `next_at` (a webhook that did not answer), after `why`.
pub async fn retry(
    ex: Exec<'_>,
    id: Uuid,
    attempts: i64,
    next_at: Timestamp,
    why: &str,
    now: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "UPDATE wakes SET state = 'pending', attempts = $2, next_attempt_at = $3, last_error = $4, \
         updated_at = $5, claimed_by = NULL, lease_until = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(attempts)
    .bind(next_at)
    .bind(why)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// A bot's latest wakes, newest first.
pub async fn of_bot(ex: Exec<'_>, bot_id: Uuid, limit: i64) -> sqlx::Result<Vec<WakeInfo>> {
    on_exec!(ex, c => sqlx::query_as::<_, WakeInfo>(
        "SELECT id, message_id, space_id, state, reply_id, attempts, last_error, created_at, \
         updated_at FROM wakes WHERE bot_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(bot_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)
}
