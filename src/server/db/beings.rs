//! Queries on beings.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{Being, BeingKind, Timestamp};
use crate::server::ops::paging::Place;

pub async fn get(ex: Exec<'_>, id: Uuid) -> sqlx::Result<Option<Being>> {
    on_exec!(ex, c => sqlx::query_as::<_, Being>(
        "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)
}

/// Up to `limit` spaces, oldest first, after `after` (a `(created_at, id)` place) when given.
pub async fn spaces_page(
    ex: Exec<'_>,
    after: Option<Place>,
    limit: u32,
) -> sqlx::Result<Vec<Being>> {
    let (at, id) = after.unwrap_or((Timestamp(i64::MIN), Uuid::nil()));
    on_exec!(ex, c => sqlx::query_as::<_, Being>(
        "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings \
         WHERE kind = 'space' AND (created_at > $1 OR (created_at = $1 AND id > $2)) \
         ORDER BY created_at, id LIMIT $3",
    )
    .bind(at)
    .bind(id)
    .bind(i64::from(limit))
    .fetch_all(&mut *c)
    .await)
}

/// Up to `limit` of the beings inside a space, in order of arrival, after `after` when given.
pub async fn in_space_page(
    ex: Exec<'_>,
    space_id: Uuid,
    after: Option<Place>,
    limit: u32,
) -> sqlx::Result<Vec<Being>> {
    let (at, id) = after.unwrap_or((Timestamp(i64::MIN), Uuid::nil()));
    on_exec!(ex, c => sqlx::query_as::<_, Being>(
        "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings \
         WHERE location_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3)) \
         ORDER BY created_at, id LIMIT $4",
    )
    .bind(space_id)
    .bind(at)
    .bind(id)
    .bind(i64::from(limit))
    .fetch_all(&mut *c)
    .await)
}

/// The beings with these ids (those that exist), in one query.
pub async fn get_many(ex: Exec<'_>, ids: &[Uuid]) -> sqlx::Result<Vec<Being>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings WHERE id IN (",
        );
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build_query_as::<Being>().fetch_all(&mut *c).await
    })
}

pub async fn insert(ex: Exec<'_>, being: &Being) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO beings (id, kind, name, owner_id, location_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(being.id)
    .bind(being.kind)
    .bind(&being.name)
    .bind(being.owner_id)
    .bind(being.location_id)
    .bind(being.created_at)
    .bind(being.updated_at)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// Writes a being's name and location as given.
pub async fn update(ex: Exec<'_>, being: &Being) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query(
        "UPDATE beings SET name = $2, location_id = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(being.id)
    .bind(&being.name)
    .bind(being.location_id)
    .bind(being.updated_at)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// The beings `owner` owns (itself aside) that are inside `space_id`.
pub async fn owned_in_space(ex: Exec<'_>, owner: Uuid, space_id: Uuid) -> sqlx::Result<Vec<Being>> {
    on_exec!(ex, c => sqlx::query_as::<_, Being>(
        "SELECT id, kind, name, owner_id, location_id, created_at, updated_at FROM beings \
         WHERE owner_id = $1 AND id <> $1 AND location_id = $2",
    )
    .bind(owner)
    .bind(space_id)
    .fetch_all(&mut *c)
    .await)
}

/// Does this being own any being besides itself?
pub async fn owns_others(ex: Exec<'_>, id: Uuid) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM beings WHERE owner_id = $1 AND id <> $1)",
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)
}

/// Deletes a being. Beings inside it move to the top level and the intentions it owns or
/// holds go with it (foreign keys).
pub async fn delete(ex: Exec<'_>, id: Uuid) -> sqlx::Result<()> {
    on_exec!(ex, c => sqlx::query("DELETE FROM beings WHERE id = $1")
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ()))
}

/// Makes moves of spaces take turns, until the transaction ends: two moves that would each
/// put one space inside the other must not both see the other not yet done. On SQLite every
/// write transaction takes its turn already.
pub async fn serialize_space_moves(ex: Exec<'_>) -> sqlx::Result<()> {
    match ex {
        Exec::Postgres(c) => sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(SPACE_MOVES_LOCK)
            .execute(&mut *c)
            .await
            .map(|_| ()),
        Exec::Sqlite(_) => Ok(()),
    }
}

/// The advisory lock that space moves take (a fixed number, unique to rhizom's moves).
const SPACE_MOVES_LOCK: i64 = 0x7268_697a_6f6d_6d76; // "rhizommv"

/// Is `ancestor` the space `space_id` itself or one of the spaces it sits inside?
pub async fn is_within(ex: Exec<'_>, space_id: Uuid, ancestor: Uuid) -> sqlx::Result<bool> {
    on_exec!(ex, c => sqlx::query_scalar::<_, bool>(
        "WITH RECURSIVE up (id, location_id) AS ( \
             SELECT id, location_id FROM beings WHERE id = $1 \
             UNION \
             SELECT b.id, b.location_id FROM beings b JOIN up ON b.id = up.location_id \
         ) SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)",
    )
    .bind(space_id)
    .bind(ancestor)
    .fetch_one(&mut *c)
    .await)
}

/// A new being, stamped now. A guest owns itself.
pub fn new_being(
    kind: BeingKind,
    name: String,
    owner_id: Option<Uuid>,
    location_id: Option<Uuid>,
) -> Being {
    let now = Timestamp::now();
    let id = Uuid::now_v7();
    Being {
        id,
        kind,
        name,
        owner_id: if kind == BeingKind::Guest {
            Some(id)
        } else {
            owner_id
        },
        location_id,
        created_at: now,
        updated_at: now,
    }
}
