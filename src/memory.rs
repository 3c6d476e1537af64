//! The memory a run holds at its peak, and the most a run may hold where it runs. A 32-bit
//! wasm worker can grow to 4 GiB and dies when an allocation fails, losing the page's work, so
//! a query is refused before it runs, with the keys to lower, rather than killing its worker.
//! The CLI has no limit unless one is set ([`set_limit`]).

use std::sync::atomic::{AtomicU64, Ordering};

/// One gibibyte, in bytes.
pub const GIB: f64 = (1u64 << 30) as f64;
/// One mebibyte, in bytes.
pub const MIB: f64 = (1u64 << 20) as f64;

/// The most one run may hold at its peak in a browser worker: 1.5 GiB of the 4 GiB a 32-bit
/// wasm memory can grow to. The rest is for what the worker keeps between runs (the last four
/// trainings and fits, a loaded network or recording file) and for the allocator's slack.
pub const BROWSER_BYTES: f64 = 1.5 * GIB;

/// A run's estimated peak heap in one worker (one thread), its result document included, and
/// the keys that lower it most, in the order a person would try them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    /// Bytes held at the peak.
    pub bytes: f64,
    /// The keys to lower, the first the one a refused query names.
    pub lower: &'static [&'static str],
}

/// Bytes of `n` f64 values.
pub fn f64s(n: f64) -> f64 {
    8.0 * n
}

/// Bytes of `n` numbers of a result document: the typed f64 and its JSON text (up to 24
/// characters for a full-precision number and its comma).
pub fn document(n: f64) -> f64 {
    32.0 * n
}

/// A fixed allowance for what does not grow with the keys (the small vectors, the network's
/// description, the document's envelope).
pub const BASE: f64 = 4.0 * MIB;

impl Footprint {
    /// `bytes` plus [`BASE`], lowered by `lower`.
    pub fn new(bytes: f64, lower: &'static [&'static str]) -> Self {
        Footprint { bytes: bytes + BASE, lower }
    }
    /// The larger of two footprints that do not overlap in time (a training, then the view
    /// on its network).
    pub fn max(self, other: Footprint) -> Footprint {
        if other.bytes > self.bytes {
            other
        } else {
            self
        }
    }
}

/// Bytes as people read them: "1.2 GiB", "340 MiB".
pub fn human(bytes: f64) -> String {
    if bytes >= GIB {
        format!("{:.1} GiB", bytes / GIB)
    } else {
        format!("{:.0} MiB", (bytes / MIB).max(1.0))
    }
}

#[cfg(target_arch = "wasm32")]
const DEFAULT_LIMIT: f64 = BROWSER_BYTES;
#[cfg(not(target_arch = "wasm32"))]
const DEFAULT_LIMIT: f64 = f64::INFINITY;

static LIMIT: AtomicU64 = AtomicU64::new(0);

/// The most a run may hold here: [`BROWSER_BYTES`] in wasm, no limit natively, unless
/// [`set_limit`] gave one.
pub fn limit() -> f64 {
    match LIMIT.load(Ordering::Relaxed) {
        0 => DEFAULT_LIMIT,
        bits => f64::from_bits(bits),
    }
}

/// Sets the limit for the rest of the process (`lpu run --memory-limit`, the tests of the
/// browser's limit natively).
pub fn set_limit(bytes: f64) {
    LIMIT.store(bytes.to_bits(), Ordering::Relaxed);
}

/// Whether `footprint` fits under `limit`, else the message naming the key to lower.
pub fn check(footprint: Footprint, limit: f64) -> Result<(), (&'static str, String)> {
    if footprint.bytes <= limit {
        return Ok(());
    }
    let keys = match footprint.lower {
        [] => "the sizes".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    };
    let here = if limit == BROWSER_BYTES { "a run may use in the browser" } else { "a run may use here" };
    Err((
        footprint.lower.first().copied().unwrap_or("exp"),
        format!(
            "the run would hold about {} of memory, more than the {} {here}: lower {keys}{}",
            human(footprint.bytes),
            human(limit),
            if limit == BROWSER_BYTES { " (lpu run has no such limit)" } else { "" }
        ),
    ))
}
