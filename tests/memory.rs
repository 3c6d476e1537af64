//! Each experiment's memory estimate against the peak heap a counting allocator measures for
//! the same query on one thread (the browser worker's case), at sizes where what grows with
//! the keys dominates: the estimate must cover the peak and stay within twice it (plus 16 MiB),
//! so that the browser's limit refuses what would not fit and lets through what would.
//! And the limit itself: a refused query names the key to lower, a link is refused before it
//! runs, a network from outside is weighed when the run gets it.

use lpu::experiments::RunCtx;
use lpu::memory::{self, MIB};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;

struct Counting;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = NOW.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            grew(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        NOW.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, size: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, size) };
        if !q.is_null() {
            if size > l.size() {
                grew(size - l.size());
            } else {
                NOW.fetch_sub(l.size() - size, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// One test at a time: the allocator counts every thread of the process, and the limit is one
/// per process, so no test may run beside a measurement.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Peak bytes allocated while `f` runs on one thread, above what was held before.
fn peak_of<R>(f: impl FnOnce() -> R + Send) -> (R, f64)
where
    R: Send,
{
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    pool.install(|| {
        let base = NOW.load(Relaxed);
        PEAK.store(base, Relaxed);
        let r = f();
        (r, (PEAK.load(Relaxed) - base) as f64)
    })
}

const CASES: &[&str] = &[
    "exp=flipflop&neurons=200000&steps=200",
    "exp=flipflop&neurons=1000&steps=100000&record=200",
    "exp=flipflop&neurons=100000&steps=100&trials=16&noise=0.1",
    "exp=timescale&neurons=300000&points=201&trajectories=0",
    "exp=partial&neurons=1000000&repeats=2&observed=1000,1000000",
    "exp=drift&neurons=100000&steps=100&after=100&score=100",
    "exp=drift&neurons=1000&steps=50000&after=50000&score=50000",
    "exp=drift_sweep&neurons=100000&runs=1&points=2&kinds=0&steps=50&after=50&score=50",
    "exp=perturb&neurons=100&redundant=100&length=20",
    "exp=perturb&neurons=1000&redundant=1000&length=0.6",
    "exp=spectrum&neurons=1000",
    "exp=lyapunov&neurons=1000&exponents=200&time=0.01&warmup=0",
    "exp=chaos&neurons=1000&sizes=1000&points=2&time=0.01&warmup=0&exponents=100",
    "exp=dimensionality&neurons=100000&samples=40&latent=10",
    "exp=dimensionality&neurons=200&samples=20000",
    "exp=fixed_points&source=flipflop&neurons=2000&bits=6&random_starts=2000&steps=100&trajectories=32",
    "exp=sequence_sweep&neurons=1024&ranks=6&runs=1&epochs=1&batch=256&trials=5&show=20",
    "exp=train&neurons=1000&epochs=1&fit_epochs=1&batch=256&steps=30&test_trials=10",
    "exp=train&neurons=200&epochs=1&fit_epochs=1&batch=512&steps=200&test_trials=10",
    "exp=jedi&neurons=200&repeats=20&epochs=1&refine=0",
    "exp=jedi_compare&neurons=60&repeats=20&epochs=1&refine=0&hidden=32",
];

#[test]
fn each_estimate_covers_the_measured_peak_and_stays_within_twice_it() {
    let _one = serial();
    let mut bad = vec![];
    for q in CASES {
        let params = lpu::registry::parse_strict(q).unwrap_or_else(|e| panic!("{q}: {e}"));
        let estimate = params.memory(&RunCtx::default()).bytes;
        // Buffers an earlier run (or another test) left for reuse would hide this run's own.
        lpu::scratch::release();
        let (out, peak) = peak_of(|| lpu::registry::run_query(q).map(|o| o.json.len()));
        out.unwrap_or_else(|e| panic!("{q}: {e}"));
        println!("{:>8.1} MiB measured, {:>8.1} MiB estimated  {q}", peak / MIB, estimate / MIB);
        if estimate < peak || estimate > 2.0 * peak + 16.0 * MIB {
            bad.push(format!("{q}: measured {:.1} MiB, estimated {:.1} MiB", peak / MIB, estimate / MIB));
        }
    }
    assert!(bad.is_empty(), "estimates off:\n{}", bad.join("\n"));
}

/// Runs `f` with the process's memory limit at `bytes`, then lifts it again (under [`serial`]).
fn with_limit<R>(bytes: f64, f: impl FnOnce() -> R) -> R {
    memory::set_limit(bytes);
    let r = f();
    memory::set_limit(f64::INFINITY);
    r
}

#[test]
fn a_refused_link_names_the_key_to_lower_and_the_sizes() {
    let _one = serial();
    let big = "exp=spectrum&neurons=2000";
    // 6 N² values at N = 2000: about 183 MiB with the fixed allowance.
    let e = with_limit(64.0 * MIB, || lpu::registry::parse_strict(big).err()).expect("refused");
    assert_eq!(e.key, "neurons");
    assert!(
        e.message.contains("about 187 MiB") && e.message.contains("64 MiB") && e.message.contains("lower neurons"),
        "{}",
        e.message
    );
    // The page's lenient parse resets the key and keeps the rest of the link.
    let (params, errors) = with_limit(64.0 * MIB, || lpu::registry::parse_lenient(&format!("{big}&g=0.5")));
    let pairs = params.expect("params").pairs();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(pairs.contains(&("neurons", "200".into())) && pairs.contains(&("g", "0.5".into())), "{pairs:?}");
    // Without a limit (the CLI), the same link is accepted.
    assert!(lpu::registry::parse_strict(big).is_ok());
}

#[test]
fn the_browser_limit_is_the_default_in_wasm_and_its_message_says_the_cli_has_none() {
    let _one = serial();
    let footprint = memory::Footprint { bytes: 2.0 * memory::GIB, lower: &["batch", "steps"] };
    let (key, message) = memory::check(footprint, memory::BROWSER_BYTES).expect_err("over");
    assert_eq!(key, "batch");
    assert_eq!(
        message,
        "the run would hold about 2.0 GiB of memory, more than the 1.5 GiB a run may use in the browser: lower batch or steps (lpu run has no such limit)"
    );
    assert!(
        memory::check(memory::Footprint { bytes: memory::BROWSER_BYTES, lower: &["x"] }, memory::BROWSER_BYTES).is_ok()
    );
}

#[test]
fn a_trained_network_with_a_readout_is_weighed_when_the_run_gets_it() {
    let _one = serial();
    // The link alone looks small; the trained network's readout makes the flip-flop view record
    // every neuron at every step: 300 neurons × 100001 steps, about 229 MiB, over a limit of
    // 160 MiB that the link alone stays under.
    let q = "exp=flipflop&source=trained&bits=2&steps=100000&train.neurons=300&train.epochs=1&train.fit_epochs=1&train.batch=4&train.steps=20";
    let params = lpu::registry::parse_strict(q).expect("the link passes");
    assert!(params.memory(&RunCtx::default()).bytes < 160.0 * MIB);
    let e = with_limit(160.0 * MIB, || lpu::registry::run_query(q).err()).expect("refused at run time");
    assert_eq!(e.key, "steps");
    assert!(e.message.contains("lower steps"), "{}", e.message);
    // Under a limit it fits, the same query runs.
    let (out, peak) = with_limit(512.0 * MIB, || peak_of(|| lpu::registry::run_query(q).map(|o| o.json.len())));
    out.expect("runs");
    assert!(peak > 160.0 * MIB, "the run held {:.0} MiB", peak / MIB);
}
