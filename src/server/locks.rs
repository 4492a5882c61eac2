//! The one lock-poisoning policy: a panic while a lock was held is a bug, and it was logged
//! where it happened; every structure behind our locks is whole between statements, so the
//! guard is taken back and the server goes on rather than failing every later request.

use std::sync::{Mutex, MutexGuard};

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
