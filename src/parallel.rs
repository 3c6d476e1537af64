//! Order-preserving parallel map: threads natively, sequential in wasm (one worker each).
//! Each item is computed by the same sequential code, so the results are identical.

/// `f` over `items` on rayon's thread pool, results in the order of `items`.
#[cfg(not(target_arch = "wasm32"))]
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    items.par_iter().map(f).collect()
}

/// `f` over `items` one after another (wasm has no threads here), results in order.
#[cfg(target_arch = "wasm32")]
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    items.iter().map(f).collect()
}

/// `f` run on a thread of rayon's pool (in place when this is one already), the caller waiting:
/// the parallel loops inside `f` then start from a pool thread. Called from outside the pool,
/// each loop wakes the pool and puts the caller to sleep and back, about 80 µs a loop here
/// (measured on a dense N = 1000 product: 2.7 → 3.5 G multiply-adds/s on one thread when the
/// loop of products runs on the pool), so a loop of many short parallel steps runs here in one
/// hop. Thread-local state of the caller (progress sinks, kept trainings) is not seen by `f`.
#[cfg(not(target_arch = "wasm32"))]
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

/// `f` in place (wasm has no pool here).
#[cfg(target_arch = "wasm32")]
pub fn on_pool<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// The threads [`map`] runs on: rayon's natively, one in wasm.
pub fn threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    return rayon::current_num_threads();
    #[cfg(target_arch = "wasm32")]
    return 1;
}

/// [`map`] in blocks of `block` items, stopping before the next block once the run is
/// cancelled ([`crate::progress::cancelled`]): the results of the blocks done, in order. A
/// run that is not cancelled gets exactly what [`map`] gives.
pub fn map_cancellable<T: Sync, R: Send>(items: &[T], block: usize, f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    let mut out = Vec::with_capacity(items.len());
    for part in items.chunks(block.max(1)) {
        if crate::progress::cancelled() {
            break;
        }
        out.extend(map(part, &f));
    }
    out
}
