//! Training epochs per second (one epoch: a minibatch of 32 trials of the 2-bit flip-flop,
//! forward, backpropagation through time and an Adam step) beside references training the same
//! model on the same batch size, trial length and update in the same invocation, runs
//! interleaved: PyTorch on the CPU (benches/train_torch.py: autograd and torch.optim, float64 as
//! ours, and float32 for comparison) when the reference Python imports torch, and NumPy
//! (benches/train_numpy.py, its BPTT written by hand over batch × N matrices). Then the time our
//! engine takes to train the flip-flop from scratch to 99 % accuracy. Run:
//! `[LPU_BENCH_PYTHON=venv/bin/python] cargo bench --bench train -- [FILTER] [repeats=N] [--quick]`
//! (`--quick`: one epoch a run at N = 1000 and no training to accuracy; FILTER `accuracy`: that
//! alone).
mod common;

use lpu::network::Model;
use lpu::nonlinearity::Phi;
use lpu::numerics::adam::AdamConfig;
use lpu::task::FlipFlopTask;
use lpu::train::bptt::{outputs, Batch, Loss};
use lpu::train::model::{Architecture, TrainModel};
use lpu::train::tasks::{flipflop_accuracy, flipflop_batch, trial_seeds};
use lpu::train::trainer::Stage;
use std::time::Instant;

const TASK: FlipFlopTask = FlipFlopTask { bits: 2, steps: 100, bin_steps: 5, pulse_prob: 0.1 };
const BATCH: usize = 32;

fn arch(neurons: usize, rank: Option<usize>) -> Architecture {
    Architecture {
        model: Model::Rate,
        neurons,
        inputs: 2,
        outputs: Some(2),
        rank,
        phi: Phi::Tanh,
        tau: 0.01,
        dt: 0.002,
    }
}

/// The settings of tests/training's flip-flop: Adam at 0.01, clipping at 10, patience 50.
fn stage(neurons: usize, rank: Option<usize>, epochs: usize) -> Stage {
    let adam = AdamConfig { lr: 0.01, clip: 10.0, ..Default::default() };
    Stage::new(TrainModel::new(arch(neurons, rank), 1), Loss::Mse, adam, 50, epochs)
}

/// Epochs per second over `epochs` epochs after one untimed epoch (rayon's pool, caches), the
/// batches drawn beforehand, as the NumPy side does.
fn ours(neurons: usize, rank: Option<usize>, epochs: usize) -> f64 {
    let (seed, _) = trial_seeds(1);
    let batches: Vec<Batch> =
        (0..=epochs as u64).map(|e| flipflop_batch(&TASK, seed, e * BATCH as u64, BATCH)).collect();
    let mut st = stage(neurons, rank, epochs + 1);
    st.step(&batches[0]);
    let t = Instant::now();
    for b in &batches[1..] {
        st.step(b);
    }
    epochs as f64 / t.elapsed().as_secs_f64()
}

/// Trains from scratch until 50 held-out trials (checked every 10 epochs) reach 99 %
/// accuracy: (epochs, seconds training, seconds with the checks), or None within `limit`.
fn to_accuracy(rank: Option<usize>, limit: usize) -> Option<(usize, f64, f64)> {
    let (train, test) = trial_seeds(1);
    let mut st = stage(100, rank, limit);
    let (start, mut training) = (Instant::now(), 0.0);
    while !st.finished() {
        let b = flipflop_batch(&TASK, train, st.epoch() as u64 * BATCH as u64, BATCH);
        let t = Instant::now();
        st.step(&b);
        training += t.elapsed().as_secs_f64();
        if st.epoch().is_multiple_of(10)
            && flipflop_accuracy(&TASK, test, 50, |u| outputs(&st.model, u, TASK.steps)) >= 0.99
        {
            return Some((st.epoch(), training, start.elapsed().as_secs_f64()));
        }
    }
    None
}

fn main() {
    let (filter, repeats) = common::args();
    let quick = std::env::args().any(|a| a == "--quick");
    let numpy = "benches/train_numpy.py";
    let torch = "benches/train_torch.py";
    let with_torch = common::has_module("torch");
    // (label, script, extra arguments); ratios are ours over each.
    let mut references = vec![];
    if with_torch {
        references.push(("PyTorch f64", torch, "float64"));
        references.push(("PyTorch f32", torch, "float32"));
    }
    references.push(("NumPy", numpy, ""));
    let mut checked = false;
    let header = || {
        println!("NumPy reference, checked once: {}", common::python_text(numpy, &["check"]).replace('\n', "; "));
        if with_torch {
            println!("PyTorch reference, checked once: {}", common::python_text(torch, &["check"]).replace('\n', "; "));
        } else {
            println!(
                "PyTorch: not importable by {} (set LPU_BENCH_PYTHON to a Python that has it)",
                common::interpreter()
            );
        }
        println!(
            "epochs/s over {repeats} interleaved runs, batch {BATCH} × 100 steps: min, median and spread ((max − min) / median) of each; ratio of medians, ours / reference"
        );
        let mut head = format!("{:<22} {:>23}", "case", "ours");
        for (label, _, _) in &references {
            head += &format!(" {label:>25} {:>6}", "ratio");
        }
        println!("{head}");
    };
    let big = if quick { 1 } else { 2 };
    for (name, n, rank, epochs) in [
        ("N = 100, full rank", 100, None, 20),
        ("N = 100, rank 2", 100, Some(2), 100),
        ("N = 1000, full rank", 1000, None, big),
        ("N = 1000, rank 2", 1000, Some(2), 10 * big),
    ] {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        if !checked {
            header();
            checked = true;
        }
        let k = rank.unwrap_or(0).to_string();
        let mut ours_runs = vec![];
        let mut theirs: Vec<Vec<f64>> = vec![vec![]; references.len()];
        for _ in 0..repeats {
            ours_runs.push(ours(n, rank, epochs));
            for ((_, script, dtype), runs) in references.iter().zip(theirs.iter_mut()) {
                let (n, epochs, batch) = (n.to_string(), epochs.to_string(), BATCH.to_string());
                let mut args = vec!["speed", &n, &k, &epochs, &batch];
                if !dtype.is_empty() {
                    args.push(dtype);
                }
                runs.push(common::python(script, &args));
            }
        }
        let ours = common::summary(ours_runs);
        let mut line = format!("{name:<22} {}", ours.cells(7, 2));
        for runs in theirs {
            let theirs = common::summary(runs);
            line += &format!(" {} {:>6.2}", theirs.cells(8, 2), ours.median / theirs.median);
        }
        println!("{line}");
    }
    if quick || filter.as_ref().is_some_and(|f| !"accuracy".contains(f.as_str())) {
        return;
    }
    println!("\nfrom scratch to ≥ 0.99 accuracy (N = 100, batch {BATCH}, Adam 0.01, checked every 10 epochs on 50 held-out trials)");
    for (name, rank) in [("full rank", None), ("rank 2", Some(2))] {
        match to_accuracy(rank, 3000) {
            Some((epochs, training, total)) => {
                println!("{name:<10} {epochs:>5} epochs  {training:>6.1} s training  {total:>6.1} s with the checks")
            }
            None => println!("{name:<10} not reached in 3000 epochs"),
        }
    }
}
