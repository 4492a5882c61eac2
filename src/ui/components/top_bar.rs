//! The bar on every page: home, who you are (your profile) or a way to sign in, and what
//! happened to your session.

use leptos::prelude::*;

use crate::ui::session::use_session;

#[component]
pub fn TopBar() -> impl IntoView {
    let session = use_session();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"rhizom"</a>
            <nav aria-label="You">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.me.await {
                            Ok(Some(me)) => view! {
                                <a href="/me">{me.name}</a>
                            }.into_any(),
                            _ => view! { <a href="/sign-in">"Sign in"</a> }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
        {move || session.notice.get().map(|notice| view! {
            <p class="session-notice" role="alert">
                {notice} " " <a href="/sign-in">"Sign in again"</a>
            </p>
        })}
    }
}
