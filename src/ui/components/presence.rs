//! Who and what is in the space, live from the space's store, in three sections: spaces and
//! bots (and documents) here; people online; people offline. Each row reads its own keyed
//! field, so a rename rewrites one name and going offline moves one row.

use leptos::prelude::*;
use reactive_stores::Field;
use uuid::Uuid;

use super::ErrorNote;
use crate::api::RenameMe;
use crate::model::{Being, BeingKind};
use crate::ui::session::use_session;
use crate::ui::space::{SpaceDataStoreFields, use_space};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Things,
    Online,
    Offline,
}

#[component]
pub fn Presence(me: Option<Being>) -> impl IntoView {
    let my_id = me.map(|m| m.id);
    view! {
        <section class="presence card" aria-label="Presence">
            <h2 class="visually-hidden">"Here"</h2>
            <PresenceSection section=Section::Things title="Spaces and bots" my_id />
            <PresenceSection section=Section::Online title="Online" my_id />
            <PresenceSection section=Section::Offline title="Offline" my_id />
        </section>
    }
}

#[component]
fn PresenceSection(section: Section, title: &'static str, my_id: Option<Uuid>) -> impl IntoView {
    let data = use_space().store.data;
    // The ids in this section; rows are keyed by id, so only rows that join or leave it move.
    let ids = Memo::new(move |_| {
        let online = data.online().read();
        data.beings()
            .read()
            .iter()
            .filter(|b| {
                let here = match b.kind {
                    BeingKind::Guest if online.contains(&b.id) => Section::Online,
                    BeingKind::Guest => Section::Offline,
                    _ => Section::Things,
                };
                here == section
            })
            .map(|b| b.id)
            .collect::<Vec<_>>()
    });
    let heading = format!("presence-{}", title.to_lowercase().replace(' ', "-"));
    view! {
        <Show when=move || !ids.read().is_empty()>
            <h3 id=heading.clone()>{title} " " <span class="count">{move || ids.read().len()}</span></h3>
            <ul aria-labelledby=heading.clone() data-section=title.to_lowercase()>
                <For each=move || ids.get() key=|id| *id let:id>
                    <PresenceRow being=data.beings().at_key(id).into() online=section == Section::Online my_id />
                </For>
            </ul>
        </Show>
    }
}

#[component]
fn PresenceRow(being: Field<Being>, online: bool, my_id: Option<Uuid>) -> impl IntoView {
    let (id, kind) = being.with_untracked(|b| (b.id, b.kind));
    let mine = Some(id) == my_id;
    // A being that left may be read once more before its row goes: keep its last name.
    let name = Memo::new(move |prev: Option<&String>| {
        being
            .try_read()
            .map(|b| b.name.clone())
            .or_else(|| prev.cloned())
            .unwrap_or_default()
    });
    let kind_name = match kind {
        BeingKind::Guest => "guest",
        BeingKind::Space => "space",
        BeingKind::Bot => "bot",
        BeingKind::Document => "document",
    };
    view! {
        <li class=format!("being kind-{kind_name}") class:online=online data-online=online.to_string() data-id=id.to_string()>
            <span class="dot" aria-hidden="true"></span>
            {match kind {
                BeingKind::Space => view! { <a class="name" href=format!("/s/{id}")>{move || name.get()}</a> }.into_any(),
                _ => view! { <span class="name">{move || name.get()}</span> }.into_any(),
            }}
            {(kind != BeingKind::Guest).then(|| view! { <span class="tag">{kind_name}</span> })}
            {mine.then(|| view! { <span class="tag">"you"</span> <RenameControl name /> })}
        </li>
    }
}

/// Your own name, editable in place.
#[component]
fn RenameControl(name: Memo<String>) -> impl IntoView {
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
            <RenameForm name=name.get_untracked() editing rename />
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
