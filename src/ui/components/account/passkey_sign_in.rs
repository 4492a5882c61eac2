//! "Use a passkey": the browser offers the passkeys it keeps for this site, and the chosen one
//! signs this device in. Passkeys need JavaScript; without it the button says so.

use leptos::prelude::*;

#[component]
pub fn PasskeySignIn() -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The button works once the page runs; before (and without JavaScript) it says why not.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let sign_in = move |_| {
        busy.set(true);
        problem.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match with_passkey().await {
                Ok(()) => crate::ui::session::reload_at("/"),
                Err(message) => {
                    problem.set(Some(message));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <p>
            <button type="button" on:click=sign_in disabled=move || !ready.get() || busy.get()>
                "Use a passkey"
            </button>
        </p>
        <Show when=move || !ready.get()>
            <p class="hint">"Passkeys need JavaScript, which is off here."</p>
        </Show>
        {move || problem.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
    }
}

/// Asks the browser for a passkey and signs in with it.
#[cfg(feature = "hydrate")]
async fn with_passkey() -> Result<(), String> {
    let ceremony = crate::api::passkey_sign_in().await.map_err(|e| e.message)?;
    let credential = crate::client::passkeys::get(&ceremony.options).await?;
    crate::api::sign_in_with_passkey(ceremony.attempt, credential)
        .await
        .map(|_| ())
        .map_err(|e| e.message)
}
