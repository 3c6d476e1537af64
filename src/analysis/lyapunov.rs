//! Lyapunov exponents of an autonomous network by the QR method (SCIENCE §7; Engelken & Wolf
//! 2023; JEDI A.4), with the two-trajectory estimate of the largest one beside it.
//!
//! The map is the Euler step r ← (1 − α) r + α φ(W r), W = M Nᵀ + W_rand, and its Jacobian
//! D_t = (1 − α) I + α diag(φ′(W r_t)) W. An orthonormal set Q evolves as Q ← D_t Q and is
//! re-orthonormalised every `reorth` steps; λ_i = Σ log R_ii / t. All products with W go
//! through [`crate::dense::Packed::product`] and a fixed-order low-rank product, so the numbers are
//! bit-identical natively and in wasm. The trajectory steps as the simulator does, a rate below
//! 2⁻⁴⁰⁰ set to 0 ([`at_rest`]), so a network decaying to rest does not spend the run in
//! subnormal numbers (several times slower on Intel CPUs); the nearby trajectory and the
//! tangent vectors are renormalised and step as they are.

use crate::lowrank::LowRank;
use crate::network::Network;
use crate::numerics::qr::qr_rows;
use crate::rng::{stream, Rng};
use crate::simulate::at_rest;

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Exponents wanted (tangent vectors evolved), at most N.
    pub exponents: usize,
    /// Steps run before any exponent is measured: the first half settles the trajectory, the
    /// second aligns the tangent vectors and the nearby trajectory.
    pub warmup: usize,
    /// Steps measured.
    pub steps: usize,
    /// Steps between re-orthonormalisations (and renormalisations of the nearby trajectory).
    pub reorth: usize,
    /// S.d. of the initial rates, drawn N(0, s²).
    pub initial_sd: f64,
    /// Seed of the initial rates, tangent vectors and nearby trajectory.
    pub seed: u64,
    /// Record the rates every this many measured steps (0: record none).
    pub record_every: usize,
    /// Running estimates of λ_max kept for the convergence curve (at most).
    pub convergence_points: usize,
}

/// What a run gives.
#[derive(Clone, Debug, Default)]
pub struct Spectrum {
    /// λ_1 ≥ λ_2 ≥ … in 1/s.
    pub exponents: Vec<f64>,
    /// λ_max from two trajectories 1e-8 apart, renormalised every `reorth` steps, 1/s.
    pub brute_force: f64,
    /// Time since the end of the warm-up of each running estimate, s.
    pub time: Vec<f64>,
    /// The QR method's running λ_max at those times, 1/s.
    pub running: Vec<f64>,
    /// The two-trajectory running λ_max at those times, 1/s.
    pub running_brute_force: Vec<f64>,
    /// Rates every `record_every` measured steps, one row of N per sample.
    pub rates: Vec<Vec<f64>>,
    /// Measured steps done (fewer than asked only when cancelled).
    pub steps_done: usize,
}

const SEPARATION: f64 = 1e-8;

/// The network's recurrent products W x for a batch of row vectors: W_rand by the blocked
/// dense product, M Nᵀ through [`LowRank`]'s readout (Nᵀ x in the simulator's chunk-and-lane
/// order) and its columns of M.
struct Recurrent {
    low: LowRank,
    wt: Option<crate::dense::Packed>,
}

impl Recurrent {
    fn new(net: &Network) -> Self {
        Recurrent { low: LowRank::new(net), wt: net.random.as_ref().map(|w| crate::dense::Packed::new(w, net.neurons)) }
    }

    fn apply(&self, x: &[f64], batch: usize) -> Vec<f64> {
        let n = self.low.neurons();
        let mut out = match &self.wt {
            Some(w) => w.product(x, batch),
            None => vec![0.0; n * batch],
        };
        for (row, o) in x.chunks(n).zip(out.chunks_mut(n)) {
            for (k, zk) in self.low.encode(row).into_iter().enumerate() {
                for (c, m) in o.iter_mut().zip(self.low.m(k)) {
                    *c += m * zk;
                }
            }
        }
        out
    }
}

/// Runs the QR method on `net` (no input, no noise; the bias is part of the map). Checks [`crate::progress::cancelled`] at
/// every re-orthonormalisation and reports progress; a cancelled run returns what it measured
/// so far (`steps_done` says how far it got).
pub fn spectrum(net: &Network, o: &Options) -> Spectrum {
    let n = net.neurons;
    let k = o.exponents.min(n);
    let reorth = o.reorth.max(1);
    let alpha = net.alpha();
    let w = Recurrent::new(net);
    let mut rng = Rng::new(o.seed, stream::INITIAL_RATES);
    let mut r = vec![0.0; n];
    rng.fill_normal(&mut r, 0.0, o.initial_sd);
    // The trajectory comes to rest at exactly 0; the nearby one does not (`rest` false): set
    // to 0 as well, a decaying pair renormalised seldom (large `reorth`) would end a block at
    // distance 0 and stay on the trajectory from then on.
    let step = |r: &mut [f64], x: &[f64], rest: bool| {
        for (ri, xi) in r.iter_mut().zip(x) {
            let v = (1.0 - alpha) * *ri + alpha * net.phi.apply(*xi);
            *ri = if rest { at_rest(v) } else { v };
        }
    };
    let total = o.warmup + o.steps;
    let report_every = (total / 100).max(1);
    // The first half of the warm-up settles the trajectory alone; in the second half the
    // tangent vectors and the nearby trajectory align with the attractor's directions (they
    // are re-orthonormalised and renormalised but not counted), so neither estimate carries
    // the transient of its random start (Engelken & Wolf 2023: t_ONS warm-up).
    let settle = o.warmup - o.warmup / 2;
    for t in 0..settle {
        if t % report_every == 0 {
            crate::progress::report(t as f64 / total as f64);
            if crate::progress::cancelled() {
                return Spectrum::default();
            }
        }
        let mut x = w.apply(&r, 1);
        x.iter_mut().zip(&net.bias).for_each(|(c, b)| *c += b);
        step(&mut r, &x, true);
    }
    // Rows: the trajectory, the nearby trajectory, then the k tangent vectors.
    let mut tangent_rng = Rng::new(o.seed, stream::TANGENT);
    let mut state = vec![0.0; (k + 2) * n];
    state[..n].copy_from_slice(&r);
    let mut kick = vec![0.0; n];
    tangent_rng.fill_normal(&mut kick, 0.0, 1.0);
    let norm = kick.iter().map(|v| v * v).sum::<f64>().sqrt();
    for i in 0..n {
        state[n + i] = r[i] + SEPARATION * kick[i] / norm;
    }
    tangent_rng.fill_normal(&mut state[2 * n..], 0.0, 1.0);
    qr_rows(&mut state[2 * n..], k, n);

    let mut sums = vec![0.0; k];
    let mut brute = 0.0;
    let mut out = Spectrum::default();
    let blocks = o.steps.div_ceil(reorth);
    let keep_every = blocks.div_ceil(o.convergence_points.max(1)).max(1);
    let mut derivative = vec![0.0; n];
    let mut aligned = 0;
    let mut t = 0;
    while t < o.steps {
        let aligning = aligned < o.warmup / 2;
        let block = if aligning { reorth.min(o.warmup / 2 - aligned) } else { reorth.min(o.steps - t) };
        for _ in 0..block {
            if !aligning && o.record_every > 0 && t % o.record_every == 0 {
                out.rates.push(state[..n].to_vec());
            }
            let mut x = w.apply(&state, k + 2);
            // The bias enters the two trajectories' currents, not the tangent vectors' W q.
            for (i, b) in net.bias.iter().enumerate() {
                x[i] += b;
                x[n + i] += b;
            }
            for i in 0..n {
                derivative[i] = net.phi.derivative(x[i]);
            }
            let (traj, tangents) = state.split_at_mut(2 * n);
            step(&mut traj[..n], &x[..n], true);
            step(&mut traj[n..], &x[n..2 * n], false);
            for (b, q) in tangents.chunks_mut(n).enumerate() {
                let wq = &x[(b + 2) * n..(b + 3) * n];
                for i in 0..n {
                    q[i] = (1.0 - alpha) * q[i] + alpha * derivative[i] * wq[i];
                }
            }
        }
        let diagonal = qr_rows(&mut state[2 * n..], k, n);
        let (traj, nearby) = state[..2 * n].split_at_mut(n);
        let dist = traj.iter().zip(nearby.iter()).map(|(a, b)| (b - a) * (b - a)).sum::<f64>().sqrt();
        for (a, b) in traj.iter().zip(nearby.iter_mut()) {
            *b = a + (*b - a) * (SEPARATION / dist.max(1e-300));
        }
        if aligning {
            aligned += block;
            if crate::progress::cancelled() {
                return Spectrum::default();
            }
            continue;
        }
        t += block;
        for (s, d) in sums.iter_mut().zip(diagonal) {
            *s += libm::log(d.max(1e-300));
        }
        brute += libm::log(dist.max(1e-300) / SEPARATION);
        let elapsed = t as f64 * net.dt;
        let block_index = t.div_ceil(reorth);
        if block_index % keep_every == 0 || t == o.steps {
            out.time.push(elapsed);
            out.running.push(sums.first().map_or(f64::NAN, |s| s / elapsed));
            out.running_brute_force.push(brute / elapsed);
        }
        if block_index % (blocks / 100).max(1) == 0 {
            crate::progress::report((o.warmup + t) as f64 / total as f64);
        }
        if crate::progress::cancelled() {
            break;
        }
    }
    out.steps_done = t;
    let elapsed = (t as f64 * net.dt).max(f64::MIN_POSITIVE);
    out.exponents = sums.iter().map(|s| s / elapsed).collect();
    out.exponents.sort_by(|a, b| b.total_cmp(a));
    out.brute_force = brute / elapsed;
    out
}

/// The Kaplan–Yorke dimension j + (λ_1 + … + λ_j)/|λ_{j+1}|, j the largest index with a
/// non-negative partial sum (0 when λ_1 < 0). When every partial sum of the exponents given is
/// non-negative the dimension is at least their count, which is returned.
pub fn kaplan_yorke(exponents: &[f64]) -> f64 {
    let mut sum = 0.0;
    for (j, &l) in exponents.iter().enumerate() {
        if sum + l < 0.0 {
            return if j == 0 { 0.0 } else { j as f64 + sum / l.abs() };
        }
        sum += l;
    }
    exponents.len() as f64
}

/// The sum of the positive exponents (Pesin's bound on the entropy rate), nats/s.
pub fn entropy_rate(exponents: &[f64]) -> f64 {
    exponents.iter().filter(|&&l| l > 0.0).fold(0.0, |a, l| a + l)
}
