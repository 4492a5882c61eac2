//! One component per route.

mod home;
mod not_found;
mod space;

pub use home::HomePage;
pub use not_found::NotFound;
pub use space::SpacePage;
