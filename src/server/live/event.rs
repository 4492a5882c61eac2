//! The text of what a stream and the polling endpoint send: SSE events, and the deltas inside
//! them. Every event is written by [`write_event`]; every delta's data by [`DeltaJson::data`].

use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::value::{RawValue, to_raw_value};
use uuid::Uuid;

use super::opening::Opening;
use crate::sync::{Change, Cursor, LiveEvent};

/// A change as JSON, ready to go inside a delta: an object that begins with its `"op"`
/// member, so the delta's positions can be put in front of it without parsing it again.
#[derive(Clone, Debug)]
pub(crate) struct ChangeJson(Box<RawValue>);

impl ChangeJson {
    pub fn of(change: &Change) -> ChangeJson {
        ChangeJson(to_raw_value(change).expect("a change serializes"))
    }

    /// A change as the log keeps it (written by [`ChangeJson::of`]); an error if the text is
    /// not one.
    pub fn from_log(text: String) -> Result<ChangeJson, LogError> {
        let raw = RawValue::from_string(text).map_err(|_| LogError)?;
        if raw.get().starts_with("{\"op\":") {
            Ok(ChangeJson(raw))
        } else {
            Err(LogError)
        }
    }

    /// The text the log keeps.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// Whether the change deletes the space `space_id` itself (as [`Change::ends_space`]
    /// says), read without parsing the rest of it: a change of a kind this server does not
    /// know (written by a newer node) ends nothing.
    pub fn ends_space(&self, space_id: Uuid) -> bool {
        matches!(
            serde_json::from_str::<ChangeOp>(self.as_str()),
            Ok(ChangeOp::BeingDelete { id }) if id == space_id
        )
    }
}

/// Just enough of a change's JSON to see whether it deletes a being: its `op`, and the `id`
/// of a `being_delete`. Named as [`Change`]'s variants are (a test holds them together).
#[derive(Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum ChangeOp {
    BeingDelete {
        id: Uuid,
    },
    #[serde(other)]
    Other,
}

/// A row of the change log that is not a change: the database holds something this server
/// did not write.
#[derive(Debug, thiserror::Error)]
#[error("a logged change is not a change")]
pub(crate) struct LogError;

/// A delta whose change is still JSON: the change at `pos`, following `prev` on the stream.
#[derive(Clone, Debug)]
pub(crate) struct DeltaJson {
    pub pos: u64,
    pub prev: u64,
    pub change: ChangeJson,
}

impl DeltaJson {
    /// Each of `changes` (`(position, change)`, in order) following the one before it, the
    /// first following `from`: positions in the log may skip, `prev` says what came before.
    pub fn chain(from: u64, changes: impl IntoIterator<Item = (u64, ChangeJson)>) -> Vec<Self> {
        let mut prev = from;
        changes
            .into_iter()
            .map(|(pos, change)| {
                let delta = DeltaJson { pos, prev, change };
                prev = pos;
                delta
            })
            .collect()
    }

    /// `{"pos":P,"prev":Q,"op":…}`.
    pub fn data(&self) -> String {
        // The change's members, after its opening brace (an object, by its type).
        let members = &self.change.as_str()[1..];
        format!("{{\"pos\":{},\"prev\":{},{members}", self.pos, self.prev)
    }
}

/// One SSE event: its id (a cursor), its name, its data (one line of JSON).
pub(crate) fn write_event(out: &mut String, id: Option<&Cursor>, name: &str, data: &str) {
    if let Some(id) = id {
        let _ = writeln!(out, "id: {id}");
    }
    let _ = write!(out, "event: {name}\ndata: {data}\n\n");
}

/// The `delta` event of `delta`.
pub(crate) fn delta_event(epoch: &str, delta: &DeltaJson) -> String {
    let mut out = String::new();
    write_event(
        &mut out,
        Some(&cursor(epoch, delta.pos)),
        "delta",
        &delta.data(),
    );
    out
}

/// What opens a stream, in one write: the reconnect delay, the catch-up's deltas or the
/// reset, then `live`.
pub(crate) fn opening_text(epoch: &str, opening: &Opening) -> String {
    let mut out = String::from("retry: 2000\n\n");
    match opening {
        Opening::CatchUp { deltas, .. } => {
            for delta in deltas {
                out.push_str(&delta_event(epoch, delta));
            }
        }
        Opening::Reset(snapshot) => {
            let data = serde_json::to_string(snapshot).expect("a snapshot serializes");
            write_event(&mut out, Some(&snapshot.cursor()), "reset", &data);
        }
    }
    let live = LiveEvent {
        position: opening.position(),
    };
    let data = serde_json::to_string(&live).expect("serializes");
    write_event(&mut out, None, "live", &data);
    out
}

fn cursor(epoch: &str, position: u64) -> Cursor {
    Cursor {
        epoch: epoch.to_owned(),
        position,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn delete(id: Uuid) -> ChangeJson {
        ChangeJson::of(&Change::IntentionDelete { id })
    }

    #[test]
    fn a_delta_is_the_change_with_its_positions_in_front() {
        let id = Uuid::new_v4();
        let delta = DeltaJson {
            pos: 7,
            prev: 6,
            change: delete(id),
        };
        let data = delta.data();
        assert_eq!(
            data,
            format!(r#"{{"pos":7,"prev":6,"op":"intention_delete","id":"{id}"}}"#)
        );
        let parsed: crate::sync::Delta = serde_json::from_str(&data).unwrap();
        assert_eq!((parsed.pos, parsed.prev), (7, 6));
        assert_eq!(parsed.change, Change::IntentionDelete { id });
    }

    #[test]
    fn a_chain_follows_on_from_where_it_starts() {
        let chain = DeltaJson::chain(2, [(5, delete(Uuid::nil())), (9, delete(Uuid::nil()))]);
        let links: Vec<(u64, u64)> = chain.iter().map(|d| (d.prev, d.pos)).collect();
        assert_eq!(links, [(2, 5), (5, 9)]);
    }

    #[test]
    fn a_change_ends_its_space_only_when_it_deletes_the_space_itself() {
        let space = Uuid::new_v4();
        let deleted = Change::BeingDelete { id: space };
        assert!(deleted.ends_space(space) && ChangeJson::of(&deleted).ends_space(space));
        for other in [
            Change::BeingDelete { id: Uuid::new_v4() },
            Change::IntentionDelete { id: space },
            Change::Presence {
                being_id: space,
                online: false,
                away: false,
            },
        ] {
            assert!(!other.ends_space(space) && !ChangeJson::of(&other).ends_space(space));
        }
        let newer = ChangeJson::from_log(r#"{"op":"from_the_future","id":1}"#.to_owned());
        assert!(
            !newer.unwrap().ends_space(space),
            "an unknown kind ends nothing"
        );
    }

    #[test]
    fn the_log_holds_changes_and_nothing_else() {
        let text = delete(Uuid::nil()).as_str().to_owned();
        assert_eq!(ChangeJson::from_log(text.clone()).unwrap().as_str(), text);
        for garbage in ["", "{}", "[1]", "{\"op\":", "{\"id\":1,\"op\":\"x\"}"] {
            assert!(
                ChangeJson::from_log(garbage.to_owned()).is_err(),
                "{garbage:?}"
            );
        }
    }

    #[test]
    fn an_opening_is_retry_then_the_deltas_then_live() {
        let deltas = DeltaJson::chain(1, [(2, delete(Uuid::nil()))]);
        let text = opening_text(
            "ab",
            &Opening::CatchUp {
                position: 2,
                deltas: deltas.clone(),
            },
        );
        assert_eq!(
            text,
            format!(
                "retry: 2000\n\nid: ab:2\nevent: delta\ndata: {}\n\n\
                 event: live\ndata: {{\"position\":2}}\n\n",
                deltas[0].data()
            )
        );
    }
}
