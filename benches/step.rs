//! Neuron-steps per second of the simulator beside NumPy running the same step in the same
//! invocation (benches/step_numpy.py). Run: cargo bench --bench step
mod common;

use lpu::network::Network;
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;
use lpu::simulate::{Compute, Cpu, SimJob};
use std::time::Instant;

fn network(kind: &str, n: usize, k: usize) -> Network {
    let mut rng = Rng::new(0, 0);
    let mut draw = |len: usize, sd: f64| (0..len).map(|_| sd * rng.normal()).collect::<Vec<f64>>();
    let dense = kind == "dense";
    let rank = if dense { 0 } else { k };
    // N = 2M/N: each latent a bistable loop of gain 2, as in a designed LPU, so the rates stay
    // of order one. (A random N decays to zero, and after some thousand steps the arithmetic
    // meets subnormal numbers, several times slower on this Xeon: the measure then depends on
    // how many steps it takes.)
    let embedding = draw(n * rank, 1.0);
    let encoding = embedding.iter().map(|m| 2.0 * m / n as f64).collect();
    Network {
        neurons: n,
        rank,
        inputs: 0,
        tau: 0.01,
        dt: 0.001,
        phi: Phi::Tanh,
        embedding,
        encoding,
        input: vec![],
        bias: vec![0.0; n],
        random: dense.then(|| draw(n * n, 1.0 / (n as f64).sqrt())),
        model: lpu::network::Model::Rate,
        readout: None,
    }
}

/// Steady-state neuron-steps per second: the time of 2S steps minus the time of S steps, so
/// the one-off O(N·batch) setup (copying initial rates, output buffers) is left out, as it is
/// from the NumPy loop, which times only its steps.
fn ours(net: &Network, batch: usize) -> f64 {
    let initial = vec![0.1; net.neurons * batch];
    let time = |steps: usize| {
        let t = Instant::now();
        Cpu.simulate(net, &SimJob { batch, ..SimJob::trial(&initial, steps) });
        t.elapsed().as_secs_f64()
    };
    let mut steps = 1;
    loop {
        let (short, long) = (time(steps), time(2 * steps));
        if long - short > 0.5 {
            return (net.neurons * batch * steps) as f64 / (long - short).max(1e-9);
        }
        steps *= 2;
    }
}

/// NumPy's neuron-steps per second for the same case (NaN when NumPy is missing).
fn numpy(kind: &str, n: usize, k: usize, batch: usize) -> f64 {
    common::python("benches/step_numpy.py", &[kind, &n.to_string(), &k.to_string(), &batch.to_string()])
}

/// Bytes per second a single-thread triad (a = b + s c over three 32 MiB arrays, counting the
/// two reads and the write, as STREAM does) moves on this machine now: the memory bound a
/// low-rank step is measured against. Best of 5 passes.
fn triad() -> f64 {
    let n = 1 << 22;
    let (b, c) = (vec![1.0f64; n], vec![2.0f64; n]);
    let mut a = vec![0.0f64; n];
    let mut best = f64::INFINITY;
    for pass in 0..5 {
        let s = 0.5 + pass as f64;
        let t = Instant::now();
        for ((x, y), z) in a.iter_mut().zip(&b).zip(&c) {
            *x = y + s * z;
        }
        std::hint::black_box(&mut a);
        best = best.min(t.elapsed().as_secs_f64());
    }
    (24 * n) as f64 / best
}

/// Multiply-adds per second one thread runs as separate multiplies and adds (no fused
/// multiply-add: the kernels may not fuse), at the widest vector width the kernels use here:
/// the arithmetic bound a dense batch is measured against. 12 vector registers of sums (as
/// many independent chains as the add latency needs, and few enough to stay in registers at
/// every width), each adding s · a[j] with a broadcast s and a from L1, as the dense kernel's
/// inner loop does. Best of 5 passes.
fn mul_add_rate() -> f64 {
    /// L lanes per register: 12 L sums.
    #[inline(always)]
    fn body<const L: usize>(a: &[f64; 96], s: &[f64; 64], reps: usize) -> f64 {
        let mut acc = [[0.0f64; L]; 12];
        for r in 0..reps {
            let x = s[r % 64];
            for (row, w) in acc.iter_mut().zip(a.chunks_exact(L)) {
                for l in 0..L {
                    row[l] += x * w[l];
                }
            }
        }
        acc.iter().flatten().sum()
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn wide(a: &[f64; 96], s: &[f64; 64], reps: usize) -> f64 {
        body::<8>(a, s, reps)
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn avx2(a: &[f64; 96], s: &[f64; 64], reps: usize) -> f64 {
        body::<4>(a, s, reps)
    }
    let a: [f64; 96] = std::array::from_fn(|i| 1e-3 * i as f64);
    let s: [f64; 64] = std::array::from_fn(|i| 1e-3 * (64 - i) as f64);
    let reps = 2_000_000;
    let mut best = f64::INFINITY;
    let mut lanes = 2;
    for _ in 0..5 {
        let t = Instant::now();
        #[cfg(target_arch = "x86_64")]
        let sum = if lpu::simd::avx512() {
            lanes = 8;
            // SAFETY: the CPU has AVX-512F (and AVX2 below); the body has no FMA.
            unsafe { wide(&a, &s, reps) }
        } else if lpu::simd::avx2() {
            lanes = 4;
            unsafe { avx2(&a, &s, reps) }
        } else {
            body::<2>(&a, &s, reps)
        };
        #[cfg(not(target_arch = "x86_64"))]
        let sum = body::<2>(&a, &s, reps);
        std::hint::black_box(sum);
        best = best.min(t.elapsed().as_secs_f64());
    }
    (12 * lanes * reps) as f64 / best
}

/// (min, median) of the runs, in millions per second.
fn millions(v: Vec<f64>) -> common::Summary {
    common::summary(v.into_iter().map(|x| x / 1e6).collect())
}

fn main() {
    // `cargo bench --bench step -- [FILTER] [repeats=N]`: the matching cases only, each run N
    // times (default 5), ours and NumPy interleaved, since this machine's speed drifts.
    let (filter, repeats) = common::args();
    println!(
        "{:<28} {} {} {:>8}   (M neuron-steps/s over {repeats} interleaved runs; spread (max − min) / median; ratio of medians)",
        "case",
        common::titles("ours", 10),
        common::titles("numpy", 10),
        "ratio"
    );
    for (kind, n, k, batch) in [
        ("lowrank", 1_000_000, 1, 1),
        ("lowrank", 1_000_000, 1, 64),
        ("lowrank", 100_000, 3, 1),
        ("lowrank", 100_000, 3, 64),
        ("dense", 1000, 0, 1),
        ("dense", 1000, 0, 64),
    ] {
        let name = format!("{kind} N={n} K={k} batch={batch}");
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let net = network(kind, n, k);
        let (mut a, mut b, mut bw, mut fl) = (vec![], vec![], vec![], vec![]);
        for _ in 0..repeats {
            a.push(ours(&net, batch));
            b.push(numpy(kind, n, k, batch));
            bw.push(triad());
            fl.push(mul_add_rate());
        }
        let (a, b, bw, fl) = (millions(a), millions(b), common::summary(bw), common::summary(fl));
        // A low-rank step of one trial reads r, M and N and writes r: 8 (2 + 2K) bytes per
        // neuron-step, so the triad's bandwidth bounds it near bw / (16 (1 + K)) per core. (A
        // batch shares M and N across trials and is bound by arithmetic; W of a dense N = 1000
        // stays in cache.)
        let bound = if kind == "lowrank" && batch == 1 {
            let limit = bw.median / (16.0 * (1 + k) as f64) / 1e6;
            let per_core = a.median / rayon::current_num_threads() as f64;
            format!(
                "   per core {per_core:.0}: {:.0}% of the triad bound ({limit:.0} M/s at {:.1} GB/s)",
                100.0 * per_core / limit,
                bw.median / 1e9
            )
        } else if kind == "dense" && batch > 1 {
            // A dense neuron-step is N multiply-adds (W r) and one φ: the arithmetic bound.
            let per_core = a.median * n as f64 / rayon::current_num_threads() as f64 / 1e3;
            format!(
                "   per core {per_core:.1} G multiply-adds/s: {:.0}% of the unfused mul+add bound ({:.1} G/s, {})",
                100.0 * per_core / (fl.median / 1e9),
                fl.median / 1e9,
                lpu::simd::width()
            )
        } else {
            String::new()
        };
        println!("{name:<28} {} {} {:>8.2}{bound}", a.cells(10, 1), b.cells(10, 1), a.median / b.median);
    }
}
