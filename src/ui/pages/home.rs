//! `/`: who you are, the spaces, and a form to create one.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::{CreateSpace, SpaceList, list_spaces};
use crate::sync::{COUNTED_UP_TO, ReadState};
use crate::ui::components::{ErrorNote, Identity};
use crate::ui::session::use_session;

#[component]
pub fn HomePage() -> impl IntoView {
    let create = ServerAction::<CreateSpace>::new();
    // A page of spaces at a time; `/?after=<cursor>` is the next one (links work without
    // JavaScript).
    let query = use_query_map();
    let after = Memo::new(move |_| query.read().get("after"));
    let spaces = Resource::new(
        move || (create.version().get(), after.get()),
        |(_, after)| list_spaces(after),
    );
    view! {
        <section class="card intro">
            <h1>"rhizom"</h1>
            <p>"Live spaces: see who is here and talk, as it happens."</p>
            <Identity />
        </section>
        <section class="card" aria-labelledby="spaces-heading">
            <h2 id="spaces-heading">"Spaces"</h2>
            <Transition fallback=|| view! { <p>"Loading spaces…"</p> }>
                {move || Suspend::new(async move {
                    match spaces.await {
                        Ok(SpaceList { spaces: page, reading }) => view! {
                            <ul aria-label="Spaces" class="space-list">
                                {page.items.into_iter().map(|space| {
                                    let read = reading.iter().find(|r| r.space_id == space.id).cloned();
                                    view! {
                                        <li>
                                            <A href=format!("/s/{}", space.id)>{space.name}</A>
                                            {read.map(|read| view! { <Unread read /> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {page.next.map(|next| view! {
                                <p><A href=format!("/?after={next}")>"More spaces →"</A></p>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorNote error /> }.into_any(),
                    }
                })}
            </Transition>
            <CreateSpaceForm create />
        </section>
    }
}

/// Shown to signed-in guests only: a new space takes you into it.
#[component]
fn CreateSpaceForm(create: ServerAction<CreateSpace>) -> impl IntoView {
    let session = use_session();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                matches!(session.me.await, Ok(Some(_))).then(|| view! {
                    <ActionForm action=create attr:class="inline-form">
                        <label for="space-name">"Space name"</label>
                        <input id="space-name" name="name" required maxlength="64" autocomplete="off" />
                        <button type="submit">"Create space"</button>
                    </ActionForm>
                    {move || create.value().get().and_then(Result::err).map(|error| view! { <ErrorNote error /> })}
                })
            })}
        </Transition>
    }
}

/// A space's unread messages and mentions of you, when there are any.
#[component]
fn Unread(read: ReadState) -> impl IntoView {
    let count = |n: u32| match n {
        n if n >= COUNTED_UP_TO => format!("{}+", COUNTED_UP_TO - 1),
        n => n.to_string(),
    };
    let unread = (read.unread > 0).then(|| {
        let label = match read.unread {
            1 => "1 unread message".to_owned(),
            n => format!("{} unread messages", count(n)),
        };
        view! { <span class="unread" aria-label=label>{count(read.unread)}</span> }
    });
    let mentions = (read.mentions > 0).then(|| {
        let label = match read.mentions {
            1 => "1 mention of you".to_owned(),
            n => format!("{} mentions of you", count(n)),
        };
        view! { <span class="mentions" aria-label=label>{format!("@{}", count(read.mentions))}</span> }
    });
    view! { {unread} {mentions} }
}
