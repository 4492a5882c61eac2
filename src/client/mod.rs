//! The browser side (the `hydrate` build): one connection per browser that keeps every open
//! space page and the home page's list current — one stream of several spaces held by one tab
//! for all of them, with its own reconnects, gap checks and a polling fallback —, marking what
//! is read, the offline tier (the service worker, each space's last-known state, the durable
//! outbox), and the browser's part of passkeys.

mod event_source;
mod kept_state;
mod live;
pub mod offline;
pub mod outbox;
pub mod passkeys;
mod reading;

pub use kept_state::keep_state;
pub use live::{follow, follow_spaces};
pub use reading::keep_marked;
