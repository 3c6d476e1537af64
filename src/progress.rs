//! Progress and cancellation of a long run, between the run's caller (the web worker posts
//! progress to the page and reads its cancel flag; the CLI listens to neither) and the
//! numerical code. Thread-local hooks keep the numerical code free of callbacks: it calls
//! [`report`] and checks [`cancelled`] between chunks of work.

use std::cell::{Cell, RefCell};

type Sink = Box<dyn FnMut(f64)>;
type Token = Box<dyn Fn() -> bool>;
type Publisher = Box<dyn FnMut(String)>;
type Wrapper = Box<dyn Fn(serde_json::Value) -> String>;

thread_local! {
    static SINK: RefCell<Option<Sink>> = RefCell::new(None);
    static TOKEN: RefCell<Option<Token>> = RefCell::new(None);
    static SPAN: Cell<(f64, f64)> = const { Cell::new((0.0, 1.0)) };
    static PUBLISHER: RefCell<Option<Publisher>> = RefCell::new(None);
    static WRAPPER: RefCell<Option<Wrapper>> = RefCell::new(None);
}

/// Runs `f` with `publisher` receiving the result documents a run shows before it ends (a
/// training run's pictures so far), each a whole document as text.
pub fn with_publisher<R>(publisher: impl FnMut(String) + 'static, f: impl FnOnce() -> R) -> R {
    PUBLISHER.with(|p| *p.borrow_mut() = Some(Box::new(publisher)));
    let out = f();
    PUBLISHER.with(|p| *p.borrow_mut() = None);
    out
}

/// Runs `f` with `wrap` turning a result (JSON) into its whole document: the registry installs
/// it around a run, since only it knows the parameters and the envelope.
pub fn with_wrapper<R>(wrap: impl Fn(serde_json::Value) -> String + 'static, f: impl FnOnce() -> R) -> R {
    let outer = WRAPPER.with(|w| w.borrow_mut().replace(Box::new(wrap)));
    let out = f();
    WRAPPER.with(|w| *w.borrow_mut() = outer);
    out
}

/// Whether anyone listens to results published before the end (then they are worth making).
pub fn publishing() -> bool {
    PUBLISHER.with(|p| p.try_borrow().map(|p| p.is_some()).unwrap_or(false))
}

/// Sends a result made before the end of the run to the publisher, as a whole document.
pub fn publish(result: serde_json::Value) {
    let Some(text) = WRAPPER.with(|w| w.borrow().as_ref().map(|wrap| wrap(result))) else { return };
    PUBLISHER.with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            if let Some(f) = p.as_mut() {
                f(text);
            }
        }
    });
}

/// Runs `f` with `sink` receiving progress fractions in [0, 1].
pub fn with_sink<R>(sink: impl FnMut(f64) + 'static, f: impl FnOnce() -> R) -> R {
    with_hooks(sink, || false, f)
}

/// Runs `f` with `sink` receiving progress fractions in [0, 1] and `cancel` asked, between
/// chunks of work, whether to stop.
pub fn with_hooks<R>(sink: impl FnMut(f64) + 'static, cancel: impl Fn() -> bool + 'static, f: impl FnOnce() -> R) -> R {
    SINK.with(|s| *s.borrow_mut() = Some(Box::new(sink)));
    TOKEN.with(|t| *t.borrow_mut() = Some(Box::new(cancel)));
    SPAN.with(|s| s.set((0.0, 1.0)));
    let out = f();
    SINK.with(|s| *s.borrow_mut() = None);
    TOKEN.with(|t| *t.borrow_mut() = None);
    out
}

/// Whether the caller has asked the current run to stop (false outside a run).
pub fn cancelled() -> bool {
    TOKEN.with(|t| t.try_borrow().ok().and_then(|t| t.as_ref().map(|f| f())).unwrap_or(false))
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
