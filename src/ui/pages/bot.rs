//! `/b/{id}`: a bot's page, for its owner — its settings, the tokens a program acts as it with,
//! and its latest wakes: what woke it, what became of each, and why one failed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::{bot_page, configure_bot, make_bot_token, revoke_bot_token};
use crate::model::{BotPanel, BotSettings, NewBotToken};
use crate::ui::components::ErrorNote;
use crate::ui::components::bots::BotSettingsForm;

#[component]
pub fn BotPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::try_parse(&id).ok())
    });
    let refresh = RwSignal::new(0u64);
    let panel = Resource::new(
        move || (id.get(), refresh.get()),
        |(id, _)| async move {
            match id {
                Some(id) => bot_page(id).await,
                None => Err(crate::model::ApiError::not_found("bot")),
            }
        },
    );
    let changed = Callback::new(move |()| refresh.update(|n| *n += 1));
    // What is shown once (a new signing secret, a new token) outlives the page's reloads.
    let shown = RwSignal::new(None::<String>);
    view! {
        <Title text="A bot · rhizom" />
        <Transition fallback=|| view! { <p class="card">"Loading the bot…"</p> }>
            {move || Suspend::new(async move {
                match panel.await {
                    Ok(panel) => view! { <Bot panel changed shown /> }.into_any(),
                    Err(error) => view! { <section class="card"><ErrorNote error /></section> }.into_any(),
                }
            })}
        </Transition>
        {move || shown.get().map(|secret| view! {
            <section class="card confirm" role="status">
                <p>"Shown this once — copy it now: " <code>{secret}</code></p>
                <button type="button" class="link" on:click=move |_| shown.set(None)>"Done"</button>
            </section>
        })}
    }
}

#[component]
fn Bot(panel: BotPanel, changed: Callback<()>, shown: RwSignal<Option<String>>) -> impl IntoView {
    let BotPanel {
        being,
        bot,
        tokens,
        wakes,
    } = panel;
    let bot_id = being.id;
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(None::<Result<(), crate::model::ApiError>>);
    let on_submit = Callback::new(move |settings: BotSettings| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = configure_bot(bot_id, settings).await;
            if let Some(secret) = answer
                .as_ref()
                .ok()
                .and_then(|view| view.signing_secret.clone())
            {
                shown.set(Some(format!("the webhook's signing secret: {secret}")));
            }
            saved.set(Some(answer.map(|_| ())));
            busy.set(false);
        });
    });
    let problem = RwSignal::new(None::<crate::model::ApiError>);
    let make = move |_| {
        leptos::task::spawn_local(async move {
            match make_bot_token(bot_id).await {
                Ok(NewBotToken { token, .. }) => {
                    shown.set(Some(format!("the new token: {token}")));
                    changed.run(());
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="bot-heading">
            <h1 id="bot-heading">{being.name.clone()}</h1>
            {being.location_id.map(|space| view! { <p><a href=format!("/s/{space}")>"Its space"</a></p> })}
            <BotSettingsForm initial=bot submit="Save the settings" on_submit busy=busy.into() />
            {move || saved.get().map(|saved| match saved {
                Ok(()) => view! { <p role="status">"Saved."</p> }.into_any(),
                Err(error) => view! { <ErrorNote error /> }.into_any(),
            })}
        </section>
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"Tokens"</h2>
            <p class="hint">"A program with a token acts as this bot, and only as it: "
                <code>"Authorization: Bearer <token>"</code> "."</p>
            <ul class="rows" aria-label="The bot's tokens">
                {tokens.into_iter().map(|token| {
                    let token_id = token.id;
                    let revoke = move |_| leptos::task::spawn_local(async move {
                        let _ = revoke_bot_token(bot_id, token_id).await;
                        changed.run(());
                    });
                    view! {
                        <li class="row-item">
                            <span class="hint">{format!("made {}", token.created_at.to_rfc3339())}</span>
                            <button type="button" class="link danger" on:click=revoke>"Revoke"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <button type="button" on:click=make>"Make a token"</button>
            {move || problem.get().map(|error| view! { <ErrorNote error /> })}
        </section>
        <section class="card" aria-labelledby="wakes-heading">
            <h2 id="wakes-heading">"What woke it"</h2>
            <ul class="rows" aria-label="The bot's latest wakes">
                {wakes.into_iter().map(|wake| view! {
                    <li class="row-item">
                        <span class="row-name">{wake.state.clone()}</span>
                        <span class="hint">{format!("{} · {} tries", wake.created_at.to_rfc3339(), wake.attempts)}</span>
                        {wake.last_error.map(|error| view! { <span class="error">{error}</span> })}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}
