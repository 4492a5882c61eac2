//! Your identity: the profile (passkeys, providers, sign-in links, sessions), how you can sign
//! in, and signing devices out.

use leptos::prelude::*;

use uuid::Uuid;

use super::codec::PostJson;
use crate::model::{ApiError, Profile, SignInChoices};

/// The signed-in being's profile.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn my_profile() -> Result<Profile, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let me = context::reading_session().await?;
            let headers = context::headers()?;
            Ok(Profile {
                sessions: ops::session::list(&state, &me).await?,
                passkeys: ops::passkeys::list(&state, &me).await?,
                passkeys_offered: state.webauthn.is_some(),
                linked: ops::oidc::linked(&state, &me).await?,
                providers: ops::oidc::choices(&state, &headers, true).await?,
                links: ops::sign_in_links::pending(&state, &me).await?,
                being: me.being,
            })
        }
        .await,
    )
}

/// The ways to sign in here.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn ways_to_sign_in() -> Result<SignInChoices, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let headers = context::headers()?;
            let would_strand =
                match ops::ways_back::refuse_to_strand(&state, &headers, Uuid::nil()).await {
                    Err(error) if error.field.as_deref() == Some("confirm") => {
                        context::current().await?.map(|me| me.name)
                    }
                    other => {
                        other?;
                        None
                    }
                };
            Ok(SignInChoices {
                passkeys_offered: state.webauthn.is_some(),
                providers: ops::oidc::choices(&state, &headers, false).await?,
                would_strand,
            })
        }
        .await,
    )
}

/// Signs one of your devices out (this one too: then its cookie goes). Ending the last way
/// back into you needs `confirm`.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn end_session(id: Uuid, confirm: bool) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let me = context::acting_session().await?;
            ops::session::end(&state, &me, id, confirm).await?;
            if id == me.session_id {
                context::set_cookie(state.sessions.clear_cookie());
            }
            Ok(())
        }
        .await,
    )
}

/// Signs every other device out; how many were.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn end_other_sessions() -> Result<usize, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let me = context::acting_session().await?;
            Ok(ops::session::end_all(&state, &me, false, false)
                .await?
                .len())
        }
        .await,
    )
}
