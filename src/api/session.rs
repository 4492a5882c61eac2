//! Who you are: sign in as a guest, rename yourself.

use leptos::prelude::*;

use super::codec::PostJson;
use crate::model::{ApiError, Being};

/// The signed-in guest, if any.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn current_guest() -> Result<Option<Being>, ApiError> {
    use crate::server::context;
    context::answer(context::current().await)
}

/// Become a new guest called `name`.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn join(name: String) -> Result<Being, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let headers = context::headers()?;
            let (guest, cookie) =
                ops::session::join(&state, &headers, context::address()?, &name).await?;
            context::set_cookie(cookie);
            Ok(guest)
        }
        .await,
    )
}

/// Rename the signed-in guest.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn rename_me(name: String) -> Result<Being, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            let changes = ops::beings::BeingChanges {
                name: Some(name),
                location: None,
            };
            ops::beings::update(&context::state()?, &me, me.id, changes).await
        }
        .await,
    )
}
