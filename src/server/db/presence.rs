//! Presence rows: which being has a live stream in which space, on which node, since when; and
//! each node's lease. A row is written when its stream opens and deleted when it ends, and is
//! live while its node's lease was renewed after the caller's `cutoff` (now minus the presence
//! TTL): a node renews one row, however many streams it holds.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Timestamp;
use crate::sync::Change;

/// A being's presence in a space, across every node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpacePresence {
    pub online: bool,
    /// Online only through streams of pages hidden for a while.
    pub away: bool,
}

impl SpacePresence {
    /// The delta that says so.
    pub fn change(self, being_id: Uuid) -> Change {
        Change::Presence {
            being_id,
            online: self.online,
            away: self.away,
        }
    }
}

/// Records this node's streams of `being_id` in `space_id`, and whether they are all `away`.
pub async fn upsert(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
    node_id: Uuid,
    now: Timestamp,
    away: bool,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO presence (space_id, being_id, node_id, since, away) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (space_id, being_id, node_id) DO UPDATE SET away = excluded.away",
    )
    .bind(space_id)
    .bind(being_id)
    .bind(node_id)
    .bind(now)
    .bind(away)
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

/// Where `being_id` is in `space_id` across the nodes whose lease was renewed after `cutoff`.
pub async fn seen(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
    cutoff: Timestamp,
) -> sqlx::Result<SpacePresence> {
    // 0: some stream is shown; 1: all are away; 2: none.
    let least = on_exec!(ex, c => sqlx::query_scalar::<_, i32>(
        "SELECT COALESCE(MIN(CASE WHEN p.away THEN 1 ELSE 0 END), 2) \
         FROM presence p JOIN node_leases n ON n.node_id = p.node_id \
         WHERE p.space_id = $1 AND p.being_id = $2 AND n.renewed_at > $3",
    )
    .bind(space_id)
    .bind(being_id)
    .bind(cutoff)
    .fetch_one(&mut *c)
    .await)?;
    Ok(SpacePresence {
        online: least < 2,
        away: least == 1,
    })
}

/// The beings online in a space.
pub async fn online_in(ex: Exec<'_>, space_id: Uuid, cutoff: Timestamp) -> sqlx::Result<Vec<Uuid>> {
    on_exec!(ex, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT DISTINCT p.being_id FROM presence p JOIN node_leases n ON n.node_id = p.node_id \
         WHERE p.space_id = $1 AND n.renewed_at > $2",
    )
    .bind(space_id)
    .bind(cutoff)
    .fetch_all(&mut *c)
    .await)
}

/// Which of `beings` are online in a space, each with whether it is away.
pub async fn seen_among(
    ex: Exec<'_>,
    space_id: Uuid,
    beings: &[Uuid],
    cutoff: Timestamp,
) -> sqlx::Result<Vec<(Uuid, bool)>> {
    if beings.is_empty() {
        return Ok(Vec::new());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT p.being_id, MIN(CASE WHEN p.away THEN 1 ELSE 0 END) \
             FROM presence p JOIN node_leases n ON n.node_id = p.node_id WHERE p.space_id = ",
        );
        query.push_bind(space_id);
        query.push(" AND n.renewed_at > ");
        query.push_bind(cutoff);
        query.push(" AND p.being_id IN (");
        let mut list = query.separated(", ");
        for being in beings {
            list.push_bind(*being);
        }
        query.push(") GROUP BY p.being_id");
        query
            .build_query_as::<(Uuid, i32)>()
            .fetch_all(&mut *c)
            .await
            .map(|rows| rows.into_iter().map(|(id, away)| (id, away == 1)).collect())
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
