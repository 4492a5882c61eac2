//! A bot's settings as a form: what wakes it, and what answers for it — a model (an
//! OpenAI-compatible endpoint), a webhook, or a program with the bot's token. A key already
//! set is kept when the field is left empty.

use leptos::prelude::*;

use crate::model::{BotSettings, BotView, EngineSettings, EngineView, WakesOn};

#[component]
pub fn BotSettingsForm(
    /// What the bot has now (to change), or nothing (a new bot).
    initial: Option<BotView>,
    /// The button's words.
    submit: &'static str,
    /// Called with the settings when the form is sent.
    on_submit: Callback<BotSettings>,
    /// Set while a send is under way.
    busy: Signal<bool>,
) -> impl IntoView {
    let (engine, base_url, model, prompt, history, key_set, url) =
        match initial.as_ref().map(|b| &b.engine) {
            Some(EngineView::Openai {
                base_url,
                model,
                system_prompt,
                history,
                api_key_set,
            }) => (
                "openai",
                base_url.clone(),
                model.clone(),
                system_prompt.clone(),
                *history,
                *api_key_set,
                String::new(),
            ),
            Some(EngineView::Webhook { url }) => (
                "webhook",
                String::new(),
                String::new(),
                String::new(),
                20,
                false,
                url.clone(),
            ),
            Some(EngineView::Program) => (
                "program",
                String::new(),
                String::new(),
                String::new(),
                20,
                false,
                String::new(),
            ),
            None => (
                "openai",
                String::new(),
                String::new(),
                String::new(),
                20,
                false,
                String::new(),
            ),
        };
    let wakes_on = initial.as_ref().map(|b| b.wakes_on).unwrap_or_default();
    let engine = RwSignal::new(engine.to_owned());
    let wakes_on = RwSignal::new(wakes_on.as_str().to_owned());
    let base_url = RwSignal::new(base_url);
    let model = RwSignal::new(model);
    let prompt = RwSignal::new(prompt);
    let history = RwSignal::new(history.to_string());
    let api_key = RwSignal::new(String::new());
    let url = RwSignal::new(url);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let engine = match engine.get_untracked().as_str() {
            "webhook" => EngineSettings::Webhook {
                url: url.get_untracked(),
            },
            "program" => EngineSettings::Program,
            _ => EngineSettings::Openai {
                base_url: base_url.get_untracked(),
                model: model.get_untracked(),
                system_prompt: prompt.get_untracked(),
                api_key: Some(api_key.get_untracked()).filter(|k| !k.trim().is_empty()),
                history: history.get_untracked().trim().parse().ok(),
            },
        };
        let wakes_on = WakesOn::parse(&wakes_on.get_untracked()).unwrap_or_default();
        on_submit.run(BotSettings { wakes_on, engine });
    };
    let is = move |kind: &'static str| move || engine.get() == kind;
    view! {
        <form class="bot-settings" on:submit=send>
            <label>"Answers with "
                <select bind:value=engine>
                    <option value="openai">"a model (OpenAI-compatible)"</option>
                    <option value="webhook">"a webhook"</option>
                    <option value="program">"a program with its token"</option>
                </select>
            </label>
            <label>"Wakes on "
                <select bind:value=wakes_on>
                    <option value="every_message">"every message"</option>
                    <option value="mentions">"mentions of its name (@Name)"</option>
                </select>
            </label>
            <Show when=is("openai")>
                <label>"Base URL " <input type="url" bind:value=base_url required placeholder="https://openrouter.ai/api/v1" /></label>
                <label>"Model " <input bind:value=model required /></label>
                <label>"System prompt " <textarea bind:value=prompt rows="3"></textarea></label>
                <label>"API key "
                    <input type="password" bind:value=api_key autocomplete="off"
                        placeholder=if key_set { "set — leave empty to keep it" } else { "none" } />
                </label>
                <label>"Messages of history " <input type="number" min="1" max="100" bind:value=history /></label>
            </Show>
            <Show when=is("webhook")>
                <label>"Webhook URL " <input type="url" bind:value=url required /></label>
            </Show>
            <Show when=is("program")>
                <p class="hint">"Nothing is called: make a token on the bot's page and run your program with it."</p>
            </Show>
            <button type="submit" disabled=move || busy.get()>{submit}</button>
        </form>
    }
}
