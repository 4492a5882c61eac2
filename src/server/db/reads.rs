//! How far each being has read each space (`read_marks`), and how much is new after it.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::Timestamp;
use crate::server::ops::paging::Place;

/// Moves `being_id`'s mark in `space_id` to `place`, unless it is already there or further.
pub async fn advance(
    ex: Exec<'_>,
    being_id: Uuid,
    space_id: Uuid,
    place: Place,
    now: Timestamp,
) -> sqlx::Result<()> {
    let (at, id) = place;
    on_exec!(ex, c => sqlx::query(
        "INSERT INTO read_marks (being_id, space_id, read_at, read_id, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (being_id, space_id) DO UPDATE \
         SET read_at = excluded.read_at, read_id = excluded.read_id, updated_at = excluded.updated_at \
         WHERE excluded.read_at > read_marks.read_at \
            OR (excluded.read_at = read_marks.read_at AND excluded.read_id > read_marks.read_id)",
    )
    .bind(being_id)
    .bind(space_id)
    .bind(at)
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ()))
}

/// `being_id`'s mark in `space_id`, if it has read there.
pub async fn mark(ex: Exec<'_>, being_id: Uuid, space_id: Uuid) -> sqlx::Result<Option<Place>> {
    on_exec!(ex, c => sqlx::query_as::<_, (Timestamp, Uuid)>(
        "SELECT read_at, read_id FROM read_marks WHERE being_id = $1 AND space_id = $2",
    )
    .bind(being_id)
    .bind(space_id)
    .fetch_optional(&mut *c)
    .await)
}

/// `being_id`'s marks in the spaces of `space_ids` that it has read.
pub async fn marks(
    ex: Exec<'_>,
    being_id: Uuid,
    space_ids: &[Uuid],
) -> sqlx::Result<Vec<(Uuid, Place)>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT space_id, read_at, read_id FROM read_marks WHERE being_id = ",
        );
        query.push_bind(being_id).push(" AND space_id IN (");
        let mut list = query.separated(", ");
        for id in space_ids {
            list.push_bind(*id);
        }
        query.push(")");
        query
            .build_query_as::<(Uuid, Timestamp, Uuid)>()
            .fetch_all(&mut *c)
            .await
            .map(|rows| rows.into_iter().map(|(space, at, id)| (space, (at, id))).collect())
    })
}

/// Messages of `space_id` after `after` not written by `reader`, counted up to `up_to`: one
/// range of the conversation's index, whatever the space's size or membership.
pub async fn unread(
    ex: Exec<'_>,
    reader: Uuid,
    space_id: Uuid,
    after: Place,
    up_to: u32,
) -> sqlx::Result<u32> {
    let (at, id) = after;
    on_exec!(ex, c => sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM (SELECT 1 FROM intentions WHERE location_id = $1 \
         AND (created_at > $2 OR (created_at = $2 AND id > $3)) AND owner_id <> $4 \
         LIMIT $5) AS unread",
    )
    .bind(space_id)
    .bind(at)
    .bind(id)
    .bind(reader)
    .bind(i64::from(up_to))
    .fetch_one(&mut *c)
    .await
    .map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
}
