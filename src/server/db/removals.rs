//! Beings removed from a space by its moderators (`ops::moderation`).

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Timestamp;

pub async fn insert(
    ex: Exec<'_>,
    space_id: Uuid,
    being_id: Uuid,
    removed_by: Uuid,
    at: Timestamp,
) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO space_removals (space_id, being_id, removed_by, removed_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (space_id, being_id) DO NOTHING",
    )
    .bind(space_id)
    .bind(being_id)
    .bind(removed_by)
    .bind(at)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Lifts the removal of `being_id` from `space_id`, and of the beings it owns.
pub async fn delete_with_owned(ex: Exec<'_>, space_id: Uuid, being_id: Uuid) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "DELETE FROM space_removals WHERE space_id = $1 \
         AND (being_id = $2 OR being_id IN (SELECT id FROM beings WHERE owner_id = $2))",
    )
        .bind(space_id)
        .bind(being_id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

pub async fn is_removed(ex: Exec<'_>, space_id: Uuid, being_id: Uuid) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM space_removals WHERE space_id = $1 AND being_id = $2)",
    )
    .bind(space_id)
    .bind(being_id)
    .fetch_one(&mut *c)
    .await)
}
