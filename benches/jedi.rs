//! JEDI fit epochs per second at `exp=jedi`'s default preset (N = 100, rank 5, 48 training
//! trials of 200 steps, minibatches of 16: three Adam steps an epoch) beside PyTorch on the CPU
//! (benches/jedi_torch.py: the same model, batch and update with autograd and torch.optim, in
//! float64 as ours and in float32), runs interleaved, when the reference Python imports torch.
//! Then the whole default run (fit, inference and analyses) once. Run:
//! `[LPU_BENCH_PYTHON=venv/bin/python] cargo bench --bench jedi -- [repeats=N]`
mod common;

use lpu::experiments::jedi::{recording_of, JediParams};
use lpu::jedi::fit::{split, FitState};
use std::time::Instant;

/// Epochs per second over `epochs` epochs after one untimed epoch.
fn ours(p: &JediParams, epochs: usize) -> f64 {
    let rec = recording_of(p);
    let (train, _) = split(&rec, p.test_fraction, p.seed);
    let spec = p.fit();
    let mut st = FitState::new(&spec, &rec, train.len());
    let batches = train.len().div_ceil(p.batch);
    for _ in 0..batches {
        st.step(&spec, &rec, &train);
    }
    let t = Instant::now();
    for _ in 0..epochs * batches {
        st.step(&spec, &rec, &train);
    }
    epochs as f64 / t.elapsed().as_secs_f64()
}

fn main() {
    let (_, repeats) = common::args();
    let p = JediParams::default();
    let torch = "benches/jedi_torch.py";
    let with_torch = common::has_module("torch");
    if !with_torch {
        println!("PyTorch: not importable by {} (set LPU_BENCH_PYTHON to a Python that has it)", common::interpreter());
    }
    println!(
        "epochs/s of the default JEDI fit over {repeats} interleaved runs: min, median and spread ((max − min) / median); ratio of medians, ours / reference"
    );
    let mut runs = vec![];
    let (mut f64_runs, mut f32_runs) = (vec![], vec![]);
    for _ in 0..repeats {
        runs.push(ours(&p, 20));
        if with_torch {
            f64_runs.push(common::python(torch, &["speed", "2", "float64"]));
            f32_runs.push(common::python(torch, &["speed", "2", "float32"]));
        }
    }
    let ours = common::summary(runs);
    println!("{:<14} {}", "ours (f64)", ours.cells(8, 2));
    if with_torch {
        for (label, r) in [("PyTorch f64", f64_runs), ("PyTorch f32", f32_runs)] {
            let theirs = common::summary(r);
            println!("{label:<14} {}   ratio {:.1}", theirs.cells(8, 2), ours.median / theirs.median);
        }
    }
    // The embedding explorer: live updates of a dragged point at N = 200 (the paper's size).
    let q = "exp=jedi&neurons=200&repeats=4&epochs=20&refine=20";
    lpu::run_query(q).expect("the N = 200 fit runs");
    let ctx = lpu::experiments::RunCtx::default();
    let mut times = vec![];
    for i in 0..10 {
        let params = lpu::parse_strict(&format!("{q}&probe={},{}", 0.1 * i as f64, -0.05 * i as f64)).unwrap();
        let t = Instant::now();
        params.live(&ctx).expect("a live update after the fit");
        times.push(1.0 / t.elapsed().as_secs_f64());
    }
    let live = common::summary(times);
    println!("embedding explorer at N = 200: live updates per second (10 points) {}", live.cells(8, 1));
    let t = Instant::now();
    let doc = lpu::run_query("exp=jedi").expect("the default runs");
    let r: serde_json::Value = serde_json::from_str(&doc.json).expect("JSON");
    let mean = |k: &str| {
        let v: Vec<f64> = r["result"][k].as_array().unwrap().iter().filter_map(|x| x.as_f64()).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    println!(
        "the default run (exp=jedi: 1500 epochs, inference, analyses): {:.1} s, held-out R² {:.3}, training R² {:.3}",
        t.elapsed().as_secs_f64(),
        mean("r2_test"),
        mean("r2_train")
    );
}
