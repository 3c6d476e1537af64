//! Progress of a long run, reported to whoever asked (the web worker posts it to the page;
//! natively nobody listens). A thread-local sink keeps the experiment code free of callbacks.

use std::cell::{Cell, RefCell};

thread_local! {
    static SINK: RefCell<Option<Box<dyn FnMut(f64)>>> = RefCell::new(None);
    static SPAN: Cell<(f64, f64)> = const { Cell::new((0.0, 1.0)) };
}

/// Runs `f` with `sink` receiving progress fractions in [0, 1].
pub fn with_sink<R>(sink: impl FnMut(f64) + 'static, f: impl FnOnce() -> R) -> R {
    SINK.with(|s| *s.borrow_mut() = Some(Box::new(sink)));
    SPAN.with(|s| s.set((0.0, 1.0)));
    let out = f();
    SINK.with(|s| *s.borrow_mut() = None);
    out
}

/// Reports that the current stage is `fraction` done.
pub fn report(fraction: f64) {
    let (a, b) = SPAN.with(|s| s.get());
    let value = a + (b - a) * fraction.clamp(0.0, 1.0);
    SINK.with(|s| {
        if let Ok(mut sink) = s.try_borrow_mut() {
            if let Some(f) = sink.as_mut() {
                f(value);
            }
        }
    });
}

/// Runs `f` as the stage covering [start, end] of the current stage.
pub fn stage<R>(start: f64, end: f64, f: impl FnOnce() -> R) -> R {
    let outer = SPAN.with(|s| s.get());
    let map = |x: f64| outer.0 + (outer.1 - outer.0) * x;
    SPAN.with(|s| s.set((map(start), map(end))));
    report(0.0);
    let out = f();
    report(1.0);
    SPAN.with(|s| s.set(outer));
    out
}
