//! Who and what is in the space, live from the space's store, in three sections: spaces and
//! bots (and documents) here; people online; people offline. Each row reads its own keyed
//! field, so a rename rewrites one name and going offline moves one row. A big space shows its
//! first beings and a button for the next page; whoever moderates the space can remove a
//! being from it, and you can rename yourself (a part of the client of its own).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::task::spawn_local;
use reactive_stores::Field;
use uuid::Uuid;

use super::ErrorNote;
use super::parts::rename_part;
use crate::api::{RemoveBeing, RenameMe, more_beings, remove_being};
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
    let notice = RwSignal::new(None::<String>);
    provide_context(PresenceNotice(notice));
    view! {
        <section class="presence card" aria-label="Presence">
            <h2 class="visually-hidden">"Here"</h2>
            <PresenceSection section=Section::Things title="Spaces and bots" my_id />
            <PresenceSection section=Section::Online title="Online" my_id />
            <PresenceSection section=Section::Offline title="Offline" my_id />
            <MoreBeings />
            {move || notice.get().map(|text| view! { <p class="error" role="alert">{text}</p> })}
        </section>
    }
}

/// What went wrong with a removal, for the reader.
#[derive(Clone, Copy)]
struct PresenceNotice(RwSignal<Option<String>>);

/// The next page of beings, while the space has more than the page shows.
#[component]
fn MoreBeings() -> impl IntoView {
    let store = use_space().store;
    let loading = RwSignal::new(false);
    let notice = expect_context::<PresenceNotice>().0;
    let load = move |_| {
        let Some(after) = store.data.more_beings().get_untracked() else {
            return;
        };
        loading.set(true);
        let space_id = store.space_id_untracked();
        spawn_local(async move {
            match more_beings(space_id, after).await {
                Ok(page) => store.append_beings(page),
                Err(error) => {
                    notice.set(Some(format!("More could not be shown: {}", error.message)))
                }
            }
            let _ = loading.try_set(false);
        });
    };
    view! {
        <Show when=move || store.data.more_beings().read().is_some()>
            <button type="button" class="link" disabled=move || loading.get() on:click=load>
                "Show more of who is here"
            </button>
        </Show>
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
    let (id, kind, owner) = being.with_untracked(|b| (b.id, b.kind, b.owner_id));
    let data = use_space().store.data;
    // Online, but every page of theirs here has been hidden for a while.
    let away = move || online && data.away().with(|ids| ids.contains(&id));
    let mine = Some(id) == my_id;
    let my_bot = kind == BeingKind::Bot && owner.is_some() && owner == my_id;
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
        <li class=format!("being kind-{kind_name}") class:online=online class:away=away data-online=online.to_string() data-away=move || away().to_string() data-id=id.to_string()>
            <span class="dot" aria-hidden="true"></span>
            {match kind {
                BeingKind::Space => view! { <a class="name" href=format!("/s/{id}")>{move || name.get()}</a> }.into_any(),
                _ => view! { <span class="name">{move || name.get()}</span> }.into_any(),
            }}
            {(kind != BeingKind::Guest).then(|| view! { <span class="tag">{kind_name}</span> })}
            <Show when=away>
                <span class="tag away">"away"</span>
            </Show>
            {mine.then(|| view! {
                <span class="tag">"you"</span>
                <Suspense fallback=|| ()>{move || Suspend::new(rename_part(name))}</Suspense>
            })}
            {my_bot.then(|| view! { <a href=format!("/b/{id}") aria-label=move || format!("Settings of {}", name.get())>"Settings"</a> })}
            {(!mine).then(|| view! { <RemoveControl id name /> })}
        </li>
    }
}

/// "Remove" on a being's row, for whoever moderates the space (never on its owner). Without
/// JavaScript it is a form like any other.
#[component]
fn RemoveControl(id: Uuid, name: Memo<String>) -> impl IntoView {
    let followed = use_space();
    let store = followed.store;
    let space_id = store.space_id_untracked();
    let owner = store.data.space().with_untracked(|space| space.owner_id);
    let notice = expect_context::<PresenceNotice>().0;
    (followed.moderates && owner != Some(id)).then(|| {
        let remove = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            spawn_local(async move {
                if let Err(error) = remove_being(space_id, id).await {
                    notice.set(Some(format!("Could not remove: {}", error.message)));
                }
            });
        };
        view! {
            <form method="post" action=RemoveBeing::url() class="inline" on:submit=remove>
                <input type="hidden" name="space_id" value=space_id.to_string() />
                <input type="hidden" name="being_id" value=id.to_string() />
                <button type="submit" class="link danger" aria-label=move || format!("Remove {} from this space", name.get())>
                    "Remove"
                </button>
            </form>
        }
    })
}

/// Your own name, editable in place. A part of the client of its own
/// (`ui/components/parts.rs`).
#[component]
pub(super) fn RenameControl(name: Memo<String>) -> impl IntoView {
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
                <button type="button" class="link" data-part="rename" on:click=move |_| editing.set(true)>"Rename"</button>
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
