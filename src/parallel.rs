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
