//! The change log and each space's position (docs/SYNC.md).

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Timestamp;
use crate::sync::Entity;

/// Where a space is in its sequence of changes, and the floor of what the log still holds: a
/// cursor at or above the floor can be resumed exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub position: u64,
    pub floor: u64,
}

/// Takes the space's next position (inside the transaction that makes the change).
pub async fn advance(ex: Exec<'_>, space_id: Uuid) -> sqlx::Result<u64> {
    on_exec!(ex, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO space_positions (space_id, position, floor) VALUES ($1, 1, 0) \
         ON CONFLICT (space_id) DO UPDATE SET position = space_positions.position + 1 \
         RETURNING position",
    )
    .bind(space_id)
    .fetch_one(&mut *c)
    .await
    .map(|p| p as u64))
}

/// Records `change` at `position` as the latest change of its entity, replacing the entity's
/// older row: catch-up sends each entity once, in its latest state.
pub async fn log(
    ex: Exec<'_>,
    space_id: Uuid,
    position: u64,
    entity: Entity,
    change: &str,
    at: Timestamp,
) -> sqlx::Result<()> {
    let (entity, entity_id) = match entity {
        Entity::Being(id) => ("being", id),
        Entity::Intention(id) => ("intention", id),
        Entity::Presence(id) => ("presence", id),
    };
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO changes (space_id, position, entity, entity_id, change, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (space_id, entity, entity_id) DO UPDATE \
         SET position = excluded.position, change = excluded.change, created_at = excluded.created_at",
    )
    .bind(space_id)
    .bind(position as i64)
    .bind(entity)
    .bind(entity_id)
    .bind(change)
    .bind(at)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Forgets the space's changes at or below `floor`: cursors below it get a reset.
pub async fn raise_floor(ex: Exec<'_>, space_id: Uuid, floor: u64) -> sqlx::Result<()> {
    on_exec!(ex, c => {
        sqlx::query("UPDATE space_positions SET floor = $2 WHERE space_id = $1 AND floor < $2")
            .bind(space_id)
            .bind(floor as i64)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM changes WHERE space_id = $1 AND position <= $2")
            .bind(space_id)
            .bind(floor as i64)
            .execute(&mut *c)
            .await
            .map(|_| ())
    })
}

/// The space's position and the floor of its window (both 0 before any change).
pub async fn window(ex: Exec<'_>, space_id: Uuid) -> sqlx::Result<Window> {
    on_exec!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT position, floor FROM space_positions WHERE space_id = $1",
    )
    .bind(space_id)
    .fetch_optional(&mut *c)
    .await
    .map(|row| {
        let (position, floor) = row.unwrap_or((0, 0));
        Window { position: position as u64, floor: floor as u64 }
    }))
}

/// The positions of `spaces` (those with any change).
pub async fn positions(ex: Exec<'_>, spaces: &[Uuid]) -> sqlx::Result<Vec<(Uuid, u64)>> {
    let rows = match ex {
        Exec::Postgres(c) => {
            sqlx::query_as::<_, (Uuid, i64)>(
                "SELECT space_id, position FROM space_positions WHERE space_id = ANY($1)",
            )
            .bind(spaces)
            .fetch_all(&mut *c)
            .await?
        }
        // One node: its hub hears of every change at once, and nothing sweeps.
        Exec::Sqlite(c) => {
            let mut rows = Vec::with_capacity(spaces.len());
            for space in spaces {
                let position = sqlx::query_scalar::<_, i64>(
                    "SELECT position FROM space_positions WHERE space_id = $1",
                )
                .bind(space)
                .fetch_optional(&mut *c)
                .await?;
                rows.extend(position.map(|p| (*space, p)));
            }
            rows
        }
    };
    Ok(rows
        .into_iter()
        .map(|(space, p)| (space, p as u64))
        .collect())
}

/// The logged changes after `after`, oldest first, unless there are more than `max_changes`
/// of them or they hold more than `max_bytes` of JSON: read a page at a time, so a long one
/// costs no more than its limits to turn down. `None` when over a limit.
pub async fn after_within(
    mut ex: Exec<'_>,
    space_id: Uuid,
    after: u64,
    max_changes: usize,
    max_bytes: usize,
) -> sqlx::Result<Option<Vec<(u64, String)>>> {
    const PAGE: i64 = 256;
    let mut rows = Vec::new();
    let mut bytes = 0;
    let mut from = after;
    loop {
        let page = on_exec!(ex.reborrow(), c => sqlx::query_as::<_, (i64, String)>(
            "SELECT position, change FROM changes WHERE space_id = $1 AND position > $2 \
             ORDER BY position LIMIT $3",
        )
        .bind(space_id)
        .bind(from as i64)
        .bind(PAGE)
        .fetch_all(&mut *c)
        .await)?;
        let full = page.len() as i64 == PAGE;
        for (position, change) in page {
            bytes += change.len();
            rows.push((position as u64, change));
            if rows.len() > max_changes || bytes > max_bytes {
                return Ok(None);
            }
            from = position as u64;
        }
        if !full {
            return Ok(Some(rows));
        }
    }
}

/// For each space with changes recorded before `cutoff`, the newest such position: the floor
/// that drops them.
pub async fn floors_before(ex: Exec<'_>, cutoff: Timestamp) -> sqlx::Result<Vec<(Uuid, u64)>> {
    on_exec!(ex, c => sqlx::query_as::<_, (Uuid, i64)>(
        "SELECT space_id, MAX(position) FROM changes WHERE created_at < $1 GROUP BY space_id",
    )
    .bind(cutoff)
    .fetch_all(&mut *c)
    .await
    .map(|rows| rows.into_iter().map(|(space, floor)| (space, floor as u64)).collect()))
}
