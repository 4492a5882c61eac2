//! Several nodes on one PostgreSQL database. A change is committed with its position and
//! nothing else: no `NOTIFY` in the writing transaction, whose commit would take PostgreSQL's
//! one instance-wide notification lock. After commit, each node's [`Announcer`] sends what its
//! transactions committed, many changes per `NOTIFY rhizom_changes` and each change inline
//! while it fits the payload ([`payloads`]). Every node's [`listener`] hands what it hears to
//! its hub: an inline change is sent as it came, a position alone is read from the log, and a
//! gap in positions is read from the log too. A notification that never came (a node that
//! died between commit and announcement, a lost connection, a full queue) is found by the
//! sweep of the watched spaces' positions, a second at most later.
//!
//! With `nats-url` set, the [`bus`] carries the changes instead and each node subscribes to
//! the spaces it streams ([`interest`]); `NOTIFY` is then the way round while NATS is away.

mod announcer;
pub(crate) mod bus;
pub(crate) mod interest;
pub(crate) mod listener;

pub(crate) use announcer::Announcer;
use uuid::Uuid;

use super::committed::Committed;
use super::event::ChangeJson;

const CHANNEL: &str = "rhizom_changes";
/// Signals (who is typing, readers' marks): `<node>\n<space> <signal JSON>`, one a
/// notification.
const SIGNAL_CHANNEL: &str = "rhizom_signals";
/// PostgreSQL refuses a payload of 8,000 bytes or more.
const PAYLOAD_MAX: usize = 7999;

/// A change committed on this node, to be announced to the others.
#[derive(Debug)]
pub(crate) struct Announced {
    pub space_id: Uuid,
    pub position: u64,
    pub change: ChangeJson,
}

/// A change another node announced, with its text when it came inline (`None`: read the log).
#[derive(Debug)]
pub(crate) struct Heard<'a> {
    pub space_id: Uuid,
    pub position: u64,
    text: Option<&'a str>,
}

impl Heard<'_> {
    /// The change, read from its inline text; `None` when it came without one, or with one that
    /// is not a change: the log has it. Read only for a space this node streams.
    pub fn change(&self) -> Option<Committed> {
        let text = self.text?.to_owned();
        Committed::parse(self.space_id, text).ok()
    }
}

/// The payloads that announce `batch` from `node`, each within PostgreSQL's limit: the node's
/// id on the first line, then a line per change, `<space> <position> <change JSON>` — the
/// change left out when it could never fit (the others read it from the log). Compact JSON
/// holds no line break.
pub(crate) fn payloads(node: Uuid, batch: &[Announced]) -> Vec<String> {
    let header = node.to_string();
    let mut out = Vec::new();
    let mut current = header.clone();
    for entry in batch {
        let position = format!("\n{} {}", entry.space_id, entry.position);
        let change = entry.change.as_str();
        let inline = header.len() + position.len() + 1 + change.len() <= PAYLOAD_MAX;
        let len = if inline {
            position.len() + 1 + change.len()
        } else {
            position.len()
        };
        if current.len() + len > PAYLOAD_MAX {
            out.push(std::mem::replace(&mut current, header.clone()));
        }
        current.push_str(&position);
        if inline {
            current.push(' ');
            current.push_str(change);
        }
    }
    if current.len() > header.len() {
        out.push(current);
    }
    out
}

/// A signal of `space_id` from `node`, as the signal channel carries it.
pub(crate) fn signal_payload(node: Uuid, space_id: Uuid, signal_json: &str) -> String {
    format!("{node}\n{space_id} {signal_json}")
}

/// The node, the space and the signal's JSON of a signal payload.
pub(crate) fn parse_signal(payload: &str) -> Option<(Uuid, Uuid, &str)> {
    let (node, rest) = payload.split_once('\n')?;
    let (space, json) = rest.split_once(' ')?;
    Some((
        Uuid::try_parse(node).ok()?,
        Uuid::try_parse(space).ok()?,
        json,
    ))
}

/// The node that sent `payload` and what it announced; `None` when it is not an announcement.
pub(crate) fn parse(payload: &str) -> Option<(Uuid, Vec<Heard<'_>>)> {
    let mut lines = payload.split('\n');
    let node = Uuid::try_parse(lines.next()?).ok()?;
    let mut heard = Vec::new();
    for line in lines {
        let (space, rest) = line.split_once(' ')?;
        let space_id = Uuid::try_parse(space).ok()?;
        let (position, text) = match rest.split_once(' ') {
            Some((position, text)) => (position, Some(text)),
            None => (rest, None),
        };
        heard.push(Heard {
            space_id,
            position: position.parse().ok()?,
            text,
        });
    }
    Some((node, heard))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Intention, IntentionKind, IntentionState, Timestamp};
    use crate::sync::Change;

    fn message(space_id: Uuid, position: u64, content: &str) -> Announced {
        let intention = Intention {
            id: Uuid::from_u128(u128::from(position)),
            kind: IntentionKind::Utterance,
            state: IntentionState::Complete,
            owner_id: Uuid::nil(),
            location_id: space_id,
            content: content.to_owned(),
            reply_to: None,
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        };
        Announced {
            space_id,
            position,
            change: ChangeJson::of(&Change::IntentionUpsert { intention }),
        }
    }

    #[test]
    fn an_announcement_carries_each_change_inline_in_order() {
        let node = Uuid::new_v4();
        let space = Uuid::new_v4();
        let batch: Vec<_> = (1..=3)
            .map(|p| message(space, p, &format!("line {p}\nwith a break")))
            .collect();
        let sent = payloads(node, &batch);
        assert_eq!(sent.len(), 1, "one notification for the batch");
        let (from, heard) = parse(&sent[0]).expect("it parses");
        assert_eq!(from, node);
        let positions: Vec<u64> = heard.iter().map(|h| h.position).collect();
        assert_eq!(positions, [1, 2, 3]);
        for (heard, sent) in heard.iter().zip(&batch) {
            assert_eq!(heard.space_id, space);
            let change = heard.change().expect("inline");
            assert_eq!(change.json.as_str(), sent.change.as_str());
        }
    }

    #[test]
    fn a_batch_too_big_for_one_payload_is_split_and_a_change_that_never_fits_goes_alone() {
        let node = Uuid::new_v4();
        let space = Uuid::new_v4();
        let mut batch: Vec<_> = (1..=40)
            .map(|p| message(space, p, &"x".repeat(400)))
            .collect();
        // Control characters are escaped six bytes each: far past the limit.
        batch.push(message(space, 41, &"\u{1}".repeat(4000)));
        let sent = payloads(node, &batch);
        assert!(sent.len() > 1, "split");
        assert!(sent.iter().all(|p| p.len() <= PAYLOAD_MAX));
        let heard: Vec<Heard> = sent
            .iter()
            .flat_map(|p| parse(p).expect("it parses").1)
            .collect();
        let positions: Vec<u64> = heard.iter().map(|h| h.position).collect();
        assert_eq!(
            positions,
            (1..=41).collect::<Vec<_>>(),
            "every position, once"
        );
        assert!(heard[..40].iter().all(|h| h.change().is_some()));
        assert!(heard[40].change().is_none(), "read from the log instead");
    }

    #[test]
    fn a_signal_payload_names_its_node_and_space() {
        let (node, space) = (Uuid::new_v4(), Uuid::new_v4());
        let json = r#"{"signal":"typing","typing":{"being_id":"00000000-0000-0000-0000-000000000001","name":"Ada Lovelace"}}"#;
        let payload = signal_payload(node, space, json);
        assert_eq!(parse_signal(&payload), Some((node, space, json)));
        assert_eq!(parse_signal("garbage"), None);
    }

    #[test]
    fn what_is_not_an_announcement_does_not_parse() {
        let space = Uuid::new_v4();
        assert!(parse("garbage").is_none());
        assert!(parse(&format!("{space}:42")).is_none(), "the old form");
        let node = Uuid::new_v4();
        assert!(parse(&format!("{node}\n{space} -1")).is_none());
        let payload = format!("{node}\n{space} 7 {{\"not\":\"a change\"}}");
        let (_, heard) = parse(&payload).unwrap();
        assert_eq!(heard[0].position, 7);
        assert!(heard[0].change().is_none(), "left to the log");
    }
}
