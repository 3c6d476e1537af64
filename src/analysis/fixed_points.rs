//! Latent fixed points: minimise q(z) = ½‖τF(z)‖² from many starts (Sussillo & Barak 2013)
//! with Levenberg–Marquardt, which ends in Newton steps, then deduplicate and classify by the
//! eigenvalues of the latent Jacobian. For K = 1 the roots are found exactly instead: sign
//! changes of F on a fine grid, then bisection.

use super::flow::Lpu;
use crate::numerics::{eig, grid, roots, solve};
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};

/// How a fixed point attracts or repels, from the real parts of its Jacobian eigenvalues.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Every eigenvalue has a negative real part: an attractor.
    Stable,
    /// Some eigenvalues have positive real parts, some negative.
    Saddle,
    /// Every eigenvalue has a positive real part: a repeller.
    Unstable,
}

/// A fixed point of the latent flow, F(z) = 0, with its stability.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct FixedPoint {
    /// Its position in latent space (K values).
    pub z: Vec<f64>,
    /// Stable, saddle or unstable.
    pub kind: Kind,
    /// Number of eigenvalues with positive real part.
    pub unstable_dims: usize,
    /// Eigenvalues of the latent Jacobian as [re, im], in 1/s, decreasing real part.
    pub eigenvalues: Vec<[f64; 2]>,
}

/// Where and how hard [`find`] looks for fixed points.
pub struct SearchOptions {
    /// Starts are drawn inside [−extent, extent]^K.
    pub extent: f64,
    /// Extra starts (e.g. points of a trajectory).
    pub extra_starts: Vec<Vec<f64>>,
    /// Starts drawn uniformly inside the window, in addition to the grid.
    pub random_starts: usize,
    /// Seed of the random starts.
    pub seed: u64,
    /// Largest number of grid starts; the grid is 5 points per axis while it fits, else 3.
    pub max_grid: usize,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions { extent: 1.5, extra_starts: vec![], random_starts: 32, seed: 0, max_grid: 4096 }
    }
}

/// Residual below which a point counts as fixed (‖τF‖), and distance within which two are one.
const RESIDUAL_TOL: f64 = 1e-9;
const DEDUP_TOL: f64 = 1e-6;

/// The fixed point at `z` under input `u`, classified by the eigenvalues of the latent Jacobian there.
pub fn classify(lpu: &Lpu, z: &[f64], u: &[f64]) -> FixedPoint {
    let k = lpu.rank;
    let j = lpu.jacobian(z, u);
    let ev = eig::eigenvalues_closed_form(&j, k);
    let unstable_dims = ev.iter().filter(|e| e.0 > 0.0).count();
    let kind = match unstable_dims {
        0 => Kind::Stable,
        d if d == k => Kind::Unstable,
        _ => Kind::Saddle,
    };
    FixedPoint { z: z.to_vec(), kind, unstable_dims, eigenvalues: ev.iter().map(|e| [e.0, e.1]).collect() }
}

/// Every distinct fixed point found under constant input `u`, classified (exact roots for K = 1).
pub fn find(lpu: &Lpu, u: &[f64], opts: &SearchOptions) -> Vec<FixedPoint> {
    let k = lpu.rank;
    if k == 0 {
        return vec![];
    }
    let mut roots: Vec<Vec<f64>> = if k == 1 {
        roots_1d(lpu, u, -2.0 * opts.extent, 2.0 * opts.extent, 801)
    } else {
        let starts = starts(k, opts);
        // Blocks of starts, so that a cancelled run stops within one block.
        let found = crate::parallel::map_cancellable(&starts, 64, |z0| levenberg_marquardt(lpu, u, z0));
        found.into_iter().flatten().collect()
    };
    let mut unique: Vec<Vec<f64>> = vec![];
    roots.sort_by(|a, b| {
        a.iter().zip(b).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
    });
    for r in roots {
        if !unique.iter().any(|q| dist(q, &r) < DEDUP_TOL * (1.0 + norm(q))) {
            unique.push(r);
        }
    }
    // + 0.0 turns −0.0 into 0.0 so that equal points print alike.
    unique.iter().map(|z| classify(lpu, &z.iter().map(|x| x + 0.0).collect::<Vec<_>>(), u)).collect()
}

fn starts(k: usize, opts: &SearchOptions) -> Vec<Vec<f64>> {
    let per_axis: usize = if 5usize.checked_pow(k as u32).is_some_and(|g| g <= opts.max_grid) { 5 } else { 3 };
    let levels: Vec<f64> = if per_axis == 5 { vec![-1.0, -0.45, 0.0, 0.45, 1.0] } else { vec![-0.8, 0.0, 0.8] };
    let total = per_axis.pow(k as u32).min(opts.max_grid);
    let mut out: Vec<Vec<f64>> = (0..total)
        .map(|mut idx| {
            (0..k)
                .map(|_| {
                    let l = levels[idx % per_axis];
                    idx /= per_axis;
                    l * opts.extent
                })
                .collect()
        })
        .collect();
    let mut rng = Rng::new(opts.seed, stream::FIXED_POINT_STARTS);
    for _ in 0..opts.random_starts {
        out.push((0..k).map(|_| (2.0 * rng.uniform() - 1.0) * opts.extent).collect());
    }
    out.extend(opts.extra_starts.iter().filter(|s| s.len() == k).cloned());
    out
}

fn norm(a: &[f64]) -> f64 {
    a.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// Minimises ½‖G(z)‖², G = τF, by Levenberg–Marquardt; returns z if G(z) ≈ 0.
fn levenberg_marquardt(lpu: &Lpu, u: &[f64], z0: &[f64]) -> Option<Vec<f64>> {
    let k = z0.len();
    let mut z = z0.to_vec();
    // Each point's φ′ is kept with its flow, so that J where a trial is accepted costs no new
    // pass over the currents; J and G are bit for bit those of `scaled_jacobian` and `scaled_flow`.
    let (mut slopes, mut trial_slopes) = (vec![0.0; lpu.neurons()], vec![0.0; lpu.neurons()]);
    let mut g = lpu.scaled_flow_keeping_slopes(&z, u, &mut slopes);
    let mut cost = norm(&g);
    let mut mu = 1e-3;
    for _ in 0..200 {
        if cost < RESIDUAL_TOL * 1e-3 {
            break;
        }
        let j = lpu.scaled_jacobian_from_slopes(&slopes);
        // (JᵀJ + μ I) δ = −Jᵀ G
        let mut a = vec![0.0; k * k];
        let mut rhs = vec![0.0; k];
        for p in 0..k {
            for q in 0..k {
                a[p * k + q] = (0..k).map(|r| j[r * k + p] * j[r * k + q]).sum();
            }
            rhs[p] = -(0..k).map(|r| j[r * k + p] * g[r]).sum::<f64>();
        }
        let mut improved = false;
        for _ in 0..30 {
            let mut damped = a.clone();
            for p in 0..k {
                damped[p * k + p] += mu * (1.0 + a[p * k + p]);
            }
            let Some(delta) = solve::solve(&damped, &rhs, k) else {
                mu *= 10.0;
                continue;
            };
            let trial: Vec<f64> = z.iter().zip(&delta).map(|(a, b)| a + b).collect();
            let g_trial = lpu.scaled_flow_keeping_slopes(&trial, u, &mut trial_slopes);
            let c_trial = norm(&g_trial);
            if c_trial < cost {
                let step = norm(&delta);
                z = trial;
                g = g_trial;
                std::mem::swap(&mut slopes, &mut trial_slopes);
                cost = c_trial;
                mu = (mu / 10.0).max(1e-15);
                improved = step > 1e-15 * (1.0 + norm(&z));
                break;
            }
            mu *= 10.0;
        }
        if !improved {
            break;
        }
    }
    (cost < RESIDUAL_TOL && z.iter().all(|x| x.is_finite())).then_some(z)
}

/// All roots of the 1-D flow in [lo, hi]: grid sign changes refined by bisection.
pub fn roots_1d(lpu: &Lpu, u: &[f64], lo: f64, hi: f64, points: usize) -> Vec<Vec<f64>> {
    let g = |z: f64| lpu.scaled_flow(&[z], u)[0];
    let zs = grid::linspace(lo, hi, points);
    let gs = crate::parallel::map(&zs, |&z| g(z));
    roots_from_samples(g, &zs, &gs)
}

/// Roots of g from its samples gs at increasing zs: exact zeros, and sign changes refined by
/// bisection to the last representable bit.
pub fn roots_from_samples(g: impl Fn(f64) -> f64, zs: &[f64], gs: &[f64]) -> Vec<Vec<f64>> {
    roots::sign_change_roots(g, zs, gs).into_iter().map(|z| vec![z]).collect()
}
