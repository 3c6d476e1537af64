//! `exp=flipflop`: the designed K-bit flip-flop LPU (LCF Fig. 1C–F): a trial with random
//! pulses, its latent trajectory and state accuracy, fixed points, flow and tuning curves.

use super::{rows, Csv, Experiment, NetworkSource, Output, PlotSpec, RunCtx, RunError, Timeline, ViewSpec};
use crate::analysis::fixed_points::{self, FixedPoint, Kind, SearchOptions};
use crate::analysis::flow::{flow_grid, FlowGrid, Lpu};
use crate::analysis::readout::state_accuracy;
use crate::analysis::tuning::{tuning_curve, TuningCurve};
use crate::backend::Backend;
use crate::design::FlipFlop;
use crate::memory::{document, f64s, Footprint};
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::params::{list, range, ParamError, MAX_SAFE_INTEGER};
use crate::params::{ParamSet, ParamSpec, Widget};
use crate::rng::{stream, Rng};
use crate::simulate::SimJob;
use crate::task::FlipFlopTask;
use serde::{Deserialize, Serialize};

/// Most neuron-steps one run may take on the CPU (two simulations of every trial, the
/// noisy one included), to keep runs bounded: about 10 s in a browser.
pub const MAX_WORK: f64 = 2e9;
/// The same with `backend=gpu`: N = 10⁶ neurons × 64 trials × 1500 steps.
pub const MAX_WORK_GPU: f64 = 2e11;
/// Most trials one run simulates as a batch (a GPU holds 32 at N = 10⁶ per storage binding,
/// so 64 is two groups).
pub const MAX_TRIALS: usize = 64;

crate::params! {
    /// The query keys of `exp=flipflop`, with their ranges and defaults.
    pub struct FlipflopParams {
        source: NetworkSource = NetworkSource::Designed, range(0.0, 0.0), "network", "", network, "designed (the flip-flop LPU built from the keys below), network (a loaded network file) or trained (the network exp=train trains from the train.* keys); a network has its own N, τ and Δt; bits must equal its rank and inputs; the state is read out by its readout when it has one)";
        bits: usize = 2, range(1.0, 8.0), "bits K", "", network, "flip-flop bits K (latent dimensions, input channels)";
        neurons: usize = 100, range(2.0, 1_000_000.0), "neurons N", "", network, "neurons N (population k holds neurons i with i mod K = k)";
        tau: f64 = 0.01, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s (our default 10 ms)";
        dt: f64 = 0.001, range(1e-5, 0.1), "Δt", "s", simulation, "Euler step Δt in s, at most τ (our default 1 ms)";
        steps: usize = 3000, range(10.0, 200_000.0), "steps", "", task, "trial length in Euler steps";
        trials: usize = 1, range(1.0, MAX_TRIALS as f64), "trials", "", task, "independent trials simulated side by side as one batch, each with its own pulses, initial rates and noise; the accuracy pools their scored bin ends, the first trial is drawn (a batch pays on a GPU: backend=gpu)";
        bin: f64 = 0.01, range(1e-5, 1.0), "time bin", "s", task, "task time bin in s: pulses start and are held per bin, the state is scored at bin ends (our default τ)";
        pulse_prob: f64 = 0.05, range(0.0, 1.0), "pulse probability", "", task, "probability of a pulse per channel per bin";
        noise: f64 = 0.0, range(0.0, 10.0), "noise σ", "", simulation, "σ of the current noise added before φ";
        init_mean: f64 = 0.0, range(-1.0, 1.0), "initial rate mean", "", simulation, "mean of the initial rates (our default 0)";
        init_sd: f64 = 0.1, range(0.0, 1.0), "initial rate s.d.", "", simulation, "s.d. of the initial rates (our default 0.1)";
        tau_latent: f64 = 0.01, range(1e-4, 100.0), "latent τ_z", "s", network, "latent time scale τ_z of each bit at the origin, in s (σ_mn = 1 + τ/τ_z; our default τ)";
        rho: f64 = 1.0, range(0.05, 1.0), "ρ (m, ñ correlation)", "", network, "correlation of (m, ñ) within a population (our default 1)";
        gain: f64 = 2.0, range(0.0, 100.0), "input gain β", "", network, "input gain β: channel k enters along β m^(k) (our default 2)";
        input: Vec<f64> = vec![], list(-10.0, 10.0, 8), "constant input", "", task, "constant input per channel added at every step (bifurcations)";
        observed: Option<usize> = None, range(1.0, 1_000_000.0), "observed neurons n_obs", "", analysis, "read the latent from the first n_obs neurons (all by default)";
        grid: usize = 21, range(3.0, 201.0), "flow grid", "", display, "flow-field points per axis of the portrait";
        slice: f64 = 1.0, range(-10.0, 10.0), "slice z3…", "latent units", display, "for K ≥ 3 the portrait is the (z1, z2) plane with z3…z_K held at this value";
        launch: Vec<f64> = vec![], list(-10.0, 10.0, 8), "launch point", "latent units", analysis, "latent point (K values) a trajectory is launched from, with the constant input and no pulses (a click on the portrait)";
        record: usize = 40, range(0.0, 200.0), "neurons in heatmap", "", display, "neurons shown in the activity heatmap (the first ones)";
        extent: f64 = 1.5, range(0.1, 10.0), "latent window ±", "latent units", display, "half-width of the latent window for flow, fixed-point starts and tuning (a loaded network's window fits its trajectory instead)";
        tuning: Vec<usize> = vec![0, 1], list(0.0, 999_999.0, 16), "tuning neurons", "", analysis, "neurons whose tuning curves are returned";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed (design, task, initial rates, noise)";
    }
}

fn check(p: &FlipflopParams) -> Result<(), ParamError> {
    if p.neurons < 2 * p.bits {
        return Err(ParamError::new(
            "neurons",
            format!("must be at least 2 × bits = {} (two neurons per population)", 2 * p.bits),
        ));
    }
    if p.dt > p.tau {
        return Err(ParamError::new("dt", format!("must be at most tau = {} s", p.tau)));
    }
    if p.bin < p.dt {
        return Err(ParamError::new("bin", format!("must be at least dt = {} s", p.dt)));
    }
    if p.input.len() > p.bits {
        return Err(ParamError::new(
            "input",
            format!("has {} values but there are only {} channels (bits)", p.input.len(), p.bits),
        ));
    }
    if !p.launch.is_empty() && p.launch.len() != p.bits {
        return Err(ParamError::new(
            "launch",
            format!("must have exactly bits = {} values (or none), got {}", p.bits, p.launch.len()),
        ));
    }
    if let Some(o) = p.observed {
        if o > p.neurons {
            return Err(ParamError::new("observed", format!("must be at most neurons = {}", p.neurons)));
        }
    }
    if let Some(&i) = p.tuning.iter().find(|&&i| i >= p.neurons) {
        return Err(ParamError::new(
            "tuning",
            format!("neuron {i} does not exist: indices must be below neurons = {}", p.neurons),
        ));
    }
    Ok(())
}

/// The work limit, which the GPU lifts 100-fold.
fn check_on(p: &FlipflopParams, backend: Backend) -> Result<(), ParamError> {
    let (limit, on) = if backend.gpu_limits() { (MAX_WORK_GPU, "the GPU") } else { (MAX_WORK, "the CPU") };
    let per_step = 2.0 * p.neurons as f64 * p.trials as f64;
    if per_step * p.steps as f64 > limit {
        let most = (limit / per_step) as u64;
        let lift = if backend.gpu_limits() {
            String::new()
        } else {
            format!(" (backend=gpu allows {:.0e})", MAX_WORK_GPU / 2.0)
        };
        let head = format!("neurons × steps × trials must be at most {:.0e} on {on}{lift}", limit / 2.0);
        return Err(ParamError::new(
            "steps",
            if most >= 10 {
                format!("{head}; with neurons = {} and trials = {} use steps ≤ {most}", p.neurons, p.trials)
            } else {
                format!("{head}: with neurons = {} use fewer trials than {}", p.neurons, p.trials)
            },
        ));
    }
    Ok(())
}

/// What `exp=flipflop` gives: one trial of length T = `steps` (rows aligned with `time`),
/// its state accuracy, and the LPU's fixed points, flow and tuning under the constant input.
/// With `trials` > 1 the accuracies pool every trial of the batch and the rows are trial 0's.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FlipflopResult {
    /// Noise-free state accuracy of the trials (readout from all or the first n_obs neurons).
    pub accuracy: f64,
    /// State accuracy of the same trials with current noise σ (null when σ = 0).
    pub noisy_accuracy: Option<f64>,
    /// Number of scored time points (bin ends after every channel has had a pulse), over all
    /// trials.
    pub scored_points: usize,
    /// Each trial's accuracy (the noisy one when σ > 0), when there is more than one trial.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trial_accuracy: Vec<f64>,
    /// Time of each row, s (after step t: (t+1)·Δt).
    pub time: Vec<f64>,
    /// T × K pulse inputs (±1 or 0, without the constant input); row t drives the step that
    /// ends at `time[t]`.
    pub inputs: Vec<Vec<f64>>,
    /// T × K targets: the sign of each channel's last pulse (0 before its first).
    pub targets: Vec<Vec<f64>>,
    /// T × K latent z = Nᵀ r, latent units (the noisy run if σ > 0).
    pub latent: Vec<Vec<f64>>,
    /// T × K latent read from the first n_obs neurons (null when all are observed).
    pub observed_latent: Option<Vec<Vec<f64>>>,
    /// T × K outputs R r of a network with a readout (a trained one), which its accuracy
    /// scores; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Vec<Vec<f64>>>,
    /// Fixed points of the latent flow under the constant input, classified stable, saddle or
    /// unstable (starts: a grid and random points in the latent window, and the trajectory).
    pub fixed_points: Vec<FixedPoint>,
    /// Flow field (latent units per second): the line for K = 1, the (z1, z2) plane (a slice
    /// at z3…z_K = `slice`) for K ≥ 2.
    pub flow: Option<FlowGrid>,
    /// Tuning curves r_i(z): for each neuron of `tuning`, one per latent dimension (K in a
    /// row), over ±`extent` with the other latents at 0 and the constant input applied.
    pub tuning: Vec<TuningCurve>,
    /// Rates of the first `record` neurons over the trial.
    pub activity: Activity,
    /// Latent trajectory launched from `launch` (steps+1 × K, from t = 0), null without it.
    pub launched: Option<Vec<Vec<f64>>>,
}

/// Rates of a few neurons, subsampled in time to at most [`ACTIVITY_COLUMNS`] columns.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Activity {
    /// Indices of the neurons shown, one per row of `rates`.
    pub neurons: Vec<usize>,
    /// Time of each column, s.
    pub time: Vec<f64>,
    /// One row per neuron.
    pub rates: Vec<Vec<f64>>,
}

/// Most time columns of [`Activity`]: longer trials are subsampled with an even stride.
pub const ACTIVITY_COLUMNS: usize = 500;

/// The part of the result a dragged input slider redraws: flow, fixed points and the
/// launched trajectory, without the trial simulation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Portrait {
    /// As [`FlipflopResult::fixed_points`], without trajectory starts.
    pub fixed_points: Vec<FixedPoint>,
    /// As [`FlipflopResult::flow`].
    pub flow: Option<FlowGrid>,
    /// As [`FlipflopResult::launched`].
    pub launched: Option<Vec<Vec<f64>>>,
}

thread_local! {
    /// The last designed network: a dragged input slider re-asks for the same design many
    /// times a second. The design is a pure function of its key, so this changes no number.
    static LAST_DESIGN: std::cell::RefCell<Option<(String, Network)>> = const { std::cell::RefCell::new(None) };
}

fn design(p: &FlipflopParams) -> Network {
    let d = FlipFlop {
        bits: p.bits,
        neurons: p.neurons,
        tau: p.tau,
        dt: p.dt,
        tau_latent: p.tau_latent,
        rho: p.rho,
        gain: p.gain,
        phi: Phi::Tanh,
    };
    let key = format!("{d:?} {}", p.seed);
    if let Some(net) = LAST_DESIGN.with(|c| c.borrow().as_ref().filter(|(k, _)| *k == key).map(|(_, n)| n.clone())) {
        return net;
    }
    let net = d.network(p.seed);
    if p.neurons <= 200_000 {
        LAST_DESIGN.with(|c| *c.borrow_mut() = Some((key, net.clone())));
    }
    net
}

fn constant_input(p: &FlipflopParams) -> Vec<f64> {
    let mut constant = p.input.clone();
    constant.resize(p.bits, 0.0);
    constant
}

/// The latent trajectory from `launch`: the closed latent dynamics (exact for this network,
/// which has no random part).
fn launched(p: &FlipflopParams, net: &Network, constant: &[f64]) -> Option<Vec<Vec<f64>>> {
    (!p.launch.is_empty())
        .then(|| rows(&crate::simulate::simulate_latent(net, &p.launch, p.steps, &[], constant), p.bits))
}

fn fixed_points_of(
    p: &FlipflopParams,
    lpu: &Lpu,
    constant: &[f64],
    extra_starts: Vec<Vec<f64>>,
    extent: f64,
) -> Vec<FixedPoint> {
    let random_starts = if p.neurons <= 20_000 { 32 } else { 8 };
    fixed_points::find(
        lpu,
        constant,
        &SearchOptions { extent, extra_starts, random_starts, seed: p.seed, ..Default::default() },
    )
}

fn portrait(p: &FlipflopParams, net: &Network, extent: f64) -> Portrait {
    let constant = constant_input(p);
    let lpu = Lpu::new(net);
    Portrait {
        fixed_points: fixed_points_of(p, &lpu, &constant, vec![], extent),
        flow: flow_grid(&lpu, &constant, extent, p.grid, p.slice),
        launched: launched(p, net, &constant),
    }
}

/// The latent window of a network from outside: its scale is its own, so the window fits the
/// trajectory shown (1.4 × its largest |z|).
fn fitted_extent(latent: &[f64]) -> f64 {
    1.4 * latent.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(0.05)
}

/// The first `count` trials on `net` (bins of its own Δt), their inputs and their initial
/// rates, batch-major. Trial i draws its pulses from task trial i and its initial rates from
/// stream `INITIAL_RATES + i·2⁸`, so trial 0 is the same whatever the batch.
fn trials_of(p: &FlipflopParams, net: &Network, count: usize) -> (Vec<crate::task::Trial>, Vec<f64>, Vec<f64>) {
    let bin_steps = ((p.bin / net.dt).round() as usize).max(1);
    let task = FlipFlopTask { bits: p.bits, steps: p.steps, bin_steps, pulse_prob: p.pulse_prob };
    let trials: Vec<_> = (0..count as u64).map(|i| task.trial(p.seed, i)).collect();
    let inputs = trials.iter().flat_map(|t| t.inputs.iter().copied()).collect();
    let mut initial = vec![0.0; net.neurons * count];
    for (i, rates) in initial.chunks_mut(net.neurons).enumerate() {
        Rng::new(p.seed, stream::INITIAL_RATES + ((i as u64) << 8)).fill_normal(rates, p.init_mean, p.init_sd);
    }
    (trials, inputs, initial)
}

/// The portrait a dragged slider redraws on a network from outside, in the window the run
/// fitted to its trajectory (simulated again: recording nothing changes no state).
fn outside_portrait(p: &FlipflopParams, ctx: &RunCtx) -> Option<Portrait> {
    let net = outside(p, ctx).ok()?;
    let (_, inputs, initial) = trials_of(p, &net, 1);
    let constant = constant_input(p);
    let out = ctx.backend().simulate(
        &net,
        &SimJob {
            inputs: &inputs,
            constant_input: &constant,
            noise: p.noise,
            seed: p.seed,
            ..SimJob::trial(&initial, p.steps)
        },
    );
    Some(portrait(p, &net, fitted_extent(&out.latent)))
}

/// The network given from outside, checked against the keys that must fit it.
fn outside(p: &FlipflopParams, ctx: &RunCtx) -> Result<Network, RunError> {
    let net = ctx.network()?;
    let param = |key: &str, message: String| RunError::Param(ParamError::new(key, message));
    if net.model != crate::network::Model::Rate {
        return Err(param("source", "this view simulates rate-form networks; the loaded one is current-form".into()));
    }
    if net.rank != p.bits || net.inputs != p.bits {
        return Err(param(
            "bits",
            format!(
                "must equal the loaded network's rank ({}) and inputs ({}), one latent and one channel per bit",
                net.rank, net.inputs
            ),
        ));
    }
    if net.readout.is_some() && net.outputs() != p.bits {
        return Err(param("bits", format!("must equal the loaded network's readout outputs ({})", net.outputs())));
    }
    if net.neurons > 200_000 {
        return Err(param(
            "source",
            format!("the loaded network has {} neurons; this view takes at most 200000", net.neurons),
        ));
    }
    if let Some(&i) = p.tuning.iter().find(|&&i| i >= net.neurons) {
        return Err(param(
            "tuning",
            format!("neuron {i} does not exist: the loaded network has {} neurons", net.neurons),
        ));
    }
    if p.bin < net.dt {
        return Err(param("bin", format!("must be at least the loaded network's dt = {} s", net.dt)));
    }
    Ok(net.clone())
}

fn run(p: &FlipflopParams, ctx: &RunCtx) -> Result<Output<FlipflopResult>, RunError> {
    let k = p.bits;
    let net = match p.source {
        NetworkSource::Designed => ctx.stage(0.0, 0.05, || design(p))?,
        NetworkSource::Network | NetworkSource::Trained => outside(p, ctx)?,
    };
    // A loaded network brings its own size and step.
    let (neurons, dt, batch) = (net.neurons, net.dt, p.trials);
    let (trials, inputs, initial) = trials_of(p, &net, batch);
    let trial = &trials[0];
    let constant = constant_input(p);
    let observed = p.observed.filter(|&o| o < neurons).unwrap_or(0);
    // A network with a readout is scored by it, which needs every neuron's rate.
    let shown_rows = p.record.min(neurons);
    let record: Vec<usize> = (0..if net.readout.is_some() { neurons } else { shown_rows }).collect();
    let simulate = |noise: f64| {
        ctx.backend().simulate(
            &net,
            &SimJob {
                inputs: &inputs,
                constant_input: &constant,
                noise,
                seed: p.seed,
                record: &record,
                observed,
                batch,
                ..SimJob::trial(&initial, p.steps)
            },
        )
    };
    let rows_per_trial = p.steps + 1;
    // Trial i's scored signal: its latent or readout output after each step (row t is the
    // state after step t; t = 0 dropped).
    let scored = |out: &crate::simulate::SimOutput, i: usize| -> Vec<f64> {
        match &net.readout {
            None => {
                let z = if observed > 0 { &out.observed_latent } else { &out.latent };
                z[(i * rows_per_trial + 1) * k..(i + 1) * rows_per_trial * k].to_vec()
            }
            Some(_) => {
                let w = record.len();
                net.read_out(&out.recorded[(i * rows_per_trial + 1) * w..(i + 1) * rows_per_trial * w])
            }
        }
    };
    // Accuracy pooled over the trials' scored points, and each trial's own.
    let score = |out: &crate::simulate::SimOutput| -> (f64, Vec<f64>) {
        let each: Vec<f64> =
            trials.iter().enumerate().map(|(i, t)| state_accuracy(&scored(out, i), &t.targets, k, &t.scored)).collect();
        let points: usize = trials.iter().map(|t| t.scored.len()).sum();
        let pooled = if points == 0 {
            0.0
        } else {
            each.iter().zip(&trials).map(|(a, t)| a * t.scored.len() as f64).sum::<f64>() / points as f64
        };
        (if batch == 1 { each[0] } else { pooled }, each)
    };
    let noisy_share = if p.noise > 0.0 { 0.4 } else { 0.8 };
    let clean = ctx.stage(0.05, 0.05 + noisy_share, || simulate(0.0))?;
    let (accuracy, mut trial_accuracy) = score(&clean);
    let (shown, noisy_accuracy) = if p.noise > 0.0 {
        let noisy = ctx.stage(0.45, 0.85, || simulate(p.noise))?;
        let (acc, each) = score(&noisy);
        trial_accuracy = each;
        (noisy, Some(acc))
    } else {
        (clean, None)
    };
    if batch == 1 {
        trial_accuracy.clear();
    }
    // A loaded network's latent scale is its own: the window fits its trajectory.
    let extent = match p.source {
        NetworkSource::Designed => p.extent,
        NetworkSource::Network | NetworkSource::Trained => fitted_extent(&shown.latent[..rows_per_trial * k]),
    };
    let (fixed, flow, tuning) = ctx.stage(0.85, 1.0, || {
        let lpu = Lpu::new(&net);
        let extra_starts: Vec<Vec<f64>> =
            shown.latent[..rows_per_trial * k].chunks(k).step_by(100).map(|z| z.to_vec()).collect();
        let fixed = fixed_points_of(p, &lpu, &constant, extra_starts, extent);
        let tuning: Vec<TuningCurve> = p
            .tuning
            .iter()
            .flat_map(|&i| (0..k).map(move |d| (i, d)))
            .map(|(i, d)| tuning_curve(&net, i, d, extent, 101, &constant))
            .collect();
        (fixed, flow_grid(&lpu, &constant, extent, p.grid, p.slice), tuning)
    })?;
    let stride = p.steps.div_ceil(ACTIVITY_COLUMNS).max(1);
    let columns: Vec<usize> = (1..=p.steps).step_by(stride).collect();
    let activity = Activity {
        neurons: record[..shown_rows].to_vec(),
        time: columns.iter().map(|&t| t as f64 * dt).collect(),
        rates: (0..shown_rows)
            .map(|q| columns.iter().map(|&t| shown.recorded[t * record.len() + q]).collect())
            .collect(),
    };
    let result = FlipflopResult {
        accuracy,
        noisy_accuracy,
        scored_points: trials.iter().map(|t| t.scored.len()).sum(),
        trial_accuracy,
        time: (1..=p.steps).map(|t| t as f64 * dt).collect(),
        inputs: rows(&trial.inputs, k),
        targets: rows(&trial.targets, k),
        latent: rows(&shown.latent[k..rows_per_trial * k], k),
        observed_latent: (observed > 0).then(|| rows(&shown.observed_latent[k..rows_per_trial * k], k)),
        output: net.readout.as_ref().map(|_| rows(&scored(&shown, 0), k)),
        fixed_points: fixed,
        flow,
        tuning,
        activity,
        launched: launched(p, &net, &constant),
    };
    Ok(Output { result, network: net })
}

/// The designed K-bit flip-flop LPU.
pub struct Flipflop;

const PLOTS: &[PlotSpec] = &[
    PlotSpec::new("trajectory", "Inputs, latent trajectories and targets", 0.5, true).timed(),
    PlotSpec::new("portrait", "Phase portrait (click to launch a trajectory)", 0.9, false)
        .clickable("Click anywhere in the portrait to launch a trajectory from that latent point.")
        .timed()
        .live(),
    PlotSpec::new("activity", "Activity of a subset of neurons", 0.9, false).timed(),
    PlotSpec::new("tuning", "Tuning curves against the latent variables", 0.65, false),
];

const VIEWS: &[ViewSpec] = &[
    ViewSpec {
        name: "flipflop",
        label: "Flip-flop LPU",
        plots: &["trajectory", "portrait", "activity"],
        main: &["bits", "neurons", "tau", "dt", "noise", "seed", "pulse_prob", "input"],
        embed_plot: "portrait",
        preset: "",
    },
    ViewSpec {
        name: "tuning",
        label: "Tuning curves",
        plots: &["tuning", "portrait"],
        main: &["tuning", "bits", "neurons", "seed", "extent", "input"],
        embed_plot: "portrait",
        preset: "",
    },
];

impl Experiment for Flipflop {
    fn memory(p: &FlipflopParams, ctx: &RunCtx) -> Footprint {
        let given = if p.source.outside() { ctx.network().ok() } else { None };
        let (n, k, steps) = (given.map_or(p.neurons, |g| g.neurons) as f64, p.bits as f64, p.steps as f64);
        let weights = given.map_or(f64s(n * (3.0 * k + 1.0)), |g| g.bytes());
        // A network with a readout is scored from every neuron's recorded rate.
        let rows = if given.is_some_and(|g| g.readout.is_some()) { n } else { (p.record as f64).min(n) };
        let runs = if p.noise > 0.0 { 2.0 } else { 1.0 };
        let shown = (p.record as f64).min(n);
        // A batch holds every trial's initial, current and final rates (f64) and inputs.
        let b = p.trials as f64;
        let batch = f64s(b * (3.0 * n + steps * k * 3.0));
        let recorded = f64s(b * runs * (steps + 1.0) * (rows + 4.0 * k));
        let values = steps * k * 5.0
            + ACTIVITY_COLUMNS as f64 * shown
            + (p.grid * p.grid) as f64 * 2.0
            + p.tuning.len() as f64 * k * 202.0;
        Footprint::new(
            3.5 * weights + batch + recorded + document(values),
            // A batch of large networks is lowered by its trials first.
            if p.trials > 1 && batch > (3.5 * weights).max(recorded) {
                &["trials", "neurons", "steps", "record"]
            } else {
                &["steps", "neurons", "trials", "record"]
            },
        )
    }
    const NAME: &'static str = "flipflop";
    const TITLE: &'static str = "Flip-flop LPU";
    const FOLLOWS_TRAINING: &'static [(&'static str, &'static str)] = &[("bits", "bits")];
    const EXAMPLE: &'static str = "exp=flipflop&bits=2&neurons=80&steps=400&noise=0.1&observed=40&launch=0.5,-0.5";
    type Params = FlipflopParams;
    type Result = FlipflopResult;
    const SIMULATES: bool = true;

    fn specs() -> Vec<ParamSpec> {
        let mut specs = FlipflopParams::specs();
        for s in specs.iter_mut().filter(|s| s.key == "input") {
            s.widget = Some(Widget::Sliders {
                count_key: "bits",
                span: 2.0,
                item_label: "channel ",
                hint: "drag to watch the bifurcation: flow and fixed points are redrawn live (LCF Fig. 1F)",
            });
        }
        super::designed_only(&mut specs, &["neurons", "tau", "dt", "tau_latent", "rho", "gain"]);
        specs
    }
    fn check(p: &FlipflopParams) -> Result<(), ParamError> {
        check(p)
    }
    fn check_on(p: &FlipflopParams, backend: Backend) -> Result<(), ParamError> {
        check_on(p, backend)
    }
    fn run(p: &FlipflopParams, ctx: &RunCtx) -> Result<Output<FlipflopResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &FlipflopParams, r: &FlipflopResult) -> Result<(), String> {
        use super::shape::{ensure, portrait, rows, trial, tuning};
        let (t, k) = (r.time.len(), p.bits);
        trial(t, k, [&r.inputs, &r.targets, &r.latent], r.observed_latent.as_deref())?;
        ensure(r.trial_accuracy.len() == if p.trials > 1 { p.trials } else { 0 }, "trial_accuracy")?;
        if let Some(o) = &r.output {
            rows(o, t, k, "output")?;
        }
        let a = &r.activity;
        rows(&a.rates, a.neurons.len(), a.time.len(), "activity")?;
        ensure(a.time.iter().all(|x| x.is_finite()), "activity times")?;
        tuning(&r.tuning, k)?;
        portrait(k, &r.fixed_points, r.flow.as_ref(), r.launched.as_deref())
    }
    fn plots() -> &'static [PlotSpec] {
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        VIEWS
    }
    fn summary(p: &FlipflopParams, r: &FlipflopResult) -> String {
        let count = |kind| r.fixed_points.iter().filter(|f| f.kind == kind).count();
        let mut s = format!("State accuracy {:.3}", r.accuracy);
        if let Some(a) = r.noisy_accuracy {
            s += &format!(" ({a:.3} with noise)");
        }
        s += &format!(" over {} scored bin ends", r.scored_points);
        if let (Some(lo), Some(hi)) =
            (r.trial_accuracy.iter().copied().reduce(f64::min), r.trial_accuracy.iter().copied().reduce(f64::max))
        {
            s += &format!(" of {} trials (each from {lo:.3} to {hi:.3}; trial 1 is drawn)", p.trials);
        }
        s + &format!(
            ". {} fixed points: {} stable, {} saddle, {} unstable.",
            r.fixed_points.len(),
            count(Kind::Stable),
            count(Kind::Saddle),
            count(Kind::Unstable)
        )
    }
    fn csv(_p: &FlipflopParams, r: &FlipflopResult) -> Csv {
        let k = r.latent.first().map_or(0, Vec::len);
        Csv::with_rows(r.time.len())
            .column("time_s", &r.time)
            .columns("input", "", &r.inputs, k)
            .columns("target", "", &r.targets, k)
            .columns("z", "", &r.latent, k)
            .columns("output", "", r.output.as_deref().unwrap_or_default(), if r.output.is_some() { k } else { 0 })
    }
    fn timeline(p: &FlipflopParams, r: &FlipflopResult) -> Option<Timeline> {
        // Row 0 is the state after one step: its time is the network's Δt (its own for one
        // from outside).
        let dt = r.time.first().copied().unwrap_or(p.dt);
        Some(Timeline { time: r.time.clone(), step: ((p.bin / dt).round() as usize).max(1) })
    }
    fn click(p: &FlipflopParams, plot: &str, x: f64, y: f64) -> Option<(&'static str, String)> {
        if plot != "portrait" {
            return None;
        }
        let mut point = vec![x];
        if p.bits > 1 {
            point.push(y);
            point.resize(p.bits, p.slice);
        }
        Some(("launch", point.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(",")))
    }
    fn live(p: &FlipflopParams, ctx: &RunCtx) -> Option<String> {
        let portrait = match p.source {
            NetworkSource::Designed => portrait(p, &design(p), p.extent),
            NetworkSource::Network | NetworkSource::Trained => outside_portrait(p, ctx)?,
        };
        Some(serde_json::to_string(&portrait).expect("portrait serialises"))
    }
    fn apply_live(r: &mut FlipflopResult, live: &str) -> Result<(), String> {
        let p: Portrait = serde_json::from_str(live).map_err(|e| format!("not a flip-flop portrait: {e}"))?;
        // A portrait of another bit count (the page's controls moved on) does not fit this trial.
        let k = r.targets.first().map_or(0, Vec::len);
        super::shape::portrait(k, &p.fixed_points, p.flow.as_ref(), p.launched.as_deref())
            .map_err(|_| format!("the live portrait is not for {k} bits"))?;
        r.fixed_points = p.fixed_points;
        r.flow = p.flow;
        r.launched = p.launched;
        Ok(())
    }
}
