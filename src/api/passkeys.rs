//! Passkeys: adding, renaming and removing yours, and signing in with one. The browser's part
//! (`navigator.credentials`) is in `crate::client::passkeys`.

use leptos::prelude::*;

use uuid::Uuid;

use super::codec::PostJson;
use crate::model::{ApiError, Being, PasskeyCeremony, PasskeyInfo};

/// The options for adding a passkey.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn passkey_registration() -> Result<PasskeyCeremony, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::acting_session().await?;
            ops::passkeys::start_registration(&context::state()?, &me).await
        }
        .await,
    )
}

/// Adds the passkey the browser made (`credential`: its JSON), called `name`.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn add_passkey(
    attempt: String,
    credential: String,
    name: String,
) -> Result<PasskeyInfo, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::acting_session().await?;
            let state = context::state()?;
            ops::passkeys::finish_registration(&state, &me, &attempt, &credential, &name).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = PostJson)]
pub async fn rename_passkey(id: Uuid, name: String) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::acting_session().await?;
            ops::passkeys::rename(&context::state()?, &me, id, &name).await
        }
        .await,
    )
}

/// Removes a passkey; the last way back into you only with `confirm`.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn remove_passkey(id: Uuid, confirm: bool) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::acting_session().await?;
            ops::passkeys::remove(&context::state()?, &me, id, confirm).await
        }
        .await,
    )
}

/// The options for signing in with a passkey.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn passkey_sign_in() -> Result<PasskeyCeremony, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async { ops::passkeys::start_sign_in(&context::state()?, context::address()?).await }.await,
    )
}

/// Signs this device in with the browser's answer (`credential`: its JSON).
#[server(prefix = "/rpc", output = PostJson)]
pub async fn sign_in_with_passkey(attempt: String, credential: String) -> Result<Being, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let headers = context::headers()?;
            let address = context::address()?;
            let (being, cookie) =
                ops::passkeys::finish_sign_in(&state, &headers, address, &attempt, &credential)
                    .await?;
            context::set_cookie(cookie);
            Ok(being)
        }
        .await,
    )
}
