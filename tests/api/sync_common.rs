//! The sync vocabulary the `sync_*` tests share: cursors, the `prev` chain, the shape of a
//! reset, and the routes of docs/SYNC.md as `TestApp` methods.

use reqwest::Client;
use serde_json::Value;
use tokio::time::timeout;

use crate::contract::{assert_being, assert_intention, assert_newest_first};
use crate::helpers::{Reply, TestApp, send};
use crate::sse::{Catchup, Event, Sse, WAIT};

impl Catchup {
    /// Asserts a reset (and no deltas) with `reason`, checks its shape, returns its data.
    #[track_caller]
    pub fn expect_reset(&self, reason: &str) -> &Value {
        let reset = self
            .reset
            .as_ref()
            .unwrap_or_else(|| panic!("expected a reset ({reason}), got {self:?}"));
        assert!(self.deltas.is_empty(), "a reset comes alone: {self:?}");
        assert_reset(reset, reason);
        assert_eq!(
            self.position(),
            reset.number("position"),
            "live announces the reset's position"
        );
        &reset.data
    }

    /// Asserts a catch-up (no reset) resuming from `from`; returns its deltas.
    #[track_caller]
    pub fn expect_catchup(&self, from: u64) -> &[Event] {
        assert!(self.reset.is_none(), "expected a catch-up, got {self:?}");
        let last = assert_chain(from, &self.deltas);
        assert_eq!(self.position(), last, "live announces the last position");
        &self.deltas
    }
}

/// The position part of a cursor `<epoch>:<position>`.
#[track_caller]
pub fn position_of(cursor: &str) -> u64 {
    cursor
        .rsplit_once(':')
        .and_then(|(_, position)| position.parse().ok())
        .unwrap_or_else(|| panic!("{cursor:?} is not a cursor"))
}

/// The epoch part of a cursor.
#[track_caller]
pub fn epoch_of(cursor: &str) -> &str {
    let (epoch, _) = cursor
        .split_once(':')
        .unwrap_or_else(|| panic!("{cursor:?} is not a cursor"));
    assert!(
        epoch.len() == 16 && epoch.bytes().all(|b| b.is_ascii_hexdigit()),
        "an epoch is 16 hex digits: {cursor:?}"
    );
    epoch
}

/// A well-formed epoch that is not `epoch`.
pub fn other_epoch(epoch: &str) -> String {
    let first = if epoch.starts_with('0') { "1" } else { "0" };
    format!("{first}{}", &epoch[1..])
}

/// Checks that `deltas` are delta events chained by `prev` from `from`, each with a cursor id
/// naming its `pos`; returns the last position.
#[track_caller]
pub fn assert_chain(from: u64, deltas: &[Event]) -> u64 {
    let mut last = from;
    for delta in deltas {
        assert_eq!(delta.event, "delta", "{delta:?}");
        let pos = delta.number("pos");
        assert_eq!(
            delta.number("prev"),
            last,
            "prev names the position before: {delta:?}"
        );
        assert!(pos > last, "positions grow: {delta:?}");
        let id = delta
            .id
            .as_deref()
            .expect("a delta carries its cursor as id");
        assert_eq!(position_of(id), pos, "the id names the delta's position");
        epoch_of(id);
        last = pos;
    }
    last
}

/// Checks the shape of a reset event (or a `/changes` reset body) with `reason`.
#[track_caller]
pub fn assert_reset(reset: &Event, reason: &str) {
    assert_eq!(reset.event, "reset");
    let data = &reset.data;
    assert_reset_body(data, reason);
    let id = reset.id.as_deref().expect("a reset carries a cursor as id");
    assert_eq!(
        id,
        format!("{}:{}", data["epoch"].as_str().unwrap(), data["position"]),
        "the reset's id is the cursor of its position"
    );
}

#[track_caller]
pub fn assert_reset_body(data: &Value, reason: &str) {
    assert_eq!(data["reason"], reason, "wrong reset reason: {data}");
    let epoch = data["epoch"].as_str().expect("a reset has an epoch");
    epoch_of(&format!("{epoch}:0"));
    assert!(data["position"].is_u64(), "a reset has a position: {data}");
    assert_being(&data["space"]);
    for being in data["beings"].as_array().expect("a reset lists beings") {
        assert_being(being);
        assert!(
            being["online"].is_boolean(),
            "each being says online: {being}"
        );
    }
    let intentions = data["intentions"]
        .as_array()
        .expect("a reset lists intentions");
    intentions.iter().for_each(assert_intention);
    assert_newest_first(intentions);
    assert!(
        data["more"].is_null() || data["more"].is_string(),
        "more is a cursor or null: {data}"
    );
    assert!(
        data["more_beings"].is_null() || data["more_beings"].is_string(),
        "more_beings is a cursor or null: {data}"
    );
}

/// A being as a snapshot shows it, without `online`, for comparing with `GET /beings`.
pub fn without_online(being: &Value) -> Value {
    let mut being = being.clone();
    if let Some(object) = being.as_object_mut() {
        object.remove("online");
    }
    being
}

impl TestApp {
    /// The URL of a space's event stream, with `?after=` when given.
    pub fn events_url(&self, space_id: &str, after: Option<&str>) -> String {
        self.sync_url(space_id, "events", after)
    }

    fn sync_url(&self, space_id: &str, what: &str, after: Option<&str>) -> String {
        let path = format!("/api/spaces/{space_id}/{what}");
        let mut url = reqwest::Url::parse(&self.url(&path)).expect("a valid URL");
        if let Some(after) = after {
            url.query_pairs_mut().append_pair("after", after);
        }
        url.into()
    }

    /// Opens a space's event stream as `client`, resuming with `Last-Event-ID` when given.
    pub async fn subscribe(&self, client: &Client, space_id: &str, cursor: Option<&str>) -> Sse {
        Sse::connect(client, &self.events_url(space_id, None), cursor).await
    }

    /// `GET /api/spaces/{id}/changes`, with `?after=` when given.
    pub async fn changes(&self, space_id: &str, after: Option<&str>) -> Reply {
        let url = self.sync_url(space_id, "changes", after);
        timeout(WAIT, send(self.anon.get(url)))
            .await
            .expect("/changes did not answer in time")
    }
}

/// The `presence` deltas about `being_id` that `sse` hears within `wait`.
pub async fn presence_within(
    sse: &mut Sse,
    being_id: &str,
    wait: std::time::Duration,
) -> Vec<Event> {
    let events = sse.events_within(wait).await;
    events
        .into_iter()
        .filter(|e| e.op() == "presence" && e.data["being_id"] == being_id)
        .collect()
}
