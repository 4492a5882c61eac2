//! The browser side of sync (the `hydrate` build): one connection per open space that keeps
//! the space's store current — SSE with its own reconnects, gap checks, and a polling fallback.

mod connection;

pub use connection::follow;
