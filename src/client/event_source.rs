//! Listening to an `EventSource` on behalf of a connection's state: each handler runs only while
//! the state still listens to the source it was registered for (its generation), so the events
//! of a replaced or closed source do nothing.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

/// A listener, kept alive by the connection as long as its source is.
pub type Listener = Closure<dyn FnMut(MessageEvent)>;

/// What an event of the source of `generation` does to a connection's state.
pub type Handler<S> = fn(&Rc<RefCell<S>>, u64, &MessageEvent);

/// A connection's state that knows which of its sources it still listens to.
pub trait Generation {
    fn listens_to(&self, generation: u64) -> bool;
}

/// Adds `handlers` (event name, handler) to `source`, the connection's source of `generation`.
pub fn listen<S: Generation + 'static>(
    source: &EventSource,
    state: &Rc<RefCell<S>>,
    generation: u64,
    handlers: &[(&str, Handler<S>)],
) -> Vec<Listener> {
    handlers
        .iter()
        .map(|&(name, handle)| {
            let state = state.clone();
            let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if state.borrow().listens_to(generation) {
                    handle(&state, generation, &event);
                }
            });
            let _ =
                source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            listener
        })
        .collect()
}

/// An event's data as text.
pub fn data(event: &MessageEvent) -> String {
    event.data().as_string().unwrap_or_default()
}
