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

/// The beings called one of `names` (compared lowered, as the engine lowers) that a message in
/// `space_id` can mention: those in the space and those who have read it. One index range per
/// name, whatever the space's membership.
pub async fn named(
    ex: Exec<'_>,
    space_id: Uuid,
    names: &[String],
) -> sqlx::Result<Vec<(Uuid, String)>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    on_exec!(ex, c => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT b.id, b.name FROM beings b WHERE lower(b.name) IN (",
        );
        let mut list = query.separated(", ");
        for name in names {
            list.push_bind(name.as_str());
        }
        query.push(") AND (b.location_id = ");
        query.push_bind(space_id);
        query.push(" OR EXISTS (SELECT 1 FROM read_marks r WHERE r.being_id = b.id AND r.space_id = ");
        query.push_bind(space_id);
        query.push("))");
        query.build_query_as::<(Uuid, String)>().fetch_all(&mut *c).await
    })
}
