//! The accounts (OpenID Connect providers) you sign in with, and linking another.

use leptos::prelude::*;

use crate::model::{LinkedProvider, ProviderChoice};
use crate::ui::components::Clock;

#[component]
pub fn Providers(linked: Vec<LinkedProvider>, providers: Vec<ProviderChoice>) -> impl IntoView {
    if providers.is_empty() && linked.is_empty() {
        return ().into_any();
    }
    let unlinked: Vec<ProviderChoice> = providers
        .into_iter()
        .filter(|choice| !linked.iter().any(|l| l.provider == choice.name))
        .collect();
    view! {
        <section class="card" aria-labelledby="providers-heading">
            <h2 id="providers-heading">"Accounts you sign in with"</h2>
            <ul class="rows" aria-label="Linked accounts">
                {linked.into_iter().map(|link| view! {
                    <li class="row-item">
                        <span class="row-name">{link.provider}</span>
                        <span class="hint">"linked " <Clock at=link.created_at date=true /></span>
                    </li>
                }).collect_view()}
            </ul>
            <ul class="providers">
                {unlinked.into_iter().map(|choice| view! {
                    <li><a class="button" href=choice.href>{format!("Link {}", choice.name)}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}
