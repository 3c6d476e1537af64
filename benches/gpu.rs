//! Neuron-steps per second of the GPU backend beside the CPU path in the same invocation,
//! interleaved, for N = 10⁴…10⁶, K = 1 and 3, batch 1 and 64 (a designed flip-flop with task
//! inputs); then training gradients per second (one minibatch of 100-step 2-bit flip-flop
//! trials: forward pass and BPTT) on both, dense and rank 2, N = 100 and 1000, batch 32 and 512.
//! Run: cargo bench --features gpu --bench gpu -- [FILTER] [repeats=N]
//! On a software adapter (lavapipe) the GPU figures test nothing but the plumbing: such
//! adapters are slower than the CPU path.
mod common;

use lpu::design::FlipFlop;
use lpu::network::Network;
use lpu::simulate::{Compute, Cpu, SimJob};
use lpu::task::FlipFlopTask;
use lpu::train::bptt::{grad_job, loss_and_gradient, Loss};
use lpu::train::model::{Architecture, TrainModel};
use lpu::train::tasks::flipflop_batch;
use std::time::Instant;

/// Steady-state neuron-steps per second of `run`: the time of 2S steps minus that of S steps
/// (setup, the weights' upload and the first row left out), S doubled until the difference
/// is at least 0.3 s.
fn rate(net: &Network, batch: usize, run: &dyn Fn(&SimJob)) -> f64 {
    let initial = vec![0.1; net.neurons * batch];
    let time = |steps: usize| {
        let t = Instant::now();
        run(&SimJob { batch, ..SimJob::trial(&initial, steps) });
        t.elapsed().as_secs_f64()
    };
    let mut steps = 4;
    loop {
        let (short, long) = (time(steps), time(2 * steps));
        if long - short > 0.3 || steps >= 1 << 14 {
            return (net.neurons * batch * steps) as f64 / (long - short).max(1e-9);
        }
        steps *= 2;
    }
}

fn main() {
    let (filter, repeats) = common::args();
    let gpu = match lpu::gpu::shared() {
        Ok(g) => g,
        Err(e) => {
            println!("no GPU to measure: {e}");
            return;
        }
    };
    println!(
        "GPU: {}{}\n{:<26} {} {} {:>8}   (M neuron-steps/s over {repeats} interleaved runs; ratio of medians)",
        gpu.adapter(),
        if gpu.is_software() { " — a software adapter: figures for correctness, not speed" } else { "" },
        "case",
        common::titles("gpu", 10),
        common::titles("cpu", 10),
        "gpu/cpu"
    );
    for n in [10_000, 100_000, 1_000_000] {
        for k in [1, 3] {
            for batch in [1, 64] {
                let name = format!("N={n} K={k} batch={batch}");
                if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
                    continue;
                }
                let net = FlipFlop::standard(k, n).network(1);
                let on_gpu = |job: &SimJob| {
                    lpu::gpu::block_on(gpu.simulate(&net, job)).expect("the GPU runs the job");
                };
                let on_cpu = |job: &SimJob| {
                    Cpu.simulate(&net, job);
                };
                let (mut g, mut c) = (vec![], vec![]);
                for i in 0..repeats {
                    // Which side goes first alternates, so slow spells of the machine hit both.
                    if i % 2 == 0 {
                        g.push(rate(&net, batch, &on_gpu) / 1e6);
                        c.push(rate(&net, batch, &on_cpu) / 1e6);
                    } else {
                        c.push(rate(&net, batch, &on_cpu) / 1e6);
                        g.push(rate(&net, batch, &on_gpu) / 1e6);
                    }
                }
                let (g, c) = (common::summary(g), common::summary(c));
                println!("{name:<26} {} {} {:>8.2}", g.cells(10, 1), c.cells(10, 1), g.median / c.median);
            }
        }
    }
    for (n, rank, batch) in [(100, None, 32), (1000, None, 32), (1000, Some(2), 32), (1000, None, 512)] {
        let name = format!("train N={n} {} batch={batch}", rank.map_or("dense".into(), |k| format!("K={k}")));
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let arch = Architecture {
            model: lpu::network::Model::Rate,
            neurons: n,
            inputs: 2,
            outputs: Some(2),
            rank,
            phi: lpu::nonlinearity::Phi::Tanh,
            tau: 0.01,
            dt: 0.002,
        };
        let model = TrainModel::new(arch, 1);
        let task = FlipFlopTask { bits: 2, steps: 100, bin_steps: 5, pulse_prob: 0.1 };
        let b = flipflop_batch(&task, 1, 0, batch);
        let job = grad_job(&model, Loss::Mse, &b);
        if gpu.is_software() && job.work_per_step() * task.steps as f64 > 1e10 {
            // lavapipe takes about 50 s a gradient at dense N = 1000, batch 32.
            println!("{name:<26} skipped on a software adapter");
            continue;
        }
        // Gradients per second of one call, after a first call that compiles the pipelines.
        let timed = |f: &dyn Fn()| {
            let t = Instant::now();
            f();
            1.0 / t.elapsed().as_secs_f64()
        };
        let on_gpu = || {
            lpu::gpu::block_on(gpu.loss_and_gradient(&job)).expect("the GPU runs the job");
        };
        let on_cpu = || {
            loss_and_gradient(&model, Loss::Mse, &b);
        };
        on_gpu();
        let (mut g, mut c) = (vec![], vec![]);
        for i in 0..repeats {
            if i % 2 == 0 {
                g.push(timed(&on_gpu));
                c.push(timed(&on_cpu));
            } else {
                c.push(timed(&on_cpu));
                g.push(timed(&on_gpu));
            }
        }
        let (g, c) = (common::summary(g), common::summary(c));
        println!("{name:<26} {} {} {:>8.2}   (gradients/s)", g.cells(10, 2), c.cells(10, 2), g.median / c.median);
    }
}
