//! Representational drift (SCIENCE §5, LCF Fig. 4, Theorem 4): embedding weights change,
//! M ← M + ΔM, encoding weights stay. ΔM is random, or projected onto the orthogonal
//! complement of span{n^(1..K)} or onto that span, then rescaled to the random draw's
//! standard deviation.

use crate::network::Network;
use crate::numerics::{fit, grid, orthogonal, sigmoid};
use crate::params::Choice;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// How ΔM is drawn relative to the encoding subspace span{n^(k)}.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftKind {
    /// Isotropic Gaussian.
    Random,
    /// Projected off span{n^(k)}: the latent dynamics are untouched in the limit.
    Orthogonal,
    /// Projected onto span{n^(k)}: it moves the LPU itself.
    Tangential,
}

impl DriftKind {
    /// Every kind, in the order of [`DriftKind::NAMES`].
    pub const ALL: [DriftKind; 3] = [DriftKind::Random, DriftKind::Orthogonal, DriftKind::Tangential];
    /// The query word of each kind.
    pub const NAMES: [&'static str; 3] = ["random", "orthogonal", "tangential"];

    /// The query word of this kind.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl Choice for DriftKind {
    const ALL: &'static [Self] = &DriftKind::ALL;
    const NAMES: &'static [&'static str] = &DriftKind::NAMES;
    fn name(self) -> &'static str {
        DriftKind::name(self)
    }
}

/// Orthonormal basis of span{n^(1..K)} (columns, each of length N), by Gram–Schmidt run twice,
/// which keeps it orthogonal to machine precision.
pub fn encoding_basis(net: &Network) -> Vec<Vec<f64>> {
    let (n, k) = (net.neurons, net.rank);
    orthogonal::gram_schmidt((0..k).map(|c| (0..n).map(|i| net.n(i, c)).collect()))
}

/// Population standard deviation of all entries (the scale drifts are matched on).
pub fn sd(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64).sqrt()
}

/// ΔM (N × K, row-major like the network's embedding) of the given kind and strength σ.
pub fn delta(net: &Network, kind: DriftKind, sigma: f64, rng: &mut Rng) -> Vec<f64> {
    let (n, k) = (net.neurons, net.rank);
    let mut d = vec![0.0; n * k];
    rng.fill_normal(&mut d, 0.0, sigma);
    if kind == DriftKind::Random || sigma == 0.0 {
        return d;
    }
    let before = sd(&d);
    let basis = encoding_basis(net);
    let mut out = vec![0.0; n * k];
    for c in 0..k {
        let col: Vec<f64> = (0..n).map(|i| d[i * k + c]).collect();
        let moved = match kind {
            DriftKind::Tangential => orthogonal::project_onto(&basis, &col),
            _ => orthogonal::project_off(&basis, &col),
        };
        for i in 0..n {
            out[i * k + c] = moved[i];
        }
    }
    let after = sd(&out);
    if after > 0.0 {
        out.iter_mut().for_each(|x| *x *= before / after);
    }
    out
}

/// The network with its embedding moved by ΔM (encoding and input weights stay).
pub fn apply(net: &Network, delta: &[f64]) -> Network {
    let mut out = net.clone();
    out.embedding.iter_mut().zip(delta).for_each(|(m, d)| *m += d);
    out
}

/// Coding group of each neuron: the latent dimension of its largest |m_ik| with its sign
/// (±(k+1)), or 0 when every |m_ik| is below the threshold.
pub fn coding_groups(net: &Network, threshold: f64) -> Vec<i32> {
    let k = net.rank;
    (0..net.neurons)
        .map(|i| {
            let row = &net.embedding[i * k..(i + 1) * k];
            let (best, &m) = row.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap_or((0, &0.0));
            if m.abs() < threshold {
                0
            } else if m > 0.0 {
                best as i32 + 1
            } else {
                -(best as i32 + 1)
            }
        })
        .collect()
}

/// Fraction of neurons whose coding group is the same in both networks.
pub fn fraction_keeping_coding(before: &Network, after: &Network, threshold: f64) -> f64 {
    let (a, b) = (coding_groups(before, threshold), coding_groups(after, threshold));
    a.iter().zip(&b).filter(|(x, y)| x == y).count() as f64 / a.len().max(1) as f64
}

/// Accuracy against log σ: a + (1 − a) / (1 + exp(s·(ln σ − ln σ*))), with a = chance.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SigmoidFit {
    /// σ*, the tolerable drift (where the sigmoid term halves).
    pub midpoint: f64,
    /// Steepness s of the sigmoid against ln σ.
    pub slope: f64,
    /// "above" or "below" when σ* lies outside the swept range (it is then a bound), else null.
    pub censored: Option<Censored>,
    /// Root-mean-square residual of the fit.
    pub rms: f64,
}

/// Which side of the swept range a censored σ* lies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Censored {
    /// σ* is above the largest σ swept (a lower bound).
    Above,
    /// σ* is below the smallest σ swept (an upper bound).
    Below,
}

/// Least-squares sigmoid fit between 1 and `chance` of accuracy against ln σ: a grid over
/// (ln σ*, slope) refined by shrinking pattern search. Deterministic.
pub fn fit_sigmoid(sigmas: &[f64], accuracy: &[f64], chance: f64) -> SigmoidFit {
    let xs: Vec<f64> = sigmas.iter().map(|&s| libm::log(s)).collect();
    let (lo, hi) =
        (xs.iter().cloned().fold(f64::INFINITY, f64::min), xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max));
    // σ* is searched up to two e-folds beyond the swept range, where it is reported as a bound.
    let (lo_b, hi_b) = (lo - 2.0, hi + 2.0);
    let midpoint = fit::Axis {
        grid: grid::linspace(lo_b, hi_b, 121),
        lower: lo_b,
        upper: hi_b,
        step: fit::Step::Absolute((hi_b - lo_b) / 120.0),
        min_step: 1e-10,
        fallback: 0.5 * (lo + hi),
    };
    // Slopes 0.25 … 0.25·1.1⁴⁰ ≈ 11; the pattern search stops on the midpoint's step alone.
    let slope = fit::Axis {
        grid: grid::powers(0.25, 1.1, 41),
        lower: 1e-3,
        upper: f64::INFINITY,
        step: fit::Step::Relative(0.1),
        min_step: 0.0,
        fallback: 2.0,
    };
    let best = fit::least_squares(
        |x, p| sigmoid::logistic_step(x, p[0], p[1], 1.0, chance),
        &xs,
        accuracy,
        &[midpoint, slope],
    );
    let (best_c, best_s) = (best.params[0], best.params[1]);
    let censored = if best_c > hi {
        Some(Censored::Above)
    } else if best_c < lo {
        Some(Censored::Below)
    } else {
        None
    };
    SigmoidFit {
        midpoint: libm::exp(best_c),
        slope: best_s,
        censored,
        rms: (best.loss / xs.len().max(1) as f64).sqrt(),
    }
}
