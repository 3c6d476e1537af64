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
    Network {
        neurons: n,
        rank,
        inputs: 0,
        tau: 0.01,
        dt: 0.001,
        phi: Phi::Tanh,
        embedding: draw(n * rank, 1.0),
        encoding: draw(n * rank, 1.0 / n as f64),
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
        let (mut a, mut b) = (vec![], vec![]);
        for _ in 0..repeats {
            a.push(ours(&net, batch));
            b.push(numpy(kind, n, k, batch));
        }
        let (a, b) = (millions(a), millions(b));
        println!("{name:<28} {} {} {:>8.2}", a.cells(10, 1), b.cells(10, 1), a.median / b.median);
    }
}
