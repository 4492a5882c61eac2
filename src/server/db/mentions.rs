//! Who each message mentions (`mentions`): one row per being named, none per member.

use uuid::Uuid;

use super::{Exec, on_exec};
use crate::model::{Intention, Timestamp};
use crate::server::ops::paging::Place;

/// Records that `intention` mentions `beings`, in place of what it mentioned before (an edit).
pub async fn replace(ex: Exec<'_>, intention: &Intention, beings: &[Uuid]) -> sqlx::Result<()> {
    on_exec!(ex, c => {
        sqlx::query("DELETE FROM mentions WHERE intention_id = $1")
            .bind(intention.id)
            .execute(&mut *c)
            .await?;
        for being in beings {
            sqlx::query(
                "INSERT INTO mentions (being_id, space_id, created_at, intention_id) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(*being)
            .bind(intention.location_id)
            .bind(intention.created_at)
            .bind(intention.id)
            .execute(&mut *c)
            .await?;
        }
        Ok(())
    })
}

/// Mentions of `being_id` in `space_id` after `after` (all of them when `None`), counted up to
/// `up_to`: one range of the table's key.
pub async fn count(
    ex: Exec<'_>,
    being_id: Uuid,
    space_id: Uuid,
    after: Option<Place>,
    up_to: u32,
) -> sqlx::Result<u32> {
    let (at, id) = after.unwrap_or((Timestamp(i64::MIN), Uuid::nil()));
    on_exec!(ex, c => sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM (SELECT 1 FROM mentions WHERE being_id = $1 AND space_id = $2 \
         AND (created_at > $3 OR (created_at = $3 AND intention_id > $4)) LIMIT $5) AS mentioned",
    )
    .bind(being_id)
    .bind(space_id)
    .bind(at)
    .bind(id)
    .bind(i64::from(up_to))
    .fetch_one(&mut *c)
    .await
    .map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
}

/// The names of the beings a message in `space_id` can mention: those in the space and those
/// who have read it. Read only for a message with an `@` in it.
pub async fn candidates(ex: Exec<'_>, space_id: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    on_exec!(ex, c => sqlx::query_as::<_, (Uuid, String)>(
        "SELECT id, name FROM beings WHERE location_id = $1 \
         UNION SELECT b.id, b.name FROM read_marks r JOIN beings b ON b.id = r.being_id \
         WHERE r.space_id = $1",
    )
    .bind(space_id)
    .fetch_all(&mut *c)
    .await)
}
