//! The trainable leaky firing-rate RNN: its two forms (LCF's rate form and JEDI's current form),
//! dense or low-rank recurrent weights, and every trainable part laid out in one flat parameter
//! vector so that the optimiser, the gradient and a checkpoint are plain `Vec<f64>`s.
//!
//! Rate form:    r_{t+1} = (1 − α) r_t + α φ(W r_t + B u_t + b),   output y = R r
//! Current form: x_{t+1} = (1 − α) x_t + α (W φ(x_t) + B u_t + b), output y = R φ(x)
//!
//! with α = Δt/τ, and W = M Nᵀ / N_neurons for a low-rank model (the network file's encoding
//! carries that 1/N). Without a readout the output is the rates themselves (fitting activity).

use crate::network::{Model, Network};
use crate::nonlinearity::Phi;
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// The shape of a trainable network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// Rate or current form.
    pub model: Model,
    /// Neurons N.
    pub neurons: usize,
    /// Input channels I.
    pub inputs: usize,
    /// Outputs of the linear readout; `None`: the output is the rates (N values).
    pub outputs: Option<usize>,
    /// Rank K of W = M Nᵀ / N; `None`: a dense (full-rank) W.
    pub rank: Option<usize>,
    /// The nonlinearity φ.
    pub phi: Phi,
    /// Neuron time constant τ, s.
    pub tau: f64,
    /// Euler step Δt, s.
    pub dt: f64,
}

/// The trainable parts, each a range of the flat parameter vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Dense recurrent weights W, row-major (row i: weights onto neuron i).
    Recurrent,
    /// Embedding M, column-major (K columns of N).
    Embedding,
    /// Encoding N (without the 1/N), column-major.
    Encoding,
    /// Input weights B, column-major (I columns of N).
    Input,
    /// Bias b.
    Bias,
    /// Readout R, row-major (one row of N per output).
    Readout,
    /// Initial state r_0 (rate form) or x_0 (current form).
    Initial,
}

impl Part {
    /// Every part, in the order of the parameter vector.
    pub const ALL: [Part; 7] =
        [Part::Recurrent, Part::Embedding, Part::Encoding, Part::Input, Part::Bias, Part::Readout, Part::Initial];
}

/// Where each part lies in the parameter vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    ranges: [Range<usize>; 7],
}

impl Layout {
    /// The layout of `arch`; parts it does not have are empty ranges.
    pub fn new(arch: &Architecture) -> Self {
        let n = arch.neurons;
        let k = arch.rank.unwrap_or(0);
        let sizes = [
            if arch.rank.is_none() { n * n } else { 0 },
            n * k,
            n * k,
            n * arch.inputs,
            n,
            arch.outputs.unwrap_or(0) * n,
            n,
        ];
        let mut start = 0;
        let ranges = sizes.map(|s| {
            let r = start..start + s;
            start += s;
            r
        });
        Layout { ranges }
    }
    /// The range of `part`.
    pub fn range(&self, part: Part) -> Range<usize> {
        self.ranges[part as usize].clone()
    }
    /// Length of the parameter vector.
    pub fn len(&self) -> usize {
        self.ranges[6].end
    }
    /// Whether there are no parameters (never, for a valid architecture).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A trainable network: its architecture and parameter vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainModel {
    /// The shape.
    pub arch: Architecture,
    /// Where each part lies in `theta`.
    pub layout: Layout,
    /// Every parameter.
    pub theta: Vec<f64>,
}

impl TrainModel {
    /// A model of `arch` initialised from `seed`: Xavier-uniform W, B and R
    /// (U(±√(6/(fan_in + fan_out))), PyTorch's `xavier_uniform_`), standard normal M and N for
    /// a low-rank W = M Nᵀ/N (Valente et al. 2022), zero bias and initial state.
    pub fn new(arch: Architecture, seed: u64) -> Self {
        let layout = Layout::new(&arch);
        let mut theta = vec![0.0; layout.len()];
        let mut rng = Rng::new(seed, stream::TRAIN_INIT);
        let n = arch.neurons;
        let mut xavier = |v: &mut [f64], fan_in: usize, fan_out: usize| {
            let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
            v.iter_mut().for_each(|x| *x = a * (2.0 * rng.uniform() - 1.0));
        };
        xavier(&mut theta[layout.range(Part::Recurrent)], n, n);
        xavier(&mut theta[layout.range(Part::Input)], arch.inputs, n);
        if let Some(o) = arch.outputs {
            xavier(&mut theta[layout.range(Part::Readout)], n, o);
        }
        let lr = layout.range(Part::Embedding).start..layout.range(Part::Encoding).end;
        rng.fill_normal(&mut theta[lr], 0.0, 1.0);
        TrainModel { arch, layout, theta }
    }

    /// The values of `part`.
    pub fn part(&self, part: Part) -> &[f64] {
        &self.theta[self.layout.range(part)]
    }
    /// The values of `part`, mutable.
    pub fn part_mut(&mut self, part: Part) -> &mut [f64] {
        let r = self.layout.range(part);
        &mut self.theta[r]
    }

    /// The model as a [`Network`] (neuron-major; encoding with the 1/N; W dense as `random`).
    pub fn network(&self) -> Network {
        let a = &self.arch;
        let (n, k, i) = (a.neurons, a.rank.unwrap_or(0), a.inputs);
        let neuron_major = |cols: &[f64], width: usize, scale: f64| -> Vec<f64> {
            let mut out = vec![0.0; n * width];
            for c in 0..width {
                for j in 0..n {
                    out[j * width + c] = cols[c * n + j] * scale;
                }
            }
            out
        };
        Network {
            neurons: n,
            rank: k,
            inputs: i,
            tau: a.tau,
            dt: a.dt,
            phi: a.phi,
            model: a.model,
            embedding: neuron_major(self.part(Part::Embedding), k, 1.0),
            encoding: neuron_major(self.part(Part::Encoding), k, 1.0 / n as f64),
            input: neuron_major(self.part(Part::Input), i, 1.0),
            bias: self.part(Part::Bias).to_vec(),
            random: a.rank.is_none().then(|| self.part(Part::Recurrent).to_vec()),
            readout: a.outputs.map(|_| self.part(Part::Readout).to_vec()),
        }
    }
}
