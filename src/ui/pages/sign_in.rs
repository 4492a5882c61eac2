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
    let error = move || query.read().get("error");
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
                            "here makes this device someone else — or, with a provider you have "
                            "not used before, links it to you."
                        </p>
                    })
                })}
            </Transition>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Ok(choices) => view! {
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
