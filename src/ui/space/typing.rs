//! Who is typing in the space, as its stream says: each is shown for a few seconds after the
//! last word of it, and no longer once their message arrives (nor again for a moment after:
//! a typing event can arrive just behind the message it was about).

use leptos::prelude::*;
use uuid::Uuid;

use crate::sync::Typing;

/// How long "… is typing" stays after the last word of it; a typist's page says it again
/// every few seconds while typing goes on.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub const SHOWN_FOR_MS: f64 = 6_000.0;

/// After someone's message arrives, their typing events are taken for late ones for this long.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
const LATE_FOR_MS: f64 = 2_000.0;

/// The page's clock, in ms since the epoch (typing is only ever noticed in the browser).
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    return 0.0;
}

#[derive(Debug, Default)]
struct TypingState {
    typists: Vec<Typist>,
    /// Whose message arrived when.
    sent: Vec<(Uuid, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
struct Typist {
    being_id: Uuid,
    name: String,
    /// Shown until this time (ms since the epoch, the page's clock).
    until: f64,
}

/// The space's typists, shared by the page's components.
#[derive(Clone, Copy)]
pub struct Typists(RwSignal<TypingState>);

impl Default for Typists {
    fn default() -> Self {
        Typists(RwSignal::new(TypingState::default()))
    }
}

// The stream is the browser's: on the server, only the line is drawn.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Typists {
    /// The stream says `typing` at `now`.
    pub fn heard(self, typing: Typing, now: f64) {
        self.0.try_update(|seen| heard(seen, typing, now));
    }

    /// Forgets who has not typed for a while, as of `now`. Called from a timer, which may
    /// fire after the page left the space: then there is nothing to do.
    pub fn prune(self, now: f64) {
        let stale = self
            .0
            .try_with_untracked(|seen| seen.typists.iter().any(|t| t.until <= now));
        if stale == Some(true) {
            self.0
                .try_update(|seen| seen.typists.retain(|t| t.until > now));
        }
    }

    /// `being_id`'s message arrived at `now`: they are done typing it.
    pub fn stopped(self, being_id: Uuid, now: f64) {
        self.0.update(|seen| stopped(seen, being_id, now));
    }

    /// "Ada is typing…" for everyone typing but `me`; empty when nobody is.
    pub fn line(self, me: Option<Uuid>) -> String {
        self.0.with(|seen| {
            let names: Vec<&str> = seen
                .typists
                .iter()
                .filter(|t| Some(t.being_id) != me)
                .map(|t| t.name.as_str())
                .collect();
            line(&names)
        })
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn heard(seen: &mut TypingState, typing: Typing, now: f64) {
    seen.sent.retain(|(_, at)| now - at < LATE_FOR_MS);
    if seen.sent.iter().any(|(who, _)| *who == typing.being_id) {
        return;
    }
    let list = &mut seen.typists;
    list.retain(|t| t.being_id != typing.being_id);
    list.push(Typist {
        being_id: typing.being_id,
        name: typing.name,
        until: now + SHOWN_FOR_MS,
    });
}

fn stopped(seen: &mut TypingState, being_id: Uuid, now: f64) {
    seen.typists.retain(|t| t.being_id != being_id);
    seen.sent.retain(|(who, _)| *who != being_id);
    seen.sent.push((being_id, now));
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

    fn shown(seen: &TypingState) -> Vec<(&str, f64)> {
        seen.typists
            .iter()
            .map(|t| (t.name.as_str(), t.until))
            .collect()
    }

    #[test]
    fn a_typist_heard_again_is_shown_once_and_longer() {
        let mut seen = TypingState::default();
        heard(&mut seen, typing(1, "Ada"), 0.0);
        heard(&mut seen, typing(2, "Ben"), 1_000.0);
        heard(&mut seen, typing(1, "Ada"), 2_000.0);
        let shown = shown(&seen);
        assert_eq!(
            shown,
            [
                ("Ben", 1_000.0 + SHOWN_FOR_MS),
                ("Ada", 2_000.0 + SHOWN_FOR_MS)
            ]
        );
    }

    #[test]
    fn typing_that_arrives_just_after_the_message_is_taken_for_late() {
        let mut seen = TypingState::default();
        heard(&mut seen, typing(1, "Ada"), 0.0);
        stopped(&mut seen, Uuid::from_u128(1), 1_000.0);
        assert!(shown(&seen).is_empty(), "her message ends it");
        heard(&mut seen, typing(1, "Ada"), 1_500.0);
        assert!(shown(&seen).is_empty(), "late: about the message that came");
        heard(&mut seen, typing(1, "Ada"), 1_000.0 + LATE_FOR_MS);
        assert_eq!(
            shown(&seen),
            [("Ada", 1_000.0 + LATE_FOR_MS + SHOWN_FOR_MS)]
        );
    }
}
