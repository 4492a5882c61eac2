//! Server functions: the UI's calls to the server. Each is a thin wrapper over one operation in
//! `server::ops`, which the JSON API shares. They live under `/rpc/` so `/api/` stays the
//! documented public API.

mod bots;
mod codec;
mod messages;
mod passkeys;
mod profile;
mod reading;
mod session;
mod sign_in_links;
mod spaces;

pub use bots::*;
pub use codec::JsonText;
pub use messages::*;
pub use passkeys::*;
pub use profile::*;
// Called only from the browser.
#[cfg_attr(not(feature = "hydrate"), allow(unused_imports))]
pub use reading::*;
pub use session::*;
pub use sign_in_links::*;
pub use spaces::*;
