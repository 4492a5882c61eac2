//! The operations: each one implemented once, called by the JSON API and by the UI's server
//! functions alike. They parse input, check permissions and talk to the database.

pub mod beings;
pub mod bot_tokens;
pub mod bots;
pub mod intentions;
mod mentions;
pub mod moderation;
pub mod oidc;
pub(crate) mod paging;
pub mod passkeys;
pub mod reading;
mod retry;
pub mod session;
pub mod sign_in_links;
pub mod spaces;
pub mod summaries;
pub mod typing;
pub(crate) mod ways_back;
