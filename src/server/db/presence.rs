//! Presence rows: which being has a live stream in which space, on which node, since when; and
//! each node's lease. A row is written when its stream opens and deleted when it ends, and is
//! live while its node's lease was renewed after the caller's `cutoff` (now minus the presence
//! TTL): a node renews one row, however many streams it holds.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Timestamp;

/// Records this node's stream of `being_id` in `space_id`.
pub async fn upsert(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
    node_id: Uuid,
    now: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO presence (space_id, being_id, node_id, since) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (space_id, being_id, node_id) DO NOTHING",
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
        "SELECT EXISTS (SELECT 1 FROM presence p JOIN node_leases n ON n.node_id = p.node_id \
         WHERE p.space_id = $1 AND p.being_id = $2 AND p.node_id <> $3 AND n.renewed_at > $4)",
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
        let mut query = sqlx::QueryBuilder::new(
            "SELECT DISTINCT p.being_id FROM presence p JOIN node_leases n ON n.node_id = p.node_id \
             WHERE p.space_id = ",
        );
        query.push_bind(space_id);
        query.push(" AND n.renewed_at > ");
        query.push_bind(cutoff);
        query.push(" AND p.being_id IN (");
        let mut list = query.separated(", ");
        for being in beings {
            list.push_bind(*being);
        }
        query.push(")");
        query.build_query_scalar::<Uuid>().fetch_all(&mut *c).await
    })
}

/// Renews this node's lease (every presence row it holds with it).
pub async fn renew(ex: Exec<'_>, node_id: Uuid, now: Timestamp) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO node_leases (node_id, renewed_at) VALUES ($1, $2) \
         ON CONFLICT (node_id) DO UPDATE SET renewed_at = excluded.renewed_at",
    )
    .bind(node_id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Deletes the rows of nodes whose lease ran out before `cutoff` (and those leases), and
/// returns which `(space, being)` the rows were.
pub async fn take_expired(ex: Exec<'_>, cutoff: Timestamp) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    on_exec!(ex, c => {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT DISTINCT space_id, being_id FROM presence WHERE NOT EXISTS \
             (SELECT 1 FROM node_leases n WHERE n.node_id = presence.node_id AND n.renewed_at > $1)",
        )
        .bind(cutoff)
        .fetch_all(&mut *c)
        .await?;
        sqlx::query(
            "DELETE FROM presence WHERE NOT EXISTS \
             (SELECT 1 FROM node_leases n WHERE n.node_id = presence.node_id AND n.renewed_at > $1)",
        )
        .bind(cutoff)
        .execute(&mut *c)
        .await?;
        sqlx::query("DELETE FROM node_leases WHERE renewed_at <= $1")
            .bind(cutoff)
            .execute(&mut *c)
            .await?;
        Ok(rows)
    })
}
