//! Spaces and what is in them, a page at a time.

use uuid::Uuid;

use super::beings::find_space;
use super::paging;
use crate::model::{ApiError, Being, Limit, Page, Timestamp};
use crate::server::db::{Exec, beings as db_beings, presence};
use crate::server::state::AppState;
use crate::sync::BeingState;

/// A page of the spaces, oldest first (`after`, `limit`: as the request gives them).
pub async fn list_spaces(
    state: &AppState,
    after: Option<&str>,
    limit: Option<&str>,
) -> Result<Page<Being>, ApiError> {
    let limit = Limit::parse(limit)?;
    let after = paging::from_request(after, "after")?;
    let mut conn = state.db.reader().await?;
    let spaces = db_beings::spaces_page(conn.exec(), after, limit.get() + 1).await?;
    Ok(paging::page(spaces, limit, |space| {
        (space.created_at, space.id)
    }))
}

/// A page of the beings in a space, in order of arrival, each with whether it is online
/// there (404 for no such space).
pub async fn list_in_space(
    state: &AppState,
    space_id: Uuid,
    after: Option<&str>,
    limit: Option<&str>,
) -> Result<Page<BeingState>, ApiError> {
    let limit = Limit::parse(limit)?;
    let after = paging::from_request(after, "after")?;
    let mut conn = state.db.reader().await?;
    find_space(conn.exec(), space_id).await?;
    let cutoff = state.live.presence_cutoff();
    beings_page(conn.exec(), space_id, after, limit, cutoff).await
}

/// A page of the beings in a space with whether each is online there: presence rows renewed
/// after `cutoff` count.
pub(crate) async fn beings_page(
    mut ex: Exec<'_>,
    space_id: Uuid,
    after: Option<paging::Place>,
    limit: Limit,
    cutoff: Timestamp,
) -> Result<Page<BeingState>, ApiError> {
    let beings = db_beings::in_space_page(ex.reborrow(), space_id, after, limit.get() + 1).await?;
    let page = paging::page(beings, limit, |being| (being.created_at, being.id));
    let ids: Vec<Uuid> = page.items.iter().map(|being| being.id).collect();
    let seen = presence::seen_among(ex, space_id, &ids, cutoff).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|being| {
                let away = seen.iter().find(|(id, _)| *id == being.id).map(|s| s.1);
                BeingState {
                    online: away.is_some(),
                    away: away.unwrap_or(false),
                    being,
                }
            })
            .collect(),
        next: page.next,
    })
}
