//! A training gradient as a job for a compute backend: [`GradJob`] holds one minibatch and a
//! model's parameters in plain arrays, so that the GPU backend (a layer below training) can
//! compute what `train::bptt::loss_and_gradient` computes on the CPU; and [`Loss`], the loss
//! both evaluate.

use crate::network::Model;
use crate::nonlinearity::Phi;
use serde::{Deserialize, Serialize};

/// The loss on each scored output value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Loss {
    /// (y − target)².
    Mse,
    /// Binary cross-entropy of p = (1 + y)/2 against q = (1 + target)/2, for outputs and
    /// targets in (−1, 1) such as tanh rates (p is clamped to [1e-12, 1 − 1e-12]). Its value is
    /// given less the entropy of q (which no parameter changes), so it is the Kullback–Leibler
    /// divergence KL(q‖p) ≥ 0, which is 0 at a perfect fit; the gradient is the cross-entropy's.
    Logistic,
}

impl Loss {
    /// ℓ(y, target) and dℓ/dy.
    #[inline]
    pub fn value_and_slope(self, y: f64, target: f64) -> (f64, f64) {
        match self {
            Loss::Mse => {
                let d = y - target;
                (d * d, 2.0 * d)
            }
            Loss::Logistic => {
                const EPS: f64 = 1e-12;
                let raw = 0.5 * (1.0 + y);
                let p = raw.clamp(EPS, 1.0 - EPS);
                let q = 0.5 * (1.0 + target);
                let term = |a: f64, b: f64| if a > 0.0 { a * libm::log(a / b) } else { 0.0 };
                let value = term(q, p) + term(1.0 - q, 1.0 - p);
                let slope = if raw == p { 0.5 * ((1.0 - q) / (1.0 - p) - q / p) } else { 0.0 };
                (value, slope)
            }
        }
    }
}

/// One minibatch's loss and gradient, asked of a backend.
///
/// The model is `x_{t+1} = (1 − α) x_t + α φ(W x_t + B u_t + b)` (rate form) or
/// `x_{t+1} = (1 − α) x_t + α (W φ(x_t) + B u_t + b)` (current form), W dense or M Nᵀ / N, with
/// the output R h (or h itself without a readout) after every step. `theta` holds the parts in
/// the order and column layout of `train::model::Layout`: W (N², row-major; dense only),
/// M and N (K columns of N each; low rank only), B (I columns of N), the bias (N), R (one row of
/// N per output), the initial state (N).
#[derive(Clone, Copy)]
pub struct GradJob<'a> {
    /// Rate or current form.
    pub model: Model,
    /// The nonlinearity.
    pub phi: Phi,
    /// Neurons N.
    pub neurons: usize,
    /// Rank K of a low-rank W; `None`: dense.
    pub rank: Option<usize>,
    /// Input channels I.
    pub inputs: usize,
    /// Outputs of the readout; `None`: the output is the state's h (N values).
    pub outputs: Option<usize>,
    /// Δt / τ.
    pub alpha: f64,
    /// Every parameter (see above).
    pub theta: &'a [f64],
    /// The loss on each scored output.
    pub loss: Loss,
    /// Euler steps per trial T.
    pub steps: usize,
    /// Per trial, T × I inputs.
    pub trial_inputs: &'a [Vec<f64>],
    /// Per trial, T × O targets.
    pub targets: &'a [Vec<f64>],
    /// Per trial, T × O weights (0: not scored).
    pub mask: &'a [Vec<f64>],
    /// Per trial, T × N noise added to the state after each step; empty for none.
    pub noise: &'a [Vec<f64>],
}

impl GradJob<'_> {
    /// Outputs per step: the readout's, or N.
    pub fn output_count(&self) -> usize {
        self.outputs.unwrap_or(self.neurons)
    }

    /// Multiply-adds of the recurrent products per step of the whole batch (forward W h,
    /// backward Wᵀδ and ∂L/∂W): what decides whether a GPU pays.
    pub fn work_per_step(&self) -> f64 {
        work_per_step(self.neurons, self.rank, self.trial_inputs.len())
    }

    /// The sum of every mask weight (the loss is the weighted mean), at least the smallest
    /// positive float.
    pub fn weight(&self) -> f64 {
        self.mask.iter().map(|v| v.iter().sum::<f64>()).sum::<f64>().max(f64::MIN_POSITIVE)
    }
}

/// Multiply-adds of the recurrent products per step of a batch of `trials` (forward W h,
/// backward Wᵀδ and ∂L/∂W: 3 N² per trial for a dense W, 6 N K for rank K).
pub fn work_per_step(neurons: usize, rank: Option<usize>, trials: usize) -> f64 {
    let n = neurons as f64;
    let per_trial = match rank {
        None => 3.0 * n * n,
        Some(k) => 6.0 * n * k as f64,
    };
    per_trial * trials as f64
}
