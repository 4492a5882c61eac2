//! Spaces: list, create, open.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{ApiError, Being};
use crate::sync::Snapshot;

/// Everything the space page shows: the space's state at one position (from which the live
/// stream resumes, so nothing is fetched twice) and who is looking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpaceView {
    pub snapshot: Snapshot,
    pub me: Option<Being>,
}

#[server(prefix = "/rpc")]
pub async fn list_spaces() -> Result<Vec<Being>, ApiError> {
    use crate::server::{context, ops};
    ops::beings::list_spaces(&context::state()?).await
}

/// Create a space and go there.
#[server(prefix = "/rpc")]
pub async fn create_space(name: String) -> Result<Being, ApiError> {
    use crate::model::BeingKind;
    use crate::server::{context, ops};
    let me = context::actor().await?;
    let space = ops::beings::create(&context::state()?, &me, BeingKind::Space, &name, None).await?;
    leptos_axum::redirect(&format!("/s/{}", space.id));
    Ok(space)
}

/// Load a space; a signed-in guest walks into it, as into a room.
#[server(prefix = "/rpc")]
pub async fn open_space(space_id: Uuid) -> Result<SpaceView, ApiError> {
    use crate::server::live::opening::current_snapshot;
    use crate::server::{context, ops};
    let state = context::state()?;
    let me = match context::current().await? {
        Some(me) => Some(ops::beings::enter(&state, &me, space_id).await?),
        None => None,
    };
    let snapshot = current_snapshot(&state.db, &state.live, space_id).await?;
    Ok(SpaceView { snapshot, me })
}
