//! Times as the reader's own clock shows them. The server renders them in UTC (it cannot know
//! the reader's time zone); once the page is hydrated, each shows in the browser's zone, in
//! the same format and width, so the switch moves nothing on the page.

use chrono::{Datelike, Timelike};
use leptos::prelude::*;

use crate::model::Timestamp;

/// Whether the page is hydrated, so that times may show in the browser's zone.
#[derive(Clone, Copy)]
struct Hydrated(ReadSignal<bool>);

/// For the root: times turn local once the page is hydrated.
pub fn provide_local_time() {
    let (hydrated, set_hydrated) = signal(false);
    // Effects run in the browser only, once the page is hydrated.
    Effect::new(move |_| set_hydrated.set(true));
    provide_context(Hydrated(hydrated));
}

/// A `<time>`: `HH:MM`, or with `date` `YYYY-MM-DD HH:MM`; the full time on hover.
#[component]
pub fn Clock(#[prop(into)] at: Signal<Timestamp>, #[prop(optional)] date: bool) -> impl IntoView {
    let hydrated = use_context::<Hydrated>().map(|Hydrated(h)| h);
    let shown = move || {
        let local = hydrated.is_some_and(|h| h.get());
        let [year, month, day, hour, minute] = if local {
            browser::parts(at.get())
        } else {
            utc_parts(at.get())
        };
        let zone = if local { "" } else { " UTC" };
        let full = format!("{year}-{month:02}-{day:02} {hour:02}:{minute:02}");
        let text = if date {
            full.clone()
        } else {
            format!("{hour:02}:{minute:02}")
        };
        (text, format!("{full}{zone}"))
    };
    let shown = Memo::new(move |_| shown());
    view! {
        <time datetime=move || at.get().to_rfc3339() title=move || shown.get().1>
            {move || shown.get().0}
        </time>
    }
}

fn utc_parts(at: Timestamp) -> [u32; 5] {
    let t = at.to_datetime();
    [t.year() as u32, t.month(), t.day(), t.hour(), t.minute()]
}

/// Year, month, day, hour and minute in the browser's time zone.
#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsValue;

    use crate::model::Timestamp;

    pub fn parts(at: Timestamp) -> [u32; 5] {
        let date = js_sys::Date::new(&JsValue::from_f64(at.0 as f64 / 1_000.0));
        [
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes(),
        ]
    }
}

/// On the server the page is never hydrated: times stay in UTC.
#[cfg(not(feature = "hydrate"))]
mod browser {
    use crate::model::Timestamp;

    pub fn parts(at: Timestamp) -> [u32; 5] {
        super::utc_parts(at)
    }
}
