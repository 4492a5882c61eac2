//! `/s/{id}`: a space — who is here, and the conversation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::api::{DeleteMessage, EditMessage, PostMessage, open_space};
use crate::model::ApiError;
use crate::ui::components::chat::ChatActions;
use crate::ui::components::{Chat, ErrorNote, Presence};
use crate::ui::session::use_session;

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
    let actions = ChatActions {
        post: ServerAction::<PostMessage>::new(),
        edit: ServerAction::<EditMessage>::new(),
        delete: ServerAction::<DeleteMessage>::new(),
    };
    let data = Resource::new(
        move || {
            (
                space_id.get(),
                session.version(),
                actions.post.version().get(),
                actions.edit.version().get(),
                actions.delete.version().get(),
            )
        },
        |(id, ..)| async move {
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
                    Ok(view) => {
                        let space_id = view.space.id;
                        view! {
                            <Title text=format!("{} · rhizom", view.space.name) />
                            <div class="space">
                                <h1 class="space-title">{view.space.name}</h1>
                                <Presence beings=view.beings me=view.me.clone() />
                                <Chat space_id messages=view.messages.items authors=view.authors me=view.me actions />
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <section class="card"><ErrorNote error /><a href="/">"Back to the spaces"</a></section> }.into_any(),
                }
            })}
        </Transition>
    }
}
