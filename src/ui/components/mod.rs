//! Components shared by the pages; the tree mirrors the page.

pub mod account;
pub mod bots;
mod chat;
mod clock;
mod error_note;
mod identity;
mod markdown;
pub mod parts;
mod presence;
mod text;
mod top_bar;

pub use chat::Chat;
pub use clock::{Clock, provide_local_time};
pub use error_note::ErrorNote;
pub use identity::{Identity, JoinForm};
pub use presence::Presence;
pub use top_bar::TopBar;
