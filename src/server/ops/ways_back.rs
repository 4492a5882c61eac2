//! The ways back into a being — its passkeys, linked providers and sessions — counted before
//! one goes: ending the last one (signing out, removing a passkey) asks for a confirmation, and
//! no sign-in leaves the being a device is with none.

use axum::http::HeaderMap;
use uuid::Uuid;

use super::session::{SignedIn, signed_in, unused_since};
use crate::model::{ApiError, Timestamp};
use crate::server::db::{Exec, oidc_links, passkeys, sessions};
use crate::server::state::AppState;

/// Signing this device in as `next` would leave the being it is now with no way back (no
/// passkey, no provider, no other session): `409` (field `confirm`) — sign out of it first,
/// confirming, or add a way back. Signing in again as the same being is always fine.
pub(crate) async fn refuse_to_strand(
    state: &AppState,
    headers: &HeaderMap,
    next: Uuid,
) -> Result<(), ApiError> {
    let Some(me) = signed_in(state, headers).await? else {
        return Ok(());
    };
    if me.being.id == next {
        return Ok(());
    }
    let mut conn = state.db.reader().await?;
    let left = WaysBack::count(conn.exec(), &me, unused_since(state)).await?;
    if left.total() - left.this_session > 0 {
        return Ok(());
    }
    Err(ApiError::conflict(format!(
        "this device is {} now, and nothing else leads back to {}: signing in as someone else \
         would lose {0} for good. Sign out of {0} first (and confirm), or add a passkey",
        me.being.name, me.being.name,
    ))
    .with_field("confirm"))
}

/// The ways back into a being, for "are you sure?" before the last one goes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WaysBack {
    pub passkeys: i64,
    pub providers: i64,
    /// Its sessions other than the asking one (those not expired).
    pub other_sessions: i64,
    /// The asking session itself (1).
    pub this_session: i64,
}

impl WaysBack {
    pub async fn count(
        mut ex: Exec<'_>,
        me: &SignedIn,
        cutoff: Timestamp,
    ) -> Result<WaysBack, ApiError> {
        let being = me.being.id;
        Ok(WaysBack {
            passkeys: passkeys::count_of(ex.reborrow(), being).await?,
            providers: oidc_links::count_of(ex.reborrow(), being).await?,
            other_sessions: sessions::count_others(ex, being, me.session_id, cutoff).await?,
            this_session: 1,
        })
    }

    pub fn total(self) -> i64 {
        self.passkeys + self.providers + self.other_sessions + self.this_session
    }

    /// `409` with the field `confirm` when `remaining` ways back would be none and the
    /// caller did not confirm.
    pub fn refuse_unless_confirmed(self, remaining: i64, confirm: bool) -> Result<(), ApiError> {
        if remaining > 0 || confirm {
            return Ok(());
        }
        Err(ApiError::conflict(
            "this is the last way back into this being: with no passkey, provider or other \
             session, nobody can sign in as it again. Confirm to go ahead",
        )
        .with_field("confirm"))
    }
}
