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
    pub attempts: i64,
}

const COLUMNS: &str = "id, bot_id, message_id, space_id, author_id, attempts";

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

/// Extends `node`'s leases on the wakes it is still answering (`ids`): a wake whose task
/// ended without finishing it is not kept alive by this.
pub async fn renew(
    ex: Exec<'_>,
    node: Uuid,
    ids: &[Uuid],
    lease_until: Timestamp,
) -> sqlx::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new("UPDATE wakes SET lease_until = ");
        query.push_bind(lease_until);
        query.push(" WHERE state = 'running' AND claimed_by = ");
        query.push_bind(node);
        query.push(" AND id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build().execute(&mut *c).await.map(|_| ())
    })
}

/// The running wakes whose node let its lease run out (it died, or froze), or — with `node` —
/// that node's own (it is stopping).
pub async fn abandoned(
    ex: Exec<'_>,
    now: Timestamp,
    node: Option<Uuid>,
) -> sqlx::Result<Vec<WakeRow>> {
    on_exec!(ex, c => sqlx::query_as::<_, WakeRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM wakes WHERE state = 'running' \
         AND (lease_until < $1 OR claimed_by = $2)"
    )))
    .bind(now)
    .bind(node.unwrap_or(Uuid::nil()))
    .fetch_all(&mut *c)
    .await)
}

/// Takes an abandoned wake over for `me` (one node does, whoever asks first): `false` if it is
/// no longer abandoned.
pub async fn adopt(
    ex: Exec<'_>,
    id: Uuid,
    me: Uuid,
    now: Timestamp,
    lease_until: Timestamp,
    stopping: Option<Uuid>,
) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query(
        "UPDATE wakes SET claimed_by = $2, lease_until = $4, updated_at = $3 \
         WHERE id = $1 AND state = 'running' AND (lease_until < $3 OR claimed_by = $5)",
    )
    .bind(id)
    .bind(me)
    .bind(now)
    .bind(lease_until)
    .bind(stopping.unwrap_or(Uuid::nil()))
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// The wake is over: `done`, or `failed` with why (in full, for the owner) — if `node` still
/// holds it (`false`: another took it back meanwhile, and decides).
pub async fn finish(
    ex: Exec<'_>,
    id: Uuid,
    node: Uuid,
    failed: Option<&str>,
    attempts: i64,
    now: Timestamp,
) -> sqlx::Result<bool> {
    let state = if failed.is_some() { "failed" } else { "done" };
    on_exec!(ex, c => sqlx::query(
        "UPDATE wakes SET state = $2, last_error = COALESCE($3, last_error), attempts = $4, \
         updated_at = $5, claimed_by = NULL, lease_until = NULL \
         WHERE id = $1 AND state = 'running' AND claimed_by = $6",
    )
    .bind(id)
    .bind(state)
    .bind(failed)
    .bind(attempts)
    .bind(now)
    .bind(node)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// The wake is tried again at `next_at` (a webhook that did not answer), after `why` — if
/// `node` still holds it.
pub async fn retry(
    ex: Exec<'_>,
    id: Uuid,
    node: Uuid,
    attempts: i64,
    next_at: Timestamp,
    why: &str,
    now: Timestamp,
) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query(
        "UPDATE wakes SET state = 'pending', attempts = $2, next_attempt_at = $3, last_error = $4, \
         updated_at = $5, claimed_by = NULL, lease_until = NULL \
         WHERE id = $1 AND state = 'running' AND claimed_by = $6",
    )
    .bind(id)
    .bind(attempts)
    .bind(next_at)
    .bind(why)
    .bind(now)
    .bind(node)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// A bot's latest wakes, newest first.
pub async fn of_bot(ex: Exec<'_>, bot_id: Uuid, limit: i64) -> sqlx::Result<Vec<WakeInfo>> {
    on_exec!(ex, c => sqlx::query_as::<_, WakeInfo>(
        "SELECT id, message_id, space_id, state, attempts, last_error, created_at, \
         updated_at FROM wakes WHERE bot_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(bot_id)
    .bind(limit)
    .fetch_all(&mut *c)
    .await)
}
