//! Who and what is in the space, live from the space's store.

use leptos::prelude::*;
use reactive_stores::Field;
use uuid::Uuid;

use super::ErrorNote;
use crate::api::RenameMe;
use crate::model::{Being, BeingKind};
use crate::ui::session::use_session;
use crate::ui::space::{SpaceDataStoreFields, use_space};

#[component]
pub fn Presence(me: Option<Being>) -> impl IntoView {
    let store = use_space().store.0;
    let my_id = me.map(|m| m.id);
    view! {
        <section class="presence card" aria-label="Presence">
            <h2>"Here"</h2>
            <ul>
                <For each=move || store.beings() key=|row| row.read().id let:row>
                    <PresenceRow being=row.into() my_id />
                </For>
            </ul>
        </section>
    }
}

#[component]
fn PresenceRow(being: Field<Being>, my_id: Option<Uuid>) -> impl IntoView {
    let store = use_space().store.0;
    let (id, kind) = being.with_untracked(|b| (b.id, b.kind));
    let mine = Some(id) == my_id;
    let online = move || store.online().read().contains(&id);
    let kind_name = match kind {
        BeingKind::Guest => "guest",
        BeingKind::Space => "space",
        BeingKind::Bot => "bot",
        BeingKind::Document => "document",
    };
    view! {
        <li class=format!("being kind-{kind_name}") class:online=online data-online=move || online().to_string()>
            <span class="dot" aria-hidden="true"></span>
            <span class="name">{move || being.read().name.clone()}</span>
            <span class="visually-hidden">{move || if online() { " (online)" } else { " (offline)" }}</span>
            {(kind != BeingKind::Guest).then(|| view! { <span class="tag">{kind_name}</span> })}
            {mine.then(|| view! { <span class="tag">"you"</span> <RenameControl being /> })}
        </li>
    }
}

/// Your own name, editable in place.
#[component]
fn RenameControl(being: Field<Being>) -> impl IntoView {
    let rename = use_session().rename;
    let editing = RwSignal::new(false);
    // A saved name closes the form; the new name arrives as a delta like everyone else's.
    Effect::new(move |_| {
        if let Some(Ok(_)) = rename.value().get() {
            editing.set(false);
        }
    });
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <button type="button" class="link" on:click=move |_| editing.set(true)>"Rename"</button>
            }
        >
            <RenameForm name=being.read_untracked().name.clone() editing rename />
        </Show>
        {move || rename.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}

#[component]
fn RenameForm(
    name: String,
    editing: RwSignal<bool>,
    rename: ServerAction<RenameMe>,
) -> impl IntoView {
    view! {
        <ActionForm action=rename attr:class="inline-form">
            <label for="rename-input" class="visually-hidden">"Display name"</label>
            <input id="rename-input" name="name" value=name required maxlength="64" />
            <button type="submit">"Save name"</button>
            <button type="button" class="link" on:click=move |_| editing.set(false)>"Cancel"</button>
        </ActionForm>
    }
}
