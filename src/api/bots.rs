//! Bots, from the page: adding one to a space, its owner's page (settings, tokens, what woke it
//! and what came of it), and stopping a reply that is still streaming. Settings travel as JSON
//! (they are nested), so these calls need JavaScript.

use leptos::prelude::*;

use uuid::Uuid;

use super::codec::PostJson;
use crate::model::{
    ApiError, BeingWithBot, BotPanel, BotSettings, BotView, Intention, NewBotToken,
};

/// Adds a bot called `name` to `space_id`, set up with `settings`.
#[server(prefix = "/rpc", input = PostJson, output = PostJson)]
pub async fn add_bot(
    space_id: Uuid,
    name: String,
    settings: BotSettings,
) -> Result<BeingWithBot, ApiError> {
    use crate::model::BeingKind;
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let me = context::actor().await?;
            ops::bots::validate(&settings)?;
            let being =
                ops::beings::create(&state, &me, BeingKind::Bot, &name, Some(space_id)).await?;
            let bot = ops::bots::configure(&state, &me, being.id, settings).await?;
            Ok(BeingWithBot {
                being,
                bot: Some(bot),
            })
        }
        .await,
    )
}

/// A bot's page, for its owner.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn bot_page(bot_id: Uuid) -> Result<BotPanel, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let state = context::state()?;
            let me = context::reading_session().await?.being;
            let being = ops::beings::get(&state, bot_id).await?;
            Ok(BotPanel {
                bot: ops::bots::view(&state, Some(&me), &being).await?,
                tokens: ops::bot_tokens::tokens(&state, &me, bot_id).await?,
                wakes: ops::bots::wakes(&state, &me, bot_id).await?,
                being,
            })
        }
        .await,
    )
}

/// Sets a bot's settings (an OpenAI key left out is kept).
#[server(prefix = "/rpc", input = PostJson, output = PostJson)]
pub async fn configure_bot(bot_id: Uuid, settings: BotSettings) -> Result<BotView, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::bots::configure(&context::state()?, &me, bot_id, settings).await
        }
        .await,
    )
}

/// A new token for a bot: shown once.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn make_bot_token(bot_id: Uuid) -> Result<NewBotToken, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::bot_tokens::create_token(&context::state()?, &me, bot_id).await
        }
        .await,
    )
}

#[server(prefix = "/rpc", output = PostJson)]
pub async fn revoke_bot_token(bot_id: Uuid, token_id: Uuid) -> Result<(), ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::bot_tokens::revoke_token(&context::state()?, &me, bot_id, token_id).await
        }
        .await,
    )
}

/// Stops a bot's reply that is still streaming.
#[server(prefix = "/rpc", output = PostJson)]
pub async fn stop_reply(id: Uuid) -> Result<Intention, ApiError> {
    use crate::server::{context, ops};
    context::answer(
        async {
            let me = context::actor().await?;
            ops::intentions::stop(&context::state()?, &me, id).await
        }
        .await,
    )
}
