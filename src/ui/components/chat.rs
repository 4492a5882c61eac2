//! The conversation: messages oldest to newest, your own editable, and the composer.

use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use super::ErrorNote;
use crate::api::{DeleteMessage, EditMessage, PostMessage};
use reactive_stores::Field;

use crate::model::{Being, Intention};
use crate::ui::space::{SpaceDataStoreFields, use_space};

/// The actions the chat dispatches; the page reloads its data when they complete.
#[derive(Clone, Copy)]
pub struct ChatActions {
    pub post: ServerAction<PostMessage>,
    pub edit: ServerAction<EditMessage>,
    pub delete: ServerAction<DeleteMessage>,
}

#[component]
pub fn Chat(me: Option<Being>, actions: ChatActions) -> impl IntoView {
    let space = use_space();
    let store = space.store.0;
    let space_id = store.space().with_untracked(|s| s.id);
    let my_id = me.as_ref().map(|m| m.id);
    view! {
        <section class="chat card" aria-label="Chat">
            <ol aria-label="Messages" class="messages">
                <For each=move || store.intentions() key=|row| row.read().id let:row>
                    <MessageRow message=row.into() my_id actions />
                </For>
            </ol>
            {match me {
                Some(_) => view! { <Composer space_id post=actions.post /> }.into_any(),
                None => view! { <p>"Pick a name to join the conversation."</p> <super::JoinForm /> }.into_any(),
            }}
            {move || actions.edit.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
            {move || actions.delete.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        </section>
    }
}

#[component]
fn MessageRow(
    message: Field<Intention>,
    my_id: Option<Uuid>,
    actions: ChatActions,
) -> impl IntoView {
    let store = use_space().store;
    let (id, owner_id, created_at) = message.with_untracked(|m| (m.id, m.owner_id, m.created_at));
    let mine = Some(owner_id) == my_id;
    let editing = RwSignal::new(false);
    // An edit that went through closes the form; the new text arrives as a delta.
    Effect::new(move |_| {
        if let Some(Ok(edited)) = actions.edit.value().get()
            && edited.id == id
        {
            editing.set(false);
        }
    });
    let author = move || {
        store
            .name_of(owner_id)
            .unwrap_or_else(|| "someone".to_owned())
    };
    view! {
        <li class="message" data-id=id.to_string()>
            <div class="meta">
                <span class="author">{author}</span>
                <time datetime=created_at.to_rfc3339()>{created_at.hour_minute()}</time>
            </div>
            <Show
                when=move || editing.get()
                fallback=move || view! { <p class="content">{move || message.read().content.clone()}</p> }
            >
                <EditForm id content=message.read_untracked().content.clone() editing edit=actions.edit />
            </Show>
            {mine.then(|| view! {
                <div class="actions">
                    <button type="button" class="link" on:click=move |_| editing.set(true)>"Edit"</button>
                    <ActionForm action=actions.delete attr:class="inline">
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit" class="link danger">"Delete"</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}

/// Your message, editable in place.
#[component]
fn EditForm(
    id: Uuid,
    content: String,
    editing: RwSignal<bool>,
    edit: ServerAction<EditMessage>,
) -> impl IntoView {
    view! {
        <ActionForm action=edit attr:class="edit-form">
            <input type="hidden" name="id" value=id.to_string() />
            <textarea name="content" aria-label="Edit message" required maxlength="4000">{content}</textarea>
            <div class="row">
                <button type="submit">"Save"</button>
                <button type="button" class="link" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </ActionForm>
    }
}

/// Write and send. Each message carries an id made here, so a resent form is stored once.
#[component]
fn Composer(space_id: Uuid, post: ServerAction<PostMessage>) -> impl IntoView {
    let next_id = RwSignal::new(Uuid::new_v4());
    let form = NodeRef::<html::Form>::new();
    // A sent message clears the composer and takes a fresh id for the next one.
    Effect::new(move |_| {
        if let Some(Ok(_)) = post.value().get() {
            if let Some(form) = form.get() {
                form.reset();
            }
            next_id.set(Uuid::new_v4());
        }
    });
    view! {
        <ActionForm action=post node_ref=form attr:class="composer">
            <input type="hidden" name="space_id" value=space_id.to_string() />
            <input type="hidden" name="id" prop:value=move || next_id.get().to_string() />
            <label for="composer-text" class="visually-hidden">"Message"</label>
            <textarea id="composer-text" name="content" required maxlength="4000" rows="2" placeholder="Say something"></textarea>
            <button type="submit">"Send"</button>
        </ActionForm>
        {move || post.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
    }
}
