//! Who is typing in the space, as its stream says: each is shown for a few seconds after the
//! last word of it, and no longer once their message arrives.

use leptos::prelude::*;
use uuid::Uuid;

use crate::sync::Typing;

/// How long "… is typing" stays after the last word of it; a typist's page says it again
/// every few seconds while typing goes on.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub const SHOWN_FOR_MS: f64 = 6_000.0;

#[derive(Clone, Debug, PartialEq)]
struct Typist {
    being_id: Uuid,
    name: String,
    /// Shown until this time (ms since the epoch, the page's clock).
    until: f64,
}

/// The space's typists, shared by the page's components.
#[derive(Clone, Copy)]
pub struct Typists(RwSignal<Vec<Typist>>);

impl Default for Typists {
    fn default() -> Self {
        Typists(RwSignal::new(Vec::new()))
    }
}

// The stream is the browser's: on the server, only the line is drawn.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Typists {
    /// The stream says `typing` at `now`.
    pub fn heard(self, typing: Typing, now: f64) {
        self.0.try_update(|list| heard(list, typing, now));
    }

    /// Forgets who has not typed for a while, as of `now`. Called from a timer, which may
    /// fire after the page left the space: then there is nothing to do.
    pub fn prune(self, now: f64) {
        let stale = self
            .0
            .try_with_untracked(|list| list.iter().any(|t| t.until <= now));
        if stale == Some(true) {
            self.0.try_update(|list| list.retain(|t| t.until > now));
        }
    }

    /// `being_id`'s message arrived: they are done typing it.
    pub fn stopped(self, being_id: Uuid) {
        if self
            .0
            .with_untracked(|list| list.iter().any(|t| t.being_id == being_id))
        {
            self.0
                .update(|list| list.retain(|t| t.being_id != being_id));
        }
    }

    /// "Ada is typing…" for everyone typing but `me`; empty when nobody is.
    pub fn line(self, me: Option<Uuid>) -> String {
        self.0.with(|list| {
            let names: Vec<&str> = list
                .iter()
                .filter(|t| Some(t.being_id) != me)
                .map(|t| t.name.as_str())
                .collect();
            line(&names)
        })
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn heard(list: &mut Vec<Typist>, typing: Typing, now: f64) {
    list.retain(|t| t.being_id != typing.being_id);
    list.push(Typist {
        being_id: typing.being_id,
        name: typing.name,
        until: now + SHOWN_FOR_MS,
    });
}

fn line(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [one, two] => format!("{one} and {two} are typing…"),
        [one, two, rest @ ..] => format!("{one}, {two} and {} more are typing…", rest.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typing(n: u128, name: &str) -> Typing {
        Typing {
            being_id: Uuid::from_u128(n),
            name: name.to_owned(),
        }
    }

    #[test]
    fn the_line_names_up_to_two_and_counts_the_rest() {
        assert_eq!(line(&[]), "");
        assert_eq!(line(&["Ada"]), "Ada is typing…");
        assert_eq!(line(&["Ada", "Ben"]), "Ada and Ben are typing…");
        assert_eq!(
            line(&["Ada", "Ben", "Cy", "Dee"]),
            "Ada, Ben and 2 more are typing…"
        );
    }

    #[test]
    fn a_typist_heard_again_is_shown_once_and_longer() {
        let mut list = Vec::new();
        heard(&mut list, typing(1, "Ada"), 0.0);
        heard(&mut list, typing(2, "Ben"), 1_000.0);
        heard(&mut list, typing(1, "Ada"), 2_000.0);
        let shown: Vec<(&str, f64)> = list.iter().map(|t| (t.name.as_str(), t.until)).collect();
        assert_eq!(
            shown,
            [
                ("Ben", 1_000.0 + SHOWN_FOR_MS),
                ("Ada", 2_000.0 + SHOWN_FOR_MS)
            ]
        );
    }
}
