//! The conversation's scrolling: pinned to the bottom while you are there, and steady when
//! older messages are added above what you are reading.

use leptos::html;
use leptos::prelude::*;

/// How close to an edge counts as being at it, in CSS pixels.
const EDGE: i32 = 48;

#[derive(Clone, Copy)]
pub struct Scroller {
    pub node: NodeRef<html::Div>,
    /// The reader is at the newest message.
    pub at_bottom: RwSignal<bool>,
}

impl Scroller {
    pub fn new() -> Self {
        Scroller {
            node: NodeRef::new(),
            at_bottom: RwSignal::new(true),
        }
    }

    /// Scrolls to the newest message once the page has drawn what just changed.
    pub fn to_bottom(self) {
        self.at_bottom.set(true);
        let node = self.node;
        request_animation_frame(move || {
            if let Some(el) = node.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    /// Notes where the reader is after a scroll; true when near the top (time to load more).
    pub fn scrolled(self) -> bool {
        let Some(el) = self.node.get_untracked() else {
            return false;
        };
        let at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() <= EDGE;
        if at_bottom != self.at_bottom.get_untracked() {
            self.at_bottom.set(at_bottom);
        }
        el.scroll_top() <= EDGE
    }

    /// Remembers the distance from the bottom, to put the view back after rows are added above.
    pub fn keep_position(self) -> Keep {
        let from_bottom = self
            .node
            .get_untracked()
            .map_or(0, |el| el.scroll_height() - el.scroll_top());
        Keep {
            node: self.node,
            from_bottom,
        }
    }
}

pub struct Keep {
    node: NodeRef<html::Div>,
    from_bottom: i32,
}

impl Keep {
    /// Once the added rows are drawn, scrolls so the same message is where it was.
    pub fn restore(self) {
        let Keep { node, from_bottom } = self;
        request_animation_frame(move || {
            if let Some(el) = node.get_untracked() {
                el.set_scroll_top(el.scroll_height() - from_bottom);
            }
        });
    }
}
