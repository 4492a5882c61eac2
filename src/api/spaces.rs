//! Spaces: list, create, open.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::model::{ApiError, Being, IntentionPage};

/// Everything the space page shows, loaded in one call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpaceView {
    pub space: Being,
    /// The beings inside the space (the signed-in guest among them).
    pub beings: Vec<Being>,
    /// The newest messages, newest first.
    pub messages: IntentionPage,
    /// The authors of those messages, for their names.
    pub authors: Vec<Being>,
    pub me: Option<Being>,
}

#[server(prefix = "/rpc")]
pub async fn list_spaces() -> Result<Vec<Being>, ApiError> {
    use crate::server::{context, ops};
    ops::beings::list_spaces(&context::state()?.db).await
}

/// Create a space and go there.
#[server(prefix = "/rpc")]
pub async fn create_space(name: String) -> Result<Being, ApiError> {
    use crate::model::BeingKind;
    use crate::server::{context, ops};
    let me = context::actor().await?;
    let space =
        ops::beings::create(&context::state()?.db, &me, BeingKind::Space, &name, None).await?;
    leptos_axum::redirect(&format!("/s/{}", space.id));
    Ok(space)
}

/// Load a space; a signed-in guest walks into it, as into a room.
#[server(prefix = "/rpc")]
pub async fn open_space(space_id: Uuid) -> Result<SpaceView, ApiError> {
    use crate::server::{context, ops};
    let db = context::state()?.db;
    let me = match context::current().await? {
        Some(me) => Some(ops::beings::enter(&db, &me, space_id).await?),
        None => None,
    };
    let space = ops::beings::get_space(&db, space_id).await?;
    let beings = ops::beings::list_in_space(&db, space_id).await?;
    let messages = ops::intentions::page(&db, space_id, None, None).await?;
    let authors = ops::beings::authors(&db, &messages.items).await?;
    Ok(SpaceView {
        space,
        beings,
        messages,
        authors,
        me,
    })
}
