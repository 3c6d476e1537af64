//! `exp=sequence_sweep`: low-rank rate-form networks trained on sequence sorting (LCF Fig.
//! 2H–I, S3C–E): for every size N and rank K, `runs` networks are trained (MSE on the output,
//! Adam with weight decay, state noise), then scored on fresh noise-free trials (accuracy and
//! error) and the linear dimensionality of their activity is measured over those trials —
//! noise-free, and with the training's state noise — as the principal components explaining
//! `fraction` of the variance (LCF's measure, as in `exp=dimensionality` and `exp=chaos`).
//!
//! The task is [`crate::train::sequence`]'s: L numbers uniform in [−1, 1) shown one at a time,
//! a cue, then L response slots in which the output must give them in ascending order. It
//! needs L latent variables (the L numbers; any continuous code of L independent numbers has L
//! dimensions), its task dimensionality. Every network of a run shares its initial-weight seed,
//! its training trials and noise, and its test trials, whatever N and K (common random numbers),
//! so differences between cells are the architecture's.

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::memory::{f64s, Footprint};
use crate::network::Model;
use crate::nonlinearity::Phi;
use crate::numerics::adam::AdamConfig;
use crate::numerics::pca;
use crate::params::{list, range, ParamError, MAX_SAFE_INTEGER};
use crate::rng::derive_seed;
use crate::train::bptt::{self, Loss};
use crate::train::model::{Architecture, TrainModel};
use crate::train::sequence::{self, SequenceTask};
use crate::train::store;
use crate::train::tasks::trial_seeds;
use crate::train::trainer::Stage;
use serde::{Deserialize, Serialize};

/// Neuron time constant τ, s.
pub const TAU: f64 = 0.01;
/// Euler step Δt, s (α = Δt/τ = 0.2).
pub const DT: f64 = 0.002;
/// Global gradient-norm clip of every Adam step.
pub const CLIP: f64 = 1.0;
/// Most work units ([`work`]) one sweep may take: about three minutes on one core natively
/// (the default sweep is about 2.5 × 10¹⁰ and takes about 8 s natively on two cores).
pub const MAX_WORK: f64 = 3e11;
/// Most values in one activity matrix (test trials × steps × largest N): 32 MB.
pub const MAX_VALUES: f64 = 4e6;
/// Points of each training-loss curve (means over consecutive windows of epochs).
pub const LOSS_POINTS: usize = 100;
/// Epochs between cancellation checks inside one network's training.
const CHECK_EVERY: usize = 25;

crate::params! {
    /// The query keys of `exp=sequence_sweep`, with their ranges and defaults.
    pub struct SequenceSweepParams {
        neurons: Vec<usize> = vec![16, 64], list(16.0, 1024.0, 6), "sizes N", "", network, "network sizes N (LCF: 16, 64, 256, 1024)";
        ranks: Vec<usize> = vec![1, 2, 3], list(1.0, 6.0, 6), "ranks K", "", network, "ranks K of the recurrent weights W = M Nᵀ/N (LCF: 1–6)";
        length: usize = 2, range(2.0, 4.0), "sequence length L", "", task, "numbers to sort, L (LCF: 2–4)";
        show: usize = 6, range(2.0, 50.0), "steps per item", "", task, "Euler steps each number, the cue and each response slot last (Δt = 2 ms, τ = 10 ms); the second half of a slot is scored";
        runs: usize = 2, range(1.0, 10.0), "runs", "", simulation, "networks trained per (N, K), from different seeds (LCF: 10)";
        epochs: usize = 1500, range(1.0, 20_000.0), "epochs", "", simulation, "Adam steps, each on a minibatch of fresh trials (LCF: 10000)";
        batch: usize = 16, range(1.0, 256.0), "batch", "", simulation, "trials per minibatch";
        lr: f64 = 0.03, range(1e-5, 1.0), "learning rate", "", simulation, "Adam's learning rate (constant)";
        weight_decay: f64 = 1e-6, range(0.0, 0.1), "weight decay", "", simulation, "Adam's L2 weight decay, added to the gradient as PyTorch does (1e-4 already stops these networks learning)";
        noise: f64 = 0.02, range(0.0, 1.0), "state noise σ", "", simulation, "s.d. of the Gaussian noise added to every neuron's state every step in training and in the noisy activity";
        trials: usize = 50, range(5.0, 1000.0), "test trials", "", analysis, "fresh trials scoring each network (accuracy, error) and giving its activity";
        fraction: f64 = 0.99, range(0.5, 0.9999), "variance explained", "", analysis, "the linear dimensionality counts the PCs explaining this fraction of the activity's variance (LCF: 0.99)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed (run r trains from the seed derived from (seed, r))";
    }
}

impl SequenceSweepParams {
    /// The task of a network of `neurons` neurons, with the training's state noise.
    pub fn task(&self, neurons: usize) -> SequenceTask {
        SequenceTask { length: self.length, show: self.show, noise: self.noise, neurons }
    }
    /// Samples of each activity matrix: test trials × steps.
    pub fn samples(&self) -> usize {
        self.trials * self.task(0).steps()
    }
    fn largest(&self) -> usize {
        self.neurons.iter().copied().max().unwrap_or(0)
    }
}

/// Work units of a sweep, about multiply-adds: per network, the training's neuron-steps
/// (epochs × batch × steps × N) at 60 + 6K units each (forward and backward pass, noise), the
/// test trials' forward passes (four per trial) and the two PCAs (m²·M + 5m³ with
/// m = min(samples, N), M = max(samples, N)).
pub fn work(p: &SequenceSweepParams) -> f64 {
    let steps = p.task(0).steps() as f64;
    let s = p.samples() as f64;
    let per_run: f64 = p
        .neurons
        .iter()
        .flat_map(|&n| p.ranks.iter().map(move |&k| (n as f64, k as f64)))
        .map(|(n, k)| {
            let train = p.epochs as f64 * p.batch as f64 * steps * n * (60.0 + 6.0 * k);
            let test = 4.0 * p.trials as f64 * steps * n * (30.0 + 2.0 * k);
            let (m, big) = (s.min(n), s.max(n));
            train + test + 2.0 * (m * m * big + 5.0 * m * m * m)
        })
        .sum();
    p.runs as f64 * per_run
}

fn check(p: &SequenceSweepParams) -> Result<(), ParamError> {
    for (key, values) in [("neurons", &p.neurons), ("ranks", &p.ranks)] {
        if values.is_empty() {
            return Err(ParamError::new(key, "must list at least one value"));
        }
        if let Some((i, v)) = values.iter().enumerate().find(|(i, v)| values[..*i].contains(v)) {
            return Err(ParamError::new(
                key,
                format!(
                    "lists {v} twice (items {} and {})",
                    values[..i].iter().position(|x| x == v).unwrap_or(0) + 1,
                    i + 1
                ),
            ));
        }
    }
    let values = p.samples() as f64 * p.largest() as f64;
    if values > MAX_VALUES {
        return Err(ParamError::new(
            "trials",
            format!(
                "test trials × steps × largest N = {values:.1e} activity values; at most {MAX_VALUES:.0e} (fewer trials, a shorter show or length, or a smaller N)"
            ),
        ));
    }
    let w = work(p);
    if w > MAX_WORK {
        // Name the first key whose default alone brings the sweep within the budget.
        let d = SequenceSweepParams::default();
        let resets: [(&str, SequenceSweepParams); 6] = [
            ("epochs", SequenceSweepParams { epochs: d.epochs, ..p.clone() }),
            ("neurons", SequenceSweepParams { neurons: d.neurons.clone(), ..p.clone() }),
            ("runs", SequenceSweepParams { runs: d.runs, ..p.clone() }),
            ("batch", SequenceSweepParams { batch: d.batch, ..p.clone() }),
            ("ranks", SequenceSweepParams { ranks: d.ranks.clone(), ..p.clone() }),
            ("show", SequenceSweepParams { show: d.show, ..p.clone() }),
        ];
        let key = resets.iter().find(|(_, q)| work(q) <= MAX_WORK).map_or("neurons", |(k, _)| k);
        return Err(ParamError::new(
            key,
            format!(
                "the sweep would take {w:.1e} work units (a few minutes is {MAX_WORK:.0e}): fewer or smaller N, fewer ranks or runs, fewer epochs or a smaller batch"
            ),
        ));
    }
    Ok(())
}

/// What one trained network gives.
#[derive(Clone, Debug)]
struct Trained {
    model: TrainModel,
    losses: Vec<f64>,
    accuracy: f64,
    error: f64,
    dimension: usize,
    dimension_noisy: usize,
}

/// The architecture of every network of the sweep: rate form, tanh, two inputs, one output.
pub fn architecture(neurons: usize, rank: usize) -> Architecture {
    Architecture {
        model: Model::Rate,
        neurons,
        inputs: sequence::INPUTS,
        outputs: Some(1),
        rank: Some(rank),
        phi: Phi::Tanh,
        tau: TAU,
        dt: DT,
    }
}

/// Trains network (N, K, run) and scores it; `None` once the run is cancelled (checked here
/// where the run's thread trains, i.e. in wasm; natively between blocks of networks).
fn train(p: &SequenceSweepParams, neurons: usize, rank: usize, run: usize) -> Option<Trained> {
    let seed = derive_seed(p.seed, run as u64);
    let (train_seed, test_seed) = trial_seeds(seed);
    let adam = AdamConfig { lr: p.lr, weight_decay: p.weight_decay, clip: CLIP, ..Default::default() };
    // Patience = epochs: the learning rate is never reduced.
    let mut stage = Stage::new(TrainModel::new(architecture(neurons, rank), seed), Loss::Mse, adam, p.epochs, p.epochs);
    let task = p.task(neurons);
    while !stage.finished() {
        let e = stage.epoch();
        if e.is_multiple_of(CHECK_EVERY) {
            if crate::progress::cancelled() {
                return None;
            }
            crate::progress::report(e as f64 / p.epochs as f64);
        }
        stage.step(&sequence::batch(&task, train_seed, (e * p.batch) as u64, p.batch));
    }
    let model = stage.model;
    let clean = SequenceTask { noise: 0.0, ..task.clone() };
    let steps = task.steps();
    let accuracy = sequence::accuracy(&clean, test_seed, p.trials, |u| bptt::outputs(&model, u, steps));
    let error = bptt::loss(&model, Loss::Mse, &sequence::batch(&clean, test_seed, 0, p.trials));
    let dimension_of = |t: &SequenceTask| {
        let x = sequence::activity(t, test_seed, p.trials, |u, z| bptt::noisy_states(&model, u, z, steps));
        pca::dimension(&pca::variances(&x, x.len() / neurons, neurons), p.fraction)
    };
    let dimension = dimension_of(&clean);
    let dimension_noisy = if p.noise > 0.0 { dimension_of(&task) } else { dimension };
    Some(Trained { model, losses: stage.losses, accuracy, error, dimension, dimension_noisy })
}

/// One (N, K) cell: per-run values and their mean and s.d. over runs (sample s.d., n − 1; 0
/// for one run).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cell {
    /// Neurons N.
    pub neurons: usize,
    /// Rank K.
    pub rank: usize,
    /// Per run: the fraction of response slots whose mean output over the scored half is
    /// nearer to the correct number than to any other number of the trial.
    pub accuracy: Vec<f64>,
    /// Per run: the mean squared error of the output over scored steps.
    pub error: Vec<f64>,
    /// Per run: PCs explaining `fraction` of the noise-free activity's variance.
    pub dimension: Vec<usize>,
    /// Per run: the same with the state noise of training added every step.
    pub dimension_noisy: Vec<usize>,
    /// Mean and s.d. of `accuracy`.
    pub accuracy_stats: Stats,
    /// Mean and s.d. of `error`.
    pub error_stats: Stats,
    /// Mean and s.d. of `dimension`.
    pub dimension_stats: Stats,
    /// Mean and s.d. of `dimension_noisy`.
    pub dimension_noisy_stats: Stats,
    /// The minibatch training loss averaged over runs and over consecutive windows of
    /// epochs, one value per entry of the result's `loss_epochs`.
    pub loss: Vec<f64>,
}

/// A mean and a sample standard deviation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Sample s.d. (n − 1); 0 for one value.
    pub sd: f64,
}

impl Stats {
    /// The mean and sample s.d. of `v` (summed in order).
    pub fn of(v: &[f64]) -> Stats {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd =
            if v.len() > 1 { (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
        Stats { mean, sd }
    }
}

/// What `exp=sequence_sweep` gives.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SequenceSweepResult {
    /// The sizes N, in query order.
    pub neurons: Vec<usize>,
    /// The ranks K, in query order.
    pub ranks: Vec<usize>,
    /// The task's dimensionality: the L numbers a network must hold.
    pub task_dimension: usize,
    /// The error of the best output that ignores the numbers (each slot's target mean):
    /// the mean over slots j of Var(x₍ⱼ₎) = 4 j (L − j + 1) / ((L + 1)² (L + 2)).
    pub baseline_error: f64,
    /// The last epoch (1-based) of each window the loss curves average.
    pub loss_epochs: Vec<usize>,
    /// One cell per (N, K), N-major in query order.
    pub cells: Vec<Cell>,
}

impl SequenceSweepResult {
    /// The cell of sizes[ni], ranks[ki].
    pub fn cell(&self, ni: usize, ki: usize) -> &Cell {
        &self.cells[ni * self.ranks.len() + ki]
    }
}

/// The error of outputs that ignore the numbers: the mean variance of the order statistics of
/// L uniform numbers on [−1, 1).
pub fn baseline_error(length: usize) -> f64 {
    let l = length as f64;
    (1..=length).map(|j| 4.0 * j as f64 * (l - j as f64 + 1.0) / ((l + 1.0) * (l + 1.0) * (l + 2.0))).sum::<f64>() / l
}

/// The windows of epochs the loss curves average: (start, end) pairs, at most
/// [`LOSS_POINTS`].
fn windows(epochs: usize) -> Vec<(usize, usize)> {
    let w = epochs.div_ceil(LOSS_POINTS).max(1);
    (0..epochs).step_by(w).map(|a| (a, (a + w).min(epochs))).collect()
}

fn cell(p: &SequenceSweepParams, neurons: usize, rank: usize, runs: &[Trained]) -> Cell {
    let accuracy: Vec<f64> = runs.iter().map(|t| t.accuracy).collect();
    let error: Vec<f64> = runs.iter().map(|t| t.error).collect();
    let dimension: Vec<usize> = runs.iter().map(|t| t.dimension).collect();
    let dimension_noisy: Vec<usize> = runs.iter().map(|t| t.dimension_noisy).collect();
    let as_f64 = |v: &[usize]| v.iter().map(|&d| d as f64).collect::<Vec<f64>>();
    let loss = windows(p.epochs)
        .iter()
        .map(|&(a, b)| {
            let per_run: Vec<f64> = runs.iter().map(|t| t.losses[a..b].iter().sum::<f64>() / (b - a) as f64).collect();
            per_run.iter().sum::<f64>() / per_run.len() as f64
        })
        .collect();
    Cell {
        neurons,
        rank,
        accuracy_stats: Stats::of(&accuracy),
        error_stats: Stats::of(&error),
        dimension_stats: Stats::of(&as_f64(&dimension)),
        dimension_noisy_stats: Stats::of(&as_f64(&dimension_noisy)),
        accuracy,
        error,
        dimension,
        dimension_noisy,
        loss,
    }
}

fn run(p: &SequenceSweepParams, ctx: &RunCtx) -> Result<Output<SequenceSweepResult>, RunError> {
    // Every network (N index, K index, run), N-major; trained in blocks (one at a time in
    // wasm, a core's worth natively) with progress and cancellation between blocks. Each
    // network is the same sequential code whatever the block, so the bytes are too.
    let jobs: Vec<(usize, usize, usize)> = (0..p.neurons.len())
        .flat_map(|ni| (0..p.ranks.len()).flat_map(move |ki| (0..p.runs).map(move |r| (ni, ki, r))))
        .collect();
    let cost = |&(ni, ki, _): &(usize, usize, usize)| p.neurons[ni] as f64 * (60.0 + 6.0 * p.ranks[ki] as f64);
    let total: f64 = jobs.iter().map(cost).sum();
    let block =
        if cfg!(target_arch = "wasm32") { 1 } else { std::thread::available_parallelism().map_or(4, |n| n.get()) };
    // The networks a cancelled run finished are kept (first jobs first): the same query goes
    // on from there. Each network is a function of its job alone, so the bytes are the same.
    let key = format!("exp=sequence_sweep {p:?}");
    let mut trained: Vec<Trained> = store::take(&key).unwrap_or_else(|| Vec::with_capacity(jobs.len()));
    let mut done: f64 = jobs[..trained.len()].iter().map(cost).sum();
    for part in jobs[trained.len()..].chunks(block) {
        let c: f64 = part.iter().map(cost).sum();
        if let Err(e) = ctx.checkpoint() {
            store::keep(key, trained);
            return Err(e);
        }
        let out = crate::progress::stage(done / total, (done + c) / total, || {
            crate::parallel::map(part, |&(ni, ki, r)| train(p, p.neurons[ni], p.ranks[ki], r))
        });
        let finished = out.iter().all(Option::is_some);
        trained.extend(out.into_iter().map_while(|t| t));
        if !finished {
            store::keep(key, trained);
            return Err(RunError::Cancelled);
        }
        done += c;
    }
    if let Some((&(ni, ki, r), _)) =
        jobs.iter().zip(&trained).find(|(_, t)| t.model.theta.iter().any(|x| !x.is_finite()))
    {
        return Err(RunError::Failed(format!(
            "training diverged (N = {}, K = {}, run {r}): lower lr",
            p.neurons[ni], p.ranks[ki]
        )));
    }
    let cells: Vec<Cell> = trained
        .chunks(p.runs)
        .zip(jobs.iter().step_by(p.runs))
        .map(|(runs, &(ni, ki, _))| cell(p, p.neurons[ni], p.ranks[ki], runs))
        .collect();
    let network = trained.last().map(|t| t.model.network()).ok_or_else(|| RunError::Failed("no networks".into()))?;
    let result = SequenceSweepResult {
        neurons: p.neurons.clone(),
        ranks: p.ranks.clone(),
        task_dimension: p.length,
        baseline_error: baseline_error(p.length),
        loss_epochs: windows(p.epochs).iter().map(|w| w.1).collect(),
        cells,
    };
    Ok(Output { result, network })
}

/// Sequence sorting by trained low-rank networks over sizes and ranks.
pub struct SequenceSweep;

impl Experiment for SequenceSweep {
    fn memory(p: &SequenceSweepParams, _ctx: &RunCtx) -> Footprint {
        let n = p.neurons.iter().copied().max().unwrap_or(0) as f64;
        let t = ((2 * p.length + 1) * p.show) as f64;
        Footprint::new(
            f64s(1.2 * p.batch as f64 * t * n + 3.0 * p.trials as f64 * t * n + 24.0 * t * n),
            &["batch", "neurons", "show"],
        )
    }
    const NAME: &'static str = "sequence_sweep";
    const TITLE: &'static str = "Sequence sorting: dimensionality against N and rank";
    const EXAMPLE: &'static str = "exp=sequence_sweep&neurons=16,24&ranks=1,2&runs=2&epochs=20&batch=4&trials=8&show=4";
    type Params = SequenceSweepParams;
    type Result = SequenceSweepResult;

    fn check(p: &SequenceSweepParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &SequenceSweepParams, ctx: &RunCtx) -> Result<Output<SequenceSweepResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &SequenceSweepParams, r: &SequenceSweepResult) -> Result<(), String> {
        use super::shape::ensure;
        ensure(r.neurons == p.neurons && r.ranks == p.ranks, "sizes and ranks")?;
        ensure(r.cells.len() == p.neurons.len() * p.ranks.len(), "one cell per (N, K)")?;
        let points = windows(p.epochs).len();
        ensure(r.loss_epochs.len() == points, "the loss curves' epochs")?;
        for (i, c) in r.cells.iter().enumerate() {
            ensure(
                c.neurons == p.neurons[i / p.ranks.len()] && c.rank == p.ranks[i % p.ranks.len()],
                "cells in (N, K) order",
            )?;
            ensure(
                c.accuracy.len() == p.runs
                    && c.error.len() == p.runs
                    && c.dimension.len() == p.runs
                    && c.dimension_noisy.len() == p.runs,
                "values per run",
            )?;
            ensure(c.loss.len() == points, "a loss curve")?;
        }
        Ok(())
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("dimension_neurons", "Linear dimensionality against N", 0.75, false),
            PlotSpec::new("dimension_rank", "Linear dimensionality against rank", 0.75, false),
            PlotSpec::new("accuracy", "Accuracy against rank", 0.75, false),
            PlotSpec::new("error", "Test error against rank", 0.75, false),
            PlotSpec::new("loss", "Training loss", 0.45, true),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "sequence",
            label: "Sequence sorting",
            plots: &["dimension_neurons", "dimension_rank", "accuracy", "error", "loss"],
            main: &["neurons", "ranks", "length", "runs", "epochs", "noise", "seed"],
            embed_plot: "dimension_neurons",
            preset: "",
        }]
    }
    fn summary(p: &SequenceSweepParams, r: &SequenceSweepResult) -> String {
        let by_rank = |f: &dyn Fn(&Cell) -> String| -> String {
            (0..r.neurons.len())
                .map(|ni| {
                    let v: Vec<String> = (0..r.ranks.len()).map(|ki| f(r.cell(ni, ki))).collect();
                    format!("N = {}: {}", r.neurons[ni], v.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        let ranks: Vec<String> = r.ranks.iter().map(|k| k.to_string()).collect();
        let noisy = if p.noise > 0.0 {
            format!(
                " With the state noise σ = {}: {}.",
                p.noise,
                by_rank(&|c| super::significant(c.dimension_noisy_stats.mean, 3))
            )
        } else {
            String::new()
        };
        format!(
            "Sorting L = {} numbers (task dimensionality {}); {} network(s) per cell, {} epochs of {} trials, state noise σ = {}. By rank K = {}: accuracy {}. Test error (an output ignoring the numbers: {}) {}. Linear dimensionality (PCs for {} % of the variance), noise-free: {}.{}",
            p.length,
            r.task_dimension,
            p.runs,
            p.epochs,
            p.batch,
            p.noise,
            ranks.join(", "),
            by_rank(&|c| super::significant(c.accuracy_stats.mean, 3)),
            super::significant(r.baseline_error, 3),
            by_rank(&|c| super::significant(c.error_stats.mean, 2)),
            super::significant(p.fraction * 100.0, 3),
            by_rank(&|c| super::significant(c.dimension_stats.mean, 3)),
            noisy,
        )
    }
    fn csv(_p: &SequenceSweepParams, r: &SequenceSweepResult) -> Csv {
        let col = |f: &dyn Fn(&Cell) -> f64| r.cells.iter().map(f).collect::<Vec<f64>>();
        Csv::with_rows(r.cells.len())
            .column("neurons", &col(&|c| c.neurons as f64))
            .column("rank", &col(&|c| c.rank as f64))
            .column("accuracy_mean", &col(&|c| c.accuracy_stats.mean))
            .column("accuracy_sd", &col(&|c| c.accuracy_stats.sd))
            .column("error_mean", &col(&|c| c.error_stats.mean))
            .column("error_sd", &col(&|c| c.error_stats.sd))
            .column("dimension_mean", &col(&|c| c.dimension_stats.mean))
            .column("dimension_sd", &col(&|c| c.dimension_stats.sd))
            .column("dimension_noisy_mean", &col(&|c| c.dimension_noisy_stats.mean))
            .column("dimension_noisy_sd", &col(&|c| c.dimension_noisy_stats.sd))
    }
    fn cost(p: &SequenceSweepParams) -> f64 {
        work(p)
    }
    /// One part per (N, K): the page trains them on a pool of workers.
    fn split(p: &SequenceSweepParams) -> Vec<SequenceSweepParams> {
        if p.neurons.len() * p.ranks.len() < 2 {
            return vec![];
        }
        p.neurons
            .iter()
            .flat_map(|&n| {
                p.ranks.iter().map(move |&k| SequenceSweepParams { neurons: vec![n], ranks: vec![k], ..p.clone() })
            })
            .collect()
    }
    /// The cells in (N, K) order, each from the part that trained it: the whole sweep's
    /// result, since a network depends only on (N, K, run) and the other keys.
    fn merge(p: &SequenceSweepParams, parts: Vec<SequenceSweepResult>) -> Result<SequenceSweepResult, String> {
        let first = parts.first().ok_or("no parts to merge")?;
        let mut cells = vec![];
        for &n in &p.neurons {
            for &k in &p.ranks {
                let c = parts
                    .iter()
                    .flat_map(|part| part.cells.iter())
                    .find(|c| c.neurons == n && c.rank == k)
                    .ok_or_else(|| format!("no part trained N = {n}, K = {k}"))?;
                cells.push(c.clone());
            }
        }
        Ok(SequenceSweepResult {
            neurons: p.neurons.clone(),
            ranks: p.ranks.clone(),
            task_dimension: first.task_dimension,
            baseline_error: first.baseline_error,
            loss_epochs: first.loss_epochs.clone(),
            cells,
        })
    }
}
