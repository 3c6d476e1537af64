//! `exp=train`: trains a leaky firing-rate RNN on the K-bit flip-flop (LCF Fig. 1C–F, Methods
//! "Two-step training paradigm") and shows what it learnt: the loss of each stage, the state
//! accuracy on fresh trials, the fixed points and flow of its latent dynamics, and the
//! (encoding, embedding) weights of its neurons (Fig. S1C).
//!
//! `paradigm=two_step`: a full-rank network is trained on the task (MSE on its readout), then a
//! rank-K network is fit to that network's rates on the same kind of trials (logistic loss) and
//! reads out with the teacher's readout. `paradigm=direct`: a rank-K network is trained on the
//! task. Training runs one minibatch per epoch; between epochs it reports progress, publishes
//! the result so far every `redraw` epochs, and stops cleanly when cancelled, keeping its state
//! ([`crate::train::store`]) so that running the same query again resumes it.

use super::{rows, Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::{self, FixedPoint, SearchOptions};
use crate::analysis::flow::{flow_grid, FlowGrid, Lpu};
use crate::backend::Backend;
use crate::gradient::work_per_step;
use crate::memory::{document, f64s, Footprint};
use crate::network::{read_out, Model, Network};
use crate::nonlinearity::Phi;
use crate::numerics::adam::AdamConfig;
use crate::params::{range, Choice, ParamError, MAX_SAFE_INTEGER};
use crate::simulate::Compute;
use crate::task::FlipFlopTask;
use crate::train::bptt::{grad_job, outputs, states, Batch, Loss};
use crate::train::model::{Architecture, Part, TrainModel};
use crate::train::sequence::{self, SequenceTask};
use crate::train::store;
use crate::train::tasks::{flipflop_accuracy, flipflop_batch, trial_seeds};
use crate::train::trainer::Stage;
use serde::{Deserialize, Serialize};

/// Most work a query may ask for on the CPU, in multiply-adds (3 × recurrent products × steps ×
/// trials over all epochs): about a minute natively, a few in a browser.
pub const MAX_WORK: f64 = 1.5e11;
/// Most work with `backend=gpu`: 100 × the CPU's (dense N = 1000, batch 512, 100 steps, 100
/// epochs).
pub const MAX_WORK_GPU: f64 = 1.5e13;

/// The task trained on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainTask {
    /// The K-bit flip-flop.
    Flipflop,
    /// Sequence sorting (`crate::train::sequence`): L numbers shown one at a time, a cue, then
    /// the numbers output in sorted order.
    Sequence,
}

impl Choice for TrainTask {
    const ALL: &'static [Self] = &[TrainTask::Flipflop, TrainTask::Sequence];
    const NAMES: &'static [&'static str] = &["flipflop", "sequence"];
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// How the low-rank network is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Paradigm {
    /// A full-rank network trained on the task, then a rank-K network fit to its activity.
    TwoStep,
    /// A rank-K network trained on the task.
    Direct,
}

impl Choice for Paradigm {
    const ALL: &'static [Self] = &[Paradigm::TwoStep, Paradigm::Direct];
    const NAMES: &'static [&'static str] = &["two_step", "direct"];
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

crate::params! {
    /// The query keys of `exp=train`, with their ranges and defaults.
    pub struct TrainParams {
        task: TrainTask = TrainTask::Flipflop, range(0.0, 0.0), "task", "", task, "the task trained on: flipflop (the K-bit flip-flop) or sequence (sorting L numbers; trained directly)";
        bits: usize = 2, range(1.0, 6.0), "bits K", "", task, "flip-flop bits: input channels and outputs";
        length: usize = 2, range(2.0, 4.0), "sequence length L", "", task, "sequence: numbers per trial, shown one at a time and output sorted";
        show: usize = 10, range(2.0, 100.0), "item steps", "", task, "sequence: steps each number, the cue and each response slot last (trial = (2L + 1) × show steps)";
        noise: f64 = 0.0, range(0.0, 1.0), "state noise σ", "", training, "sequence: s.d. of the noise added to each neuron's state every training step (LCF trains with noise)";
        paradigm: Paradigm = Paradigm::TwoStep, range(0.0, 0.0), "paradigm", "", training, "two_step (full rank on the task, then rank K fit to its rates, LCF) or direct (rank K on the task)";
        neurons: usize = 100, range(4.0, 1000.0), "neurons N", "", network, "neurons N";
        rank: usize = 2, range(1.0, 10.0), "rank K", "", network, "rank of the final network (latent dimensions)";
        epochs: usize = 150, range(1.0, 20_000.0), "epochs", "", training, "epochs (one minibatch each) of the task stage";
        fit_epochs: usize = 300, range(1.0, 20_000.0), "fit epochs", "", training, "two_step: epochs fitting the rank-K network to the full-rank network's rates";
        batch: usize = 32, range(1.0, 512.0), "batch", "trials", training, "trials per minibatch";
        lr: f64 = 0.03, range(1e-6, 1.0), "learning rate", "", training, "Adam's learning rate of the task stage";
        fit_lr: f64 = 0.03, range(1e-6, 1.0), "fit learning rate", "", training, "two_step: Adam's learning rate fitting the rank-K network";
        weight_decay: f64 = 0.0, range(0.0, 1.0), "weight decay", "", training, "Adam's L2 weight decay (added to the gradient)";
        clip: f64 = 10.0, range(0.0, 1e6), "gradient clip", "", training, "largest gradient norm (0: no clipping)";
        patience: usize = 50, range(1.0, 10_000.0), "plateau patience", "epochs", training, "halve the learning rate after this many epochs without improvement";
        steps: usize = 100, range(10.0, 2000.0), "trial steps", "", task, "steps per training trial";
        bin_steps: usize = 5, range(1.0, 100.0), "bin", "steps", task, "steps per task bin (pulses last one bin; the state is scored at bin ends)";
        pulse_prob: f64 = 0.1, range(0.0, 1.0), "pulse probability", "", task, "probability of a pulse per channel per bin";
        tau: f64 = 0.01, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ, s";
        dt: f64 = 0.002, range(1e-5, 0.1), "Δt", "s", network, "Euler step Δt, s (at most τ)";
        test_trials: usize = 50, range(1.0, 1000.0), "test trials", "", analysis, "fresh trials (never trained on) the accuracy is measured on";
        redraw: usize = 25, range(1.0, 10_000.0), "redraw every", "epochs", display, "epochs between the pictures shown while training";
        grid: usize = 21, range(3.0, 101.0), "flow grid", "", display, "flow-field points per axis of the latent portrait";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", training, "random seed of the initial weights and the trials";
    }
}

/// Keys of `exp=train` that leave the trained weights unchanged (analysis and display).
pub const UNTRAINED_KEYS: &[&str] = &["test_trials", "redraw", "grid"];

impl TrainParams {
    fn task(&self) -> FlipFlopTask {
        FlipFlopTask { bits: self.bits, steps: self.steps, bin_steps: self.bin_steps, pulse_prob: self.pulse_prob }
    }
    fn sequence(&self) -> SequenceTask {
        SequenceTask { length: self.length, show: self.show, noise: self.noise, neurons: self.neurons }
    }
    /// Input channels and outputs of the task.
    fn channels(&self) -> (usize, usize) {
        match self.task {
            TrainTask::Flipflop => (self.bits, self.bits),
            TrainTask::Sequence => (sequence::INPUTS, 1),
        }
    }
    /// Steps of a trial.
    fn trial_steps(&self) -> usize {
        match self.task {
            TrainTask::Flipflop => self.steps,
            TrainTask::Sequence => self.sequence().steps(),
        }
    }
    /// The training batch of epoch `epoch`.
    fn task_batch(&self, epoch: usize) -> Batch {
        let first = (epoch * self.batch) as u64;
        let seed = trial_seeds(self.seed).0;
        match self.task {
            TrainTask::Flipflop => flipflop_batch(&self.task(), seed, first, self.batch),
            TrainTask::Sequence => sequence::batch(&self.sequence(), seed, first, self.batch),
        }
    }
    /// A test trial's inputs and targets, flat.
    fn test_trial(&self) -> (Vec<f64>, Vec<f64>) {
        let seed = trial_seeds(self.seed).1;
        match self.task {
            TrainTask::Flipflop => {
                let t = self.task().trial(seed, 0);
                (t.inputs, t.targets)
            }
            TrainTask::Sequence => {
                let t = self.sequence().trial(seed, 0);
                (t.inputs, t.targets)
            }
        }
    }
    fn arch(&self, rank: Option<usize>, outputs: Option<usize>) -> Architecture {
        Architecture {
            model: Model::Rate,
            neurons: self.neurons,
            inputs: self.channels().0,
            outputs,
            rank,
            phi: Phi::Tanh,
            tau: self.tau,
            dt: self.dt,
        }
    }
    fn adam(&self, lr: f64) -> AdamConfig {
        AdamConfig {
            lr,
            weight_decay: self.weight_decay,
            clip: if self.clip > 0.0 { self.clip } else { f64::INFINITY },
            ..Default::default()
        }
    }
    fn stages(&self) -> usize {
        match self.paradigm {
            Paradigm::TwoStep => 2,
            Paradigm::Direct => 1,
        }
    }
    fn total_epochs(&self) -> usize {
        self.epochs + if self.stages() == 2 { self.fit_epochs } else { 0 }
    }
    /// Everything that fixes the trained weights, as query text: the key of the training
    /// state kept between runs (display and analysis keys left out).
    pub fn training_key(&self) -> String {
        use crate::params::ParamSet;
        let pairs: Vec<String> = self
            .pairs()
            .into_iter()
            .filter(|(k, _)| !UNTRAINED_KEYS.contains(k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("exp=train&{}", pairs.join("&"))
    }
}

fn check(p: &TrainParams) -> Result<(), ParamError> {
    if p.dt > p.tau {
        return Err(ParamError::new("dt", format!("must be at most tau = {} s", p.tau)));
    }
    if p.rank > p.neurons {
        return Err(ParamError::new("rank", format!("must be at most neurons = {}", p.neurons)));
    }
    if p.task == TrainTask::Sequence && p.paradigm == Paradigm::TwoStep {
        return Err(ParamError::new(
            "paradigm",
            "must be direct for task=sequence (the two-step paradigm is the flip-flop's)",
        ));
    }
    if p.bin_steps > p.steps {
        return Err(ParamError::new("bin_steps", format!("must be at most steps = {}", p.steps)));
    }
    work_within(p, MAX_WORK_GPU, "")
}

/// Multiply-adds of the whole training (3 recurrent products a trial step, every epoch).
fn work(p: &TrainParams) -> f64 {
    let n = p.neurons as f64;
    let per_trial_step =
        |dense: bool| 3.0 * if dense { n * n } else { 2.0 * n * p.rank as f64 + n * p.channels().0 as f64 };
    let trials = (p.batch * p.trial_steps()) as f64;
    match p.paradigm {
        Paradigm::TwoStep => {
            trials * (p.epochs as f64 * per_trial_step(true) + p.fit_epochs as f64 * (per_trial_step(false) + n * n))
        }
        Paradigm::Direct => trials * p.epochs as f64 * per_trial_step(false),
    }
}

fn work_within(p: &TrainParams, limit: f64, on: &str) -> Result<(), ParamError> {
    let work = work(p);
    if work > limit {
        return Err(ParamError::new(
            "epochs",
            format!(
                "asks for {work:.1e} multiply-adds (about 3 N² per trial step for a full-rank network), more than the limit {limit:.0e}{on}: use fewer epochs, a smaller batch or shorter trials"
            ),
        ));
    }
    Ok(())
}

/// The CPU's work limit unless the link asks for the GPU (`auto` may train on the CPU).
fn check_on(p: &TrainParams, backend: Backend) -> Result<(), ParamError> {
    if backend.gpu_limits() {
        return Ok(());
    }
    work_within(p, MAX_WORK, &format!(" on the CPU (backend=gpu allows {MAX_WORK_GPU:.1e})"))
}

/// The CPU's work limit for a view's `source=trained` network, which trains on the CPU
/// whatever the view's `backend`.
pub fn check_cpu(p: &TrainParams) -> Result<(), ParamError> {
    work_within(p, MAX_WORK, "")
}

/// Multiply-adds of the recurrent products per step of the largest stage's minibatch: what
/// decides whether `backend=auto` trains on a GPU.
fn gpu_work(p: &TrainParams) -> f64 {
    let rank = match p.paradigm {
        Paradigm::TwoStep => None,
        Paradigm::Direct => Some(p.rank),
    };
    work_per_step(p.neurons, rank, p.batch)
}

/// The bytes a training holds at its peak (one worker): the parameters with Adam's moments, the
/// sum and a wave's block gradients; a batch's noise and, fitting the rank-K network, the
/// full-rank network's rates; the traces of the trials stepped together; the test trials.
fn train_memory(p: &TrainParams) -> f64 {
    let (n, t, b) = (p.neurons as f64, p.trial_steps() as f64, p.batch as f64);
    let (i, o) = p.channels();
    let theta = |dense: bool| (if dense { n * n } else { 2.0 * n * p.rank as f64 }) + n * (i + o + 2) as f64;
    let dense = p.paradigm == Paradigm::TwoStep;
    // A batch's noise, or fitting the rank-K network, the full-rank network's rates as well.
    let batch = if dense { 2.0 * b * t * n } else { b * t * n };
    let in_flight = b.min(32.0);
    f64s(12.0 * theta(dense) + batch + 3.0 * in_flight * (t + 1.0) * n)
        + f64s(p.test_trials as f64 * t * (i + o + 2) as f64)
        + document(p.test_trials as f64 * t * 3.0)
}

/// The loss curve of one stage.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LossCurve {
    /// `task` (trained on the task) or `fit` (fit to the full-rank network's rates).
    pub stage: String,
    /// The loss of each epoch's minibatch.
    pub loss: Vec<f64>,
}

/// Encoding and embedding weights of every neuron (LCF Fig. S1C), one row per neuron.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Weights {
    /// N × K embedding weights m_i.
    pub embedding: Vec<Vec<f64>>,
    /// N × K encoding weights n_i, without the 1/N (the file's encoding times N).
    pub encoding: Vec<Vec<f64>>,
}

/// What `exp=train` gives (so far, while training: `finished` is false in the pictures shown
/// during a run and in a paused one).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainResult {
    /// Epochs done over all stages.
    pub epochs_done: usize,
    /// Epochs of all stages together.
    pub epochs_total: usize,
    /// Every stage trained.
    pub finished: bool,
    /// The loss of each stage started.
    pub loss: Vec<LossCurve>,
    /// State accuracy of the network (the rank-K one once it exists) on `test_trials` fresh
    /// noise-free trials: the fraction of scored bin ends at which every output has its
    /// bit's sign.
    pub accuracy: f64,
    /// Accuracy of the full-rank network of `two_step` (null for `direct`).
    pub teacher_accuracy: Option<f64>,
    /// Rank of the network shown: K, or N while the full-rank stage of `two_step` runs.
    pub rank: usize,
    /// The fixed points of the rank-K network's latent dynamics without input (empty before
    /// it exists).
    pub fixed_points: Vec<FixedPoint>,
    /// Its latent flow without input.
    pub flow: Option<FlowGrid>,
    /// Half-width of the latent window of the flow and fixed-point search.
    pub extent: f64,
    /// Time of each row of the test trial shown, s.
    pub time: Vec<f64>,
    /// T × K inputs of the test trial shown.
    pub inputs: Vec<Vec<f64>>,
    /// T × K targets of that trial.
    pub targets: Vec<Vec<f64>>,
    /// T × K latent z = Nᵀ r of the rank-K network (empty before it exists).
    pub latent: Vec<Vec<f64>>,
    /// T × K readout y = R r.
    pub output: Vec<Vec<f64>>,
    /// The rank-K network's weights (empty before it exists).
    pub weights: Weights,
}

/// Training state between epochs: the stages done and the one running. Kept in
/// [`crate::train::store`] under the query's training key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainState {
    /// The full-rank network of `two_step`, once its stage is done.
    pub teacher: Option<TrainModel>,
    /// Loss curves of finished stages.
    pub done: Vec<LossCurve>,
    /// The stage running (or the last one, finished).
    pub stage: Stage,
    /// Its name: `task` or `fit`.
    pub stage_name: String,
    /// Whether its gradients (and a teacher's rates) come from a GPU in f32, decided once for
    /// the whole training; such a state is kept under its own key ([`store_key`]).
    #[serde(default)]
    pub on_gpu: bool,
}

fn new_state(p: &TrainParams, on_gpu: bool) -> TrainState {
    let (model, name) = match p.paradigm {
        Paradigm::TwoStep => (TrainModel::new(p.arch(None, Some(p.channels().1)), p.seed), "task"),
        Paradigm::Direct => (TrainModel::new(p.arch(Some(p.rank), Some(p.channels().1)), p.seed), "task"),
    };
    TrainState {
        teacher: None,
        done: vec![],
        stage: Stage::new(model, Loss::Mse, p.adam(p.lr), p.patience, p.epochs),
        stage_name: name.into(),
        on_gpu,
    }
}

/// The fit stage's batch: the task's inputs, the teacher's noise-free rates as targets.
fn fit_batch(p: &TrainParams, teacher: &TrainModel, first: u64, gpu: Option<&dyn Compute>) -> Batch {
    let (train_seed, _) = trial_seeds(p.seed);
    let task = p.task();
    let mut b = flipflop_batch(&task, train_seed, first, p.batch);
    let n = p.neurons;
    // The teacher's forward passes: as many multiply-adds as a third of its gradient, so they
    // go where its gradients went.
    b.targets = gpu
        .and_then(|g| g.states(&grad_job(teacher, Loss::Mse, &b)))
        .unwrap_or_else(|| b.inputs.iter().map(|u| states(teacher, u, task.steps)).collect());
    b.mask = vec![vec![1.0; task.steps * n]; b.len()];
    b
}

/// Moves from the task stage of `two_step` to the fit stage: a rank-K network without readout
/// starting from the teacher's initial state.
fn start_fit(p: &TrainParams, st: &mut TrainState) {
    let teacher = st.stage.model.clone();
    let mut student = TrainModel::new(p.arch(Some(p.rank), None), crate::rng::derive_seed(p.seed, 1));
    student.part_mut(Part::Initial).copy_from_slice(teacher.part(Part::Initial));
    let finished = std::mem::replace(
        &mut st.stage,
        Stage::new(student, Loss::Logistic, p.adam(p.fit_lr), p.patience, p.fit_epochs),
    );
    st.done.push(LossCurve { stage: st.stage_name.clone(), loss: finished.losses });
    st.teacher = Some(teacher);
    st.stage_name = "fit".into();
}

/// One epoch of whichever stage is running.
fn epoch(p: &TrainParams, st: &mut TrainState, backend: &dyn Compute) {
    let batch = match &st.teacher {
        Some(t) => fit_batch(p, t, (st.stage.epoch() * p.batch) as u64, st.on_gpu.then_some(backend)),
        None => p.task_batch(st.stage.epoch()),
    };
    if st.on_gpu {
        st.stage.step_on(&batch, backend);
    } else {
        st.stage.step(&batch);
    }
    if st.stage.finished() && st.teacher.is_none() && p.paradigm == Paradigm::TwoStep {
        start_fit(p, st);
    }
}

fn finished(p: &TrainParams, st: &TrainState) -> bool {
    st.stage.finished() && (p.paradigm == Paradigm::Direct || st.teacher.is_some())
}

/// The network the result shows: the rank-K one (with the teacher's readout in `two_step`),
/// or the full-rank one while its stage runs.
pub fn network_of(st: &TrainState) -> Network {
    let mut net = st.stage.model.network();
    if let Some(t) = &st.teacher {
        net.readout = Some(t.part(Part::Readout).to_vec());
    }
    net
}

fn accuracy_of(p: &TrainParams, net_model: &TrainModel, readout: Option<&[f64]>) -> f64 {
    let task = p.task();
    let (_, test_seed) = trial_seeds(p.seed);
    if p.task == TrainTask::Sequence {
        let seq = p.sequence();
        return sequence::accuracy(&seq, test_seed, p.test_trials, |u| outputs(net_model, u, seq.steps()));
    }
    flipflop_accuracy(&task, test_seed, p.test_trials, |u| match readout {
        None => outputs(net_model, u, task.steps),
        Some(r) => read_out(r, p.neurons, &states(net_model, u, task.steps)),
    })
}

/// The result of the state `st`: accuracy, portrait, a test trial and the weights.
fn result_of(p: &TrainParams, st: &TrainState) -> TrainResult {
    let (inputs, outputs_count) = p.channels();
    let steps = p.trial_steps();
    let teacher_readout = st.teacher.as_ref().map(|t| t.part(Part::Readout).to_vec());
    let model = &st.stage.model;
    let low_rank = model.arch.rank.is_some();
    let accuracy = accuracy_of(p, model, teacher_readout.as_deref());
    let teacher_accuracy = match (&st.teacher, p.paradigm) {
        (Some(t), _) => Some(accuracy_of(p, t, None)),
        (None, Paradigm::TwoStep) => Some(accuracy),
        (None, Paradigm::Direct) => None,
    };
    let (trial_inputs, trial_targets) = p.test_trial();
    let net = network_of(st);
    let n = p.neurons;
    let s = states(model, &trial_inputs, steps);
    let output = rows(&net.read_out(&s), outputs_count);
    let mut result = TrainResult {
        epochs_done: st.done.iter().map(|c| c.loss.len()).sum::<usize>() + st.stage.epoch(),
        epochs_total: p.total_epochs(),
        finished: finished(p, st),
        loss: st
            .done
            .iter()
            .cloned()
            .chain(std::iter::once(LossCurve { stage: st.stage_name.clone(), loss: st.stage.losses.clone() }))
            .collect(),
        accuracy,
        teacher_accuracy,
        rank: if low_rank { p.rank } else { n },
        fixed_points: vec![],
        flow: None,
        extent: 1.0,
        time: (1..=steps).map(|t| t as f64 * p.dt).collect(),
        inputs: rows(&trial_inputs, inputs),
        targets: rows(&trial_targets, outputs_count),
        latent: vec![],
        output,
        weights: Weights::default(),
    };
    if low_rank {
        let latent: Vec<Vec<f64>> = s.chunks(n).map(|row| net.encode(row)).collect();
        let reach = latent.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
        let extent = (1.4 * reach).max(0.1);
        let lpu = Lpu::new(&net);
        let zero = vec![0.0; inputs];
        let starts: Vec<Vec<f64>> = latent.iter().step_by(5).cloned().collect();
        result.fixed_points = fixed_points::find(
            &lpu,
            &zero,
            &SearchOptions { extent, extra_starts: starts, random_starts: 32, seed: p.seed, ..Default::default() },
        );
        result.flow = flow_grid(&lpu, &zero, extent, p.grid, 0.0);
        result.extent = extent;
        result.latent = latent;
        result.weights = Weights {
            embedding: rows(&net.embedding, p.rank),
            encoding: net.encoding.chunks(p.rank).map(|r| r.iter().map(|v| v * n as f64).collect()).collect(),
        };
    }
    result
}

/// Trains to the last epoch from the state kept under the query's training key (or a new one).
/// `show`: publish the result so far every `redraw` epochs and when stopped. A cancelled run
/// keeps its state in the store, so that the same training resumes from there.
fn train_to_end(p: &TrainParams, ctx: &RunCtx, show: bool) -> Result<TrainState, RunError> {
    let on_gpu = ctx.backend().trains_on_gpu(gpu_work(p));
    if !on_gpu && work(p) > MAX_WORK {
        // backend=gpu lifted the limit, but no GPU takes the training.
        return Err(RunError::Param(ParamError::new(
            "backend",
            format!(
                "no GPU can take this training ({:.1e} multiply-adds), and on the CPU the limit is {MAX_WORK:.0e}: use fewer epochs, a smaller batch or shorter trials",
                work(p)
            ),
        )));
    }
    let key = store_key(p, on_gpu);
    let mut st: TrainState = store::take(&key).unwrap_or_else(|| new_state(p, on_gpu));
    let total = p.total_epochs().max(1);
    let show = show && ctx.publishing();
    loop {
        let done = st.done.iter().map(|c| c.loss.len()).sum::<usize>() + st.stage.epoch();
        if finished(p, &st) {
            return Ok(st);
        }
        if crate::progress::cancelled() {
            if show {
                ctx.publish(&result_of(p, &st));
            }
            store::keep(key, st);
            return Err(RunError::Cancelled);
        }
        epoch(p, &mut st, ctx.backend());
        crate::progress::report((done + 1) as f64 / total as f64);
        if show && (done + 1).is_multiple_of(p.redraw) && !finished(p, &st) {
            ctx.publish(&result_of(p, &st));
        }
    }
}

fn run(p: &TrainParams, ctx: &RunCtx) -> Result<Output<TrainResult>, RunError> {
    let st = train_to_end(p, ctx, true)?;
    let result = result_of(p, &st);
    let network = network_of(&st);
    store::keep(store_key(p, st.on_gpu), st);
    Ok(Output { result, network })
}

/// The key a training is kept under: the query's training key, and the device when its
/// gradients come from a GPU (a link's CPU and GPU trainings are different states, and both
/// may be kept).
fn store_key(p: &TrainParams, on_gpu: bool) -> String {
    if on_gpu {
        format!("{}&device=gpu", p.training_key())
    } else {
        p.training_key()
    }
}

/// The network `p` trained, when a finished training of it is kept in the store (a live
/// update draws on it and never trains).
pub fn kept_network(p: &TrainParams) -> Option<Network> {
    let key = p.training_key();
    let st: TrainState = store::take(&key)?;
    let network = finished(p, &st).then(|| network_of(&st));
    store::keep(key, st);
    network
}

/// The network `p` trains, for another view's `source=trained`: trained here (reporting
/// progress, resumable after a cancel) or taken finished from the store, without the
/// analyses of `exp=train`'s own result.
pub fn trained_network(p: &TrainParams, ctx: &RunCtx) -> Result<Network, RunError> {
    let st = train_to_end(p, ctx, false)?;
    let network = network_of(&st);
    store::keep(store_key(p, st.on_gpu), st);
    Ok(network)
}

/// Trains a network on a task.
pub struct Train;

impl Experiment for Train {
    fn memory(p: &TrainParams, _ctx: &RunCtx) -> Footprint {
        Footprint::new(train_memory(p), &["batch", "steps", "neurons"])
    }
    const NAME: &'static str = "train";
    const TITLE: &'static str = "Train a network";
    const EXAMPLE: &'static str = "exp=train&neurons=12&epochs=3&fit_epochs=2&batch=4&steps=20&test_trials=2";
    type Params = TrainParams;
    type Result = TrainResult;

    const SIMULATES: bool = true;
    fn check(p: &TrainParams) -> Result<(), ParamError> {
        check(p)
    }
    fn check_on(p: &TrainParams, backend: Backend) -> Result<(), ParamError> {
        check_on(p, backend)
    }
    fn run(p: &TrainParams, ctx: &RunCtx) -> Result<Output<TrainResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &TrainParams, r: &TrainResult) -> Result<(), String> {
        use super::shape::{ensure, portrait, rows};
        let t = r.time.len();
        let (inputs, outputs) = p.channels();
        rows(&r.inputs, t, inputs, "inputs")?;
        rows(&r.targets, t, outputs, "targets")?;
        ensure(r.output.iter().all(|y| y.len() == outputs), "the output")?;
        ensure(r.latent.is_empty() || r.latent.len() == t, "the latent trajectory")?;
        ensure(r.output.is_empty() || r.output.len() == t, "the output")?;
        ensure(r.loss.len() <= 2, "the loss curves")?;
        let k = if r.latent.is_empty() { p.rank } else { r.latent[0].len() };
        ensure(k == p.rank, "a latent of another rank")?;
        rows(&r.latent, r.latent.len(), k, "latent")?;
        rows(&r.weights.embedding, r.weights.embedding.len(), k, "embedding weights")?;
        ensure(r.weights.encoding.len() == r.weights.embedding.len(), "encoding weights")?;
        rows(&r.weights.encoding, r.weights.encoding.len(), k, "encoding weights")?;
        portrait(k, &r.fixed_points, r.flow.as_ref(), None)
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("loss", "Loss per epoch of each stage", 0.6, false),
            PlotSpec::new("portrait", "Latent portrait of the rank-K network", 1.0, false),
            PlotSpec::new("trial", "A fresh test trial: inputs, outputs and targets", 0.5, true),
            PlotSpec::new("weights", "Encoding against embedding weights (LCF Fig. S1C)", 0.8, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "train",
            label: "Train",
            plots: &["loss", "portrait", "trial", "weights"],
            main: &[
                "task",
                "bits",
                "length",
                "paradigm",
                "neurons",
                "rank",
                "epochs",
                "fit_epochs",
                "batch",
                "lr",
                "fit_lr",
                "seed",
            ],
            embed_plot: "portrait",
            preset: "",
        }]
    }
    fn cost(p: &TrainParams) -> f64 {
        (p.total_epochs() * p.batch * p.steps * p.neurons) as f64
    }
    fn summary(p: &TrainParams, r: &TrainResult) -> String {
        let state = if r.finished {
            "Trained".to_string()
        } else {
            format!("Training, epoch {} of {}", r.epochs_done, r.epochs_total)
        };
        let last: Vec<String> = r
            .loss
            .iter()
            .filter_map(|c| c.loss.last().map(|l| format!("{} loss {}", c.stage, super::significant(*l, 3))))
            .collect();
        let teacher = r.teacher_accuracy.map_or(String::new(), |a| format!(" (full-rank network: {a:.3})"));
        let kinds = |k| r.fixed_points.iter().filter(|f| f.kind == k).count();
        use crate::analysis::fixed_points::Kind;
        let fps = if r.rank == p.rank && r.flow.is_some() {
            format!(
                " Latent fixed points without input: {} stable, {} saddle, {} unstable.",
                kinds(Kind::Stable),
                kinds(Kind::Saddle),
                kinds(Kind::Unstable)
            )
        } else {
            String::new()
        };
        let what = match p.task {
            TrainTask::Flipflop => "State accuracy",
            TrainTask::Sequence => "Sorting accuracy (slots nearest the right number)",
        };
        format!(
            "{state} on {} ({} paradigm, N = {}, rank {}): {}. {what} on {} fresh trials {:.3}{teacher}.{fps}",
            p.task.name(),
            p.paradigm.name().replace('_', "-"),
            p.neurons,
            r.rank,
            last.join(", "),
            p.test_trials,
            r.accuracy
        )
    }
    fn csv(_p: &TrainParams, r: &TrainResult) -> Csv {
        let longest = r.loss.iter().map(|c| c.loss.len()).max().unwrap_or(0);
        let epoch: Vec<f64> = (1..=longest).map(|e| e as f64).collect();
        let mut csv = Csv::with_rows(longest).column("epoch", &epoch);
        for c in &r.loss {
            csv = csv.column(format!("{}_loss", c.stage), &c.loss);
        }
        csv
    }
}
