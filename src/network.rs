//! The leaky firing-rate RNN (SCIENCE §1): τ dr/dt = −r + φ(M Nᵀ r + W_rand r + B u + b).
//!
//! Weights are stored neuron-major (row i holds neuron i's values), as in the network file.
//! A dense network is the special case rank 0 with a `random` (full) matrix.

use crate::nonlinearity::Phi;
use serde::{Deserialize, Serialize};

/// Which variable the Euler map steps: LCF's rates or JEDI's currents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// τ dr/dt = −r + φ(W r + B u + b): the state is the rates r (LCF).
    #[default]
    Rate,
    /// τ dx/dt = −x + W φ(x) + B u + b: the state is the currents x, the rates are φ(x) (JEDI).
    Current,
}

impl Model {
    /// The names in network files and queries.
    pub const NAMES: [&'static str; 2] = ["rate", "current"];
    /// The name used in network files.
    pub fn name(self) -> &'static str {
        match self {
            Model::Rate => "rate",
            Model::Current => "current",
        }
    }
}

/// A leaky firing-rate network: low-rank connectivity M Nᵀ, an optional dense part W_rand,
/// input weights B, bias b, the neuron time constant τ and the Euler step Δt.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// Number of neurons N.
    pub neurons: usize,
    /// Rank K of the low-rank part: the number of latent variables.
    pub rank: usize,
    /// Number of input channels I.
    pub inputs: usize,
    /// Neuron time constant τ, seconds.
    pub tau: f64,
    /// Euler step Δt, seconds.
    pub dt: f64,
    /// The nonlinearity φ.
    pub phi: Phi,
    /// M, N × K, neuron-major.
    pub embedding: Vec<f64>,
    /// Nᵀ's transpose, N × K, neuron-major; already carries the 1/N normalisation.
    pub encoding: Vec<f64>,
    /// B, N × I, neuron-major.
    pub input: Vec<f64>,
    /// Bias b, one value per neuron.
    pub bias: Vec<f64>,
    /// Optional dense part W_rand, N × N, row i = weights onto neuron i.
    pub random: Option<Vec<f64>>,
    /// Rate or current form.
    pub model: Model,
    /// A trained network's linear readout, outputs × N row-major: the task output is R r.
    pub readout: Option<Vec<f64>>,
}

impl Network {
    /// Bytes its weights hold.
    pub fn bytes(&self) -> f64 {
        let len = |v: &Vec<f64>| v.len() as f64;
        8.0 * (len(&self.embedding)
            + len(&self.encoding)
            + len(&self.input)
            + len(&self.bias)
            + self.random.as_ref().map_or(0.0, len)
            + self.readout.as_ref().map_or(0.0, len))
    }

    /// α = Δt/τ of the Euler step.
    pub fn alpha(&self) -> f64 {
        self.dt / self.tau
    }

    /// Embedding weight m_i^(k) of neuron `i` on latent `k`.
    pub fn m(&self, i: usize, k: usize) -> f64 {
        self.embedding[i * self.rank + k]
    }

    /// Encoding weight n_i^(k) of neuron `i` on latent `k` (with the 1/N already in it).
    pub fn n(&self, i: usize, k: usize) -> f64 {
        self.encoding[i * self.rank + k]
    }

    /// Checks shapes and values; every loader and constructor of untrusted data calls it.
    pub fn validate(&self) -> Result<(), String> {
        let (n, k, i) = (self.neurons, self.rank, self.inputs);
        if n == 0 {
            return Err("neurons must be at least 1".into());
        }
        if !(self.tau.is_finite() && self.tau > 0.0) {
            return Err(format!("tau must be a positive number of seconds, got {}", self.tau));
        }
        if !(self.dt.is_finite() && self.dt > 0.0 && self.dt <= self.tau) {
            return Err(format!("dt must be in (0, tau = {}], got {}", self.tau, self.dt));
        }
        let check = |name: &str, v: &[f64], len: usize| -> Result<(), String> {
            if v.len() != len {
                return Err(format!("{name} has {} values, expected {len}", v.len()));
            }
            if let Some(p) = v.iter().position(|x| !x.is_finite()) {
                return Err(format!("{name} value {p} is not a finite number"));
            }
            Ok(())
        };
        check("embedding", &self.embedding, n * k)?;
        check("encoding", &self.encoding, n * k)?;
        check("input", &self.input, n * i)?;
        check("bias", &self.bias, n)?;
        if let Some(w) = &self.random {
            check("random", w, n * n)?;
        }
        if let Some(r) = &self.readout {
            if r.is_empty() || r.len() % n != 0 {
                return Err(format!(
                    "readout has {} values, expected a whole number of rows of {n} (one per output)",
                    r.len()
                ));
            }
            check("readout", r, r.len())?;
        }
        Ok(())
    }

    /// Dense recurrent matrix W = M Nᵀ + W_rand (N × N, row-major). Only for analyses of
    /// small networks: simulation never forms it.
    pub fn dense_weights(&self) -> Vec<f64> {
        let n = self.neurons;
        let mut w = self.random.clone().unwrap_or_else(|| vec![0.0; n * n]);
        for i in 0..n {
            for j in 0..n {
                let mut s = 0.0;
                for k in 0..self.rank {
                    s += self.m(i, k) * self.n(j, k);
                }
                w[i * n + j] += s;
            }
        }
        w
    }

    /// The readout's outputs R r for each row of `rates` (rows of N, one per time step), flat
    /// (rows of `outputs()`); empty without a readout.
    pub fn read_out(&self, rates: &[f64]) -> Vec<f64> {
        self.readout.as_ref().map_or_else(Vec::new, |r| read_out(r, self.neurons, rates))
    }

    /// Number of readout outputs (0 without a readout).
    pub fn outputs(&self) -> usize {
        self.readout.as_ref().map_or(0, |r| r.len() / self.neurons)
    }

    /// Latent state z = Nᵀ r, in a fixed summation order (neuron order).
    pub fn encode(&self, rates: &[f64]) -> Vec<f64> {
        let mut z = vec![0.0; self.rank];
        for (i, r) in rates.iter().enumerate().take(self.neurons) {
            for (k, zk) in z.iter_mut().enumerate() {
                *zk += self.n(i, k) * r;
            }
        }
        z
    }

    /// Input current of neuron i from the low-rank part, inputs and bias (no W_rand): one
    /// neuron's term of `lowrank::LowRank::currents`, for a tuning curve, without laying out
    /// the whole network.
    #[inline]
    pub fn structured_current(&self, i: usize, z: &[f64], u: &[f64]) -> f64 {
        let mut c = self.bias[i];
        for (k, zk) in z.iter().enumerate() {
            c += self.m(i, k) * zk;
        }
        for (c_idx, uc) in u.iter().enumerate() {
            c += self.input[i * self.inputs + c_idx] * uc;
        }
        c
    }
}

/// `readout` (outputs × `neurons`, row-major) applied to each row of `rates` (rows of
/// `neurons`): the outputs of every row, flat, each a [`crate::lowrank::lane_dot`].
pub fn read_out(readout: &[f64], neurons: usize, rates: &[f64]) -> Vec<f64> {
    let outputs = readout.len() / neurons;
    rates
        .chunks(neurons)
        .flat_map(|row| readout.chunks(neurons).take(outputs).map(move |r| crate::lowrank::lane_dot(r, row)))
        .collect()
}
