//! Representational drift (SCIENCE §5, LCF Fig. 4, Theorem 4): embedding weights change,
//! M ← M + ΔM, encoding weights stay. ΔM is random, or projected onto the orthogonal
//! complement of span{n^(1..K)} or onto that span, then rescaled to the random draw's
//! standard deviation.

use crate::network::Network;
use crate::params::Choice;
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftKind {
    Random,
    Orthogonal,
    Tangential,
}

impl DriftKind {
    pub const ALL: [DriftKind; 3] = [DriftKind::Random, DriftKind::Orthogonal, DriftKind::Tangential];
    pub const NAMES: [&'static str; 3] = ["random", "orthogonal", "tangential"];

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

/// Orthonormal basis of span{n^(1..K)} (columns, each of length N), by modified Gram–Schmidt
/// run twice, which keeps it orthogonal to machine precision.
pub fn encoding_basis(net: &Network) -> Vec<Vec<f64>> {
    let (n, k) = (net.neurons, net.rank);
    let mut basis: Vec<Vec<f64>> = vec![];
    for c in 0..k {
        let mut v: Vec<f64> = (0..n).map(|i| net.n(i, c)).collect();
        for _ in 0..2 {
            for q in &basis {
                let d: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(q).for_each(|(a, b)| *a -= d * b);
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm > 1e-300 {
            v.iter_mut().for_each(|a| *a /= norm);
            basis.push(v);
        }
    }
    basis
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
        let mut inside = vec![0.0; n];
        for q in &basis {
            let dot: f64 = col.iter().zip(q).map(|(a, b)| a * b).sum();
            inside.iter_mut().zip(q).for_each(|(a, b)| *a += dot * b);
        }
        for i in 0..n {
            out[i * k + c] = match kind {
                DriftKind::Tangential => inside[i],
                _ => col[i] - inside[i],
            };
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
    let (lo_b, hi_b) = (lo - 2.0, hi + 2.0);
    let loss = |c: f64, s: f64| -> f64 {
        xs.iter()
            .zip(accuracy)
            .map(|(x, y)| {
                let p = chance + (1.0 - chance) / (1.0 + libm::exp(s * (x - c)));
                (p - y) * (p - y)
            })
            .sum()
    };
    let (mut best_c, mut best_s, mut best) = (0.5 * (lo + hi), 2.0, f64::INFINITY);
    for i in 0..=120 {
        let c = lo_b + (hi_b - lo_b) * i as f64 / 120.0;
        for j in 0..=40 {
            let s = 0.25 * (0..j).fold(1.0, |a: f64, _| a * 1.1);
            let l = loss(c, s);
            if l < best {
                (best, best_c, best_s) = (l, c, s);
            }
        }
    }
    let (mut dc, mut ds) = ((hi_b - lo_b) / 120.0, best_s * 0.1);
    for _ in 0..200 {
        let mut improved = false;
        for (c, s) in
            [(best_c + dc, best_s), (best_c - dc, best_s), (best_c, best_s + ds), (best_c, (best_s - ds).max(1e-3))]
        {
            let c = c.clamp(lo_b, hi_b);
            let l = loss(c, s);
            if l < best {
                (best, best_c, best_s, improved) = (l, c, s, true);
            }
        }
        if !improved {
            dc *= 0.5;
            ds *= 0.5;
            if dc < 1e-10 {
                break;
            }
        }
    }
    let censored = if best_c > hi {
        Some(Censored::Above)
    } else if best_c < lo {
        Some(Censored::Below)
    } else {
        None
    };
    SigmoidFit { midpoint: libm::exp(best_c), slope: best_s, censored, rms: (best / xs.len().max(1) as f64).sqrt() }
}
