//! Fitting JEDI (SCIENCE §8; JEDI §2.3): the hypernetwork's parameters and one context per
//! training trial (started at zero) are learned together by Adam on the mean squared error
//! between each trial's generated-network rates and its recording, one minibatch of trials per
//! iteration. A held-out trial's context is then inferred with the hypernetwork frozen
//! ([`infer`]).
//!
//! Each trial's loss and output gradient are computed in parallel; the hypernetwork's backward
//! passes then run in trial order, so the bytes do not depend on the thread count.

use super::hyper::Mlp;
use super::recording::Recording;
use super::student::{self, Shape};
use crate::numerics::adam::{Adam, AdamConfig};
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};

/// Radius of the eigenvalues of the network a zero context generates at the start (rank R).
pub const INITIAL_RADIUS: f64 = 1.2;

/// The learning rates at the end of a fit, as a fraction of those at its start.
pub const LR_FLOOR: f64 = 0.05;

/// The fit's architecture and schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct FitSpec {
    /// Rank of the generated W (0: full, JEDI-full).
    pub rank: usize,
    /// Context dimension d.
    pub context: usize,
    /// Width of both hidden layers.
    pub hidden: usize,
    /// Adam's learning rate for the hypernetwork.
    pub lr: f64,
    /// Adam's learning rate for the contexts.
    pub context_lr: f64,
    /// L2 weight decay of the contexts (keeps the embedding compact, so that a condition's
    /// mean context lies among its trials').
    pub context_decay: f64,
    /// Trials per minibatch.
    pub batch: usize,
    /// Passes over the training trials.
    pub epochs: usize,
    /// Neuron time constant of the generated networks, s.
    pub tau: f64,
    /// Seed of the initial weights, the held-out split and the minibatch order.
    pub seed: u64,
}

/// A fitted (or fitting) model: the hypernetwork and the training contexts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Model {
    /// Neurons N.
    pub neurons: usize,
    /// Rank R (0: full).
    pub rank: usize,
    /// Context dimension d.
    pub context: usize,
    /// Hidden width.
    pub hidden: usize,
    /// τ, s.
    pub tau: f64,
    /// Δt, s.
    pub dt: f64,
    /// The hypernetwork's parameters, then each training trial's context (d values each).
    pub params: Vec<f64>,
}

impl Model {
    /// A new model for `rec`'s neurons with `train` training trials.
    pub fn new(spec: &FitSpec, rec: &Recording, train: usize) -> Model {
        let mut m = Model {
            neurons: rec.neurons,
            rank: spec.rank,
            context: spec.context,
            hidden: spec.hidden,
            tau: spec.tau,
            dt: rec.dt,
            params: vec![],
        };
        m.params = m.mlp().init(spec.seed);
        m.init_output_bias(spec.seed);
        m.params.resize(m.params.len() + train * spec.context, 0.0);
        m
    }

    /// Sets the last layer's bias, the network every context starts from. Rank R: M ~ N(0, 1)
    /// and N_ = M Aᵀ with A a block rotation of radius [`INITIAL_RADIUS`] (2 × 2 blocks at
    /// random angles, a 1 × 1 block for odd R), so that N_ᵀ M / N ≈ A: W starts with R
    /// eigenvalues near a circle of that radius, oscillating and slightly unstable, not near
    /// zero (a network near zero only decays, and learning to oscillate from there is slow).
    /// Full: W = o/√N with o ~ N(0, 1), a circular law of radius 1.
    fn init_output_bias(&mut self, seed: u64) {
        let (_, b3) = self.mlp().offsets(2);
        let (n, rk) = (self.neurons, self.rank);
        let mut rng = Rng::new(seed, stream::JEDI_INIT + (1 << 8));
        let out = &mut self.params[b3..];
        rng.fill_normal(out, 0.0, 1.0);
        if rk == 0 {
            return;
        }
        let mut a = vec![0.0; rk * rk];
        let mut k = 0;
        while k < rk {
            if k + 1 < rk {
                let theta = std::f64::consts::PI * rng.uniform();
                let (s, c) = (libm::sin(theta), libm::cos(theta));
                a[k * rk + k] = c;
                a[k * rk + k + 1] = -s;
                a[(k + 1) * rk + k] = s;
                a[(k + 1) * rk + k + 1] = c;
                k += 2;
            } else {
                a[k * rk + k] = 1.0;
                k += 1;
            }
        }
        let (m, nn) = out.split_at_mut(n * rk);
        for i in 0..n {
            for r in 0..rk {
                let mut s = 0.0;
                for c in 0..rk {
                    s += m[i * rk + c] * a[r * rk + c];
                }
                nn[i * rk + r] = INITIAL_RADIUS * s;
            }
        }
    }

    /// The generated networks' shape.
    pub fn shape(&self) -> Shape {
        Shape { neurons: self.neurons, rank: self.rank, alpha: self.dt / self.tau }
    }

    /// The hypernetwork.
    pub fn mlp(&self) -> Mlp {
        Mlp { sizes: [self.context, self.hidden, self.hidden, self.shape().outputs()] }
    }

    /// The hypernetwork's parameters.
    pub fn theta(&self) -> &[f64] {
        &self.params[..self.mlp().len()]
    }

    /// Training context `k`.
    pub fn context_of(&self, k: usize) -> &[f64] {
        let start = self.mlp().len() + k * self.context;
        &self.params[start..start + self.context]
    }

    /// The number of training contexts.
    pub fn train_trials(&self) -> usize {
        (self.params.len() - self.mlp().len()) / self.context
    }

    /// The hypernetwork's output for context `e` (the generated network, by the layout of
    /// [`student`]).
    pub fn generate(&self, e: &[f64]) -> Vec<f64> {
        let mut acts = self.mlp().forward(self.theta(), e);
        std::mem::take(&mut acts.a[3])
    }

    /// W (N × N, row-major) generated by context `e`.
    pub fn weights(&self, e: &[f64]) -> Vec<f64> {
        self.shape().weights(&self.generate(e))
    }

    /// Rates (steps × N) of the network of context `e` from the first sample of `y`.
    pub fn rates(&self, e: &[f64], y: &[f64], steps: usize) -> Vec<f64> {
        let n = self.neurons;
        student::rates(&self.shape(), &self.generate(e), &student::initial_state(&y[..n]), steps)
    }
}

/// Which trials are held out: `fraction` of each condition's trials (at least one when the
/// fraction is positive and the condition has two or more), drawn by the seed. Returns (train,
/// test) trial indices, ascending.
pub fn split(rec: &Recording, fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed, stream::JEDI_SPLIT);
    let labels = rec.condition_index();
    let mut test = vec![];
    for c in 0..rec.condition_names().len() {
        let mut members: Vec<usize> = (0..rec.trials).filter(|&k| labels[k] == c).collect();
        let mut hold = (fraction * members.len() as f64).round() as usize;
        if fraction > 0.0 && members.len() >= 2 {
            hold = hold.max(1);
        }
        hold = hold.min(members.len().saturating_sub(1));
        for i in 0..hold {
            let j = i + rng.below((members.len() - i) as u64) as usize;
            members.swap(i, j);
        }
        test.extend_from_slice(&members[..hold]);
    }
    test.sort_unstable();
    let train = (0..rec.trials).filter(|k| test.binary_search(k).is_err()).collect();
    (train, test)
}

/// Training state between minibatches (kept in [`crate::train::store`] for pause and resume).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FitState {
    /// The model so far.
    pub model: Model,
    /// Adam over the hypernetwork's parameters.
    pub adam: Adam,
    /// Adam over the contexts (its own learning rate: each context moves once per epoch).
    pub adam_contexts: Adam,
    /// Epochs done.
    pub epoch: usize,
    /// Minibatches done in the running epoch.
    pub batch_in_epoch: usize,
    /// Sum of the running epoch's minibatch losses.
    pub running: f64,
    /// Mean minibatch loss of each finished epoch.
    pub losses: Vec<f64>,
}

impl FitState {
    /// A fresh fit of `rec`'s training trials `train`.
    pub fn new(spec: &FitSpec, rec: &Recording, train: usize) -> FitState {
        Self::of(spec, Model::new(spec, rec, train))
    }

    /// A fit of `model` at epoch 0, with fresh optimiser states (a restored model sets its
    /// epoch and losses).
    pub fn of(spec: &FitSpec, model: Model) -> FitState {
        let config = AdamConfig { lr: spec.lr, clip: 10.0, ..Default::default() };
        let hyper = model.mlp().len();
        let adam = Adam::new(config, hyper);
        let contexts = AdamConfig {
            lr: spec.context_lr,
            weight_decay: spec.context_decay,
            clip: f64::INFINITY,
            ..Default::default()
        };
        let adam_contexts = Adam::new(contexts, model.params.len() - hyper);
        FitState { model, adam, adam_contexts, epoch: 0, batch_in_epoch: 0, running: 0.0, losses: vec![] }
    }

    /// Whether every epoch is done.
    pub fn finished(&self, spec: &FitSpec) -> bool {
        self.epoch >= spec.epochs
    }

    /// Runs one minibatch; `train` are the training trials (their order fixes the contexts).
    pub fn step(&mut self, spec: &FitSpec, rec: &Recording, train: &[usize]) {
        let count = train.len();
        let batches = count.div_ceil(spec.batch.max(1));
        let order = epoch_order(count, spec.seed, self.epoch);
        let start = self.batch_in_epoch * spec.batch;
        let members: Vec<usize> = order[start..(start + spec.batch).min(count)].to_vec();
        let (loss, mut grad) = batch_gradient(&self.model, rec, train, &members);
        // The learning rates decay exponentially to LR_FLOOR of their start over the fit: at a
        // fixed rate the loss keeps spiking late in the fit (measured: final training R² from
        // 0.25 to 0.88 between runs that differ only in the epoch count).
        let progress = (self.epoch as f64 + self.batch_in_epoch as f64 / batches as f64) / spec.epochs.max(1) as f64;
        let factor = libm::pow(LR_FLOOR, progress);
        self.adam.config.lr = spec.lr * factor;
        self.adam_contexts.config.lr = spec.context_lr * factor;
        let hyper = self.model.mlp().len();
        let (theta, contexts) = self.model.params.split_at_mut(hyper);
        let (g_theta, g_contexts) = grad.split_at_mut(hyper);
        self.adam.step(theta, g_theta, None);
        self.adam_contexts.step(contexts, g_contexts, None);
        self.running += loss;
        self.batch_in_epoch += 1;
        if self.batch_in_epoch == batches {
            self.losses.push(self.running / batches as f64);
            self.running = 0.0;
            self.batch_in_epoch = 0;
            self.epoch += 1;
        }
    }
}

/// The order of the training contexts in epoch `epoch`: a seeded shuffle.
fn epoch_order(count: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut rng = Rng::new(seed, stream::JEDI_SPLIT + ((epoch as u64 + 1) << 8));
    let mut order: Vec<usize> = (0..count).collect();
    for i in 0..count.saturating_sub(1) {
        let j = i + rng.below((count - i) as u64) as usize;
        order.swap(i, j);
    }
    order
}

/// Mean squared error of the minibatch `members` (indices into `train`) and its gradient
/// with respect to all the model's parameters.
pub fn batch_gradient(model: &Model, rec: &Recording, train: &[usize], members: &[usize]) -> (f64, Vec<f64>) {
    let shape = model.shape();
    let mlp = model.mlp();
    let theta = model.theta();
    let n = rec.neurons;
    let scale = 1.0 / (members.len() * (rec.steps - 1) * n) as f64;
    let parts = crate::parallel::map(members, |&k| {
        let acts = mlp.forward(theta, model.context_of(k));
        let (loss, d_out) = student::gradient(&shape, &acts.a[3], rec.trial(train[k]), rec.steps, scale);
        (acts, loss, d_out)
    });
    let mut grad = vec![0.0; model.params.len()];
    let mut loss = 0.0;
    let d = model.context;
    let base = mlp.len();
    for (&k, (acts, l, d_out)) in members.iter().zip(&parts) {
        loss += l;
        let (g_theta, g_ctx) = grad.split_at_mut(base);
        let d_e = mlp.backward(theta, acts, d_out, Some(g_theta));
        g_ctx[k * d..(k + 1) * d].copy_from_slice(&d_e);
    }
    (loss, grad)
}

/// How a held-out trial's context is found.
#[derive(Clone, Debug, PartialEq)]
pub struct InferSpec {
    /// Adam steps refining the best start.
    pub steps: usize,
    /// Adam's learning rate.
    pub lr: f64,
    /// At most this many training contexts, evenly spaced, are tried as starts.
    pub candidates: usize,
}

/// The context of the recording `y` (steps × N) with the hypernetwork frozen: the training
/// context whose network fits `y` best, refined by Adam on the trial's loss. From zero, square
/// and step trials stay poorly fit (the prototype: held-out R² 0.45–0.75 from zero
/// against 0.93–0.95 from the best training context).
pub fn infer(model: &Model, y: &[f64], steps: usize, spec: &InferSpec) -> Vec<f64> {
    let shape = model.shape();
    let mlp = model.mlp();
    let theta = model.theta();
    let count = model.train_trials();
    let tried = spec.candidates.clamp(1, count.max(1));
    let mut best = vec![0.0; model.context];
    let mut best_loss = f64::INFINITY;
    for c in 0..tried.min(count) {
        let k = c * count / tried;
        let e = model.context_of(k);
        let l = student::loss(&shape, &model.generate(e), y, steps);
        if l < best_loss {
            best_loss = l;
            best = e.to_vec();
        }
    }
    let scale = 1.0 / ((steps - 1) * model.neurons) as f64;
    let mut adam = Adam::new(AdamConfig { lr: spec.lr, clip: 10.0, ..Default::default() }, model.context);
    let mut e = best;
    for _ in 0..spec.steps {
        let acts = mlp.forward(theta, &e);
        let (_, d_out) = student::gradient(&shape, &acts.a[3], y, steps, scale);
        let mut d_e = mlp.backward(theta, &acts, &d_out, None);
        adam.step(&mut e, &mut d_e, None);
    }
    e
}
