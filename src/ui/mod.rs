//! The user interface, shared by the server (rendering) and the client (hydration).

pub mod components;
pub mod home;
pub mod pages;
pub mod session;
pub mod space;
