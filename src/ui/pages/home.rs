//! `/`: who you are, the spaces, and a form to create one.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::{CreateSpace, SpaceList, list_spaces};
use crate::ui::components::{ErrorNote, Identity};
use crate::ui::home::live_space_list;
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
                        Ok(SpaceList { spaces, next, me }) => view! {
                            {live_space_list(spaces, me)}
                            {next.map(|next| view! {
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
