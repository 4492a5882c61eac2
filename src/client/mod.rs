//! The browser side (the `hydrate` build): one connection per open space that keeps the
//! space's store current — SSE with its own reconnects, gap checks, and a polling fallback —,
//! the home page's one stream of its spaces, marking what is read, the offline tier (the
//! service worker, the durable outbox), and the browser's part of passkeys.

mod connection;
mod event_source;
pub mod offline;
pub mod outbox;
pub mod passkeys;
mod reading;
mod spaces_stream;

pub use connection::follow;
pub use reading::keep_marked;
pub use spaces_stream::follow_spaces;
