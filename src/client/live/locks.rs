//! Web Locks from Rust (`navigator.locks`, reached through `Reflect`: web-sys has them only
//! behind its unstable flag): asking for a lock held as long as the page lives, and listing
//! the locks held or asked for.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `navigator.locks`, where the browser has it.
pub(super) fn locks() -> Option<JsValue> {
    let locks = Reflect::get(&window().navigator(), &"locks".into()).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then_some(locks)
}

/// Asks for the lock `name`, held as long as the page lives; `granted` runs once it is, or at
/// once if the browser refuses the request (the tab then does without the lock).
pub(super) fn hold(locks: &JsValue, name: &str, granted: impl FnOnce() + 'static) {
    let granted = Rc::new(RefCell::new(Some(granted)));
    let run = {
        let granted = granted.clone();
        move || {
            if let Some(granted) = granted.borrow_mut().take() {
                granted();
            }
        }
    };
    let Some(request) = Reflect::get(locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return run();
    };
    let on_granted = {
        let run = run.clone();
        Closure::<dyn FnMut(JsValue) -> Promise>::new(move |_lock: JsValue| {
            run();
            // Never settles: the lock is let go when the page goes.
            Promise::new(&mut |_, _| {})
        })
    };
    let asked = request.call2(locks, &name.into(), on_granted.as_ref().unchecked_ref());
    // Held for the page's whole life, as the lock is.
    on_granted.forget();
    match asked.ok().and_then(|p| p.dyn_into::<Promise>().ok()) {
        Some(held) => leptos::task::spawn_local(async move {
            if JsFuture::from(held).await.is_err() {
                run();
            }
        }),
        None => run(),
    }
}

/// The names of the locks held or asked for now.
pub(super) async fn lock_names(locks: &JsValue) -> Option<HashSet<String>> {
    let query: Function = Reflect::get(locks, &"query".into()).ok()?.dyn_into().ok()?;
    let promise: Promise = query.call0(locks).ok()?.dyn_into().ok()?;
    let snapshot = JsFuture::from(promise).await.ok()?;
    let mut names = HashSet::new();
    for part in ["held", "pending"] {
        let locks: Array = Reflect::get(&snapshot, &part.into())
            .ok()?
            .dyn_into()
            .ok()?;
        names.extend(
            locks
                .iter()
                .filter_map(|lock| Reflect::get(&lock, &"name".into()).ok()?.as_string()),
        );
    }
    Some(names)
}
