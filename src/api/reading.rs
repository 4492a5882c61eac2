//! Reading: the viewer's mark in a space, moved as they see its messages (docs/API.md,
//! "Reading").

use leptos::prelude::*;

use uuid::Uuid;

use super::codec::PostJson;
use crate::model::ApiError;
use crate::sync::ReadState;

/// The viewer has seen `space_id` up to the message `up_to`.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn mark_read(space_id: Uuid, up_to: Option<Uuid>) -> Result<ReadState, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::reading::mark_read(&context::state()?, &me, space_id, up_to).await
        }
        .await,
    )
}

/// How far the viewer has read `space_id`: read again when a stream reconnects, for a mark
/// moved elsewhere meanwhile.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn read_mark(space_id: Uuid) -> Result<ReadState, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::current()
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            ops::reading::read_state(&context::state()?, &me, space_id).await
        }
        .await,
    )
}

/// How far the viewer has read each of `space_ids` (at most 200): read again by the home page
/// when its stream reconnects.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn read_marks(space_ids: Vec<Uuid>) -> Result<Vec<ReadState>, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::current()
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            ops::reading::read_states(&context::state()?, &me, &space_ids).await
        }
        .await,
    )
}
