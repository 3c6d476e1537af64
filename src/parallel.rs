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

/// `f(b)` once for every block b in 0..blocks, on the pool's threads, each thread keeping to the
/// same blocks from call to call: the blocks are cut into one contiguous run per thread, a
/// thread (by its index in the pool) walks its own run first, forwards or `backwards`, then
/// takes what is left of the others' runs from their far ends. Called alternately forwards and
/// backwards over data too large for one core's cache, a thread starts each call on the
/// blocks it read last, which are still in its cache (with dynamic splitting, which thread
/// takes which block changes from call to call). A thread that arrives late (woken from
/// sleep, which takes up to a block's time on a virtual machine) only finds less left to do.
/// `f` must not depend on the thread it runs on (thread-locals only as scratch).
#[cfg(not(target_arch = "wasm32"))]
pub fn owned_blocks(blocks: usize, backwards: bool, f: impl Fn(usize) + Sync) {
    use std::sync::atomic::{AtomicU64, Ordering};
    assert!(blocks <= u32::MAX as usize, "owned_blocks: {blocks} blocks");
    let threads = rayon::current_num_threads().clamp(1, blocks.max(1));
    // Each run's unclaimed blocks as lo << 32 | hi: the owner takes from one end, others
    // from the other.
    let runs: Vec<AtomicU64> = (0..threads)
        .map(|t| AtomicU64::new(((t * blocks / threads) as u64) << 32 | ((t + 1) * blocks / threads) as u64))
        .collect();
    let claim = |run: &AtomicU64, top: bool| -> Option<usize> {
        let mut cur = run.load(Ordering::Acquire);
        loop {
            let (lo, hi) = (cur >> 32, cur & 0xffff_ffff);
            if lo >= hi {
                return None;
            }
            let (next, b) = if top { (lo << 32 | (hi - 1), hi - 1) } else { ((lo + 1) << 32 | hi, lo) };
            match run.compare_exchange_weak(cur, next, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(b as usize),
                Err(seen) => cur = seen,
            }
        }
    };
    let work = || {
        let own = rayon::current_thread_index().unwrap_or(0) % threads;
        while let Some(b) = claim(&runs[own], backwards) {
            f(b);
        }
        for other in (1..threads).map(|d| (own + d) % threads) {
            while let Some(b) = claim(&runs[other], !backwards) {
                f(b);
            }
        }
    };
    rayon::scope(|s| {
        for _ in 1..threads {
            s.spawn(|_| work());
        }
        work();
    });
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

#[cfg(test)]
mod tests {
    #[test]
    fn owned_blocks_runs_every_block_exactly_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        for threads in [1, 2, 3, 5] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for blocks in [0, 1, 2, 3, 7, 16, 100] {
                for backwards in [false, true] {
                    let seen: Vec<AtomicUsize> = (0..blocks).map(|_| AtomicUsize::new(0)).collect();
                    pool.install(|| {
                        super::owned_blocks(blocks, backwards, |b| {
                            seen[b].fetch_add(1, Ordering::Relaxed);
                        })
                    });
                    let counts: Vec<usize> = seen.iter().map(|c| c.load(Ordering::Relaxed)).collect();
                    assert!(
                        counts.iter().all(|&c| c == 1),
                        "threads {threads}, blocks {blocks}, backwards {backwards}: {counts:?}"
                    );
                }
            }
        }
    }
}
