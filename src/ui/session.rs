//! Who is signed in, shared through context by every page.

use leptos::prelude::*;

use crate::api::{Join, RenameMe, current_guest};
use crate::model::{ApiError, Being};

/// The signed-in being and the actions that change it.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Being>, ApiError>>,
    pub join: ServerAction<Join>,
    pub rename: ServerAction<RenameMe>,
    /// Moves on whenever who is signed in here may have changed another way (this device
    /// signed out from elsewhere): what depends on it is read again.
    pub changes: RwSignal<u64>,
    /// Something to tell about the session ("you were signed out"), shown at the top.
    pub notice: RwSignal<Option<String>>,
}

/// How this device's session ended, as its live stream says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum SessionEnd {
    /// Signed out (from this device, another, or by expiry).
    SignedOut,
    /// This device signed in again (another tab did): it has a new session.
    Replaced,
}

impl Session {
    /// This device's session ended: read who is here again, and say so if it was signed out.
    #[cfg(feature = "hydrate")]
    pub fn session_ended(&self, how: SessionEnd) {
        if how == SessionEnd::SignedOut {
            self.notice
                .set(Some("This device was signed out.".to_owned()));
            leptos::task::spawn_local(crate::client::offline::forget_everything());
        }
        self.changes.update(|n| *n += 1);
    }
}

pub fn provide_session() {
    let join = ServerAction::<Join>::new();
    let rename = ServerAction::<RenameMe>::new();
    let changes = RwSignal::new(0);
    let me = Resource::new(
        move || (join.version().get(), rename.version().get(), changes.get()),
        |_| current_guest(),
    );
    provide_context(Session {
        me,
        join,
        rename,
        changes,
        notice: RwSignal::new(None),
    });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Goes to `path` with the page loaded afresh: after signing in or out, everything on it is
/// someone else's.
#[cfg(feature = "hydrate")]
pub fn reload_at(path: &str) {
    if let Err(error) = window().location().assign(path) {
        leptos::logging::warn!("could not go to {path}: {error:?}");
    }
}
