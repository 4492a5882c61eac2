//! Queries on intentions.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Intention;
use crate::server::ops::paging::Place;

pub async fn get(ex: Exec<'_>, id: Uuid) -> sqlx::Result<Option<Intention>> {
    on_exec!(ex, c => sqlx::query_as::<_, Intention>(
        "SELECT id, kind, state, owner_id, location_id, content, reply_to, created_at, updated_at \
         FROM intentions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)
}

/// Up to `limit` intentions of a space, newest first, strictly older than `before`
/// (a `(created_at, id)` position) when given. Walks one index range of one space.
pub async fn page(
    ex: Exec<'_>,
    space_id: Uuid,
    before: Option<Place>,
    limit: u32,
) -> sqlx::Result<Vec<Intention>> {
    let limit = i64::from(limit);
    on_exec!(ex, c => match before {
        None => sqlx::query_as::<_, Intention>(
            "SELECT id, kind, state, owner_id, location_id, content, reply_to, created_at, updated_at \
             FROM intentions WHERE location_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(space_id)
        .bind(limit)
        .fetch_all(&mut *c)
        .await,
        Some((at, id)) => sqlx::query_as::<_, Intention>(
            "SELECT id, kind, state, owner_id, location_id, content, reply_to, created_at, updated_at \
             FROM intentions WHERE location_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
             ORDER BY created_at DESC, id DESC LIMIT $4",
        )
        .bind(space_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&mut *c)
        .await,
    })
}

/// The ids and spaces of the intentions a being owns (they go when it is deleted).
pub async fn owned_by(ex: Exec<'_>, owner_id: Uuid) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    on_exec!(ex, c => sqlx::query_as::<_, (Uuid, Uuid)>(
        "SELECT id, location_id FROM intentions WHERE owner_id = $1",
    )
    .bind(owner_id)
    .fetch_all(&mut *c)
    .await)
}

/// Inserts unless the id is taken, or was taken by an intention deleted since; `Ok(false)` when
/// it was (nothing is written then).
pub async fn insert_if_new(ex: Exec<'_>, intention: &Intention) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO intentions \
         (id, kind, state, owner_id, location_id, content, reply_to, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
         WHERE NOT EXISTS (SELECT 1 FROM deleted_intentions WHERE id = $1) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(intention.id)
    .bind(intention.kind)
    .bind(intention.state)
    .bind(intention.owner_id)
    .bind(intention.location_id)
    .bind(&intention.content)
    .bind(intention.reply_to)
    .bind(intention.created_at)
    .bind(intention.updated_at)
    .execute(&mut *c)
    .await
    .map(|done| done.rows_affected() == 1))
}

/// Writes an intention's content, state and `updated_at`.
pub async fn update(ex: Exec<'_>, intention: &Intention) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("UPDATE intentions SET content = $2, state = $3, updated_at = $4 WHERE id = $1")
        .bind(intention.id)
        .bind(&intention.content)
        .bind(intention.state)
        .bind(intention.updated_at)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// Deletes an intention and remembers that its id was used, so that a retry of its post cannot
/// store it again (`insert_if_new`).
pub async fn delete(ex: Exec<'_>, id: Uuid) -> sqlx::Result<()> {
    on_exec!(ex, c => {
        sqlx::query("DELETE FROM intentions WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query("INSERT INTO deleted_intentions (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|_| ())
    })
}
