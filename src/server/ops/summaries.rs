//! Spaces as a list shows them (the home page): who is online, the latest message, and the
//! viewer's unread messages and mentions — each read at one position, in one snapshot, so the
//! stream of several spaces resumes every one of them exactly from there.

use uuid::Uuid;

use super::reading;
use crate::model::{ApiError, Being};
use crate::server::db::{
    beings as db_beings, changes, intentions as db_intentions, presence, reads as db_reads,
};
use crate::server::state::AppState;
use crate::sync::SpaceSummary;

/// Names of online beings a summary carries, beside the count.
const NAMED_ONLINE: usize = 3;

/// The summaries of `spaces` for `viewer` (its reading there; none when signed out).
pub async fn summaries(
    state: &AppState,
    viewer: Option<&Being>,
    spaces: Vec<Being>,
) -> Result<Vec<SpaceSummary>, ApiError> {
    let cutoff = state.live.presence_cutoff();
    let ids: Vec<Uuid> = spaces.iter().map(|space| space.id).collect();
    let mut tx = state.db.begin_snapshot().await?;
    let marks = match viewer {
        Some(viewer) => db_reads::marks(tx.exec(), viewer.id, &ids).await?,
        None => Vec::new(),
    };
    let mut summaries = Vec::with_capacity(spaces.len());
    let mut named = Vec::new();
    for space in spaces {
        let position = changes::window(tx.exec(), space.id).await?.position;
        let online = presence::online_in(tx.exec(), space.id, cutoff).await?;
        let latest = db_intentions::page(tx.exec(), space.id, None, 1)
            .await?
            .pop();
        let read = match viewer {
            Some(viewer) => {
                let mark = marks
                    .iter()
                    .find(|(id, _)| *id == space.id)
                    .map(|(_, place)| *place);
                Some(reading::state_after(tx.exec(), viewer.id, space.id, mark).await?)
            }
            None => None,
        };
        named.extend(online.iter().take(NAMED_ONLINE).copied());
        named.extend(latest.as_ref().map(|message| message.owner_id));
        summaries.push(SpaceSummary {
            space,
            epoch: state.live.epoch.to_string(),
            position,
            online,
            names: Vec::new(),
            latest,
            read,
        });
    }
    named.sort_unstable();
    named.dedup();
    let beings = db_beings::get_many(tx.exec(), &named).await?;
    tx.commit().await?;
    for summary in &mut summaries {
        let shown = |id: &Uuid| {
            summary.online.iter().take(NAMED_ONLINE).any(|o| o == id)
                || summary.latest.as_ref().is_some_and(|m| m.owner_id == *id)
        };
        summary.names = beings.iter().filter(|b| shown(&b.id)).cloned().collect();
    }
    Ok(summaries)
}
