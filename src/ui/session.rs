//! Who is signed in, shared through context by every page.

use leptos::prelude::*;

use crate::api::{Join, RenameMe, current_guest};
use crate::model::{ApiError, Being};

/// The signed-in guest and the actions that change it.
#[derive(Clone, Copy)]
pub struct Session {
    pub me: Resource<Result<Option<Being>, ApiError>>,
    pub join: ServerAction<Join>,
    pub rename: ServerAction<RenameMe>,
}

pub fn provide_session() {
    let join = ServerAction::<Join>::new();
    let rename = ServerAction::<RenameMe>::new();
    let me = Resource::new(
        move || (join.version().get(), rename.version().get()),
        |_| current_guest(),
    );
    provide_context(Session { me, join, rename });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
