//! Messages: post, edit, delete, and saying you are writing one.

use leptos::prelude::*;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::codec::PostJson;
use crate::model::{ApiError, Being, Intention, Page};

/// An older page of a space's messages, with the names of their authors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OlderPage {
    pub page: Page<Intention>,
    /// Every author of the page's messages, wherever they are now.
    pub authors: Vec<Being>,
}

/// The page of messages before `before` (a cursor from a snapshot's `more` or a page's `next`).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn older_messages(space_id: Uuid, before: String) -> Result<OlderPage, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let page = ops::intentions::page(&state, space_id, Some(&before), None).await?;
            let mut owners: Vec<Uuid> = page.items.iter().map(|i| i.owner_id).collect();
            owners.sort_unstable();
            owners.dedup();
            let authors = ops::beings::get_many(&state, &owners).await?;
            Ok(OlderPage { page, authors })
        }
        .await,
    )
}

/// Post a message; `id` is chosen by the client so that sending twice stores it once.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn post_message(
    space_id: Uuid,
    id: Option<Uuid>,
    content: String,
) -> Result<Intention, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            let new = ops::intentions::NewIntention {
                id,
                content: &content,
                ..Default::default()
            };
            let state = context::state()?;
            let (intention, _) = ops::intentions::post(&state, &me, space_id, new).await?;
            Ok(intention)
        }
        .await,
    )
}

/// Tell the space you are writing a message (its live streams show it for a few seconds).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn say_typing(space_id: Uuid) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            let state = context::state()?;
            ops::typing::typing(&state, &me, space_id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = PostJson)]
pub async fn edit_message(id: Uuid, content: String) -> Result<Intention, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::intentions::edit(&context::state()?, &me, id, Some(&content), None).await
        }
        .await,
    )
}

/// Delete a message (its author, or whoever moderates its space).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn delete_message(id: Uuid) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::intentions::delete(&context::state()?, &me, id).await
        }
        .await,
    )
}
