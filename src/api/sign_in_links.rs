//! Sign-in links: making one (with its QR code) and cancelling it, and, on the other device,
//! seeing whom it signs in and using it.

use leptos::prelude::*;

use uuid::Uuid;

use super::codec::PostJson;
use crate::model::{ApiError, ShownLink};

/// A new link that signs another device in as you.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn make_sign_in_link() -> Result<ShownLink, ApiError> {
    use crate::server::{context, ops, qr};
    context::answer(
        async {
            let me = context::acting_session().await?;
            let link =
                ops::sign_in_links::create(&context::state()?, &me, &context::headers()?).await?;
            let qr = qr::qr_code(&link.url).ok_or_else(ApiError::internal)?;
            Ok(ShownLink { link, qr })
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = PostJson)]
pub async fn cancel_sign_in_link(id: Uuid) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::acting_session().await?;
            ops::sign_in_links::cancel(&context::state()?, &me, id).await
        }
        .await,
    )
}

/// The name of whom a link signs in (the link stays unused).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn sign_in_link_owner(token: String) -> Result<String, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        ops::sign_in_links::peek(&context::state()?, &token)
            .await
            .map(|being| being.name),
    )
}

/// Signs this device in with a link, then goes home.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn use_sign_in_link(token: String) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let (_, cookie) = ops::sign_in_links::use_link(
                &state,
                &context::headers()?,
                context::address()?,
                &token,
            )
            .await?;
            context::set_cookie(cookie);
            leptos_axum::redirect("/");
            Ok(())
        }
        .await,
    )
}
