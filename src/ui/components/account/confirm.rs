//! "Are you sure?" for the last way back into a being: the server refuses such a step with a
//! `409` on the field `confirm`; this shows why, and a button that asks again, confirmed.

use leptos::prelude::*;

use crate::model::ApiError;
use crate::ui::components::ErrorNote;

/// The outcome of a step that may need confirming: its error, or — when the server asks for a
/// confirmation — the reason and `again` (which repeats the step, confirmed).
#[component]
pub fn ConfirmOrError(error: ApiError, again: Callback<()>) -> impl IntoView {
    if error.field.as_deref() != Some("confirm") {
        return view! { <ErrorNote error /> }.into_any();
    }
    view! {
        <div class="confirm" role="alert">
            <p>{error.message}</p>
            <button type="button" class="danger-button" on:click=move |_| again.run(())>
                "Yes, go ahead"
            </button>
        </div>
    }
    .into_any()
}
