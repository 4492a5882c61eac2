//! `/sign-in`: every way in — a passkey, the configured providers, or a new guest — and what
//! went wrong last time (`?error=`, from a provider's sign-in).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::ways_to_sign_in;
use crate::ui::components::account::PasskeySignIn;
use crate::ui::components::{ErrorNote, JoinForm};
use crate::ui::session::use_session;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").map(|word| explain(&word));
    let session = use_session();
    let choices = Resource::new(|| (), |_| ways_to_sign_in());
    view! {
        <Title text="Sign in · rhizom" />
        <section class="card sign-in" aria-labelledby="sign-in-heading">
            <h1 id="sign-in-heading">"Sign in"</h1>
            {move || error().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = session.me.await.ok().flatten();
                    me.map(|me| view! {
                        <p class="hint">
                            "You are " <strong>{me.name}</strong> " on this device. Signing in "
                            "here makes this device someone else — or, with a provider account "
                            "you have not used here before, links that account to you."
                        </p>
                    })
                })}
            </Transition>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Ok(choices) => view! {
                            {choices.would_strand.map(|name| view! {
                                <p class="confirm" role="note">
                                    "Nothing but this device leads back to " <strong>{name.clone()}</strong>
                                    ": signing in as someone else would lose " {name} " for good. "
                                    <a href="/me">"Add a passkey or sign out first"</a> "."
                                </p>
                            })}
                            {choices.passkeys_offered.then(|| view! {
                                <h2>"With a passkey"</h2>
                                <PasskeySignIn />
                            })}
                            {(!choices.providers.is_empty()).then(|| view! {
                                <h2>"With an account you have"</h2>
                                <ul class="providers">
                                    {choices.providers.into_iter().map(|provider| view! {
                                        <li><a class="button" href=provider.href>
                                            {format!("Sign in with {}", provider.name)}
                                        </a></li>
                                    }).collect_view()}
                                </ul>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Or continue as a guest"</h2>
            <p class="hint">"Pick a name and you are in: no password, no e-mail."</p>
            <JoinForm />
        </section>
    }
}

/// What went wrong, said by the page: the server sends a word, never the words themselves.
fn explain(word: &str) -> String {
    match word {
        "strand" => "Signing in as someone else here would lose who you are now: nothing else \
                     leads back to them. Add a passkey, or sign out first (from your profile)."
            .to_owned(),
        "linked_elsewhere" => "That account is linked to someone else here already.".to_owned(),
        "rate_limited" => {
            "Too many sign-ins from here just now; wait a little and try again.".to_owned()
        }
        "unavailable" => "The provider cannot be reached just now; try again later.".to_owned(),
        "no_such_provider" => "There is no such provider here.".to_owned(),
        _ => "That sign-in could not be checked; please start again.".to_owned(),
    }
}
