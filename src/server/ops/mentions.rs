//! Whom a message mentions, kept as it is written: one row per being it names (`@Name`), none
//! per member of the space.

use uuid::Uuid;

use crate::model::{Intention, mentions};
use crate::server::db::{Exec, mentions as db_mentions};

/// Records whom `intention` mentions among the beings in its space and those who have read it,
/// in the transaction that writes it. `was`: its content before an edit (`None` when new); the
/// space's names are read only when the text has an `@` in it, now or before.
pub(super) async fn record(
    mut ex: Exec<'_>,
    intention: &Intention,
    was: Option<&str>,
) -> sqlx::Result<()> {
    let has_at = intention.content.contains('@');
    if !has_at && !was.is_some_and(|text| text.contains('@')) {
        return Ok(());
    }
    let named: Vec<Uuid> = if has_at {
        db_mentions::candidates(ex.reborrow(), intention.location_id)
            .await?
            .into_iter()
            .filter(|(id, name)| *id != intention.owner_id && mentions(&intention.content, name))
            .map(|(id, _)| id)
            .collect()
    } else {
        Vec::new()
    };
    db_mentions::replace(ex, intention, &named).await
}
