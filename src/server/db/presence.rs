//! Presence rows: which being has a live stream in which space, on which node, renewed when.
//! A row is live while it was renewed after the caller's `cutoff` (now minus the presence TTL).

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Timestamp;

/// Records (or renews) this node's stream of `being_id` in `space_id`.
pub async fn upsert(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
    node_id: Uuid,
    now: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO presence (space_id, being_id, node_id, renewed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (space_id, being_id, node_id) DO UPDATE SET renewed_at = excluded.renewed_at",
    )
    .bind(space_id)
    .bind(being_id)
    .bind(node_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

pub async fn remove(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
    node_id: Uuid,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("DELETE FROM presence WHERE space_id = $1 AND being_id = $2 AND node_id = $3")
        .bind(space_id)
        .bind(being_id)
        .bind(node_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// Is the being online in the space through a node other than `node_id`?
pub async fn online_elsewhere(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
    node_id: Uuid,
    cutoff: Timestamp,
) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM presence WHERE space_id = $1 AND being_id = $2 \
         AND node_id <> $3 AND renewed_at > $4)",
    )
    .bind(space_id)
    .bind(being_id)
    .bind(node_id)
    .bind(cutoff)
    .fetch_one(&mut *c)
    .await)
}

/// Which of `beings` are online in a space.
pub async fn online_among(
    ex: Exec<'_>,
    space_id: Uuid,
    beings: &[Uuid],
    cutoff: Timestamp,
) -> sqlx::Result<Vec<Uuid>> {
    if beings.is_empty() {
        return Ok(Vec::new());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new("SELECT DISTINCT being_id FROM presence WHERE space_id = ");
        query.push_bind(space_id);
        query.push(" AND renewed_at > ");
        query.push_bind(cutoff);
        query.push(" AND being_id IN (");
        let mut list = query.separated(", ");
        for being in beings {
            list.push_bind(*being);
        }
        query.push(")");
        query.build_query_scalar::<Uuid>().fetch_all(&mut *c).await
    })
}

/// Renews every row this node holds.
pub async fn renew(ex: Exec<'_>, node_id: Uuid, now: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("UPDATE presence SET renewed_at = $2 WHERE node_id = $1")
        .bind(node_id)
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// Deletes the rows not renewed since `cutoff` and returns which `(space, being)` they were.
pub async fn take_expired(ex: Exec<'_>, cutoff: Timestamp) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    on_exec!(ex, c => {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT DISTINCT space_id, being_id FROM presence WHERE renewed_at <= $1",
        )
        .bind(cutoff)
        .fetch_all(&mut *c)
        .await?;
        sqlx::query("DELETE FROM presence WHERE renewed_at <= $1")
            .bind(cutoff)
            .execute(&mut *c)
            .await?;
        Ok(rows)
    })
}
