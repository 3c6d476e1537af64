//! What `exp=jedi` and `exp=jedi_compare` share: the keys, the recording a run fits (a
//! teacher's or a file's), the fit kept between runs, every analysis of JEDI Fig. 2–6, the
//! model file's restore. A chaotic teacher network generates the recording
//! ([`crate::jedi::teacher`]); a hypernetwork learns one context per training trial and the
//! map from context to the weights of a current-form RNN that reproduces the trial
//! ([`crate::jedi::fit`]); held-out trials get their contexts with the hypernetwork frozen
//! ([`crate::jedi::analyses`]).
//!
//! The fit runs one minibatch per iteration; between iterations it reports progress, publishes
//! the loss and embedding so far every `redraw` epochs, and stops cleanly when cancelled,
//! keeping its state ([`crate::train::store`]) so that the same query resumes it.

use super::{Output, RunCtx, RunError};
use crate::jedi::analyses::{self, Fitted, ProjectedFixedPoint};
use crate::jedi::file;
use crate::jedi::fit::{self, FitSpec, FitState, InferSpec};
use crate::jedi::recording::{self, Recording};
use crate::jedi::teacher::{self, Dataset, TeacherSpec};
use crate::jedi::upload;
use crate::memory::Footprint;
use crate::params::{list, range, Choice, ParamError, MAX_SAFE_INTEGER};
use crate::train::store;
use serde::{Deserialize, Serialize};

/// Most work a query may ask for, in multiply-adds (3 × recurrent products × steps × training
/// trials over all epochs, plus inference): a few minutes natively.
pub const MAX_WORK: f64 = 1.5e12;
/// Most hypernetwork parameters (its last layer has hidden × outputs weights; a full W has N²
/// outputs): with Adam's two moments, 96 MiB.
pub const MAX_HYPER_PARAMS: usize = 4_000_000;
/// Noise levels of the robustness analysis, in units of each condition's embedding s.d.
pub const ROBUSTNESS_LEVELS: [f64; 7] = [0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0];

crate::params! {
    /// The query keys of `exp=jedi`, with their ranges and defaults.
    pub struct JediParams {
        dataset: DataSource = DataSource::Multitask, range(0.0, 0.0), "dataset", "", task, "teacher dataset: multitask (six input families), frequency (ten sine frequencies) or reach (eight directions, preparation and movement); or file, your own recording (loaded in the page, or data=FILE to lpu run)";
        neurons: usize = 100, range(4.0, 500.0), "neurons N", "", task, "neurons of the teacher and of the generated networks (the paper: 200)";
        repeats: usize = 10, range(2.0, 200.0), "trials per condition", "", task, "trials per condition, each from its own random initial state (the paper: 20 for frequency)";
        duration: f64 = 2.0, range(0.1, 20.0), "duration", "s", task, "recorded time per trial after the 0.1 s burn-in, s (reach: both phases)";
        dt: f64 = 0.01, range(1e-4, 0.1), "Δt", "s", task, "time step of the recording and of the generated networks, s";
        tau: f64 = 0.2, range(1e-3, 10.0), "τ", "s", task, "neuron time constant of the teacher and of the generated networks, s";
        gain: f64 = 1.8, range(0.0, 10.0), "gain g", "", task, "gain of the teacher's rank-5 connectivity (chaotic above 1; the paper: 1.8)";
        input: f64 = 1.0, range(0.0, 100.0), "input amplitude", "", task, "amplitude of the teacher's inputs (strong inputs suppress the chaos, so trials of one condition agree)";
        initial_sd: f64 = 0.5, range(0.0, 10.0), "initial-state s.d.", "", task, "s.d. of the teacher's random initial states x ~ N(0, s²)";
        bin: usize = 1, range(1.0, 1000.0), "bin", "steps", task, "a file's time steps per bin (the mean of each bin; 1: none); the generated networks step at dt × bin";
        smooth: f64 = 0.0, range(0.0, 100.0), "smoothing s.d.", "bins", task, "s.d. of a Gaussian smoothing of a file's recording along time, in bins (0: none)";
        zscore: usize = 0, range(0.0, 1.0), "z-score", "", task, "1: z-score each neuron of a file's recording over all trials and steps";
        scale: f64 = 0.0, range(0.0, 1e6), "scale", "", task, "factor a file's recording is multiplied by after binning, smoothing and z-scoring, so that the rates tanh(x) can reach it; 0: 0.9 / its largest |value| (R² does not depend on it)";
        rank: usize = 5, range(0.0, 20.0), "rank R", "", network, "rank of the generated W (0: full rank, JEDI-full)";
        context: usize = 16, range(1.0, 64.0), "context d", "", network, "dimension of each trial's context vector (the paper: 16)";
        hidden: usize = 64, range(4.0, 512.0), "hidden units", "", network, "width of both hidden layers of the hypernetwork";
        epochs: usize = 1500, range(1.0, 100_000.0), "epochs", "", training, "passes over the training trials";
        batch: usize = 16, range(1.0, 512.0), "batch", "trials", training, "trials per minibatch (one Adam step each)";
        lr: f64 = 0.01, range(1e-6, 1.0), "learning rate", "", training, "Adam's learning rate for the hypernetwork";
        context_lr: f64 = 0.01, range(1e-6, 10.0), "context learning rate", "", training, "Adam's learning rate for the contexts (each moves once per epoch, the hypernetwork once per minibatch)";
        context_decay: f64 = 0.0, range(0.0, 10.0), "context decay", "", training, "L2 weight decay of the contexts (0: none)";
        test_fraction: f64 = 0.2, range(0.0, 0.5), "held out", "", training, "fraction of each condition's trials held out (their contexts are inferred)";
        refine: usize = 300, range(0.0, 5000.0), "inference steps", "", training, "Adam steps refining a held-out trial's context from the best training context";
        refine_lr: f64 = 0.01, range(1e-6, 1.0), "inference learning rate", "", training, "Adam's learning rate when inferring a held-out context";
        redraw: usize = 100, range(1.0, 100_000.0), "redraw every", "epochs", display, "epochs between the pictures shown while fitting";
        probe: Vec<f64> = vec![], list(-1e6, 1e6, 2), "probe point", "context PCs", analysis, "a point (PC 1, PC 2) of the contexts' plane whose generated network is analysed (a click or drag on the embedding)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", training, "random seed of the teacher, the split, the initial weights and the minibatches";
    }
}

/// Keys that leave the fitted model unchanged.
pub const UNFITTED_KEYS: &[&str] = &["redraw", "probe", "refine", "refine_lr"];
/// Keys of the teacher, which a file's recording does not use.
pub const TEACHER_KEYS: &[&str] = &["neurons", "repeats", "duration", "gain", "input", "initial_sd"];
/// Keys of a file's preparation, which a teacher dataset does not use.
pub const FILE_KEYS: &[&str] = &["bin", "smooth", "zscore", "scale"];
/// Largest |value| a file's recording is scaled to by `scale=0` (tanh's range is (−1, 1)).
pub const AUTO_PEAK: f64 = 0.9;

/// Where the recording comes from: a teacher dataset, or a file given from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSource {
    /// [`Dataset::Multitask`].
    Multitask,
    /// [`Dataset::Frequency`].
    Frequency,
    /// [`Dataset::Reach`].
    Reach,
    /// A recording file ([`RunCtx::recording`]).
    File,
}

impl Choice for DataSource {
    const ALL: &'static [Self] = &[DataSource::Multitask, DataSource::Frequency, DataSource::Reach, DataSource::File];
    const NAMES: &'static [&'static str] = &["multitask", "frequency", "reach", "file"];
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl DataSource {
    /// The teacher dataset, or `None` for a file.
    pub fn teacher(self) -> Option<Dataset> {
        match self {
            DataSource::Multitask => Some(Dataset::Multitask),
            DataSource::Frequency => Some(Dataset::Frequency),
            DataSource::Reach => Some(Dataset::Reach),
            DataSource::File => None,
        }
    }
}

impl JediParams {
    /// The teacher dataset (for `dataset=file`, the multitask teacher of the same keys, which
    /// the run does not use).
    pub fn teacher(&self) -> TeacherSpec {
        TeacherSpec {
            dataset: self.dataset.teacher().unwrap_or(Dataset::Multitask),
            neurons: self.neurons,
            repeats: self.repeats,
            duration: self.duration,
            dt: self.dt,
            tau: self.tau,
            gain: self.gain,
            input: self.input,
            initial_sd: self.initial_sd,
            seed: self.seed,
        }
    }
    /// The fit's settings.
    pub fn fit(&self) -> FitSpec {
        FitSpec {
            rank: self.rank,
            context: self.context,
            hidden: self.hidden,
            lr: self.lr,
            context_lr: self.context_lr,
            context_decay: self.context_decay,
            batch: self.batch,
            epochs: self.epochs,
            tau: self.tau,
            seed: self.seed,
        }
    }
    fn infer(&self) -> InferSpec {
        InferSpec { steps: self.refine, lr: self.refine_lr, candidates: 64 }
    }
    /// Everything that fixes the fitted model, as query text: the key of the state kept
    /// between runs.
    pub fn fit_key(&self, data: Option<&str>) -> String {
        use crate::params::ParamSet;
        let pairs: Vec<String> = self
            .pairs()
            .into_iter()
            .filter(|(k, _)| !UNFITTED_KEYS.contains(k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let data = data.map_or(String::new(), |h| format!("&data={h}"));
        format!("exp=jedi&{}{data}", pairs.join("&"))
    }
}

/// Outputs of the hypernetwork for `n` neurons.
fn outputs(p: &JediParams, n: usize) -> usize {
    if p.rank == 0 {
        n * n
    } else {
        2 * n * p.rank
    }
}

/// Parameters of the hypernetwork for `n` neurons: its three layers' weights and biases.
fn hyper_params(p: &JediParams, n: usize) -> usize {
    p.hidden * (p.context + 1) + p.hidden * (p.hidden + 1) + outputs(p, n) * (p.hidden + 1)
}

/// Multiply-adds of one step of one trial's forward pass.
fn per_step(p: &JediParams, n: usize) -> f64 {
    3.0 * outputs(p, n) as f64
}

/// The recording's sizes (trials, steps, neurons): the teacher's, or the file's when the run
/// has it; `None` for a file not yet given.
fn sizes(p: &JediParams, ctx: &RunCtx) -> Option<(usize, usize, usize)> {
    match p.dataset {
        DataSource::File => ctx.recording().ok().map(|u| (u.recording.trials, u.recording.steps, u.recording.neurons)),
        _ => {
            let t = p.teacher();
            Some((t.trials(), t.steps(), p.neurons))
        }
    }
}

/// The bytes one fit holds at its peak: the recording (as read, prepared and scaled), the
/// hypernetwork with Adam's moments and gradient, each minibatch member's generated weights
/// and their gradient, and the document's per-trial series.
fn fit_bytes(p: &JediParams, trials: usize, steps: usize, n: usize) -> f64 {
    let outputs = outputs(p, n) as f64;
    let hyper = hyper_params(p, n) as f64;
    let members = p.batch.min(trials) as f64;
    let values = (trials * steps * n) as f64;
    crate::memory::f64s(3.0 * values + 5.0 * hyper + 3.0 * members * (outputs + p.hidden as f64))
        + crate::memory::document(4.0 * (trials * steps) as f64 + (trials * p.context) as f64)
}

/// [`crate::experiments::Experiment::memory`] of `exp=jedi`.
pub fn memory(p: &JediParams, ctx: &RunCtx) -> Footprint {
    let bytes = sizes(p, ctx).map_or(0.0, |(t, s, n)| fit_bytes(p, t, s, n));
    Footprint::new(bytes, &["neurons", "repeats", "batch", "hidden"])
}

/// [`crate::experiments::Experiment::memory`] of `exp=jedi_compare`: the full-rank fit runs
/// while the low-rank one is kept.
pub fn memory_compare(p: &JediParams, ctx: &RunCtx) -> Footprint {
    let bytes = sizes(p, ctx).map_or(0.0, |(t, s, n)| {
        let full = JediParams { rank: 0, ..p.clone() };
        fit_bytes(&full, t, s, n) + fit_bytes(p, t, s, n)
    });
    Footprint::new(bytes, &["neurons", "repeats", "hidden", "batch"])
}

/// The limits across keys (a file's sizes are checked by the run).
pub fn check(p: &JediParams) -> Result<(), ParamError> {
    if p.dt > p.tau {
        return Err(ParamError::new("dt", format!("must be at most tau = {} s", p.tau)));
    }
    if p.dataset == DataSource::File {
        // The file's sizes are checked when it is read and again by the run.
        return Ok(());
    }
    let t = p.teacher();
    if t.steps() < 2 {
        return Err(ParamError::new(
            "duration",
            "must give at least 2 steps per trial (per phase for reach): raise duration or lower dt",
        ));
    }
    if t.steps() > recording::MAX_STEPS {
        return Err(ParamError::new(
            "duration",
            format!(
                "gives {} steps per trial, more than {}: lower duration or raise dt",
                t.steps(),
                recording::MAX_STEPS
            ),
        ));
    }
    let values = t.trials() * t.steps() * p.neurons;
    if values > recording::MAX_VALUES {
        return Err(ParamError::new(
            "repeats",
            format!("the recording would hold {values} values (trials × steps × neurons), more than {}: use fewer trials, neurons or steps", recording::MAX_VALUES),
        ));
    }
    check_model(p, t.trials(), t.steps(), p.neurons)
}

/// The limits on the model and its work for a recording of these sizes (a teacher's, checked
/// with the link; a file's, checked when it is run).
fn check_model(p: &JediParams, trials: usize, steps: usize, n: usize) -> Result<(), ParamError> {
    if p.rank > n {
        return Err(ParamError::new("rank", format!("must be at most the {n} neurons of the recording")));
    }
    let hyper = hyper_params(p, n);
    if hyper > MAX_HYPER_PARAMS {
        return Err(ParamError::new(
            "hidden",
            format!("the hypernetwork would have {hyper} parameters, more than {MAX_HYPER_PARAMS} (its last layer has hidden × {} outputs): use fewer hidden units, fewer neurons or a low rank", outputs(p, n)),
        ));
    }
    let trials = trials as f64;
    let held = trials * p.test_fraction;
    let work = p.epochs as f64 * (trials - held) * steps as f64 * per_step(p, n)
        + held * (p.refine as f64 + 64.0) * steps as f64 * per_step(p, n);
    if work > MAX_WORK {
        return Err(ParamError::new(
            "epochs",
            format!("asks for {work:.1e} multiply-adds, more than the limit {MAX_WORK:.0e}: use fewer epochs, trials, neurons or steps, or a low rank"),
        ));
    }
    Ok(())
}

/// The loss and embedding so far, and every analysis once the fit is done.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct JediResult {
    /// Epochs done.
    pub epochs_done: usize,
    /// Epochs asked for.
    pub epochs_total: usize,
    /// The fit is done and the analyses below are filled in.
    pub finished: bool,
    /// Mean minibatch loss (MSE of the rates) of each epoch.
    pub loss: Vec<f64>,
    /// Condition names, in order.
    pub conditions: Vec<String>,
    /// Phase names (`prep`, `move` for reach; empty otherwise).
    pub phases: Vec<String>,
    /// Each trial's condition (index into `conditions`).
    pub trial_condition: Vec<usize>,
    /// Each trial's phase (index into `phases`; 0 without phases).
    pub trial_phase: Vec<usize>,
    /// Whether each trial is held out.
    pub held_out: Vec<bool>,
    /// Each trial's context on the contexts' first two principal components (training
    /// trials only while fitting).
    pub embedding: Vec<[f64; 2]>,
    /// R² of each training trial, in trial order.
    pub r2_train: Vec<f64>,
    /// R² of each held-out trial (inferred context), in trial order.
    pub r2_test: Vec<f64>,
    /// Naive Bayes accuracy of the condition from the held-out contexts (trained on the
    /// training contexts); null without held-out trials.
    pub classification_accuracy: Option<f64>,
    /// G[a][b]: mean R² of condition b's held-out trials generated by condition a's mean
    /// context (null where b has none).
    pub generalisation: Vec<Vec<Option<f64>>>,
    /// Robustness: noise levels (× each condition's embedding s.d.) and the held-out R².
    pub robustness: Robustness,
    /// Eigenvalues [re, im] of each trial's generated W (rank R: its R non-zero ones).
    pub eigenvalues: Vec<Vec<[f64; 2]>>,
    /// Fixed points of each condition's network (its mean training context), projected on the
    /// recording's first two principal components.
    pub fixed_points: Vec<ProjectedFixedPoint>,
    /// One trial per condition on the same components: recorded and generated.
    pub trajectories: Vec<Trajectory>,
    /// λ_max of each condition's (and phase's) network, 1/s.
    pub lyapunov: Vec<Group>,
    /// One held-out trial (or training trial without any): recorded and generated rates of a
    /// few neurons.
    pub example: Example,
    /// The network of the point `probe` of the contexts' PCA plane (null without one).
    pub probe: Option<Probe>,
    /// Neurons of the recording.
    pub neurons: usize,
    /// The factor the recording was multiplied by (1 for a teacher's).
    pub scale: f64,
    /// The hash of the recording file fitted (`dataset=file`), null for a teacher's.
    pub data: Option<String>,
}

/// The network a point of the contexts' PCA plane generates (the embedding explorer).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Probe {
    /// The point, on the contexts' first two principal components.
    pub point: [f64; 2],
    /// Eigenvalues [re, im] of its W.
    pub eigenvalues: Vec<[f64; 2]>,
    /// Its fixed points on the recording's first two principal components.
    pub fixed_points: Vec<ProjectedFixedPoint>,
    /// Its rates from the example trial's first sample, on the same components.
    pub trajectory: Vec<[f64; 2]>,
    /// λ_max, 1/s.
    pub lambda_max: f64,
}

/// The robustness curve.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Robustness {
    /// Noise s.d. in units of each condition's embedding s.d.
    pub levels: Vec<f64>,
    /// Mean held-out R² at each level.
    pub r2: Vec<f64>,
}

/// A trial on the first two principal components.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Trajectory {
    /// Its condition.
    pub condition: usize,
    /// The trial's index.
    pub trial: usize,
    /// Recorded rates, [PC 1, PC 2] per step.
    pub recorded: Vec<[f64; 2]>,
    /// Rates of its generated network from the same initial state.
    pub generated: Vec<[f64; 2]>,
}

/// λ_max of a condition's network.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Group {
    /// Condition index.
    pub condition: usize,
    /// Phase index (0 without phases).
    pub phase: usize,
    /// λ_max, 1/s.
    pub lambda_max: f64,
}

/// Recorded and generated rates of a few neurons of one trial.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Example {
    /// The trial.
    pub trial: usize,
    /// Its R².
    pub r2: f64,
    /// Time of each step, s.
    pub time: Vec<f64>,
    /// The neurons shown.
    pub neurons: Vec<usize>,
    /// Recorded rates, one row per neuron shown.
    pub recorded: Vec<Vec<f64>>,
    /// Generated rates, one row per neuron shown.
    pub generated: Vec<Vec<f64>>,
}

/// A finished or running fit kept between runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JediState {
    /// The fit.
    pub fit: FitState,
    /// Held-out contexts, once inferred (in the order of the held-out trials).
    pub inferred: Option<Vec<Vec<f64>>>,
    /// The inference settings (`refine`, `refine_lr`) that gave `inferred`.
    pub inferred_by: String,
    /// The recording fitted, kept so that a live update does not generate it again.
    #[serde(skip)]
    pub recording: Option<Recording>,
}

/// The recording of `p` (a pure function of its keys) for a teacher dataset.
pub fn recording_of(p: &JediParams) -> Recording {
    teacher::generate(&p.teacher())
}

/// The recording a run fits: the teacher's, or the file `ctx` gives prepared by the keys `dt`,
/// `bin`, `smooth`, `zscore` and `scale` (with the file's hash, which the fit's key holds), and
/// the factor it was scaled by.
pub fn recording_for(p: &JediParams, ctx: &RunCtx) -> Result<(Recording, Option<String>, f64), RunError> {
    if p.dataset != DataSource::File {
        return Ok((recording_of(p), None, 1.0));
    }
    let up = ctx.recording()?;
    if let Some(d) = up.dt {
        if (d - p.dt).abs() > 1e-9 * d {
            return Err(RunError::Param(ParamError::new(
                "dt",
                format!("the recording's labels file gives a time step of {d} s: set dt={d}"),
            )));
        }
    }
    let prep = upload::Prepare { bin: p.bin, smooth: p.smooth, zscore: p.zscore == 1 };
    // Prepared from the kept file (no copy of it); the time step is the query's, binned.
    let mut rec = upload::prepare(&up.recording, &prep).map_err(|e| RunError::Param(ParamError::new("bin", e)))?;
    rec.dt = p.dt * p.bin as f64;
    if rec.dt > p.tau {
        return Err(RunError::Param(ParamError::new(
            "tau",
            format!("must be at least the binned time step dt × bin = {} s", rec.dt),
        )));
    }
    let peak = rec.data.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let factor = if p.scale > 0.0 {
        p.scale
    } else if peak > 0.0 {
        AUTO_PEAK / peak
    } else {
        1.0
    };
    for v in &mut rec.data {
        *v *= factor;
    }
    check_model(p, rec.trials, rec.steps, rec.neurons).map_err(RunError::Param)?;
    Ok((rec, Some(up.hash.clone()), factor))
}

/// The hash of the recording file `p` fits (`dataset=file` with a file in `ctx`).
fn data_hash<'a>(p: &JediParams, ctx: &RunCtx<'a>) -> Option<&'a str> {
    match p.dataset {
        DataSource::File => ctx.recording().ok().map(|u| u.hash.as_str()),
        _ => None,
    }
}

/// The fit key of `p` on the recording `ctx` gives (for `dataset=file`, its hash).
pub(super) fn key_in(p: &JediParams, ctx: &RunCtx) -> String {
    p.fit_key(data_hash(p, ctx))
}

fn labels_of(rec: &Recording) -> (Vec<String>, Vec<usize>) {
    let mut phases: Vec<String> = vec![];
    for ph in &rec.phases {
        if !phases.contains(ph) {
            phases.push(ph.clone());
        }
    }
    let index = (0..rec.trials)
        .map(|k| rec.phases.get(k).and_then(|ph| phases.iter().position(|p| p == ph)).unwrap_or(0))
        .collect();
    (phases, index)
}

/// The contexts' first two principal directions and their mean.
fn context_axes(contexts: &[&[f64]]) -> ([Vec<f64>; 2], Vec<f64>) {
    let d = contexts.first().map_or(0, |c| c.len());
    let flat: Vec<f64> = contexts.iter().flat_map(|c| c.iter().copied()).collect();
    analyses::axes_of(&flat, d)
}

/// The scores of `contexts` on their first two principal components.
fn embedding_of(contexts: &[&[f64]]) -> Vec<[f64; 2]> {
    if contexts.len() < 2 {
        return contexts.iter().map(|_| [0.0, 0.0]).collect();
    }
    let (axes, mean) = context_axes(contexts);
    contexts.iter().map(|c| analyses::project(&axes, &mean, c)).collect()
}

/// Every trial's context: training ones as learned, held-out ones as inferred.
pub(super) fn all_contexts(st: &JediState, rec: &Recording, train: &[usize], test: &[usize]) -> Vec<Vec<f64>> {
    let mut contexts = vec![vec![]; rec.trials];
    for (k, &t) in train.iter().enumerate() {
        contexts[t] = st.fit.model.context_of(k).to_vec();
    }
    if let Some(inferred) = &st.inferred {
        for (e, &t) in inferred.iter().zip(test) {
            contexts[t] = e.clone();
        }
    }
    contexts
}

/// The network of a point of the contexts' PCA plane: its eigenvalues, fixed points, the
/// trajectory from the example trial's first sample and λ_max (the embedding explorer).
pub(super) fn probe_of(
    p: &JediParams,
    rec: &Recording,
    st: &JediState,
    contexts: &[Vec<f64>],
    trial: usize,
) -> Option<Probe> {
    let [x, y] = p.probe[..] else { return None };
    let model = &st.fit.model;
    let refs: Vec<&[f64]> = contexts.iter().map(|c| c.as_slice()).collect();
    let (axes, mean) = context_axes(&refs);
    let e: Vec<f64> = (0..model.context).map(|j| mean[j] + x * axes[0][j] + y * axes[1][j]).collect();
    let o = model.generate(&e);
    let net = analyses::network_of(model, &o);
    let (raxes, rmean) = analyses::principal_axes(rec);
    let starts = analyses::recorded_states(rec, trial, rec.steps / 3);
    let fixed_points = analyses::fixed_points(&net, starts, analyses::Search::Quick, p.seed)
        .into_iter()
        .map(|fp| {
            let rates: Vec<f64> = fp.x.iter().map(|v| crate::nonlinearity::tanh(*v)).collect();
            ProjectedFixedPoint { condition: 0, pc: analyses::project(&raxes, &rmean, &rates), kind: fp.kind }
        })
        .collect();
    let n = rec.neurons;
    let rates = model.rates(&e, rec.trial(trial), rec.steps);
    Some(Probe {
        point: [x, y],
        eigenvalues: analyses::eigenvalues(model, &o).into_iter().map(|(a, b)| [a, b]).collect(),
        fixed_points,
        trajectory: rates.chunks(n).map(|r| analyses::project(&raxes, &rmean, r)).collect(),
        lambda_max: analyses::lambda_max(&net, p.seed),
    })
}

fn base_result(p: &JediParams, rec: &Recording, st: &JediState, test: &[usize]) -> JediResult {
    let (phases, trial_phase) = labels_of(rec);
    let mut held_out = vec![false; rec.trials];
    for &k in test {
        held_out[k] = true;
    }
    JediResult {
        epochs_done: st.fit.epoch,
        epochs_total: p.epochs,
        finished: false,
        loss: st.fit.losses.clone(),
        conditions: rec.condition_names(),
        phases,
        trial_condition: rec.condition_index(),
        trial_phase,
        held_out,
        neurons: rec.neurons,
        scale: 1.0,
        ..Default::default()
    }
}

/// The result while fitting: loss and the training contexts' embedding.
fn progress_result(p: &JediParams, rec: &Recording, st: &JediState, train: &[usize], test: &[usize]) -> JediResult {
    let mut r = base_result(p, rec, st, test);
    let m = &st.fit.model;
    let ctx: Vec<&[f64]> = (0..train.len()).map(|k| m.context_of(k)).collect();
    let scores = embedding_of(&ctx);
    // Held-out trials have no context yet: they sit at the origin until inferred.
    let mut all = vec![[0.0, 0.0]; rec.trials];
    for (&k, s) in train.iter().zip(scores) {
        all[k] = s;
    }
    r.embedding = all;
    r
}

fn finished_result(
    p: &JediParams,
    rec: &Recording,
    st: &JediState,
    train: &[usize],
    test: &[usize],
    ctx: &RunCtx,
) -> Result<JediResult, RunError> {
    let model = &st.fit.model;
    let contexts = all_contexts(st, rec, train, test);
    let f = Fitted { rec, model, train, test, contexts };
    let mut r = base_result(p, rec, st, test);
    r.finished = true;
    let refs: Vec<&[f64]> = f.contexts.iter().map(|c| c.as_slice()).collect();
    r.embedding = embedding_of(&refs);
    let r2 = ctx.stage(0.92, 0.93, || f.r2())?;
    r.r2_train = train.iter().map(|&k| r2[k]).collect();
    r.r2_test = test.iter().map(|&k| r2[k]).collect();
    if !test.is_empty() {
        r.classification_accuracy = Some(f.classification());
        r.generalisation = ctx
            .stage(0.93, 0.94, || f.generalisation())?
            .into_iter()
            .map(|row| row.into_iter().map(|v| v.is_finite().then_some(v)).collect())
            .collect();
        let levels = ROBUSTNESS_LEVELS.to_vec();
        let r2 = ctx.stage(0.94, 0.95, || f.robustness(&levels, p.seed))?;
        r.robustness = Robustness { levels, r2 };
    }
    let all: Vec<usize> = (0..rec.trials).collect();
    r.eigenvalues = ctx.stage(0.95, 0.96, || {
        crate::parallel::map(&all, |&k| {
            analyses::eigenvalues(model, &model.generate(&f.contexts[k])).into_iter().map(|(a, b)| [a, b]).collect()
        })
    })?;
    let (axes, mean) = analyses::principal_axes(rec);
    let labels = rec.condition_index();
    let means = f.mean_contexts();
    let classes = means.len();
    let conds: Vec<usize> = (0..classes).collect();
    let found = ctx.stage(0.96, 0.98, || {
        crate::parallel::map(&conds, |&c| {
            let members: Vec<usize> = train.iter().copied().filter(|&k| labels[k] == c).collect();
            let starts: Vec<Vec<f64>> =
                members.iter().take(3).flat_map(|&k| analyses::recorded_states(rec, k, rec.steps / 4)).collect();
            let net = f.network(&means[c]);
            analyses::fixed_points(&net, starts, analyses::Search::Thorough, p.seed)
        })
    })?;
    for (c, fps) in found.into_iter().enumerate() {
        for fp in fps {
            let rates: Vec<f64> = fp.x.iter().map(|x| crate::nonlinearity::tanh(*x)).collect();
            r.fixed_points.push(ProjectedFixedPoint {
                condition: c,
                pc: analyses::project(&axes, &mean, &rates),
                kind: fp.kind,
            });
        }
    }
    let n = rec.neurons;
    for c in 0..classes {
        let pick = test.iter().chain(train).copied().find(|&k| labels[k] == c);
        if let Some(k) = pick {
            let y = rec.trial(k);
            let g = model.rates(&f.contexts[k], y, rec.steps);
            r.trajectories.push(Trajectory {
                condition: c,
                trial: k,
                recorded: y.chunks(n).map(|row| analyses::project(&axes, &mean, row)).collect(),
                generated: g.chunks(n).map(|row| analyses::project(&axes, &mean, row)).collect(),
            });
        }
    }
    let (_, trial_phase) = labels_of(rec);
    let phases = r.phases.len().max(1);
    let groups: Vec<(usize, usize)> = (0..classes).flat_map(|c| (0..phases).map(move |ph| (c, ph))).collect();
    let lyap = ctx.stage(0.98, 1.0, || {
        crate::parallel::map(&groups, |&(c, ph)| {
            let members: Vec<&[f64]> = train
                .iter()
                .filter(|&&k| labels[k] == c && trial_phase[k] == ph)
                .map(|&k| f.contexts[k].as_slice())
                .collect();
            if members.is_empty() {
                return f64::NAN;
            }
            let d = model.context;
            let mean_ctx: Vec<f64> =
                (0..d).map(|j| members.iter().map(|e| e[j]).sum::<f64>() / members.len() as f64).collect();
            analyses::lambda_max(&f.network(&mean_ctx), p.seed)
        })
    })?;
    r.lyapunov = groups
        .iter()
        .zip(lyap)
        .filter(|(_, l)| l.is_finite())
        .map(|(&(c, ph), l)| Group { condition: c, phase: ph, lambda_max: l })
        .collect();
    let k = test.first().or(train.first()).copied().unwrap_or(0);
    let y = rec.trial(k);
    let g = model.rates(&f.contexts[k], y, rec.steps);
    let shown: Vec<usize> = (0..n.min(4)).map(|i| i * n / n.min(4)).collect();
    r.probe = probe_of(p, rec, st, &f.contexts, k);
    r.example = Example {
        trial: k,
        r2: r2[k],
        time: (0..rec.steps).map(|t| t as f64 * rec.dt).collect(),
        neurons: shown.clone(),
        recorded: shown.iter().map(|&i| (0..rec.steps).map(|t| y[t * n + i]).collect()).collect(),
        generated: shown.iter().map(|&i| (0..rec.steps).map(|t| g[t * n + i]).collect()).collect(),
    };
    Ok(r)
}

/// Fits to the last epoch and infers the held-out contexts, from the state kept under the
/// query's fit key (or a new one). A cancelled run keeps its state in the store.
fn fit_to_end(
    p: &JediParams,
    rec: &Recording,
    key: String,
    ctx: &RunCtx,
    publish: bool,
) -> Result<JediState, RunError> {
    let spec = p.fit();
    let (train, test) = fit::split(rec, p.test_fraction, p.seed);
    let mut st: JediState = store::take(&key).unwrap_or_else(|| JediState {
        fit: FitState::new(&spec, rec, train.len()),
        inferred: None,
        inferred_by: String::new(),
        recording: None,
    });
    let batches = train.len().div_ceil(p.batch.max(1)).max(1);
    let total = (p.epochs * batches).max(1) as f64;
    let show = publish && ctx.publishing();
    while !st.fit.finished(&spec) {
        if crate::progress::cancelled() {
            if show {
                ctx.publish(&progress_result(p, rec, &st, &train, &test));
            }
            store::keep(key, st);
            return Err(RunError::Cancelled);
        }
        st.fit.step(&spec, rec, &train);
        let done = st.fit.epoch * batches + st.fit.batch_in_epoch;
        crate::progress::report(0.9 * done as f64 / total);
        if show && st.fit.batch_in_epoch == 0 && st.fit.epoch.is_multiple_of(p.redraw) && !st.fit.finished(&spec) {
            ctx.publish(&progress_result(p, rec, &st, &train, &test));
        }
    }
    let by = format!("{}:{}", p.refine, p.refine_lr);
    if st.inferred_by != by {
        st.inferred = None;
    }
    if st.inferred.is_none() {
        let model = st.fit.model.clone();
        let infer = p.infer();
        let inferred = ctx.stage(0.9, 0.92, || {
            crate::parallel::map_cancellable(&test, 1, |&k| fit::infer(&model, rec.trial(k), rec.steps, &infer))
        });
        match inferred {
            Ok(v) if v.len() == test.len() => {
                st.inferred = Some(v);
                st.inferred_by = by;
            }
            _ => {
                store::keep(key, st);
                return Err(RunError::Cancelled);
            }
        }
    }
    Ok(st)
}

/// Fits `p` (or takes its kept fit) and runs every analysis; `publish`: show the loss and
/// embedding while fitting.
pub fn fit_and_analyse(p: &JediParams, ctx: &RunCtx, publish: bool) -> Result<Output<JediResult>, RunError> {
    let (rec, data, factor) = recording_for(p, ctx)?;
    let key = p.fit_key(data.as_deref());
    let mut st = fit_to_end(p, &rec, key.clone(), ctx, publish)?;
    let (train, test) = fit::split(&rec, p.test_fraction, p.seed);
    let result = finished_result(p, &rec, &st, &train, &test, ctx).map(|mut r| {
        r.scale = factor;
        r.data = data;
        r
    });
    let network = {
        let k = test.first().or(train.first()).copied().unwrap_or(0);
        let e = if let Some(i) = test.iter().position(|&t| t == k) {
            st.inferred.as_ref().map(|v| v[i].clone()).unwrap_or_default()
        } else {
            st.fit.model.context_of(0).to_vec()
        };
        analyses::network_of(&st.fit.model, &st.fit.model.generate(&e))
    };
    st.recording = Some(rec);
    store::keep(key, st);
    Ok(Output { result: result?, network })
}

/// The model file of `p`'s finished fit and the recording it fitted, when they are kept in
/// the store (after a run).
pub fn kept_files(p: &JediParams, ctx: &RunCtx) -> Option<(String, Recording)> {
    let key = key_in(p, ctx);
    let st: JediState = store::take(&key)?;
    let out = match (&st.inferred, &st.recording) {
        (Some(inferred), Some(rec)) => {
            let (train, test) = fit::split(rec, p.test_fraction, p.seed);
            let data = data_hash(p, ctx).map(String::from);
            let from = file::Provenance { query: canonical(p), data, loss: &st.fit.losses };
            Some((file::to_json(&st.fit.model, rec, &train, &test, inferred, from), rec.clone()))
        }
        _ => None,
    };
    store::keep(key, st);
    out
}

/// The canonical query of `p` without its probe (the fit and its analyses).
fn canonical(p: &JediParams) -> String {
    use crate::params::ParamSet;
    let pairs: Vec<String> = p
        .pairs()
        .into_iter()
        .filter(|(k, _)| *k != "probe")
        .map(|(k, v)| format!("{k}={}", crate::params::encode(&v)))
        .collect();
    format!("v={}&exp=jedi&{}", super::QUERY_VERSION, pairs.join("&"))
}

/// A model file restored by [`restore`].
#[derive(Clone, Debug, PartialEq)]
pub struct Restored {
    /// The query that shows it (its fit's, with `data=<hash>` for a recording file).
    pub link: String,
    /// One line on the model.
    pub description: String,
}

/// Restores a model file (`--model-out`, or Export in the page) as the finished fit of its
/// query: running that query then analyses the file's model without refitting (on a teacher's
/// recording, to the bytes of the run that wrote it; a recording file must be given again).
/// Refuses a file that is not a valid `lpu-jedi` one, has no query, or whose sizes, conditions
/// or held-out trials are not those its query gives.
pub fn restore(text: &str) -> Result<Restored, String> {
    use crate::params::ParamSet;
    let f = file::from_json(text)?;
    if f.query.is_empty() {
        return Err(
            "the file names no query (it was not written by this explorer), so there is no view to restore".into()
        );
    }
    let mut p = JediParams::default();
    for (k, v) in crate::params::split_query(&f.query).0 {
        match k.as_str() {
            "v" => {}
            "exp" if v == "jedi" => {}
            "exp" => return Err(format!("query: exp must be jedi, got \"{v}\"")),
            _ => {
                if !p.set(&k, &v).map_err(|e| format!("query: {e}"))? {
                    return Err(format!("query: {k} is not a key of exp=jedi"));
                }
            }
        }
    }
    check(&p).map_err(|e| format!("query: {e}"))?;
    let trials = f.contexts.len();
    let mismatch = |what: &str| {
        Err(format!("the file's {what} are not those its query gives: it was edited, or written by another version"))
    };
    if p.dataset == DataSource::File {
        if f.data.is_none() {
            return mismatch("recording file (none named)");
        }
    } else {
        let t = p.teacher();
        if (t.trials(), t.steps(), p.neurons) != (trials, f.steps, f.neurons)
            || t.conditions().len() != f.conditions.iter().collect::<std::collections::BTreeSet<_>>().len()
        {
            return mismatch("sizes");
        }
    }
    if (p.rank, p.context, p.hidden, p.tau) != (f.rank, f.context, f.hypernetwork[0].bias.len(), f.tau) {
        return mismatch("rank, context, hidden units or τ");
    }
    let labels = Recording {
        trials,
        steps: 0,
        neurons: 0,
        dt: f.dt,
        data: vec![],
        conditions: f.conditions.clone(),
        phases: f.phases.clone(),
    };
    let (train, test) = fit::split(&labels, p.test_fraction, p.seed);
    if (0..trials).any(|k| f.held_out[k] != test.contains(&k)) {
        return mismatch("held-out trials");
    }
    if f.loss.len() != p.epochs {
        return mismatch("losses (one per epoch)");
    }
    let model = file::model_of(&f);
    let mut fit = FitState::of(&p.fit(), model);
    fit.epoch = p.epochs;
    fit.losses = f.loss.clone();
    let st = JediState {
        fit,
        inferred: Some(test.iter().map(|&k| f.contexts[k].clone()).collect()),
        inferred_by: format!("{}:{}", p.refine, p.refine_lr),
        recording: None,
    };
    store::keep(p.fit_key(f.data.as_deref()), st);
    let kind = if f.rank == 0 { "JEDI-full".to_string() } else { format!("JEDI rank {}", f.rank) };
    let description = format!(
        "{kind} model of {} trials ({} training), N = {}, {} epochs on {}",
        trials,
        train.len(),
        f.neurons,
        p.epochs,
        data_name(&p)
    );
    let data = f.data.as_ref().map_or(String::new(), |h| format!("&data={h}"));
    Ok(Restored { link: format!("{}{data}", f.query), description })
}

/// Checks that a result read from a document fits itself (array lengths and widths).
pub fn validate(_p: &JediParams, r: &JediResult) -> Result<(), String> {
    use super::shape::ensure;
    let t = r.trial_condition.len();
    let classes = r.conditions.len();
    ensure(r.trial_phase.len() == t && r.held_out.len() == t, "per-trial labels")?;
    ensure(r.trial_condition.iter().all(|&c| c < classes), "a trial's condition")?;
    ensure(r.trial_phase.iter().all(|&c| c < r.phases.len().max(1)), "a trial's phase")?;
    ensure(r.embedding.is_empty() || r.embedding.len() == t, "the embedding")?;
    ensure(r.eigenvalues.is_empty() || r.eigenvalues.len() == t, "the eigenvalues")?;
    let held = r.held_out.iter().filter(|h| **h).count();
    ensure(r.r2_test.is_empty() || r.r2_test.len() == held, "held-out R²")?;
    ensure(r.r2_train.is_empty() || r.r2_train.len() == t - held, "training R²")?;
    ensure(r.generalisation.iter().all(|row| row.len() == classes), "the generalisation matrix")?;
    ensure(r.generalisation.is_empty() || r.generalisation.len() == classes, "the generalisation matrix")?;
    ensure(r.robustness.levels.len() == r.robustness.r2.len(), "the robustness curve")?;
    ensure(r.fixed_points.iter().all(|f| f.condition < classes), "a fixed point's condition")?;
    ensure(r.trajectories.iter().all(|f| f.condition < classes && f.trial < t), "a trajectory")?;
    ensure(r.lyapunov.iter().all(|g| g.condition < classes && g.phase < r.phases.len().max(1)), "λ_max groups")?;
    let e = &r.example;
    ensure(e.recorded.len() == e.neurons.len() && e.generated.len() == e.neurons.len(), "the example trial")?;
    ensure(e.recorded.iter().chain(&e.generated).all(|row| row.len() == e.time.len()), "the example trial")?;
    ensure(e.neurons.iter().all(|&i| i < r.neurons.max(1)), "the example's neurons")?;
    if let Some(pr) = &r.probe {
        ensure(pr.trajectory.is_empty() || pr.trajectory.len() == e.time.len(), "the probe's trajectory")?;
    }
    Ok(())
}

/// The dataset's name in words.
pub fn data_name(p: &JediParams) -> &'static str {
    match p.dataset {
        DataSource::File => "loaded",
        d => d.name(),
    }
}

/// The keys' specs for the page: the teacher's keys apply without a file, a file's
/// preparation keys only with one.
pub fn specs() -> Vec<crate::params::ParamSpec> {
    use crate::params::{ParamSet, ShownIf};
    let mut specs = JediParams::specs();
    for s in &mut specs {
        if TEACHER_KEYS.contains(&s.key) {
            s.shown_if = Some(ShownIf { key: "dataset", value: "file", not: true });
        } else if FILE_KEYS.contains(&s.key) {
            s.shown_if = Some(ShownIf { key: "dataset", value: "file", not: false });
        }
    }
    specs
}

/// The relative cost of a fit (multiply-adds of its epochs, for a teacher's sizes).
pub fn cost(p: &JediParams) -> f64 {
    let t = p.teacher();
    p.epochs as f64 * t.trials() as f64 * t.steps() as f64 * per_step(p, p.neurons)
}
