//! One component per route. The space page, where a shared link lands, is in the client's main
//! wasm; every other page is a lazy route: its code is split out into parts of its own (`cargo
//! leptos --split`), which the browser loads when the page is first shown. A server-rendered
//! page names its parts for the browser to fetch with the main wasm, and hydration waits for
//! them (docs/PERFORMANCE.md, "First visit").

mod bot;
mod home;
mod not_found;
mod profile;
mod sign_in;
mod sign_in_link;
mod space;

use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

use bot::BotPage;
use home::HomePage;
pub use not_found::NotFound;
use profile::ProfilePage;
use sign_in::SignInPage;
use sign_in_link::SignInLinkPage;
pub use space::SpacePage;

/// Declares `$route`, the lazy route that shows the component `$page`. The page loads its own
/// data, so the route has none to start before the page's code arrives.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_route: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(HomeRoute, HomePage);
lazy_page!(SignInRoute, SignInPage);
lazy_page!(ProfileRoute, ProfilePage);
lazy_page!(BotRoute, BotPage);
lazy_page!(SignInLinkRoute, SignInLinkPage);
