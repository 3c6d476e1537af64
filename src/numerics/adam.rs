//! Adam (Kingma & Ba 2015) as PyTorch's `torch.optim.Adam` computes it, with its L2 weight
//! decay added to the gradient, global-norm gradient clipping (`clip_grad_norm_`) and a
//! reduce-on-plateau learning-rate schedule (`ReduceLROnPlateau`, relative threshold). The
//! powers β^t are running products, not `powi`, so every step is the same arithmetic natively
//! and in wasm.

use serde::{Deserialize, Serialize};

/// Adam's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay of the first moment.
    pub beta1: f64,
    /// Decay of the second moment.
    pub beta2: f64,
    /// Added to √v̂ in the denominator.
    pub eps: f64,
    /// L2 weight decay: `weight_decay · θ` is added to the gradient.
    pub weight_decay: f64,
    /// Largest global gradient norm (∞: no clipping).
    pub clip: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, clip: f64::INFINITY }
    }
}

/// Adam's state: both moments, the step count and the running β powers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Adam {
    /// The settings; `lr` is changed by the plateau schedule.
    pub config: AdamConfig,
    /// First moment, one per parameter.
    pub m: Vec<f64>,
    /// Second moment, one per parameter.
    pub v: Vec<f64>,
    /// Steps taken.
    pub steps: u64,
    beta1_power: f64,
    beta2_power: f64,
}

impl Adam {
    /// Adam for `len` parameters.
    pub fn new(config: AdamConfig, len: usize) -> Self {
        Adam { config, m: vec![0.0; len], v: vec![0.0; len], steps: 0, beta1_power: 1.0, beta2_power: 1.0 }
    }

    /// One step: clips `grad` in place to the global norm `clip`, adds the weight decay, and
    /// moves `theta`. `trainable[i] == false` freezes parameter i (its moments stay 0). Returns
    /// the gradient norm before clipping.
    pub fn step(&mut self, theta: &mut [f64], grad: &mut [f64], trainable: Option<&[bool]>) -> f64 {
        let c = self.config.clone();
        let norm = clip_norm(grad, c.clip);
        self.steps += 1;
        self.beta1_power *= c.beta1;
        self.beta2_power *= c.beta2;
        let bc1 = 1.0 - self.beta1_power;
        let bc2 = 1.0 - self.beta2_power;
        let step = c.lr / bc1;
        let bc2_sqrt = bc2.sqrt();
        for i in 0..theta.len() {
            if trainable.is_some_and(|t| !t[i]) {
                continue;
            }
            let g = grad[i] + c.weight_decay * theta[i];
            self.m[i] = c.beta1 * self.m[i] + (1.0 - c.beta1) * g;
            self.v[i] = c.beta2 * self.v[i] + (1.0 - c.beta2) * g * g;
            let denom = self.v[i].sqrt() / bc2_sqrt + c.eps;
            theta[i] -= step * self.m[i] / denom;
        }
        norm
    }
}

/// Scales `grad` so that its Euclidean norm is at most `max` (no change when it is smaller or
/// `max` is infinite); returns the norm before scaling. Sums in index order.
pub fn clip_norm(grad: &mut [f64], max: f64) -> f64 {
    let mut s = 0.0;
    for g in grad.iter() {
        s += g * g;
    }
    let norm = s.sqrt();
    if max.is_finite() && norm > max {
        let scale = max / (norm + 1e-6);
        grad.iter_mut().for_each(|g| *g *= scale);
    }
    norm
}

/// Reduce-on-plateau: the learning rate is multiplied by `factor` once the loss has not
/// improved on its best by the relative `threshold` for more than `patience` epochs, and never
/// goes below `min_lr`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plateau {
    /// Multiplies the rate at a plateau.
    pub factor: f64,
    /// Epochs without improvement tolerated.
    pub patience: usize,
    /// Relative improvement that counts.
    pub threshold: f64,
    /// The rate is never reduced below this.
    pub min_lr: f64,
    /// The best loss so far.
    pub best: f64,
    /// Epochs since the best.
    pub bad_epochs: usize,
}

impl Plateau {
    /// A schedule with PyTorch's defaults except `patience`.
    pub fn new(patience: usize) -> Self {
        Plateau { factor: 0.5, patience, threshold: 1e-4, min_lr: 0.0, best: f64::INFINITY, bad_epochs: 0 }
    }

    /// Records an epoch's loss; returns the (possibly reduced) learning rate.
    pub fn update(&mut self, loss: f64, lr: f64) -> f64 {
        if loss < self.best * (1.0 - self.threshold) {
            self.best = loss;
            self.bad_epochs = 0;
            return lr;
        }
        self.bad_epochs += 1;
        if self.bad_epochs > self.patience {
            self.bad_epochs = 0;
            return (lr * self.factor).max(self.min_lr);
        }
        lr
    }
}
