//! The HTML shell, the root component and the routes.

use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

use crate::ui::components::{TopBar, provide_local_time};
use crate::ui::pages::{
    BotRoute, HomeRoute, NotFound, ProfileRoute, SignInLinkRoute, SignInRoute, SpacePage,
};
use crate::ui::session::provide_session;

/// The document around the app, rendered on the server.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::{HashedStylesheet, MetaTags};
    // The page's Content-Security-Policy allows the scripts that carry this response's nonce.
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let policy = crate::server::guard::headers::page_policy(&nonce);
        if let Ok(policy) = axum::http::HeaderValue::from_str(&policy) {
            response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet id="leptos" options=options.clone() />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Routes stream in order: each page arrives as complete HTML, readable with JavaScript off
/// (out-of-order streaming would need a script to put the pieces in place). Every page but the
/// space page is a lazy route: its code is a part of the client of its own, loaded when the page
/// is first shown (`ui::pages`).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();
    provide_local_time();
    view! {
        <Title text="rhizom" />
        <Router>
            <TopBar />
            <main>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/s/:id") view=SpacePage ssr=SsrMode::InOrder />
                    <Route path=path!("/sign-in") view={Lazy::<SignInRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/me") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/b/:id") view={Lazy::<BotRoute>::new()} ssr=SsrMode::InOrder />
                    <Route path=path!("/link/:token") view={Lazy::<SignInLinkRoute>::new()} ssr=SsrMode::InOrder />
                </Routes>
            </main>
        </Router>
    }
}
