//! An error the user should read, announced to screen readers.

use leptos::prelude::*;

use crate::model::ApiError;

#[component]
pub fn ErrorNote(error: ApiError) -> impl IntoView {
    view! { <p class="error" role="alert">{error.message}</p> }
}
