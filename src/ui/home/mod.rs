//! The home page's list of spaces, live: each row shows who is there, the latest message, and
//! the reader's unread messages and mentions, and is kept current by one stream of all the
//! listed spaces (`client::follow_spaces`). Each row holds its own state, so a change to one
//! space rewrites one row.

mod digest;

pub use digest::{Reader, SpaceDigest};

use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use crate::model::Being;
use crate::sync::{COUNTED_UP_TO, SpaceSummary};

/// Names shown beside a space's count of who is online.
const NAMED: usize = 3;
/// The latest message is shown up to this many characters.
const LATEST_CHARS: usize = 80;

/// One listed space and its state.
#[derive(Clone, Copy)]
pub struct HomeRow {
    pub space_id: Uuid,
    pub digest: RwSignal<SpaceDigest>,
}

/// Whether the list is following its spaces live (for the page and its tests).
#[derive(Clone, Copy)]
pub struct ListStatus {
    pub live: RwSignal<bool>,
}

/// The listed spaces, each a row that its space's deltas keep (a plain function, not a
/// component: as the first part of the page's list it must hydrate as the element it is).
pub fn live_space_list(summaries: Vec<SpaceSummary>, me: Option<Being>) -> impl IntoView {
    let reader = me.map(|me| Reader {
        id: me.id,
        name: me.name,
    });
    let rows: Vec<HomeRow> = summaries
        .into_iter()
        .map(|summary| HomeRow {
            space_id: summary.space.id,
            digest: RwSignal::new(SpaceDigest::new(summary, reader.clone())),
        })
        .collect();
    let status = ListStatus {
        live: RwSignal::new(false),
    };
    #[cfg(feature = "hydrate")]
    {
        let rows = rows.clone();
        Effect::new(move |_| crate::client::follow_spaces(rows.clone(), status));
    }
    view! {
        <ul aria-label="Spaces" class="space-list" data-live=move || status.live.get().to_string()>
            {rows.into_iter().map(|row| view! { <SpaceRow row /> }).collect_view()}
        </ul>
    }
}

#[component]
fn SpaceRow(row: HomeRow) -> impl IntoView {
    let digest = row.digest;
    let name = Memo::new(move |_| digest.with(|d| d.space.name.clone()));
    let here = Memo::new(move |_| digest.with(|d| d.online_names(NAMED)));
    let latest = Memo::new(move |_| {
        digest.with(|d| {
            d.latest.as_ref().map(|message| {
                let author = d.name_of(message.owner_id).unwrap_or("someone").to_owned();
                let text: String = message.content.chars().take(LATEST_CHARS).collect();
                format!("{author}: {text}")
            })
        })
    });
    let unread = Memo::new(move |_| digest.with(SpaceDigest::unread));
    let gone = Memo::new(move |_| digest.with(|d| d.deleted));
    // Nothing at all when nobody is there: an empty text would not survive hydration.
    let who = move || {
        let (count, names) = here.get();
        match count {
            0 => None,
            n if names.is_empty() => Some(format!("{n} here")),
            n => Some(format!("{n} here: {}", names.join(", "))),
        }
    };
    view! {
        <li data-space=row.space_id.to_string() class:gone=move || gone.get()>
            <div class="space-row">
                <A href=format!("/s/{}", row.space_id)>{move || name.get()}</A>
                <span class="here">{who}</span>
                <Unread counts=unread />
            </div>
            <p class="latest">{move || latest.get()}</p>
        </li>
    }
}

/// A space's unread messages and mentions of you, when there are any.
#[component]
fn Unread(counts: Memo<(u32, u32)>) -> impl IntoView {
    let count = |n: u32| match n {
        n if n >= COUNTED_UP_TO => format!("{}+", COUNTED_UP_TO - 1),
        n => n.to_string(),
    };
    let unread = move || {
        let n = counts.get().0;
        (n > 0).then(|| {
            let label = match n {
                1 => "1 unread message".to_owned(),
                n => format!("{} unread messages", count(n)),
            };
            view! { <span class="unread" aria-label=label>{count(n)}</span> }
        })
    };
    let mentions = move || {
        let n = counts.get().1;
        (n > 0).then(|| {
            let label = match n {
                1 => "1 mention of you".to_owned(),
                n => format!("{} mentions of you", count(n)),
            };
            view! { <span class="mentions" aria-label=label>{format!("@{}", count(n))}</span> }
        })
    };
    view! { {unread} {mentions} }
}
