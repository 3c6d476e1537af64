//! `exp=drift`: one flip-flop network before and after an instantaneous drift of its embedding
//! weights (LCF Fig. 4B–H): latent trajectories with state accuracy before and after, the LPU
//! portrait of both networks, a neuron's tuning curves, and how many neurons keep their coding.

use super::drift_runs::{bin_steps, check_outside, grown, network, segment, trial, window_accuracy, Segment};
use super::{rows, Csv, Experiment, NetworkSource, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::{self, FixedPoint, Kind, SearchOptions};
use crate::analysis::flow::{flow_grid, FlowGrid, Lpu};
use crate::analysis::tuning::{tuning_curve, TuningCurve};
use crate::backend::Backend;
use crate::drift::{self, DriftKind};
use crate::memory::{document, f64s, Footprint};
use crate::network::Network;
use crate::params::{range, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{derive_seed, stream, Rng};
use serde::{Deserialize, Serialize};

/// Most neuron-steps one run may take on the CPU, N × (steps + after), to keep runs bounded.
pub const MAX_WORK: f64 = 2e9;
/// The same with `backend=gpu`.
pub const MAX_WORK_GPU: f64 = 1e11;
/// Most neurons on the CPU (the GPU takes up to the keys' range, 10⁶).
pub const CPU_NEURONS: usize = 300_000;

crate::params! {
    /// The query keys of `exp=drift`, with their ranges and defaults.
    pub struct DriftParams {
        source: NetworkSource = NetworkSource::Designed, range(0.0, 0.0), "network", "", network, "designed (the flip-flop of `base` neurons, Δt = 1 ms), network (a loaded network file) or trained (the network exp=train trains from the train.* keys); a given network is resampled from its own N to `neurons` and keeps its τ and Δt; it must be rate-form and purely low-rank with rank = inputs = bits; accuracy is read by its readout when it has one";
        bits: usize = 2, range(1.0, 8.0), "bits K", "", network, "flip-flop bits K (a given network: its rank and inputs)";
        neurons: usize = 1000, range(10.0, 1_000_000.0), "neurons N", "", network, "neurons N after resampling the designed or given network (a given network of N neurons is used as it is); above 300000 only with backend=gpu";
        base: usize = 100, range(4.0, 10_000.0), "designed neurons", "", network, "neurons of the designed network that is resampled to N (our default 100; does not apply to a given network, which brings its own N)";
        kind: DriftKind = DriftKind::Random, range(0.0, 0.0), "drift kind", "", task, "drift of the embedding: random, orthogonal or tangential to span{n^(k)}";
        sigma: f64 = 0.5, range(0.0, 100.0), "drift σ", "", task, "drift strength σ: the s.d. of ΔM";
        observed: Option<usize> = None, range(1.0, 1_000_000.0), "observed neurons n_obs", "", analysis, "read the latent from the first n_obs neurons (all by default)";
        noise: f64 = 0.05, range(0.0, 10.0), "noise σ", "", simulation, "σ of the current noise (our default 0.05)";
        steps: usize = 2000, range(10.0, 100_000.0), "steps", "", task, "Euler steps before the drift (of Δt = 1 ms designed, the network's own Δt given)";
        after: usize = 3000, range(10.0, 100_000.0), "steps after drift", "", task, "steps after the drift";
        score: usize = 2000, range(10.0, 100_000.0), "scored steps", "", analysis, "accuracy is scored on the last `score` steps of each segment (transients settle)";
        pulse_prob: f64 = 0.05, range(0.0, 1.0), "pulse probability", "", task, "probability of a pulse per channel per 10 ms bin (a given network: bins of round(10 ms / Δt) steps)";
        tuning: usize = 0, range(0.0, 999_999.0), "tuning neuron", "", analysis, "neuron whose tuning curves are shown before and after";
        threshold: f64 = 0.5, range(0.0, 10.0), "coding threshold", "", analysis, "a neuron codes for bit k with sign s when its largest |m_ik| exceeds this (our default 0.5)";
        grid: usize = 21, range(3.0, 101.0), "flow grid", "", display, "flow-field points per axis of the portraits";
        extent: f64 = 1.5, range(0.1, 10.0), "latent window ±", "latent units", display, "half-width of the latent window (a given network's window fits its trajectory before the drift instead)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed (design, resampling, task, drift, noise)";
    }
}

fn check(p: &DriftParams) -> Result<(), ParamError> {
    if p.source == NetworkSource::Designed && p.base < 2 * p.bits {
        return Err(ParamError::new("base", format!("must be at least 2 × bits = {}", 2 * p.bits)));
    }
    if p.score > p.steps.min(p.after) {
        return Err(ParamError::new("score", format!("must be at most min(steps, after) = {}", p.steps.min(p.after))));
    }
    if let Some(o) = p.observed {
        if o > p.neurons {
            return Err(ParamError::new("observed", format!("must be at most neurons = {}", p.neurons)));
        }
    }
    if p.tuning >= p.neurons {
        return Err(ParamError::new("tuning", format!("must be below neurons = {}", p.neurons)));
    }
    Ok(())
}

/// The size and work limits, which the GPU lifts.
fn check_on(p: &DriftParams, backend: Backend) -> Result<(), ParamError> {
    let gpu = backend.gpu_limits();
    if !gpu && p.neurons > CPU_NEURONS {
        return Err(ParamError::new(
            "neurons",
            format!("must be at most {CPU_NEURONS} on the CPU; up to 1000000 with backend=gpu"),
        ));
    }
    let (limit, on) = if gpu { (MAX_WORK_GPU, "the GPU") } else { (MAX_WORK, "the CPU") };
    let work = p.neurons as f64 * (p.steps + p.after) as f64;
    if work > limit {
        let lift = if gpu { String::new() } else { format!(" (backend=gpu allows {MAX_WORK_GPU:.0e})") };
        return Err(ParamError::new(
            "after",
            format!(
                "neurons × (steps + after) must be at most {limit:.0e} on {on}{lift}; with neurons = {} use steps + after ≤ {}",
                p.neurons,
                (limit / p.neurons as f64) as u64
            ),
        ));
    }
    Ok(())
}

/// The LPU of one network without input: what a portrait plot draws.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Portrait {
    /// Fixed points of the latent flow, classified stable, saddle or unstable.
    pub fixed_points: Vec<FixedPoint>,
    /// Flow field in latent units per second over ±`extent` (for K ≥ 3 the (z1, z2) plane at
    /// z3…z_K = 1).
    pub flow: Option<FlowGrid>,
}

/// What `exp=drift` gives: one trial of T = `steps` + `after` rows (the drift applied
/// between the two segments), accuracy on each segment, and the LPU and a neuron's tuning
/// before and after.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DriftResult {
    /// State accuracy on the scored bin ends of the last `score` steps before the drift, read
    /// from the latent, or from the readout of a given network that has one.
    pub accuracy_before: f64,
    /// State accuracy on the scored bin ends of the last `score` steps after the drift.
    pub accuracy_after: f64,
    /// `accuracy_before` read from the first n_obs neurons (null when all are observed).
    pub observed_accuracy_before: Option<f64>,
    /// `accuracy_after` read from the first n_obs neurons (null when all are observed).
    pub observed_accuracy_after: Option<f64>,
    /// Time of each row, s: (t+1)·Δt for row t (Δt = 1 ms designed, a given network's own).
    pub time: Vec<f64>,
    /// The last row before the drift (`steps` − 1): later rows ran on the drifted network.
    pub drift_index: usize,
    /// T × K pulse inputs (±1 or 0) on 10 ms bins (whole steps of Δt); row t drives the step that ends at
    /// `time[t]`.
    pub inputs: Vec<Vec<f64>>,
    /// T × K targets: the sign of each channel's last pulse (0 before its first).
    pub targets: Vec<Vec<f64>>,
    /// T × K latent z = Nᵀ r of the noisy run, latent units.
    pub latent: Vec<Vec<f64>>,
    /// T × K latent read from the first n_obs neurons (null when all are observed).
    pub observed_latent: Option<Vec<Vec<f64>>>,
    /// The LPU of the network before the drift.
    pub before: Portrait,
    /// The LPU of the drifted network.
    pub after: Portrait,
    /// Tuning curves of neuron `tuning` before the drift, one per latent dimension.
    pub tuning_before: Vec<TuningCurve>,
    /// The same neuron's tuning curves after the drift.
    pub tuning_after: Vec<TuningCurve>,
    /// Fraction of neurons whose coding group (largest |m_ik| with its sign) is unchanged.
    pub fraction_keeping_coding: f64,
    /// Measured s.d. of the drift ΔM over all its N × K entries.
    pub delta_sd: f64,
    /// ‖ΔM inside span{n^(k)}‖ / ‖ΔM‖: about 0 for orthogonal drift, 1 for tangential.
    pub delta_tangential_fraction: f64,
}

fn portrait(net: &Network, p: &DriftParams, extent: f64) -> Portrait {
    let lpu = Lpu::new(net);
    let random_starts = if p.neurons <= 20_000 { 16 } else { 4 };
    Portrait {
        fixed_points: fixed_points::find(
            &lpu,
            &[],
            &SearchOptions { extent, random_starts, seed: p.seed, ..Default::default() },
        ),
        flow: flow_grid(&lpu, &[], extent, p.grid, 1.0),
    }
}

fn run(p: &DriftParams, ctx: &RunCtx) -> Result<Output<DriftResult>, RunError> {
    let k = p.bits;
    let before = match p.source {
        NetworkSource::Designed => ctx.stage(0.0, 0.05, || network(k, p.base, p.neurons, p.seed))?,
        NetworkSource::Network | NetworkSource::Trained => {
            let given = ctx.network()?;
            check_outside(given, k)?;
            // Grown like the designed network (LCF drift methods): same rule, same seed.
            ctx.stage(0.0, 0.05, || grown(given, p.neurons, p.seed))?
        }
    };
    let delta = drift::delta(&before, p.kind, p.sigma, &mut Rng::new(p.seed, stream::DRIFT));
    let after = drift::apply(&before, &delta);
    let total = p.steps + p.after;
    // Bins of 10 ms of time whatever the network's Δt (10 steps of the designed 1 ms).
    let trial = trial(k, total, bin_steps(before.dt), p.pulse_prob, p.seed, 0);
    let mut initial = vec![0.0; p.neurons];
    Rng::new(p.seed, stream::INITIAL_RATES).fill_normal(&mut initial, 0.0, 0.1);
    let observed = p.observed.filter(|&o| o < p.neurons).unwrap_or(0);
    let first = ctx.stage(0.05, 0.4, || {
        let s = Segment { window: 0..p.steps, noise: p.noise, seed: derive_seed(p.seed, 0), observed };
        segment(ctx.backend(), &before, &initial, &trial, s)
    })?;
    let second = ctx.stage(0.4, 0.75, || {
        let s = Segment { window: p.steps..total, noise: p.noise, seed: derive_seed(p.seed, 1), observed };
        segment(ctx.backend(), &after, &first.out.final_rates, &trial, s)
    })?;
    let acc = |z: &[f64], offset, len| window_accuracy(z, k, &trial, offset, len, p.score);
    let mut latent = first.out.latent[k..].to_vec();
    latent.extend_from_slice(&second.out.latent[k..]);
    let observed_latent = (observed > 0).then(|| {
        let mut o = first.out.observed_latent[k..].to_vec();
        o.extend_from_slice(&second.out.observed_latent[k..]);
        o
    });
    // A given network's latent scale is its own: the window fits its trajectory before the
    // drift (as exp=flipflop's does), and both portraits and tunings share it.
    let extent = match p.source {
        NetworkSource::Designed => p.extent,
        NetworkSource::Network | NetworkSource::Trained => {
            1.4 * first.out.latent[k..].iter().fold(0.0f64, |m, v| m.max(v.abs())).max(0.05)
        }
    };
    let (pb, pa) = ctx.stage(0.75, 1.0, || (portrait(&before, p, extent), portrait(&after, p, extent)))?;
    let tuning = |net: &Network| (0..k).map(|d| tuning_curve(net, p.tuning, d, extent, 101, &[])).collect::<Vec<_>>();
    let basis = drift::encoding_basis(&before);
    let inside: f64 = (0..k)
        .map(|c| {
            basis
                .iter()
                .map(|q| (0..p.neurons).map(|i| delta[i * k + c] * q[i]).sum::<f64>())
                .map(|d| d * d)
                .sum::<f64>()
        })
        .sum();
    let whole: f64 = delta.iter().map(|x| x * x).sum();
    let result = DriftResult {
        accuracy_before: acc(first.read(k), 0, p.steps),
        accuracy_after: acc(second.read(k), p.steps, p.after),
        observed_accuracy_before: (observed > 0).then(|| acc(first.read_observed(k), 0, p.steps)),
        observed_accuracy_after: (observed > 0).then(|| acc(second.read_observed(k), p.steps, p.after)),
        time: (1..=total).map(|t| t as f64 * before.dt).collect(),
        drift_index: p.steps - 1,
        inputs: rows(&trial.inputs, k),
        targets: rows(&trial.targets, k),
        latent: rows(&latent, k),
        observed_latent: observed_latent.map(|o| rows(&o, k)),
        before: pb,
        after: pa,
        tuning_before: tuning(&before),
        tuning_after: tuning(&after),
        fraction_keeping_coding: drift::fraction_keeping_coding(&before, &after, p.threshold),
        delta_sd: drift::sd(&delta),
        delta_tangential_fraction: if whole > 0.0 { (inside / whole).sqrt() } else { 0.0 },
    };
    Ok(Output { result, network: after })
}

/// One flip-flop network before and after an instantaneous drift of its embedding.
pub struct Drift;

impl Experiment for Drift {
    fn memory(p: &DriftParams, ctx: &RunCtx) -> Footprint {
        let given = if p.source.outside() { ctx.network().ok() } else { None };
        let (n, k) = (p.neurons as f64, p.bits as f64);
        let t = (p.steps + p.after + p.score) as f64;
        // A network with a readout is scored from every neuron's recorded rate.
        let recorded = if given.is_some_and(|g| g.readout.is_some()) { t * n } else { 0.0 };
        let weights = 2.0 * f64s(n * (6.0 * k + 4.0)) + given.map_or(0.0, |g| g.bytes());
        Footprint::new(
            weights + f64s(recorded + 6.0 * t * k) + document(t * k + (2 * p.grid * p.grid) as f64),
            &["neurons", "after", "steps"],
        )
    }
    const NAME: &'static str = "drift";
    const TITLE: &'static str = "Drift";
    const FOLLOWS_TRAINING: &'static [(&'static str, &'static str)] = &[("bits", "bits")];
    const EXAMPLE: &'static str = "exp=drift&neurons=200&steps=300&after=300&score=200&observed=50";
    type Params = DriftParams;
    type Result = DriftResult;
    const SIMULATES: bool = true;

    fn specs() -> Vec<crate::params::ParamSpec> {
        let mut specs = <Self::Params as crate::params::ParamSet>::specs();
        super::designed_only(&mut specs, &["base"]);
        specs
    }
    fn check(p: &DriftParams) -> Result<(), ParamError> {
        check(p)
    }
    fn check_on(p: &DriftParams, backend: Backend) -> Result<(), ParamError> {
        check_on(p, backend)
    }
    fn run(p: &DriftParams, ctx: &RunCtx) -> Result<Output<DriftResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &DriftParams, r: &DriftResult) -> Result<(), String> {
        use super::shape::{ensure, portrait, trial, tuning};
        let (t, k) = (r.time.len(), p.bits);
        trial(t, k, [&r.inputs, &r.targets, &r.latent], r.observed_latent.as_deref())?;
        ensure(r.drift_index < t, "the moment of the drift")?;
        tuning(&r.tuning_before, k)?;
        tuning(&r.tuning_after, k)?;
        portrait(k, &r.before.fixed_points, r.before.flow.as_ref(), None)?;
        portrait(k, &r.after.fixed_points, r.after.flow.as_ref(), None)
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("trajectory", "Latent trajectories and targets, before and after the drift", 0.5, true),
            PlotSpec::new("portrait_before", "LPU before the drift", 0.9, false),
            PlotSpec::new("portrait_after", "LPU after the drift", 0.9, false),
            PlotSpec::new("tuning", "A neuron's tuning before and after", 0.65, true),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "drift",
            label: "Drift",
            plots: &["trajectory", "portrait_before", "portrait_after", "tuning"],
            main: &["bits", "neurons", "kind", "sigma", "observed", "noise", "tuning", "seed"],
            embed_plot: "portrait_before",
            preset: "",
        }]
    }
    fn summary(p: &DriftParams, r: &DriftResult) -> String {
        let mut t = format!(
            "State accuracy {:.3} before and {:.3} after a {} drift of σ = {}",
            r.accuracy_before,
            r.accuracy_after,
            p.kind.name(),
            p.sigma
        );
        if let (Some(b), Some(a), Some(o)) = (r.observed_accuracy_before, r.observed_accuracy_after, p.observed) {
            t += &format!(" ({b:.3} → {a:.3} from the first {o} neurons)");
        }
        let stable = |q: &Portrait| q.fixed_points.iter().filter(|f| f.kind == Kind::Stable).count();
        t + &format!(
            ". Attractors: {} before, {} after. {:.0}% of neurons keep their coding group.",
            stable(&r.before),
            stable(&r.after),
            r.fraction_keeping_coding * 100.0
        )
    }
    fn csv(_p: &DriftParams, r: &DriftResult) -> Csv {
        let k = r.latent.first().map_or(0, Vec::len);
        let drifted: Vec<f64> = (0..r.time.len()).map(|i| if i > r.drift_index { 1.0 } else { 0.0 }).collect();
        let csv = Csv::with_rows(r.time.len())
            .column("time_s", &r.time)
            .column("drifted", &drifted)
            .columns("input", "", &r.inputs, k)
            .columns("target", "", &r.targets, k)
            .columns("z", "", &r.latent, k);
        match &r.observed_latent {
            Some(o) => csv.columns("z", "_observed", o, k),
            None => csv,
        }
    }
}
