//! Components shared by the pages; the tree mirrors the page.

mod chat;
mod error_note;
mod identity;
mod presence;
mod text;

pub use chat::Chat;
pub use error_note::ErrorNote;
pub use identity::{Identity, JoinForm};
pub use presence::Presence;
