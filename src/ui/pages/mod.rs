//! One component per route.

mod bot;
mod home;
mod not_found;
mod profile;
mod sign_in;
mod sign_in_link;
mod space;

pub use bot::BotPage;
pub use home::HomePage;
pub use not_found::NotFound;
pub use profile::ProfilePage;
pub use sign_in::SignInPage;
pub use sign_in_link::SignInLinkPage;
pub use space::SpacePage;
