//! `/me`: your profile — your name, passkeys, linked accounts, a link to sign in on another
//! device, and the devices signed in as you.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::my_profile;
use crate::ui::components::ErrorNote;
use crate::ui::components::account::{Passkeys, Providers, Sessions, SignInLinks};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let refresh = RwSignal::new(0u64);
    let profile = Resource::new(move || refresh.get(), |_| my_profile());
    let changed = Callback::new(move |()| refresh.update(|n| *n += 1));
    view! {
        <Title text="Your profile · rhizom" />
        <Transition fallback=|| view! { <p class="card">"Loading your profile…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(profile) => view! {
                        <section class="card" aria-labelledby="profile-heading">
                            <h1 id="profile-heading">{profile.being.name.clone()}</h1>
                            <p class="hint">"This is you on rhizom: your messages stay yours on every device you sign in with."</p>
                        </section>
                        <Passkeys passkeys=profile.passkeys offered=profile.passkeys_offered changed />
                        <Providers linked=profile.linked providers=profile.providers />
                        <SignInLinks links=profile.links changed />
                        <Sessions sessions=profile.sessions changed />
                    }.into_any(),
                    Err(error) if error.code == crate::model::ErrorCode::Unauthorized => view! {
                        <section class="card">
                            <h1>"Your profile"</h1>
                            <p>"You are not signed in. " <a href="/sign-in">"Sign in"</a></p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <section class="card"><ErrorNote error /></section> }.into_any(),
                }
            })}
        </Transition>
    }
}
