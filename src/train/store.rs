//! Training states kept between runs of one process (a web worker, a CLI call, a test thread),
//! keyed by the query text that fixes the training: a cancelled run leaves its state here and
//! the same query resumes it; a finished one stays so that views of the trained network, and
//! opening the same link again, need no retraining. The few most recent are kept.

use std::any::Any;
use std::cell::RefCell;

/// States kept at most (the oldest goes first).
pub const CAPACITY: usize = 4;

thread_local! {
    static STATES: RefCell<Vec<(String, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `state` under `key`, replacing what was there.
pub fn keep<T: Any>(key: String, state: T) {
    STATES.with(|s| {
        let mut s = s.borrow_mut();
        s.retain(|(k, _)| *k != key);
        if s.len() >= CAPACITY {
            s.remove(0);
        }
        s.push((key, Box::new(state)));
    });
}

/// Removes and returns the state kept under `key`, if it is a `T`.
pub fn take<T: Any>(key: &str) -> Option<T> {
    STATES.with(|s| {
        let mut s = s.borrow_mut();
        let at = s.iter().position(|(k, v)| k == key && v.is::<T>())?;
        s.remove(at).1.downcast::<T>().ok().map(|b| *b)
    })
}

/// Forgets every state.
pub fn clear() {
    STATES.with(|s| s.borrow_mut().clear());
}
