//! Messages: post, edit, delete.

use leptos::prelude::*;
use uuid::Uuid;

use crate::model::{ApiError, Intention};

/// Post a message; `id` is chosen by the client so that sending twice stores it once.
#[server(prefix = "/rpc")]
pub async fn post_message(
    space_id: Uuid,
    id: Option<Uuid>,
    content: String,
) -> Result<Intention, ApiError> {
    use crate::server::{context, ops};
    let me = context::actor().await?;
    let (intention, _) =
        ops::intentions::post(&context::state()?, &me, space_id, id, &content).await?;
    Ok(intention)
}

#[server(prefix = "/rpc")]
pub async fn edit_message(id: Uuid, content: String) -> Result<Intention, ApiError> {
    use crate::server::{context, ops};
    let me = context::actor().await?;
    ops::intentions::edit(&context::state()?, &me, id, &content).await
}

#[server(prefix = "/rpc")]
pub async fn delete_message(id: Uuid) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    let me = context::actor().await?;
    ops::intentions::delete(&context::state()?, &me, id).await
}
