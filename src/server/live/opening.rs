//! What a client gets when it connects: the exact catch-up after its cursor, or a reset with
//! the space's state — decided and read in one consistent database snapshot.

use std::collections::HashSet;

use uuid::Uuid;

use super::LiveSync;
use super::event::{ChangeJson, DeltaJson};
use crate::model::{ApiError, Being, Limit};
use crate::server::db::{Db, Exec, beings, changes, intentions};
use crate::server::metrics::METRICS;
use crate::server::ops::beings::find_space;
use crate::server::ops::intentions::place;
use crate::server::ops::paging;
use crate::server::ops::spaces::beings_page;
use crate::sync::{Cursor, ResetReason, Snapshot};

/// The beings a snapshot carries; the rest are paged (`GET /api/spaces/{id}/beings?after=`).
const SNAPSHOT_BEINGS: Limit = Limit::of(100);

/// Catch-up or reset; either way the client is at `position` afterwards.
pub(crate) enum Opening {
    /// The deltas after the cursor, in order.
    CatchUp {
        position: u64,
        deltas: Vec<DeltaJson>,
    },
    /// Boxed: a snapshot is far bigger than a catch-up's head.
    Reset(Box<Snapshot>),
}

impl Opening {
    pub fn position(&self) -> u64 {
        match self {
            Opening::CatchUp { position, .. } => *position,
            Opening::Reset(snapshot) => snapshot.position,
        }
    }

    /// Decides between catch-up and reset for `cursor` (the raw `Last-Event-ID` or `after`),
    /// and reads it.
    pub async fn read(
        db: &Db,
        live: &LiveSync,
        space_id: Uuid,
        cursor: Option<&str>,
    ) -> Result<Opening, ApiError> {
        let cursor = cursor.map(str::parse::<Cursor>);
        // A cursor among what this node sent last: the catch-up is in memory. The space must
        // still be there, and the cursor within the log's window, so that every node (and the
        // log) would resume it too.
        if let Some(Ok(c)) = &cursor
            && *c.epoch == *live.epoch
            && let Some((position, deltas)) =
                live.hub.catch_up_from_memory(space_id, c.position).await
        {
            let mut conn = db.reader().await?;
            find_space(conn.exec(), space_id).await?;
            if c.position >= changes::window(conn.exec(), space_id).await?.floor {
                METRICS.catch_ups_from_memory.inc();
                return Ok(Opening::CatchUp { position, deltas });
            }
        }
        let mut tx = db.begin_snapshot().await?;
        let space = find_space(tx.exec(), space_id).await?;
        let window = changes::window(tx.exec(), space_id).await?;
        let reason = match cursor {
            None => ResetReason::Initial,
            Some(Err(_)) => ResetReason::Invalid,
            Some(Ok(c)) if *c.epoch != *live.epoch => ResetReason::Epoch,
            Some(Ok(c)) if c.position > window.position => ResetReason::Ahead,
            Some(Ok(c)) if c.position < window.floor => ResetReason::Expired,
            Some(Ok(c)) => {
                let config = &live.config;
                let (max_changes, max_bytes) =
                    (config.catch_up_max_changes, config.catch_up_max_bytes);
                let rows =
                    changes::after_within(tx.exec(), space_id, c.position, max_changes, max_bytes)
                        .await?;
                match rows.map(|rows| catch_up(space_id, c.position, rows)) {
                    Some(Some(opening)) => {
                        tx.commit().await?;
                        METRICS.catch_ups_from_log.inc();
                        return Ok(opening);
                    }
                    // A row the log cannot give: continuity cannot be proven from here.
                    Some(None) => ResetReason::Expired,
                    None => ResetReason::TooLarge,
                }
            }
        };
        let snapshot = read_snapshot(tx.exec(), live, space, window.position, reason).await?;
        tx.commit().await?;
        METRICS.reset(reason);
        Ok(Opening::Reset(Box::new(snapshot)))
    }
}

/// The catch-up from `from` over the log's `rows`; `None` if a row is not a change.
fn catch_up(space_id: Uuid, from: u64, rows: Vec<(u64, String)>) -> Option<Opening> {
    let mut changes = Vec::with_capacity(rows.len());
    for (at, text) in rows {
        match ChangeJson::from_log(text) {
            Ok(change) => changes.push((at, change)),
            Err(error) => {
                tracing::error!(%space_id, at, %error, "the change log holds a row that is not a change");
                return None;
            }
        }
    }
    let deltas = DeltaJson::chain(from, changes);
    Some(Opening::CatchUp {
        position: deltas.last().map_or(from, |d| d.pos),
        deltas,
    })
}

/// The space's state now, as a reset carries it (what the space page starts from).
pub(crate) async fn current_snapshot(
    db: &Db,
    live: &LiveSync,
    space_id: Uuid,
) -> Result<Snapshot, ApiError> {
    let mut tx = db.begin_snapshot().await?;
    let space = find_space(tx.exec(), space_id).await?;
    let window = changes::window(tx.exec(), space_id).await?;
    let snapshot = read_snapshot(
        tx.exec(),
        live,
        space,
        window.position,
        ResetReason::Initial,
    )
    .await?;
    tx.commit().await?;
    Ok(snapshot)
}

/// The first page of the beings in the space (each with whether it is online), the newest
/// page of intentions and the names of their authors who are not on that page, at `position`.
async fn read_snapshot(
    mut ex: Exec<'_>,
    live: &LiveSync,
    space: Being,
    position: u64,
    reason: ResetReason,
) -> Result<Snapshot, ApiError> {
    let space_id = space.id;
    let cutoff = live.presence_cutoff();
    let present = beings_page(ex.reborrow(), space_id, None, SNAPSHOT_BEINGS, cutoff).await?;
    let limit = Limit::DEFAULT;
    let recent = intentions::page(ex.reborrow(), space_id, None, limit.get() + 1).await?;
    let recent = paging::page(recent, limit, place);
    let shown: HashSet<Uuid> = present.items.iter().map(|b| b.being.id).collect();
    let mut absent: Vec<Uuid> = recent
        .items
        .iter()
        .map(|i| i.owner_id)
        .filter(|id| !shown.contains(id))
        .collect();
    absent.sort_unstable();
    absent.dedup();
    let authors = beings::get_many(ex, &absent).await?;
    Ok(Snapshot {
        epoch: live.epoch.to_string(),
        position,
        reason,
        space,
        beings: present.items,
        more_beings: present.next,
        intentions: recent.items,
        more: recent.next,
        authors,
    })
}
