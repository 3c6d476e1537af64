//! The network families the spectral and chaos analyses draw from (SCIENCE §6–7): random
//! Gaussian connectivity, a low-rank structure on top of it, the rank-K truncation of a random
//! matrix (LCF M87), and the designed K-bit flip-flop.

use crate::design::FlipFlop;
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::params::{Choice, ParamError};
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};

/// Where a network's connectivity comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// W_ij ~ N(0, g²/N), zero diagonal (LCF M86).
    Random,
    /// A rank-K M Nᵀ with chosen outliers plus the random part of strength g.
    LowrankRandom,
    /// The rank-K truncated SVD of the random W, rescaled to W's Frobenius norm (LCF M87).
    Lowrank,
    /// The designed K-bit flip-flop, plus a random part of strength g when g > 0.
    Flipflop,
}

impl Source {
    /// Every source, in the order of [`Source::NAMES`].
    pub const ALL: [Source; 4] = [Source::Random, Source::LowrankRandom, Source::Lowrank, Source::Flipflop];
    /// The query word of each source.
    pub const NAMES: [&'static str; 4] = ["random", "lowrank_random", "lowrank", "flipflop"];

    /// Whether the network has a low-rank part whose latent dynamics have fixed points.
    pub fn has_latent(self) -> bool {
        matches!(self, Source::LowrankRandom | Source::Flipflop)
    }
}

impl Choice for Source {
    const ALL: &'static [Self] = &Source::ALL;
    const NAMES: &'static [&'static str] = &Source::NAMES;
    fn name(self) -> &'static str {
        Source::NAMES[self as usize]
    }
}

/// Largest N of the `lowrank` source: its SVD of the dense N × N matrix (nalgebra, chosen
/// for bit-identical weights natively and in wasm) takes about 4 s natively at N = 1000.
pub const MAX_LOWRANK_NEURONS: usize = 1000;

/// One member of a family: everything that fixes its weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ensemble {
    /// The family.
    pub source: Source,
    /// Neurons N.
    pub neurons: usize,
    /// Gain g of the random part (its entries have s.d. g/√N).
    pub g: f64,
    /// Rank K of the low-rank part (`lowrank_random`, `lowrank`).
    pub rank: usize,
    /// Bits K of the flip-flop.
    pub bits: usize,
    /// The largest outlier of `lowrank_random`; outlier k is `outlier`·(K − k)/K.
    pub outlier: f64,
    /// Neuron time constant τ, s.
    pub tau: f64,
    /// Euler step Δt, s.
    pub dt: f64,
    /// Seed of the weights.
    pub seed: u64,
}

impl Ensemble {
    /// The latent dimension K of the network's low-rank part (0 for `random`).
    pub fn rank(&self) -> usize {
        match self.source {
            Source::Random => 0,
            Source::LowrankRandom | Source::Lowrank => self.rank,
            Source::Flipflop => self.bits,
        }
    }

    /// Whether this member can be built: the error names the query key (`neurons`, `rank` or
    /// `bits`) and its limit.
    pub fn check(&self) -> Result<(), ParamError> {
        let n = self.neurons;
        if self.source == Source::Lowrank && n > MAX_LOWRANK_NEURONS {
            return Err(ParamError::new(
                "neurons",
                format!("must be at most {MAX_LOWRANK_NEURONS} for source=lowrank (its SVD is O(N³)), got {n}"),
            ));
        }
        if self.rank() > n {
            let key = if self.source == Source::Flipflop { "bits" } else { "rank" };
            return Err(ParamError::new(key, format!("must be at most neurons = {n}")));
        }
        Ok(())
    }

    /// The outliers `lowrank_random` is built to add: eig(E[NᵀM]) = `outlier`·(K − k)/K.
    pub fn designed_outliers(&self) -> Vec<f64> {
        let k = self.rank;
        (0..k).map(|i| self.outlier * (k - i) as f64 / k as f64).collect()
    }

    /// g·X/√N with X_ij ~ N(0, 1) and a zero diagonal, row-major. The same seed gives the same
    /// X at every g, so a sweep over g rescales one matrix.
    pub fn random_part(&self) -> Vec<f64> {
        let n = self.neurons;
        let mut w = vec![0.0; n * n];
        Rng::new(self.seed, stream::RANDOM_NETWORK).fill_normal(&mut w, 0.0, 1.0);
        let sd = self.g / (n as f64).sqrt();
        for (idx, x) in w.iter_mut().enumerate() {
            *x = if idx / n == idx % n { 0.0 } else { *x * sd };
        }
        w
    }

    /// Draws the network (no inputs, no bias, tanh).
    pub fn network(&self) -> Network {
        let n = self.neurons;
        let empty = |rank: usize| Network {
            neurons: n,
            rank,
            inputs: 0,
            tau: self.tau,
            dt: self.dt,
            phi: Phi::Tanh,
            embedding: vec![0.0; n * rank],
            encoding: vec![0.0; n * rank],
            input: vec![],
            bias: vec![0.0; n],
            random: None,
            model: crate::network::Model::Rate,
            readout: None,
        };
        match self.source {
            Source::Random => Network { random: Some(self.random_part()), ..empty(0) },
            Source::LowrankRandom => {
                let k = self.rank;
                let mut net = empty(k);
                let mut rng = Rng::new(self.seed, stream::DESIGN);
                let lambda = self.designed_outliers();
                // ñ^(k) = λ_k m^(k) + ξ^(k) with m, ξ ~ N(0, 1): E[NᵀM] = diag(λ) with n = ñ/N.
                for i in 0..n {
                    for (c, l) in lambda.iter().enumerate() {
                        let m = rng.normal();
                        let xi = rng.normal();
                        net.embedding[i * k + c] = m;
                        net.encoding[i * k + c] = (l * m + xi) / n as f64;
                    }
                }
                net.random = (self.g > 0.0).then(|| self.random_part());
                net
            }
            Source::Lowrank => self.truncated(),
            Source::Flipflop => {
                let design =
                    FlipFlop { tau: self.tau, dt: self.dt, tau_latent: self.tau, ..FlipFlop::standard(self.bits, n) };
                let mut net = design.network(self.seed);
                net.inputs = 0;
                net.input = vec![];
                net.random = (self.g > 0.0).then(|| self.random_part());
                net
            }
        }
    }

    /// LCF M87: W_K = c U_K S_K V_Kᵀ from the SVD of the random W, with c = ‖W‖_F / ‖W_K‖_F so
    /// that the entries keep W's overall strength: M = c U_K S_K, N = V_K.
    fn truncated(&self) -> Network {
        let (n, k) = (self.neurons, self.rank.min(self.neurons));
        let w = self.random_part();
        let svd = nalgebra::DMatrix::from_row_slice(n, n, &w).svd(true, true);
        let (u, vt) = (svd.u.expect("u requested"), svd.v_t.expect("v_t requested"));
        // nalgebra does not sort singular values; take the K largest, ties by index.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| svd.singular_values[b].total_cmp(&svd.singular_values[a]).then(a.cmp(&b)));
        let kept = &order[..k];
        let total: f64 = w.iter().map(|x| x * x).sum();
        let top: f64 = kept.iter().map(|&c| svd.singular_values[c] * svd.singular_values[c]).sum();
        let c = if top > 0.0 { (total / top).sqrt() } else { 0.0 };
        let mut embedding = vec![0.0; n * k];
        let mut encoding = vec![0.0; n * k];
        for i in 0..n {
            for (col, &s) in kept.iter().enumerate() {
                embedding[i * k + col] = c * u[(i, s)] * svd.singular_values[s];
                encoding[i * k + col] = vt[(s, i)];
            }
        }
        Network {
            neurons: n,
            rank: k,
            inputs: 0,
            tau: self.tau,
            dt: self.dt,
            phi: Phi::Tanh,
            embedding,
            encoding,
            input: vec![],
            bias: vec![0.0; n],
            random: None,
            model: crate::network::Model::Rate,
            readout: None,
        }
    }
}

/// The K × K matrix NᵀM of a network's low-rank part, row-major: its eigenvalues are the
/// outliers the low-rank part adds to the spectrum of W.
pub fn overlap_matrix(net: &Network) -> Vec<f64> {
    let k = net.rank;
    let mut a = vec![0.0; k * k];
    for i in 0..net.neurons {
        for r in 0..k {
            for c in 0..k {
                a[r * k + c] += net.n(i, r) * net.m(i, c);
            }
        }
    }
    a
}
