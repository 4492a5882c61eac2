//! `/link/{token}`: a sign-in link, opened on the other device. It says whom it signs in and
//! asks first; only the button uses the link (a preview that fetches the page uses nothing).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{UseSignInLink, sign_in_link_owner};
use crate::ui::components::ErrorNote;

#[component]
pub fn SignInLinkPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let owner = Resource::new(token, sign_in_link_owner);
    let use_link = ServerAction::<UseSignInLink>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(Ok(())) = use_link.value().get() {
            crate::ui::session::reload_at("/");
        }
    });
    view! {
        <Title text="Sign in with a link · rhizom" />
        <section class="card" aria-labelledby="link-page-heading">
            <h1 id="link-page-heading">"Sign in with a link"</h1>
            <Transition fallback=|| view! { <p>"Checking the link…"</p> }>
                {move || Suspend::new(async move {
                    match owner.await {
                        Ok(name) => view! {
                            <p>"This link signs this device in as " <strong>{name}</strong> "."</p>
                            <p class="hint">
                                "Use it only if you made it yourself, on your other device. "
                                "Whoever this device is now stops being signed in here."
                            </p>
                            <ActionForm action=use_link attr:class="inline-form">
                                <input type="hidden" name="token" value=token() />
                                <button type="submit">"Sign in"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! {
                            <ErrorNote error />
                            <p><a href="/sign-in">"Other ways to sign in"</a></p>
                        }.into_any(),
                    }
                })}
            </Transition>
            {move || use_link.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        </section>
    }
}
