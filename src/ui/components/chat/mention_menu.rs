//! `@` in the composer: the names you may mention, narrowed as you type, picked with the arrow
//! keys and Enter or Tab (Escape closes the list), or by a click. Picking writes `@Name `.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use uuid::Uuid;

use crate::model::BeingKind;
use crate::ui::space::{SpaceDataStoreFields, SpaceStore};

/// The most names shown at once.
const SHOWN: usize = 6;
/// A longer run after `@` is not a name being typed.
const QUERY_MAX_CHARS: usize = 64;

/// The open list: the names offered, which is chosen, and where the `@` being completed is.
#[derive(Clone, Debug, Default, PartialEq)]
struct Offer {
    names: Vec<String>,
    chosen: usize,
    /// Byte offsets in the text: the `@`, and the caret.
    at: usize,
    caret: usize,
}

#[derive(Clone, Copy)]
pub struct MentionMenu {
    offer: RwSignal<Option<Offer>>,
    store: SpaceStore,
    me: Uuid,
}

impl MentionMenu {
    pub fn new(store: SpaceStore, me: Uuid) -> Self {
        MentionMenu {
            offer: RwSignal::new(None),
            store,
            me,
        }
    }

    /// After each keystroke: offers the names that start with what follows an `@` at the caret.
    pub fn typed(self, input: &leptos::web_sys::HtmlTextAreaElement) {
        let text = input.value();
        let caret = input
            .selection_start()
            .ok()
            .flatten()
            .map_or(text.len(), |units| byte_at_utf16(&text, units as usize));
        let offer = query_at(&text[..caret]).and_then(|(at, query)| {
            let names = self.names_starting(&query.to_lowercase());
            (!names.is_empty()).then_some(Offer {
                names,
                chosen: 0,
                at,
                caret,
            })
        });
        if offer != self.offer.get_untracked() {
            self.offer.set(offer);
        }
    }

    /// Keys the open list takes (so Enter picks a name instead of sending); `true` if taken.
    pub fn key(self, ev: &KeyboardEvent, input: &leptos::web_sys::HtmlTextAreaElement) -> bool {
        let Some(offer) = self.offer.get_untracked() else {
            return false;
        };
        if ev.is_composing() {
            return false;
        }
        let count = offer.names.len();
        match ev.key().as_str() {
            "ArrowDown" => self.choose((offer.chosen + 1) % count),
            "ArrowUp" => self.choose((offer.chosen + count - 1) % count),
            "Enter" | "Tab" if !ev.shift_key() => self.pick(offer.chosen, input),
            "Escape" => self.offer.set(None),
            _ => return false,
        }
        ev.prevent_default();
        true
    }

    /// The text was sent or cleared: the list closes.
    pub fn close(self) {
        self.offer.set(None);
    }

    fn choose(self, chosen: usize) {
        self.offer.update(|offer| {
            if let Some(offer) = offer {
                offer.chosen = chosen;
            }
        });
    }

    /// Writes `@Name ` in place of what was typed after the `@`, the caret after it.
    fn pick(self, index: usize, input: &leptos::web_sys::HtmlTextAreaElement) {
        let Some(offer) = self.offer.get_untracked() else {
            return;
        };
        let Some(name) = offer.names.get(index) else {
            return;
        };
        let text = input.value();
        // The text changed since the offer (sent, say): nothing to complete any more.
        let still = text
            .get(offer.at..)
            .is_some_and(|rest| rest.starts_with('@'))
            && text.is_char_boundary(offer.caret.min(text.len()));
        if !still {
            self.offer.set(None);
            return;
        }
        let (before, after) = (&text[..offer.at], &text[offer.caret.min(text.len())..]);
        let written = format!("{before}@{name} ");
        input.set_value(&format!("{written}{after}"));
        let caret = written.encode_utf16().count() as u32;
        let _ = input.set_selection_range(caret, caret);
        let _ = input.focus();
        self.offer.set(None);
    }

    /// Names of the beings here and the authors shown, but yours, that start with `query`.
    fn names_starting(self, query: &str) -> Vec<String> {
        let data = self.store.data;
        let mut names: Vec<String> = Vec::new();
        let beings = data.beings().read_untracked();
        let authors = data.authors().read_untracked();
        for being in beings.iter().chain(authors.iter()) {
            let fits = being.id != self.me
                && matches!(being.kind, BeingKind::Guest | BeingKind::Bot)
                && being.name.to_lowercase().starts_with(query)
                && !names.contains(&being.name);
            if fits {
                names.push(being.name.clone());
            }
            if names.len() == SHOWN {
                break;
            }
        }
        names
    }

    /// The list, under the composer while it is open.
    pub fn view(self, input: NodeRef<html::Textarea>) -> impl IntoView {
        let options = move || {
            let offer = self.offer.get()?;
            Some(
                offer
                    .names
                    .into_iter()
                    .enumerate()
                    .map(|(index, name)| {
                        let chosen = index == offer.chosen;
                        view! {
                            <li
                                id=option_id(index)
                                role="option"
                                aria-selected=chosen.to_string()
                                class:chosen=chosen
                                // Before the textarea loses focus.
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    if let Some(input) = input.get_untracked() {
                                        self.pick(index, &input);
                                    }
                                }
                            >
                                {format!("@{name}")}
                            </li>
                        }
                    })
                    .collect_view(),
            )
        };
        view! {
            <Show when=move || self.offer.read().is_some()>
                <ul id="mention-options" role="listbox" aria-label="People to mention" class="mention-menu">
                    {options}
                </ul>
            </Show>
        }
    }

    /// The chosen option's id, for the textarea's `aria-activedescendant`.
    pub fn active(self) -> Option<String> {
        self.offer
            .with(|offer| offer.as_ref().map(|o| option_id(o.chosen)))
    }
}

fn option_id(index: usize) -> String {
    format!("mention-option-{index}")
}

/// The `@` being typed at the end of `before` (the text up to the caret): its byte offset and
/// what follows it. An `@` inside a word (an address) starts nothing.
fn query_at(before: &str) -> Option<(usize, &str)> {
    let at = before.rfind('@')?;
    let query = &before[at + 1..];
    let starts_word = !before[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    let short = query.chars().count() <= QUERY_MAX_CHARS;
    (starts_word && short && !query.contains('\n') && !query.starts_with(' '))
        .then_some((at, query))
}

/// The byte offset of the `units`-th UTF-16 code unit of `text` (what the browser's selection
/// offsets count), or its end.
fn byte_at_utf16(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (byte, c) in text.char_indices() {
        if seen >= units {
            return byte;
        }
        seen += c.len_utf16();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_what_follows_an_at_that_starts_a_word() {
        assert_eq!(query_at("hi @Ad"), Some((3, "Ad")));
        assert_eq!(query_at("@"), Some((0, "")));
        assert_eq!(query_at("hi @Ada Love"), Some((3, "Ada Love")));
        assert_eq!(query_at("mail bob@exa"), None, "an address");
        assert_eq!(query_at("hi @ada\nmore"), None, "another line");
        assert_eq!(query_at("hi @ what"), None);
        assert_eq!(query_at("no at"), None);
    }

    #[test]
    fn browser_offsets_count_utf16_units() {
        let text = "é😀@a";
        assert_eq!(byte_at_utf16(text, 0), 0);
        assert_eq!(byte_at_utf16(text, 1), 2);
        assert_eq!(byte_at_utf16(text, 3), 6, "the emoji is two units");
        assert_eq!(byte_at_utf16(text, 99), text.len());
    }
}
