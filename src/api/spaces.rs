//! Spaces: list, create, open, enter, the beings in them, and removing one (moderation).

use leptos::prelude::*;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codec::PostJson;
use crate::model::{ApiError, Being, Page, Timestamp};
use crate::sync::{BeingState, ReadState, Snapshot, SpaceSummary};

/// Everything the space page shows: the space's state at one position (from which the live
/// stream resumes, so nothing is fetched twice), who is looking, and whether they moderate it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpaceView {
    pub snapshot: Snapshot,
    pub me: Option<Being>,
    /// The viewer may remove beings and messages here (the space's owner, or a moderator).
    pub moderates: bool,
    /// How far the viewer had read the space as it opened (`None` when signed out).
    pub read: Option<ReadState>,
    /// How long the page must be hidden before its viewer shows as away (`away-after-ms`).
    pub away_after_ms: u64,
    /// When the server read it: how old a page shown without the server is.
    pub read_at: Timestamp,
}

/// A page of spaces as the home page shows them, and the cursor of the next page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpaceList {
    pub spaces: Vec<SpaceSummary>,
    pub next: Option<String>,
    /// Who reads the list (`None`: signed out).
    pub me: Option<Being>,
}

/// A page of the spaces, oldest first, after `after` (a cursor from the last page's `next`):
/// who is in each, its latest message, and the viewer's unread messages and mentions there.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn list_spaces(after: Option<String>) -> Result<SpaceList, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            // As many at once as one stream follows beside a few open pages.
            let at_once = crate::sync::tabs::HOME_SPACES.to_string();
            let page = ops::spaces::list_spaces(&state, after.as_deref(), Some(&at_once)).await?;
            let me = context::current().await?;
            let spaces = ops::summaries::summaries(&state, me.as_ref(), page.items).await?;
            Ok(SpaceList {
                spaces,
                next: page.next,
                me,
            })
        }
        .await,
    )
}

/// Create a space and go there.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn create_space(name: String) -> Result<Being, ApiError> {
    use crate::model::BeingKind;
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            let state = context::state()?;
            let space = ops::beings::create(&state, &me, BeingKind::Space, &name, None).await?;
            leptos_axum::redirect(&format!("/s/{}", space.id));
            Ok(space)
        }
        .await,
    )
}

/// Load a space. Reading changes nothing: the page walks its viewer in afterwards
/// ([`enter_space`]).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn open_space(space_id: Uuid) -> Result<SpaceView, ApiError> {
    use crate::server::live::opening::current_snapshot;
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let me = context::current().await?;
            let snapshot = current_snapshot(&state.db, &state.live, space_id).await?;
            let moderates = me
                .as_ref()
                .is_some_and(|me| ops::moderation::moderates(&state, me.id, &snapshot.space));
            let read = match &me {
                Some(me) => Some(ops::reading::read_state(&state, me, space_id).await?),
                None => None,
            };
            Ok(SpaceView {
                snapshot,
                me,
                moderates,
                read,
                away_after_ms: state.config.away_after.as_millis() as u64,
                read_at: Timestamp::now(),
            })
        }
        .await,
    )
}

/// The signed-in guest walks into a space, as into a room.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn enter_space(space_id: Uuid) -> Result<Being, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::beings::enter(&context::state()?, &me, space_id).await
        }
        .await,
    )
}

/// The next page of the beings in a space (`after`: a snapshot's `more_beings`, or a page's
/// `next`).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn more_beings(space_id: Uuid, after: String) -> Result<Page<BeingState>, ApiError> {
    use crate::server::{context, ops};
    let state = context::state()?;
    context::answer(ops::spaces::list_in_space(&state, space_id, Some(&after), None).await)
}

/// Remove a being from a space (its owner or a moderator only).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn remove_being(space_id: Uuid, being_id: Uuid) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::moderation::remove(&context::state()?, &me, space_id, being_id).await
        }
        .await,
    )
}
