//! Who and what is in the space.

use leptos::prelude::*;

use super::ErrorNote;
use crate::api::RenameMe;
use crate::model::{Being, BeingKind};
use crate::ui::session::use_session;

#[component]
pub fn Presence(beings: Vec<Being>, me: Option<Being>) -> impl IntoView {
    let my_id = me.map(|m| m.id);
    view! {
        <section class="presence card" aria-label="Presence">
            <h2>"Here"</h2>
            <ul>
                {beings.into_iter().map(|being| {
                    let mine = Some(being.id) == my_id;
                    view! { <PresenceRow being mine /> }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn PresenceRow(being: Being, mine: bool) -> impl IntoView {
    let kind = match being.kind {
        BeingKind::Guest => "guest",
        BeingKind::Space => "space",
        BeingKind::Bot => "bot",
        BeingKind::Document => "document",
    };
    view! {
        <li class=format!("being kind-{kind}")>
            <span class="name">{being.name.clone()}</span>
            {(being.kind != BeingKind::Guest).then(|| view! { <span class="tag">{kind}</span> })}
            {mine.then(|| view! { <span class="tag">"you"</span> <RenameControl name=being.name /> })}
        </li>
    }
}

/// Your own name, editable in place.
#[component]
fn RenameControl(name: String) -> impl IntoView {
    let rename = use_session().rename;
    let editing = RwSignal::new(false);
    view! {
        <Show
            when=move || editing.get()
            fallback=move || view! {
                <button type="button" class="link" on:click=move |_| editing.set(true)>"Rename"</button>
            }
        >
            <RenameForm name=name.clone() editing rename />
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
