//! What a client gets when it connects: the exact catch-up after its cursor, or a reset with
//! the space's state — decided and read in one consistent database snapshot.

use std::collections::HashSet;

use uuid::Uuid;

use super::Sync;
use super::hub::delta_json;
use crate::model::{ApiError, BeingKind, Limit};
use crate::server::db::{Db, beings, changes, intentions, presence};
use crate::server::ops::intentions::encode_cursor;
use crate::sync::{BeingState, Cursor, ResetReason, Snapshot};

/// Catch-up or reset; either way the client is at `position` afterwards.
pub enum Opening {
    /// The deltas after the cursor, as JSON with their positions: `(pos, json)`.
    CatchUp {
        position: u64,
        deltas: Vec<(u64, String)>,
    },
    Reset(Snapshot),
}

impl Opening {
    pub fn position(&self) -> u64 {
        match self {
            Opening::CatchUp { position, .. } => *position,
            Opening::Reset(snapshot) => snapshot.position,
        }
    }
}

/// Decides between catch-up and reset for `cursor` (the raw `Last-Event-ID` or `after`).
pub async fn open(
    db: &Db,
    sync: &Sync,
    space_id: Uuid,
    cursor: Option<&str>,
) -> Result<Opening, ApiError> {
    let mut tx = db.begin_snapshot().await?;
    let space = match beings::get(tx.exec(), space_id).await? {
        Some(space) if space.kind == BeingKind::Space => space,
        _ => return Err(ApiError::not_found("space")),
    };
    let (head, floor) = changes::head(tx.exec(), space_id).await?;
    let reason = match cursor.map(str::parse::<Cursor>) {
        None => ResetReason::Initial,
        Some(Err(_)) => ResetReason::Invalid,
        Some(Ok(c)) if *c.epoch != *sync.epoch => ResetReason::Epoch,
        Some(Ok(c)) if c.position > head => ResetReason::Ahead,
        Some(Ok(c)) if c.position < floor => ResetReason::Expired,
        Some(Ok(c)) => {
            let mut prev = c.position;
            let mut deltas = Vec::new();
            for (pos, json) in changes::after(tx.exec(), space_id, c.position).await? {
                deltas.push((pos, delta_json(pos, prev, &json)));
                prev = pos;
            }
            return Ok(Opening::CatchUp {
                position: prev,
                deltas,
            });
        }
    };
    let in_space = beings::list_in(tx.exec(), space_id).await?;
    let online: HashSet<Uuid> = presence::online_in(tx.exec(), space_id, sync.presence_cutoff())
        .await?
        .into_iter()
        .collect();
    let limit = Limit::DEFAULT.get();
    let mut recent = intentions::page(tx.exec(), space_id, None, limit + 1).await?;
    let has_more = recent.len() > limit as usize;
    recent.truncate(limit as usize);
    let more = if has_more {
        recent.last().map(encode_cursor)
    } else {
        None
    };
    let present: HashSet<Uuid> = in_space.iter().map(|b| b.id).collect();
    let mut absent: Vec<Uuid> = recent
        .iter()
        .map(|i| i.owner_id)
        .filter(|id| !present.contains(id))
        .collect();
    absent.sort_unstable();
    absent.dedup();
    let authors = beings::get_many(tx.exec(), &absent).await?;
    tx.commit().await?;
    let beings = in_space
        .into_iter()
        .map(|being| BeingState {
            online: online.contains(&being.id),
            being,
        })
        .collect();
    Ok(Opening::Reset(Snapshot {
        epoch: sync.epoch.to_string(),
        position: head,
        reason,
        space,
        beings,
        intentions: recent,
        more,
        authors,
    }))
}
