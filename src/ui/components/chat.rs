//! The conversation: messages oldest to newest, your own editable, and the composer.

use std::collections::HashMap;

use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use super::ErrorNote;
use crate::api::{DeleteMessage, EditMessage, PostMessage};
use crate::model::{Being, Intention};

/// The actions the chat dispatches; the page reloads its data when they complete.
#[derive(Clone, Copy)]
pub struct ChatActions {
    pub post: ServerAction<PostMessage>,
    pub edit: ServerAction<EditMessage>,
    pub delete: ServerAction<DeleteMessage>,
}

#[component]
pub fn Chat(
    space_id: Uuid,
    /// Newest first, as the API pages them.
    messages: Vec<Intention>,
    authors: Vec<Being>,
    me: Option<Being>,
    actions: ChatActions,
) -> impl IntoView {
    let names: HashMap<Uuid, String> = authors.into_iter().map(|b| (b.id, b.name)).collect();
    let my_id = me.as_ref().map(|m| m.id);
    let rows = messages
        .into_iter()
        .rev()
        .map(|message| {
            let author = names
                .get(&message.owner_id)
                .cloned()
                .unwrap_or_else(|| "someone".to_owned());
            let mine = Some(message.owner_id) == my_id;
            view! { <MessageRow message author mine actions /> }
        })
        .collect_view();
    view! {
        <section class="chat card" aria-label="Chat">
            <ol aria-label="Messages" class="messages">{rows}</ol>
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
    message: Intention,
    author: String,
    mine: bool,
    actions: ChatActions,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let id = message.id;
    let content = message.content.clone();
    view! {
        <li class="message" data-id=id.to_string()>
            <div class="meta">
                <span class="author">{author}</span>
                <time datetime=message.created_at.to_rfc3339()>{message.created_at.hour_minute()}</time>
            </div>
            <Show
                when=move || editing.get()
                fallback={
                    let content = content.clone();
                    move || view! { <p class="content">{content.clone()}</p> }
                }
            >
                <EditForm id content=message.content.clone() editing edit=actions.edit />
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
