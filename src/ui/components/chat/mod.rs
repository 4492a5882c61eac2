//! The conversation: the messages this page holds, oldest to newest, and the composer.
//!
//! The list stays at the bottom while you read the newest; when you have scrolled up, new
//! messages wait behind an "N new messages" button. Scrolling to the top loads the next older
//! page, keeping what you were reading where it was.

pub(super) mod composer;
mod mention_menu;
pub(super) mod message;
mod scroll;

use leptos::prelude::*;
use leptos::task::spawn_local;

use self::message::MessageRow;
use self::scroll::Scroller;
use crate::api::older_messages;
use crate::model::Being;
use crate::ui::components::parts::composer_part;
use crate::ui::space::{SpaceDataStoreFields, Status, Writer, now_ms, use_space};

#[component]
pub fn Chat(me: Option<Being>) -> impl IntoView {
    let followed = use_space();
    let store = followed.store;
    let data = store.data;
    let my_id = me.as_ref().map(|m| m.id);
    let writer = my_id.map(|id| Writer::new(followed, id));
    let scroller = Scroller::new();
    let unseen = RwSignal::new(0_u32);
    let announcement = RwSignal::new(String::new());
    let loading = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);

    // A message from someone else at the end: follow it if you were at the bottom, count it if
    // not, and announce it to screen readers either way.
    Effect::new(move |_| {
        let batch = store.arrivals.with(Clone::clone);
        if batch.is_empty() {
            return;
        }
        store.arrivals.update_untracked(Vec::clear);
        let from_others: Vec<_> = batch
            .into_iter()
            .filter(|a| Some(a.owner_id) != my_id)
            .collect();
        let now = now_ms();
        for arrival in &from_others {
            followed.typists.stopped(arrival.owner_id, now);
        }
        if from_others.is_empty() || scroller.at_bottom.get_untracked() {
            scroller.to_bottom();
        } else {
            unseen.update(|n| *n += from_others.len() as u32);
        }
        if !from_others.is_empty() {
            let said = untrack(|| {
                from_others
                    .iter()
                    .map(|a| {
                        let name = store
                            .name_of(a.owner_id)
                            .unwrap_or_else(|| "someone".into());
                        format!("{name}: {}", a.content)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            announcement.set(said);
        }
    });
    Effect::new(move |_| {
        if scroller.at_bottom.get() {
            unseen.set(0);
        }
    });
    // Messages written while the connection was down go out when it is back.
    Effect::new(move |_| {
        if matches!(followed.status.get(), Status::Live | Status::Polling)
            && let Some(writer) = writer
        {
            writer.pump();
        }
    });
    // Open at the newest message.
    Effect::new(move |_| scroller.to_bottom());
    #[cfg(feature = "hydrate")]
    crate::client::keep_marked(store.space_id_untracked(), followed, scroller.at_bottom);
    // What was written here before and never reached the server waits again.
    #[cfg(feature = "hydrate")]
    if let Some(writer) = writer {
        Effect::new(move |_| untrack(move || writer.restore()));
    }
    // Messages that mention the reader are marked out.
    let my_name = Memo::new(move |_| my_id.and_then(|id| store.name_of(id)));

    let load_older = move || {
        let Some(before) = data.more().get_untracked() else {
            return;
        };
        if loading.get_untracked() {
            return;
        }
        loading.set(true);
        let space_id = store.space_id_untracked();
        spawn_local(async move {
            let result = older_messages(space_id, before.clone()).await;
            // The page went away, or a reset replaced what the page holds: this page no longer
            // fits in front of it.
            if loading.is_disposed() || data.more().try_get_untracked().flatten() != Some(before) {
                let _ = loading.try_set(false);
                return;
            }
            match result {
                Ok(older) => {
                    let keep = scroller.keep_position();
                    store.prepend(older.page, older.authors);
                    keep.restore();
                }
                Err(error) => notice.set(Some(format!(
                    "Older messages could not be loaded: {}",
                    error.message
                ))),
            }
            loading.set(false);
        });
    };

    view! {
        <section class="chat card" aria-label="Chat">
            <div
                class="scroller"
                node_ref=scroller.node
                tabindex="0"
                aria-label="Conversation"
                on:scroll=move |_| {
                    if scroller.scrolled() {
                        load_older();
                    }
                }
            >
                <Show when=move || data.more().read().is_some()>
                    <button type="button" class="link older" disabled=move || loading.get() on:click=move |_| load_older()>
                        {move || if loading.get() { "Loading older messages…" } else { "Load older messages" }}
                    </button>
                </Show>
                <ol aria-label="Messages" class="messages">
                    <For each=move || data.messages().get() key=|row| row.stamp.id let:row>
                        <MessageRow row my_id my_name writer />
                    </For>
                </ol>
            </div>
            <Show when=move || { unseen.get() > 0 }>
                <button type="button" class="pill" on:click=move |_| scroller.to_bottom()>
                    {move || match unseen.get() { 1 => "1 new message ↓".to_owned(), n => format!("{n} new messages ↓") }}
                </button>
            </Show>
            <p class="visually-hidden" aria-live="polite" aria-atomic="true">{move || announcement.get()}</p>
            <p class="typing" role="status" aria-label="Typing">{move || followed.typists.line(my_id)}</p>
            <Notice notice />
            {writer.map(|writer| view! { <Notice notice=writer.notice /> })}
            {match writer {
                Some(writer) => {
                    let on_sent = Callback::new(move |()| scroller.to_bottom());
                    view! {
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(composer_part(writer, on_sent))}
                        </Suspense>
                    }
                    .into_any()
                }
                None => view! { <p>"Pick a name to join the conversation."</p> <crate::ui::components::JoinForm /> }.into_any(),
            }}
        </section>
    }
}

/// Something that went wrong, until the reader dismisses it.
#[component]
fn Notice(notice: RwSignal<Option<String>>) -> impl IntoView {
    move || {
        notice.get().map(|text| {
            view! {
                <p class="error notice" role="alert">
                    {text}
                    <button type="button" class="link" on:click=move |_| notice.set(None)>"Dismiss"</button>
                </p>
            }
        })
    }
}
