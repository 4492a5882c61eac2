//! One message. A row reads only its own signals, so a change elsewhere in the list leaves it
//! alone: an edit rewrites one text, a new run header appears on one row.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use leptos::server_fn::ServerFn;

use crate::api::DeleteMessage;
use crate::model::{IntentionKind, IntentionState, mentions};
use crate::ui::components::Clock;
use crate::ui::components::markdown::Markdown;
use crate::ui::components::parts::edit_box_part;
use crate::ui::space::{Message, Outbox, Stamp, Status, Writer, use_space};

#[component]
pub fn MessageRow(
    row: Message,
    my_id: Option<Uuid>,
    my_name: Memo<Option<String>>,
    writer: Option<Writer>,
) -> impl IntoView {
    let followed = use_space();
    let store = followed.store;
    let Stamp { id, owner_id, .. } = row.stamp;
    let intention = RwSignal::from(row.intention);
    let starts_run = RwSignal::from(row.starts_run);
    let outbox = RwSignal::from(row.outbox);
    // Parts of the message, each changing only when it does.
    let content = Memo::new(move |_| intention.with(|i| i.content.clone()));
    let state = Memo::new(move |_| intention.with(|i| i.state));
    // Its time: the page's clock until the server's copy arrives.
    let created_at = Memo::new(move |_| intention.with(|i| i.created_at));
    let kind = row.stamp.kind;
    let author = Memo::new(move |_| store.name_of(owner_id).unwrap_or_else(|| "someone".into()));
    // Others' messages can be deleted by whoever moderates the space.
    let moderator = writer.filter(|_| followed.moderates && Some(owner_id) != my_id);
    let writer = writer.filter(|_| Some(owner_id) == my_id);
    let editing = RwSignal::new(false);
    // Closing the editor puts keyboard focus back on this message's Edit button.
    let edit_button = NodeRef::<html::Button>::new();
    Effect::new(move |was_editing: Option<bool>| {
        let now = editing.get();
        if was_editing == Some(true) && !now {
            request_animation_frame(move || {
                if let Some(button) = edit_button.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
        now
    });
    let streaming = move || matches!(state.get(), IntentionState::Draft | IntentionState::Active);
    // A bot's reply still streaming can be stopped by whom it answers, the bot's owner, or
    // whoever moderates the space.
    let reply_to = intention.with_untracked(|i| i.reply_to);
    let may_stop = Memo::new(move |_| {
        reply_to.is_some()
            && my_id.is_some_and(|me| {
                followed.moderates
                    || store.owner_of(owner_id) == Some(me)
                    || reply_to.and_then(|m| store.author_of(m)) == Some(me)
            })
    });
    let failed = move || state.get() == IntentionState::Failed || kind == IntentionKind::Error;
    let mentions_me = move || {
        Some(owner_id) != my_id
            && my_name.with(|name| {
                name.as_ref()
                    .is_some_and(|name| content.with(|c| mentions(c, name)))
            })
    };
    let line_before = followed.reading.line_before;
    view! {
        <li
            class="message"
            class:run-start=move || starts_run.get()
            class:mine=writer.is_some()
            class:streaming=streaming
            class:failed=failed
            class:pending=move || outbox.read().is_some()
            class:mentions-me=mentions_me
            data-id=id.to_string()
            aria-busy=move || streaming().to_string()
        >
            <Show when=move || line_before.get() == Some(id)>
                <div class="unread-line" role="separator" aria-label="New messages">"New"</div>
            </Show>
            <Show when=move || starts_run.get()>
                <div class="meta">
                    <span class="author">{move || author.get()}</span>
                    <Clock at=created_at />
                </div>
            </Show>
            <Show
                when=move || editing.get()
                fallback=move || view! { <div class="content"><Markdown text=content /></div> }
            >
                {writer.map(|writer| view! {
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(edit_box_part(id, content.get_untracked(), editing, writer))}
                    </Suspense>
                })}
            </Show>
            {move || progress(state.get(), kind)}
            <Show when=move || may_stop.get() && streaming()>
                <button type="button" class="link danger" on:click=move |_| stop(id)>"Stop"</button>
            </Show>
            {move || outbox.get().map(|outbox| view! { <OutboxLine id outbox status=followed.status writer /> })}
            {moderator.map(|writer| view! {
                <div class="actions">
                    <DeleteForm id writer />
                </div>
            })}
            {writer.map(|writer| view! {
                <Show when=move || outbox.read().is_none() && !editing.get()>
                    <div class="actions">
                        <button type="button" class="link" node_ref=edit_button on:click=move |_| editing.set(true)>"Edit"</button>
                        <DeleteForm id writer />
                    </div>
                </Show>
            })}
        </li>
    }
}

/// Stops a reply that is still streaming; the change comes back as a delta like any other.
fn stop(id: Uuid) {
    leptos::task::spawn_local(async move {
        if let Err(error) = crate::api::stop_reply(id).await {
            leptos::logging::warn!("stopping the reply failed: {}", error.message);
        }
    });
}

/// "Delete": at once in the page, and a plain form without JavaScript.
#[component]
fn DeleteForm(id: Uuid, writer: Writer) -> impl IntoView {
    view! {
        <form method="post" action=DeleteMessage::url() class="inline" on:submit=move |ev| {
            ev.prevent_default();
            writer.delete(id);
        }>
            <input type="hidden" name="id" value=id.to_string() />
            <button type="submit" class="link danger">"Delete"</button>
        </form>
    }
}

/// A bot's message still being written, or one that failed.
fn progress(state: IntentionState, kind: IntentionKind) -> Option<AnyView> {
    let (class, text) = match (state, kind) {
        (_, IntentionKind::Error) | (IntentionState::Failed, _) => ("progress failed", "failed"),
        (IntentionState::Draft, _) => ("progress", "starting…"),
        (IntentionState::Active, _) => ("progress", "writing…"),
        (IntentionState::Complete, _) => return None,
    };
    Some(view! { <span class=class>{text}</span> }.into_any())
}

/// Where a message written here stands, with a retry when it was not sent.
#[component]
fn OutboxLine(
    id: Uuid,
    outbox: Outbox,
    status: RwSignal<Status>,
    writer: Option<Writer>,
) -> impl IntoView {
    match outbox {
        Outbox::Failed(reason) => view! {
            <span class="outbox failed" role="alert">
                {format!("not sent — {reason}")}
                {writer.map(|writer| view! {
                    <button type="button" class="link" on:click=move |_| writer.retry(id)>"Retry"</button>
                    <button type="button" class="link danger" on:click=move |_| writer.delete(id)>"Discard"</button>
                })}
            </span>
        }
        .into_any(),
        Outbox::Sending => view! { <span class="outbox">"sending…"</span> }.into_any(),
        Outbox::Held { seconds } => view! {
            <span class="outbox" role="status">
                {format!("too many messages at once — sending in {seconds} s")}
            </span>
        }
        .into_any(),
        Outbox::Queued => view! {
            <span class="outbox">
                {move || match status.get() {
                    Status::Offline => "waiting — will send when you are back online",
                    _ => "waiting to send",
                }}
            </span>
        }
        .into_any(),
    }
}

/// Your message, editable in place: Enter saves, Shift+Enter is a new line, Escape cancels.
/// A part of the client of its own (`ui/components/parts.rs`).
#[component]
pub(in crate::ui::components) fn EditBox(
    id: Uuid,
    text: String,
    editing: RwSignal<bool>,
    writer: Writer,
) -> impl IntoView {
    let input = NodeRef::<html::Textarea>::new();
    let save = move || {
        if let Some(input) = input.get_untracked() {
            let text = input.value();
            if !text.trim().is_empty() {
                writer.edit(id, text);
            }
        }
        editing.set(false);
    };
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let on_key = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Enter" if !ev.shift_key() && !ev.is_composing() => {
            ev.prevent_default();
            save();
        }
        "Escape" => editing.set(false),
        _ => {}
    };
    view! {
        <div class="edit-form">
            <textarea node_ref=input aria-label="Edit message" required maxlength="4000" on:keydown=on_key>{text}</textarea>
            <div class="row">
                <button type="button" on:click=move |_| save()>"Save"</button>
                <button type="button" class="link" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </div>
    }
}
