//! `/s/{id}`: a space — who is here, and the conversation, live.
//!
//! The page loads the space's snapshot once (server-rendered); in the browser the space's
//! stream resumes from that snapshot's position, so nothing is fetched twice and every later
//! change arrives as a delta into the space's store.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::{SpaceView, open_space};
use crate::model::ApiError;
use crate::model::Timestamp;
use crate::ui::components::parts::add_bot_part;
use crate::ui::components::{Chat, Clock, ErrorNote, Presence};
use crate::ui::session::use_session;
use crate::ui::space::{FollowedSpace, Reading, SpaceDataStoreFields, SpaceStore, Status, Typists};

#[component]
pub fn SpacePage() -> impl IntoView {
    let params = use_params_map();
    let space_id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| Uuid::try_parse(&id).ok())
    });
    let session = use_session();
    // Reloaded only when you become someone else; everything else arrives live.
    let data = Resource::new(
        move || {
            (
                space_id.get(),
                session.join.version().get(),
                session.changes.get(),
            )
        },
        |(id, _, _)| async move {
            match id {
                Some(id) => open_space(id).await,
                None => Err(ApiError::not_found("space")),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="card">"Opening the space…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <LiveSpace view /> }.into_any(),
                    Err(error) => view! {
                        <section class="card"><ErrorNote error /><a href="/">"Back to the spaces"</a></section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A loaded space: its store, its stream, and what shows it.
#[component]
fn LiveSpace(view: SpaceView) -> impl IntoView {
    let SpaceView {
        snapshot,
        me,
        moderates,
        read,
        away_after_ms,
        read_at,
    } = view;
    let space_id = snapshot.space.id;
    let store = SpaceStore::new(snapshot);
    let reading = store
        .data
        .messages()
        .with_untracked(|rows| Reading::new(me.as_ref().map(|me| me.id), read.as_ref(), rows));
    let followed = FollowedSpace {
        store,
        status: RwSignal::new(Status::CatchingUp),
        moderates,
        typists: Typists::default(),
        reading,
    };
    provide_context(followed);
    // As of when the page is current: when the server read it, or when it was last live.
    let as_of = RwSignal::new(read_at);
    // Effects run only in the browser: put back and keep the space's last-known state, follow
    // the space from the snapshot's position, and walk a signed-in viewer in (a write, so not done by loading the page).
    #[cfg(feature = "hydrate")]
    {
        let session = use_session();
        let ended = Callback::new(move |how| session.session_ended(how));
        let away_after = std::time::Duration::from_millis(away_after_ms);
        Effect::new(move |_| {
            crate::client::keep_state(space_id, followed.store, followed.status, as_of);
            crate::client::follow(space_id, followed, ended, away_after)
        });
    }
    #[cfg(feature = "hydrate")]
    if me.is_some() {
        Effect::new(move |_| {
            leptos::task::spawn_local(async move {
                if let Err(error) = crate::api::enter_space(space_id).await {
                    leptos::logging::warn!("entering the space failed: {}", error.message);
                }
            })
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (space_id, away_after_ms);
    let store = followed.store.data;
    let name = move || store.space().read().name.clone();
    // The tab says how many messages wait unread here.
    let unread = Memo::new(move |_| store.messages().with(|rows| reading.unread(rows).0));
    let title = move || match unread.get() {
        0 => format!("{} · rhizom", name()),
        n => format!("({n}) {} · rhizom", name()),
    };
    view! {
        <Title text=title />
        <div class="space">
            <div class="space-title">
                <h1>{name}</h1>
                <ConnectionStatus status=followed.status current_at=as_of />
            </div>
            <Show when=move || store.deleted().get()>
                <p class="card error" role="alert">"This space was deleted."</p>
            </Show>
            <Presence me=me.clone() />
            {me.is_some().then(|| view! {
                <Suspense fallback=|| ()>{move || Suspend::new(add_bot_part(space_id))}</Suspense>
            })}
            <Chat me />
        </div>
    }
}

/// How current the page is; when it is not live, as of when it last was (or when the server
/// read it, for a page shown without the server).
#[component]
fn ConnectionStatus(status: RwSignal<Status>, current_at: RwSignal<Timestamp>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if status.get() == Status::Live {
            current_at.set(Timestamp((js_sys::Date::now() * 1_000.0) as i64));
        }
    });
    view! {
        <p class="status" role="status" data-status=move || status.get().label()>
            <span class="dot" aria-hidden="true"></span>
            {move || status.get().label()}
            <Show when=move || status.get() != Status::Live>
                <span class="as-of">" · as of " <Clock at=current_at /></span>
            </Show>
        </p>
    }
}
