//! "Add a bot" under a space's presence: a name and its settings; the bot joins the space. A
//! webhook's signing secret is shown here, once. Only a signed-in reader sees it, so its code
//! is a part of the client of its own (`ui/components/parts.rs`).

use leptos::prelude::*;
use uuid::Uuid;

use super::BotSettingsForm;
use crate::api::add_bot;
use crate::model::{BeingWithBot, BotSettings};
use crate::ui::components::ErrorNote;

#[component]
pub fn AddBot(space_id: Uuid) -> impl IntoView {
    let open = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let added = RwSignal::new(None::<BeingWithBot>);
    let problem = RwSignal::new(None::<crate::model::ApiError>);
    let on_submit = Callback::new(move |settings: BotSettings| {
        busy.set(true);
        problem.set(None);
        let name = name.get_untracked();
        leptos::task::spawn_local(async move {
            match add_bot(space_id, name, settings).await {
                Ok(bot) => {
                    added.set(Some(bot));
                    open.set(false);
                }
                Err(error) => problem.set(Some(error)),
            }
            busy.set(false);
        });
    });
    view! {
        <section class="card add-bot" data-part="add-bot" aria-labelledby="add-bot-heading">
            <h2 id="add-bot-heading">"Bots"</h2>
            <Show
                when=move || open.get()
                fallback=move || view! {
                    <button type="button" class="link" on:click=move |_| { open.set(true); added.set(None); }>"Add a bot"</button>
                }
            >
                <label>"Bot's name " <input bind:value=name required maxlength="64" /></label>
                <BotSettingsForm initial=None submit="Add the bot" on_submit busy=busy.into() />
                <button type="button" class="link" on:click=move |_| open.set(false)>"Cancel"</button>
            </Show>
            {move || problem.get().map(|error| view! { <ErrorNote error /> })}
            {move || added.get().map(|added| view! {
                <p role="status">
                    {format!("{} is here. ", added.being.name)}
                    <a href=format!("/b/{}", added.being.id)>"Its settings and tokens"</a>
                </p>
                {added.bot.and_then(|bot| bot.signing_secret).map(|secret| view! {
                    <p class="confirm">
                        "The webhook's signing secret, shown this once: " <code>{secret}</code>
                    </p>
                })}
            })}
        </section>
    }
}
