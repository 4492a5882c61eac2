//! Signing in: pick a name and become a guest.

use leptos::prelude::*;

use super::ErrorNote;
use crate::ui::session::use_session;

/// "Signed in as …", or the form to pick a name.
#[component]
pub fn Identity() -> impl IntoView {
    let session = use_session();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.me.await {
                    Ok(Some(me)) => view! {
                        <p class="identity">"Signed in as " <strong>{me.name}</strong></p>
                    }.into_any(),
                    _ => view! { <JoinForm /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Pick a display name; works without JavaScript too (a plain form post).
#[component]
pub fn JoinForm() -> impl IntoView {
    let join = use_session().join;
    view! {
        <ActionForm action=join attr:class="inline-form">
            <label for="join-name">"Your name"</label>
            <input id="join-name" name="name" required maxlength="64" autocomplete="nickname" />
            <button type="submit">"Join"</button>
        </ActionForm>
        {move || join.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}
