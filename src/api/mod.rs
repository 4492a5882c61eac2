//! Server functions: the UI's calls to the server. Each is a thin wrapper over one operation in
//! `server::ops`, which the JSON API shares. They live under `/rpc/` so `/api/` stays the
//! documented public API.

mod messages;
mod session;
mod spaces;

pub use messages::*;
pub use session::*;
pub use spaces::*;
