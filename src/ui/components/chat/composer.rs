//! Write and send. Enter sends, Shift+Enter starts a new line. The message shows at once; if
//! the connection is down it waits and goes out when it is back. Without JavaScript the form
//! posts to the server like any other, with an id made when the page was drawn.
//!
//! Only a signed-in reader has a composer, so its code is a part of the client of its own
//! (`ui/components/parts.rs`).

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use leptos::server_fn::ServerFn;

use super::mention_menu::MentionMenu;
use crate::api::{PostMessage, say_typing};
use crate::ui::space::{Status, Writer, now_ms, use_space};

/// How often the space is told you are typing, while you are.
const TYPING_EVERY_MS: f64 = 3_000.0;

#[component]
pub(in crate::ui::components) fn Composer(
    writer: Writer,
    on_sent: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let followed = use_space();
    let space_id = followed.store.space_id_untracked();
    let input = NodeRef::<html::Textarea>::new();
    let form = NodeRef::<html::Form>::new();
    let menu = MentionMenu::new(followed.store, writer.me());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(input) = input.get_untracked() else {
            return;
        };
        let text = input.value();
        if text.trim().is_empty() {
            return;
        }
        writer.send(text);
        input.set_value("");
        menu.close();
        on_sent();
    };
    let on_key = move |ev: KeyboardEvent| {
        if let Some(textarea) = input.get_untracked()
            && menu.key(&ev, &textarea)
        {
            return;
        }
        if ev.key() == "Enter"
            && !ev.shift_key()
            && !ev.is_composing()
            && let Some(form) = form.get_untracked()
        {
            ev.prevent_default();
            let _ = form.request_submit();
        }
    };
    // While you type, the space hears of it every few seconds (never twice within them).
    let said_typing = StoredValue::new(f64::NEG_INFINITY);
    let on_input = move |_| {
        if let Some(textarea) = input.get_untracked() {
            menu.typed(&textarea);
        }
        let now = now_ms();
        if now - said_typing.get_value() < TYPING_EVERY_MS {
            return;
        }
        said_typing.set_value(now);
        leptos::task::spawn_local(async move {
            // Only a hint to the others: a failure is not worth telling you about.
            let _ = say_typing(space_id).await;
        });
    };
    let hint = move || match followed.status.get() {
        Status::Offline => {
            Some("You are offline. Messages you send now will go out when you are back.")
        }
        Status::Reconnecting => {
            Some("Reconnecting… messages you send now will go out when the connection is back.")
        }
        _ => None,
    };
    view! {
        <form method="post" action=PostMessage::url() node_ref=form class="composer" data-part="composer" on:submit=on_submit>
            <input type="hidden" name="space_id" value=space_id.to_string() />
            <input type="hidden" name="id" value=Uuid::new_v4().to_string() />
            <label for="composer-text" class="visually-hidden">"Message"</label>
            <textarea
                id="composer-text"
                node_ref=input
                name="content"
                required
                maxlength="4000"
                rows="2"
                placeholder="Say something"
                aria-describedby="composer-hint"
                aria-autocomplete="list"
                aria-controls="mention-options"
                aria-activedescendant=move || menu.active()
                on:keydown=on_key
                on:input=on_input
            ></textarea>
            {menu.view(input)}
            <button type="submit">"Send"</button>
        </form>
        <p id="composer-hint" class="hint" aria-live="polite">{hint}</p>
    }
}
