//! The devices signed in as you: each one's browser, when it came and when it was last seen,
//! and signing it out — this one too.

use leptos::prelude::*;
use uuid::Uuid;

use super::confirm::ConfirmOrError;
use crate::api::{EndOtherSessions, EndSession};
use crate::model::SessionInfo;
use crate::ui::components::{Clock, ErrorNote};

#[component]
pub fn Sessions(sessions: Vec<SessionInfo>, changed: Callback<()>) -> impl IntoView {
    let end = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let this_one = sessions.iter().find(|s| s.current).map(|s| s.id);
    // The session being signed out (to ask again, confirmed).
    let ending = RwSignal::new(None::<Uuid>);
    let sign_out = move |id: Uuid, confirm: bool| {
        ending.set(Some(id));
        end.dispatch(EndSession { id, confirm });
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = end.value().get() {
            if ending.get_untracked().is_some() && ending.get_untracked() == this_one {
                // Signed out here: the whole page is someone else's now, and nothing kept
                // for this device stays.
                #[cfg(feature = "hydrate")]
                leptos::task::spawn_local(async {
                    crate::client::offline::forget_everything().await;
                    crate::ui::session::reload_at("/");
                });
            } else {
                changed.run(());
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = end_others.value().get() {
            changed.run(());
        }
    });
    let others = sessions.len() > 1;
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <ul class="rows" aria-label="Your sessions">
                {sessions.into_iter().map(|session| {
                    let id = session.id;
                    let label = if session.current { "Sign out" } else { "Sign this device out" };
                    view! {
                        <li class="row-item" data-current=session.current.to_string()>
                            <span class="row-name">{session.user_agent}</span>
                            {session.current.then(|| view! { <span class="tag">"this device"</span> })}
                            <span class="hint">
                                "since " <Clock at=session.created_at date=true /> " · last seen " <Clock at=session.last_seen_at date=true />
                            </span>
                            <button
                                type="button"
                                class="link danger"
                                on:click=move |_| sign_out(id, false)
                            >
                                {label}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {move || end.value().get().and_then(Result::err).map(|error| {
                let again = Callback::new(move |()| {
                    if let Some(id) = ending.get_untracked() {
                        sign_out(id, true);
                    }
                });
                view! { <ConfirmOrError error again /> }
            })}
            {others.then(|| view! {
                <button type="button" class="link danger" on:click=move |_| { end_others.dispatch(EndOtherSessions {}); }>
                    "Sign out everywhere else"
                </button>
            })}
            {move || end_others.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
        </section>
    }
}
