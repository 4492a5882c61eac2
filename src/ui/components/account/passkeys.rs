//! Your passkeys: add one (this device's, a phone, a security key), name it, remove it.

use leptos::prelude::*;
use uuid::Uuid;

use super::confirm::ConfirmOrError;
use crate::api::{RemovePasskey, RenamePasskey};
use crate::model::PasskeyInfo;
use crate::ui::components::{Clock, ErrorNote};

#[component]
pub fn Passkeys(passkeys: Vec<PasskeyInfo>, offered: bool, changed: Callback<()>) -> impl IntoView {
    let remove = ServerAction::<RemovePasskey>::new();
    // The passkey being removed (to ask again, confirmed).
    let removing = RwSignal::new(None::<Uuid>);
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            changed.run(());
        }
    });
    let empty = passkeys.is_empty();
    view! {
        <section class="card" aria-labelledby="passkeys-heading">
            <h2 id="passkeys-heading">"Passkeys"</h2>
            {empty.then(|| view! {
                <p class="hint">"No passkey yet. With one, you can sign in as yourself on any device."</p>
            })}
            <ul class="rows" aria-label="Your passkeys">
                {passkeys.into_iter().map(|passkey| view! {
                    <PasskeyRow passkey remove removing changed />
                }).collect_view()}
            </ul>
            {move || remove.value().get().and_then(Result::err).map(|error| {
                let again = Callback::new(move |()| {
                    if let Some(id) = removing.get_untracked() {
                        remove.dispatch(RemovePasskey { id, confirm: true });
                    }
                });
                view! { <ConfirmOrError error again /> }
            })}
            {offered.then(|| view! { <AddPasskey changed /> })}
            {(!offered).then(|| view! {
                <p class="hint">"Passkeys are off on this server: its public address needs a domain name."</p>
            })}
        </section>
    }
}

#[component]
fn PasskeyRow(
    passkey: PasskeyInfo,
    remove: ServerAction<RemovePasskey>,
    removing: RwSignal<Option<Uuid>>,
    changed: Callback<()>,
) -> impl IntoView {
    let rename = ServerAction::<RenamePasskey>::new();
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = rename.value().get() {
            editing.set(false);
            changed.run(());
        }
    });
    let id: Uuid = passkey.id;
    let last_used = passkey.last_used_at;
    let used = move || match last_used {
        Some(at) => view! { "last used " <Clock at date=true /> }.into_any(),
        None => "never used".into_any(),
    };
    let name = passkey.name.clone();
    view! {
        <li class="row-item">
            <Show
                when=move || editing.get()
                fallback=move || view! {
                    <span class="row-name">{name.clone()}</span>
                    <span class="hint">{used}</span>
                    <button type="button" class="link" on:click=move |_| editing.set(true)>"Rename"</button>
                    <button
                        type="button"
                        class="link danger"
                        on:click=move |_| {
                            removing.set(Some(id));
                            remove.dispatch(RemovePasskey { id, confirm: false });
                        }
                    >
                        "Remove"
                    </button>
                }
            >
                <RenamePasskeyForm id name=passkey.name.clone() editing rename />
            </Show>
            {move || rename.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        </li>
    }
}

#[component]
fn RenamePasskeyForm(
    id: Uuid,
    name: String,
    editing: RwSignal<bool>,
    rename: ServerAction<RenamePasskey>,
) -> impl IntoView {
    let field = format!("passkey-{id}");
    view! {
        <ActionForm action=rename attr:class="inline-form">
            <input type="hidden" name="id" value=id.to_string() />
            <label for=field.clone() class="visually-hidden">"Passkey name"</label>
            <input id=field name="name" value=name required maxlength="64" />
            <button type="submit">"Save"</button>
            <button type="button" class="link" on:click=move |_| editing.set(false)>"Cancel"</button>
        </ActionForm>
    }
}

/// Name it, then the browser makes it.
#[component]
fn AddPasskey(changed: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::from("This device"));
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        problem.set(None);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match make_passkey(name.get_untracked()).await {
                Ok(()) => changed.run(()),
                Err(message) => problem.set(Some(message)),
            }
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = changed;
    };
    view! {
        <form class="inline-form" on:submit=add>
            <label for="new-passkey-name">"New passkey's name"</label>
            <input id="new-passkey-name" bind:value=name required maxlength="64" />
            <button type="submit" disabled=move || !ready.get() || busy.get()>"Add a passkey"</button>
        </form>
        <Show when=move || !ready.get()>
            <p class="hint">"Adding a passkey needs JavaScript, which is off here."</p>
        </Show>
        {move || problem.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
    }
}

#[cfg(feature = "hydrate")]
async fn make_passkey(name: String) -> Result<(), String> {
    let ceremony = crate::api::passkey_registration()
        .await
        .map_err(|e| e.message)?;
    let credential = crate::client::passkeys::create(&ceremony.options).await?;
    crate::api::add_passkey(ceremony.attempt, credential, name)
        .await
        .map(|_| ())
        .map_err(|e| e.message)
}
