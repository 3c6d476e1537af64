//! `exp=drift_sweep`: state accuracy against drift strength σ (log grid) for the three kinds
//! of drift over a list of N, read from all neurons and from the first n_obs, with a sigmoid
//! fit between 1 and chance per curve whose midpoint σ* is the tolerable drift
//! (LCF Fig. 4D, I, J). Cells (N, kind, σ, run) are independent and run in parallel; each run's
//! pre-drift segment is shared by all its cells.

use super::drift::CPU_NEURONS;
use super::drift_runs::{bin_steps, check_outside, grown, network, segment, trial, window_accuracy, Segment};
use super::{Csv, Experiment, NetworkSource, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::backend::Backend;
use crate::drift::{self, DriftKind, SigmoidFit};
use crate::memory::{document, f64s, Footprint};
use crate::params::{list, range, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{derive_seed, stream, Rng};
use crate::simulate::Compute;
use serde::{Deserialize, Serialize};

/// Most neuron-steps one sweep may take on the CPU.
pub const MAX_WORK: f64 = 4e10;
/// The same with `backend=gpu` (whose cells of N ≥ 10⁵ the GPU runs).
pub const MAX_WORK_GPU: f64 = 1e12;

crate::params! {
    /// The query keys of `exp=drift_sweep`, with their ranges and defaults.
    pub struct DriftSweepParams {
        source: NetworkSource = NetworkSource::Designed, range(0.0, 0.0), "network", "", network, "designed (one flip-flop of `base` neurons per run, Δt = 1 ms), network (a loaded network file) or trained (the network exp=train trains from the train.* keys); a given network is resampled from its own N to each size (a new resampling per run) and keeps its τ and Δt; it must be rate-form and purely low-rank with rank = inputs = bits; accuracy is read by its readout when it has one";
        bits: usize = 3, range(1.0, 8.0), "bits K", "", network, "flip-flop bits K (LCF Fig. 4D: 3; a given network: its rank and inputs)";
        neurons: Vec<usize> = vec![100, 1000, 10000], list(10.0, 1_000_000.0, 8), "sizes N", "", network, "network sizes N (each resampled from the same designed or given network; a given network's own N uses it as it is); above 300000 only with backend=gpu";
        base: usize = 100, range(4.0, 10_000.0), "designed neurons", "", network, "neurons of the designed network (our default 100; does not apply to a given network, which brings its own N)";
        sigma_min: f64 = 0.01, range(1e-6, 100.0), "σ from", "", task, "smallest drift strength σ";
        sigma_max: f64 = 10.0, range(1e-6, 100.0), "σ to", "", task, "largest drift strength σ";
        points: usize = 12, range(2.0, 64.0), "σ values", "", task, "σ values, log-spaced";
        kinds: Vec<usize> = vec![0, 1, 2], list(0.0, 2.0, 3), "drift kinds", "", task, "kinds of drift swept: 0 random, 1 orthogonal, 2 tangential (the page splits a sweep by N, kind and run across its workers)";
        runs: usize = 3, range(1.0, 16.0), "runs", "", simulation, "runs per cell (different trials, initial rates, drifts and noise), averaged";
        first_run: usize = 0, range(0.0, 1000.0), "first run", "", simulation, "index of the first run: the sweep runs first_run … first_run + runs − 1, each with its own seeds (the page's workers run one run each; the merged sweep is the same bytes)";
        steps: usize = 500, range(10.0, 100_000.0), "steps", "", task, "Euler steps before the drift (of Δt = 1 ms designed, the network's own Δt given)";
        after: usize = 1500, range(10.0, 100_000.0), "steps after drift", "", task, "steps after the drift";
        score: usize = 1000, range(10.0, 100_000.0), "scored steps", "", analysis, "accuracy is scored on the last `score` steps after the drift";
        noise: f64 = 0.05, range(0.0, 10.0), "noise σ", "", simulation, "σ of the current noise (our default 0.05)";
        observed: usize = 100, range(1.0, 1_000_000.0), "observed neurons n_obs", "", analysis, "the second readout uses the first n_obs neurons (LCF: 100)";
        pulse_prob: f64 = 0.05, range(0.0, 1.0), "pulse probability", "", task, "probability of a pulse per channel per 10 ms bin (a given network: bins of round(10 ms / Δt) steps)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed";
    }
}

fn check(p: &DriftSweepParams) -> Result<(), ParamError> {
    if p.neurons.is_empty() {
        return Err(ParamError::new("neurons", "must list at least one network size"));
    }
    if p.sigma_min >= p.sigma_max {
        return Err(ParamError::new("sigma_max", format!("must be larger than sigma_min = {}", p.sigma_min)));
    }
    if p.source == NetworkSource::Designed && p.base < 2 * p.bits {
        return Err(ParamError::new("base", format!("must be at least 2 × bits = {}", 2 * p.bits)));
    }
    let mut seen = [false; 3];
    for &k in &p.kinds {
        if std::mem::replace(&mut seen[k], true) {
            return Err(ParamError::new("kinds", format!("lists kind {k} twice")));
        }
    }
    if p.kinds.is_empty() {
        return Err(ParamError::new("kinds", "must list at least one kind (0 random, 1 orthogonal, 2 tangential)"));
    }
    if p.score > p.after {
        return Err(ParamError::new("score", format!("must be at most after = {}", p.after)));
    }
    Ok(())
}

/// The size and work limits, which the GPU lifts.
fn check_on(p: &DriftSweepParams, backend: Backend) -> Result<(), ParamError> {
    let gpu = backend.gpu_limits();
    if let Some(&n) = p.neurons.iter().find(|&&n| n > CPU_NEURONS).filter(|_| !gpu) {
        return Err(ParamError::new(
            "neurons",
            format!("lists N = {n}: sizes must be at most {CPU_NEURONS} on the CPU; up to 1000000 with backend=gpu"),
        ));
    }
    let (limit, on) = if gpu { (MAX_WORK_GPU, "the GPU") } else { (MAX_WORK, "the CPU") };
    let work = work(p);
    if work > limit {
        let lift = if gpu { String::new() } else { format!("; backend=gpu allows {MAX_WORK_GPU:.0e}") };
        return Err(ParamError::new("neurons", format!("the sweep would take {work:.1e} neuron-steps; at most {limit:.0e} on {on} (fewer or smaller N, points, runs or steps{lift})")));
    }
    Ok(())
}

/// Neuron-steps of a sweep.
fn work(p: &DriftSweepParams) -> f64 {
    p.neurons
        .iter()
        .map(|&n| n as f64 * p.runs as f64 * (p.steps as f64 + p.kinds.len() as f64 * p.points as f64 * p.after as f64))
        .sum()
}

impl DriftSweepParams {
    /// The swept drift strengths: `points` values log-spaced from `sigma_min` to `sigma_max`,
    /// both included.
    pub fn sigmas(&self) -> Vec<f64> {
        crate::numerics::grid::geomspace(self.sigma_min, self.sigma_max, self.points)
    }
}

/// Accuracy against σ for one N and one kind of drift, with its sigmoid fits.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Curve {
    /// Mean state accuracy over runs at each σ of `sigma`, read from all neurons.
    pub accuracy: Vec<f64>,
    /// The same read from the first n_obs neurons (equal to `accuracy` when n_obs ≥ N).
    pub accuracy_observed: Vec<f64>,
    /// Sigmoid fit of `accuracy` against ln σ between 1 and chance; its midpoint is σ*.
    pub fit: SigmoidFit,
    /// Sigmoid fit of `accuracy_observed`.
    pub fit_observed: SigmoidFit,
}

/// The curves of one network size.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SizeResult {
    /// The network size N.
    pub neurons: usize,
    /// Random drift; null for a kind that was not swept (likewise below).
    pub random: Option<Curve>,
    /// Drift orthogonal to span{n^(k)}.
    pub orthogonal: Option<Curve>,
    /// Drift inside span{n^(k)}.
    pub tangential: Option<Curve>,
}

/// The tolerable drift σ* (the fitted sigmoid's midpoint) of one network size per kind;
/// null for a kind that was not swept. Where the fit is censored σ* is only a bound.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tolerable {
    /// The network size N.
    pub neurons: usize,
    /// σ* of random drift.
    pub random: Option<f64>,
    /// σ* of orthogonal drift.
    pub orthogonal: Option<f64>,
    /// σ* of tangential drift.
    pub tangential: Option<f64>,
}

/// What `exp=drift_sweep` gives: accuracy-against-σ curves per N and kind, and σ* per N.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DriftSweepResult {
    /// The swept drift strengths σ (log-spaced), shared by every curve.
    pub sigma: Vec<f64>,
    /// Chance accuracy 2^−K, the lower end of the sigmoid fits.
    pub chance: f64,
    /// Curves per network size, in the order of `neurons`.
    pub sizes: Vec<SizeResult>,
    /// σ* per N and kind, from all neurons.
    pub tolerable_drift: Vec<Tolerable>,
    /// σ* per N and kind, from the first n_obs neurons.
    pub tolerable_drift_observed: Vec<Tolerable>,
    /// The runs averaged, by their index in the sweep (`first_run` …).
    pub runs: Vec<usize>,
}

/// A curve from its mean accuracies, with its sigmoid fits.
fn curve_of(sigma: &[f64], accuracy: Vec<f64>, observed: Vec<f64>, chance: f64) -> Curve {
    Curve {
        fit: drift::fit_sigmoid(sigma, &accuracy, chance),
        fit_observed: drift::fit_sigmoid(sigma, &observed, chance),
        accuracy,
        accuracy_observed: observed,
    }
}

/// The result of these curves: σ* per N and kind read from their fits.
fn result_of(sigma: Vec<f64>, chance: f64, sizes: Vec<SizeResult>, runs: Vec<usize>) -> DriftSweepResult {
    let tol = |obs: bool| -> Vec<Tolerable> {
        sizes
            .iter()
            .map(|s| {
                let m =
                    |c: &Option<Curve>| c.as_ref().map(|c| if obs { c.fit_observed.midpoint } else { c.fit.midpoint });
                Tolerable {
                    neurons: s.neurons,
                    random: m(&s.random),
                    orthogonal: m(&s.orthogonal),
                    tangential: m(&s.tangential),
                }
            })
            .collect()
    };
    DriftSweepResult { tolerable_drift: tol(false), tolerable_drift_observed: tol(true), sigma, chance, sizes, runs }
}

/// Accuracy (all, observed) of one cell: network size index, kind, σ index, run.
/// What every cell of a sweep reads: per size and run the network and its rates at the drift,
/// per run its trial, and the σ grid.
struct Shared {
    nets: Vec<Vec<crate::network::Network>>,
    starts: Vec<Vec<Vec<f64>>>,
    trials: Vec<crate::task::Trial>,
    sigmas: Vec<f64>,
}

fn cell(backend: &dyn Compute, p: &DriftSweepParams, sh: &Shared, c: &(usize, usize, usize, usize)) -> (f64, f64) {
    let (ni, ki, si, run) = *c;
    let net = &sh.nets[ni][run];
    let kind = DriftKind::ALL[ki];
    let sigma = sh.sigmas[si];
    // Seeds follow the run's index in the whole sweep, so a part of some runs is those runs.
    let global = (p.first_run + run) as u64;
    // The same ΔM draw for every σ and kind of a run (common random numbers): curves are smooth.
    let mut rng = Rng::new(derive_seed(p.seed, global), stream::DRIFT);
    let delta = drift::delta(net, kind, sigma, &mut rng);
    let drifted = drift::apply(net, &delta);
    let t = &sh.trials[run];
    let observed = p.observed.min(net.neurons);
    let s = Segment {
        window: p.steps..p.steps + p.after,
        noise: p.noise,
        seed: derive_seed(p.seed, 1000 + global),
        observed: if observed < net.neurons { observed } else { 0 },
    };
    let out = segment(backend, &drifted, &sh.starts[ni][run], t, s);
    let k = p.bits;
    let all = window_accuracy(out.read(k), k, t, p.steps, p.after, p.score);
    let obs = if observed < net.neurons {
        window_accuracy(out.read_observed(k), k, t, p.steps, p.after, p.score)
    } else {
        all
    };
    (all, obs)
}

fn run(p: &DriftSweepParams, ctx: &RunCtx) -> Result<Output<DriftSweepResult>, RunError> {
    let k = p.bits;
    let given = match p.source {
        NetworkSource::Designed => None,
        NetworkSource::Network | NetworkSource::Trained => {
            let net = ctx.network()?;
            check_outside(net, k)?;
            Some(net)
        }
    };
    // One designed network per run (its own design seed), resampled to each N: a sweep then
    // averages over designs, not only over trials, so one design's quirks do not set σ*. A
    // given network is resampled with the same per-run seeds, so runs average over resamplings
    // (and a designed base network given as a file reproduces a one-run designed sweep).
    let seed_of = |r: usize| derive_seed(p.seed, 2000 + (p.first_run + r) as u64);
    let nets: Vec<Vec<_>> = ctx.stage(0.0, 0.02, || {
        p.neurons
            .iter()
            .map(|&n| {
                (0..p.runs)
                    .map(|r| match given {
                        None => network(k, p.base, n, seed_of(r)),
                        Some(net) => grown(net, n, seed_of(r)),
                    })
                    .collect()
            })
            .collect()
    })?;
    // Bins of 10 ms of time whatever the network's Δt (10 steps of the designed 1 ms).
    let bins = bin_steps(nets[0][0].dt);
    // Pre-drift segment per (N, run): the rates at the moment of the drift.
    let trials: Vec<_> = (0..p.runs)
        .map(|run| trial(k, p.steps + p.after, bins, p.pulse_prob, p.seed, (p.first_run + run) as u64))
        .collect();
    let pre: Vec<(usize, usize)> = (0..nets.len()).flat_map(|ni| (0..p.runs).map(move |r| (ni, r))).collect();
    let finals = ctx.stage(0.02, 0.1, || {
        crate::parallel::map(&pre, |&(ni, run)| {
            let net = &nets[ni][run];
            let global = (p.first_run + run) as u64;
            let mut initial = vec![0.0; net.neurons];
            Rng::new(derive_seed(p.seed, global), stream::INITIAL_RATES).fill_normal(&mut initial, 0.0, 0.1);
            let s =
                Segment { window: 0..p.steps, noise: p.noise, seed: derive_seed(p.seed, 500 + global), observed: 0 };
            segment(ctx.backend(), net, &initial, &trials[run], s).out.final_rates
        })
    })?;
    let mut starts: Vec<Vec<Vec<f64>>> = vec![vec![]; nets.len()];
    for ((ni, _), f) in pre.iter().zip(finals) {
        starts[*ni].push(f);
    }
    let shared = Shared { nets, starts, trials, sigmas: p.sigmas() };
    let sizes_n = p.neurons.len();
    let cells: Vec<(usize, usize, usize, usize)> = (0..sizes_n)
        .flat_map(|ni| {
            p.kinds
                .iter()
                .flat_map(move |&ki| (0..p.points).flat_map(move |si| (0..p.runs).map(move |r| (ni, ki, si, r))))
        })
        .collect();
    // Cells in blocks so that progress is reported between blocks.
    let mut acc = Vec::with_capacity(cells.len());
    let blocks = cells.chunks(cells.len().div_ceil(50).max(1)).collect::<Vec<_>>();
    ctx.stage(0.1, 1.0, || {
        for (b, block) in blocks.iter().enumerate() {
            if ctx.checkpoint().is_err() {
                break;
            }
            crate::progress::report(b as f64 / blocks.len() as f64);
            acc.extend(crate::parallel::map(block, |c| cell(ctx.backend(), p, &shared, c)));
        }
    })?;
    let sigma = shared.sigmas.clone();
    let chance = (0..k).fold(1.0, |a: f64, _| a * 0.5);
    let nk = p.kinds.len();
    let slot = |ki: usize| p.kinds.iter().position(|&k| k == ki);
    let idx = |ni: usize, ki: usize, si: usize, r: usize| ((ni * nk + slot(ki).unwrap()) * p.points + si) * p.runs + r;
    let curve = |ni: usize, ki: usize| -> Curve {
        let mean = |which: usize| -> Vec<f64> {
            (0..p.points)
                .map(|si| {
                    (0..p.runs)
                        .map(|r| if which == 0 { acc[idx(ni, ki, si, r)].0 } else { acc[idx(ni, ki, si, r)].1 })
                        .sum::<f64>()
                        / p.runs as f64
                })
                .collect()
        };
        curve_of(&sigma, mean(0), mean(1), chance)
    };
    let swept = |ni: usize, ki: usize| slot(ki).map(|_| curve(ni, ki));
    let sizes: Vec<SizeResult> = (0..sizes_n)
        .map(|ni| SizeResult {
            neurons: p.neurons[ni],
            random: swept(ni, 0),
            orthogonal: swept(ni, 1),
            tangential: swept(ni, 2),
        })
        .collect();
    let result = result_of(sigma, chance, sizes, (p.first_run..p.first_run + p.runs).collect());
    let last = shared.nets.into_iter().last().and_then(|v| v.into_iter().next()).expect("at least one size");
    Ok(Output { result, network: last })
}

impl SizeResult {
    fn curve(&mut self, kind: DriftKind) -> &mut Option<Curve> {
        match kind {
            DriftKind::Random => &mut self.random,
            DriftKind::Orthogonal => &mut self.orthogonal,
            DriftKind::Tangential => &mut self.tangential,
        }
    }
}

/// Accuracy against drift strength for the three kinds of drift over a list of N.
pub struct DriftSweep;

impl Experiment for DriftSweep {
    fn memory(p: &DriftSweepParams, ctx: &RunCtx) -> Footprint {
        let given = if p.source.outside() { ctx.network().ok() } else { None };
        let (n, k) = (p.neurons.iter().copied().max().unwrap_or(0) as f64, p.bits as f64);
        let t = (p.steps + p.after + p.score) as f64;
        let recorded = if given.is_some_and(|g| g.readout.is_some()) { t * n } else { 0.0 };
        let weights = 2.0 * f64s(n * (6.0 * k + 4.0)) + given.map_or(0.0, |g| g.bytes());
        let values = 4.0 * (p.points * p.kinds.len() * p.runs * p.neurons.len()) as f64;
        Footprint::new(weights + f64s(recorded + 8.0 * t * k) + document(values), &["neurons", "runs"])
    }
    const NAME: &'static str = "drift_sweep";
    const TITLE: &'static str = "Drift sweep";
    const FOLLOWS_TRAINING: &'static [(&'static str, &'static str)] = &[("bits", "bits")];
    const EXAMPLE: &'static str = "exp=drift_sweep&bits=2&neurons=60,120&points=4&runs=1&steps=300&after=500&score=300";
    type Params = DriftSweepParams;
    type Result = DriftSweepResult;
    const SIMULATES: bool = true;

    fn specs() -> Vec<crate::params::ParamSpec> {
        let mut specs = <Self::Params as crate::params::ParamSet>::specs();
        super::designed_only(&mut specs, &["base"]);
        specs
    }
    fn check(p: &DriftSweepParams) -> Result<(), ParamError> {
        check(p)
    }
    fn check_on(p: &DriftSweepParams, backend: Backend) -> Result<(), ParamError> {
        check_on(p, backend)
    }
    fn run(p: &DriftSweepParams, ctx: &RunCtx) -> Result<Output<DriftSweepResult>, RunError> {
        run(p, ctx)
    }
    fn validate(_p: &DriftSweepParams, r: &DriftSweepResult) -> Result<(), String> {
        use super::shape::ensure;
        let n = r.sigma.len();
        ensure(n >= 2 && r.sigma.iter().all(|s| *s > 0.0), "the σ grid")?;
        let mut curves = r.sizes.iter().flat_map(|s| [&s.random, &s.orthogonal, &s.tangential]).flatten();
        ensure(curves.all(|c| c.accuracy.len() == n && c.accuracy_observed.len() == n), "accuracy curves")?;
        ensure(
            r.tolerable_drift.len() == r.sizes.len() && r.tolerable_drift_observed.len() == r.sizes.len(),
            "σ* per size",
        )
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("accuracy", "Accuracy against drift strength (all neurons)", 0.42, true),
            PlotSpec::new("accuracy_observed", "Accuracy against drift strength (first n_obs neurons)", 0.42, true),
            PlotSpec::new("tolerable", "Tolerable drift σ* against N", 0.7, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "sweep",
            label: "Drift sweep",
            plots: &["accuracy", "accuracy_observed", "tolerable"],
            main: &["bits", "neurons", "sigma_min", "sigma_max", "points", "runs", "observed", "noise", "seed"],
            embed_plot: "accuracy",
            preset: "",
        }]
    }
    fn summary(_p: &DriftSweepParams, r: &DriftSweepResult) -> String {
        let f = |v: Option<f64>| v.map_or("–".to_string(), |v| super::significant(v, 3));
        let sizes: Vec<String> = r
            .tolerable_drift
            .iter()
            .map(|t| {
                format!(
                    "N = {}: random {}, orthogonal {}, tangential {}",
                    t.neurons,
                    f(t.random),
                    f(t.orthogonal),
                    f(t.tangential)
                )
            })
            .collect();
        format!("Tolerable drift σ* (all neurons): {}.", sizes.join("; "))
    }
    fn csv(_p: &DriftSweepParams, r: &DriftSweepResult) -> Csv {
        let mut csv = Csv::with_rows(r.sigma.len()).column("sigma", &r.sigma);
        for s in &r.sizes {
            for (kind, c) in DriftKind::NAMES.iter().zip([&s.random, &s.orthogonal, &s.tangential]) {
                if let Some(c) = c {
                    csv = csv
                        .column(format!("{kind}_n{}", s.neurons), &c.accuracy)
                        .column(format!("{kind}_n{}_observed", s.neurons), &c.accuracy_observed);
                }
            }
        }
        csv
    }
    fn cost(p: &DriftSweepParams) -> f64 {
        work(p)
    }
    /// One part per (N, kind, run): the page runs them on a pool of workers, and the many
    /// small parts of the largest N balance its load.
    fn split(p: &DriftSweepParams) -> Vec<DriftSweepParams> {
        let mut parts = vec![];
        for &n in &p.neurons {
            for &k in &p.kinds {
                for r in 0..p.runs {
                    parts.push(DriftSweepParams {
                        neurons: vec![n],
                        kinds: vec![k],
                        runs: 1,
                        first_run: p.first_run + r,
                        ..p.clone()
                    });
                }
            }
        }
        parts
    }
    /// Parts in any order (the pool finishes them so): each (N, kind)'s runs are found by
    /// their index, averaged in run order and fitted as the whole sweep does, which gives its
    /// bytes (a one-run part's mean is that run's accuracy exactly).
    fn merge(p: &DriftSweepParams, parts: Vec<DriftSweepResult>) -> Result<DriftSweepResult, String> {
        let first = parts.first().ok_or("no parts to merge")?;
        let (sigma, chance) = (first.sigma.clone(), first.chance);
        let runs: Vec<usize> = (p.first_run..p.first_run + p.runs).collect();
        let mut sizes = vec![];
        for &n in &p.neurons {
            let mut size = SizeResult { neurons: n, random: None, orthogonal: None, tangential: None };
            for &k in &p.kinds {
                let kind = DriftKind::ALL[k];
                let mut curves = vec![];
                for &r in &runs {
                    let mut found = parts.iter().filter(|part| part.runs == [r]).filter_map(|part| {
                        let mut s = part.sizes.iter().find(|s| s.neurons == n)?.clone();
                        s.curve(kind).take()
                    });
                    let c = found.next().ok_or(format!("no part holds run {r} of N = {n}, drift kind {k}"))?;
                    if found.next().is_some() {
                        return Err(format!("run {r} of N = {n}, drift kind {k} is given twice"));
                    }
                    curves.push(c);
                }
                let mean = |pick: fn(&Curve) -> &Vec<f64>| -> Vec<f64> {
                    (0..sigma.len()).map(|si| curves.iter().map(|c| pick(c)[si]).sum::<f64>() / p.runs as f64).collect()
                };
                let (a, o) = (mean(|c| &c.accuracy), mean(|c| &c.accuracy_observed));
                *size.curve(kind) = Some(curve_of(&sigma, a, o, chance));
            }
            sizes.push(size);
        }
        Ok(result_of(sigma, chance, sizes, runs))
    }
}
