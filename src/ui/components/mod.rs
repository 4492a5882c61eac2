//! Components shared by the pages; the tree mirrors the page.

pub mod chat;
mod error_note;
mod identity;
mod presence;

pub use chat::Chat;
pub use error_note::ErrorNote;
pub use identity::{Identity, JoinForm};
pub use presence::Presence;
