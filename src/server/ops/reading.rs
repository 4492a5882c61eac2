//! Reading: how far a being has read each space, set as it sees messages, and what is new
//! after that — unread messages and mentions (docs/API.md, "Reading"). The mark is the
//! server's, so every tab and device of the being shares it, and each hears it move.

use uuid::Uuid;

use super::beings::find_space;
use crate::model::{ApiError, Being, Timestamp};
use crate::server::db::{
    Exec, intentions as db_intentions, mentions as db_mentions, reads as db_reads,
};
use crate::server::state::AppState;
use crate::sync::tabs::MAX_SPACES;
use crate::sync::{COUNTED_UP_TO, ReadPlace, ReadState};

/// How far `reader` has read `space_id`, and what is new after that.
pub async fn read_state(
    state: &AppState,
    reader: &Being,
    space_id: Uuid,
) -> Result<ReadState, ApiError> {
    let mut conn = state.db.reader().await?;
    find_space(conn.exec(), space_id).await?;
    let mark = db_reads::mark(conn.exec(), reader.id, space_id).await?;
    Ok(state_after(conn.exec(), reader.id, space_id, mark).await?)
}

/// How far `reader` has read each of `space_ids` (at most [`MAX_SPACES`], each once), on one
/// connection: the home page asks again after its stream reconnects, for marks moved meanwhile.
pub async fn read_states(
    state: &AppState,
    reader: &Being,
    space_ids: &[Uuid],
) -> Result<Vec<ReadState>, ApiError> {
    let mut ids = space_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_SPACES {
        return Err(ApiError::bad_request(
            "space_ids",
            format!("at most {MAX_SPACES} spaces at once"),
        ));
    }
    let mut conn = state.db.reader().await?;
    let marks = db_reads::marks(conn.exec(), reader.id, &ids).await?;
    let mut states = Vec::with_capacity(ids.len());
    for space_id in ids {
        let mark = marks
            .iter()
            .find(|(id, _)| *id == space_id)
            .map(|(_, place)| *place);
        states.push(state_after(conn.exec(), reader.id, space_id, mark).await?);
    }
    Ok(states)
}

/// `reader` has seen `space_id` up to the message `up_to` (or, without one, up to its newest
/// message now). The mark only moves forward; every stream of the reader, on every node,
/// hears where it is now.
pub async fn mark_read(
    state: &AppState,
    reader: &Being,
    space_id: Uuid,
    up_to: Option<Uuid>,
) -> Result<ReadState, ApiError> {
    let now = Timestamp::now();
    let mut tx = state.db.begin().await?;
    find_space(tx.exec(), space_id).await?;
    let place = match up_to {
        Some(id) => db_intentions::get(tx.exec(), id)
            .await?
            .filter(|message| message.location_id == space_id)
            .map(|message| (message.created_at, message.id))
            .ok_or_else(|| ApiError::invalid("up_to", "up_to must name a message in this space"))?,
        None => db_intentions::page(tx.exec(), space_id, None, 1)
            .await?
            .first()
            .map_or((now, Uuid::nil()), |newest| (newest.created_at, newest.id)),
    };
    db_reads::advance(tx.exec(), reader.id, space_id, place, now).await?;
    let mark = db_reads::mark(tx.exec(), reader.id, space_id).await?;
    let read = state_after(tx.exec(), reader.id, space_id, mark).await?;
    tx.commit().await?;
    state.live.read(reader.id, &read).await;
    Ok(read)
}

/// The reader's state in a space from its mark there.
pub(super) async fn state_after(
    mut ex: Exec<'_>,
    reader: Uuid,
    space_id: Uuid,
    mark: Option<(Timestamp, Uuid)>,
) -> sqlx::Result<ReadState> {
    let unread = match mark {
        Some(place) => {
            db_reads::unread(ex.reborrow(), reader, space_id, place, COUNTED_UP_TO).await?
        }
        None => 0,
    };
    let mentions = db_mentions::count(ex, reader, space_id, mark, COUNTED_UP_TO).await?;
    Ok(ReadState {
        space_id,
        up_to: mark.map(|(at, id)| ReadPlace { at, id }),
        unread,
        mentions,
    })
}
