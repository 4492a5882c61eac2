//! Someone is typing in a space: whoever may post there may say so; the space's live streams
//! are told, and nothing is written.

use uuid::Uuid;

use super::beings::find_space;
use super::moderation;
use crate::model::{ApiError, Being};
use crate::server::state::AppState;
use crate::sync::Typing;

/// `actor` is typing in `space_id`.
pub async fn typing(state: &AppState, actor: &Being, space_id: Uuid) -> Result<(), ApiError> {
    {
        let mut conn = state.db.reader().await?;
        find_space(conn.exec(), space_id).await?;
        moderation::refuse_if_removed(conn.exec(), space_id, actor.id).await?;
    }
    let typing = Typing {
        being_id: actor.id,
        name: actor.name.clone(),
    };
    state.live.typing(space_id, typing).await;
    Ok(())
}
