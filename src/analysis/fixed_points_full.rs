//! Fixed points in the full N-dimensional state space (not the latent K-dimensional one), for
//! a dense or low-rank network with W = M Nᵀ + W_rand held under a constant input u:
//!
//! - rate form, state r: τ F(r) = −r + φ(W r + B u + b);
//! - current form, state x: τ G(x) = −x + W φ(x) + B u + b.
//!
//! From each start, q(x) = ½‖τF(x)‖² is minimised (Sussillo & Barak 2013) by Levenberg–Marquardt
//! on the N × N Jacobian, which finds saddles as well as attractors (forward integration only
//! finds attractors); the last steps are plain Newton steps, which polish a point to the
//! rounding of its residual. Points whose residual ‖τF‖ stays above the tolerance (slow points,
//! local minima of q) are dropped. The rest are deduplicated in start order and classified by
//! the eigenvalues of the full Jacobian ∂F/∂x.
//!
//! Cost: every Levenberg–Marquardt iteration forms JᵀJ and solves an N × N system, O(N³), and a
//! start takes tens of iterations; it is meant for N up to about 300 (N = 100 with 50 starts
//! takes about a second on one core). It refuses nothing: callers check their own limits.
//!
//! Determinism: each start runs the same sequential arithmetic (plain loops in a fixed order,
//! no fused multiply-add) and the starts go through the order-preserving
//! [`crate::parallel::map`], so positions and residuals do not depend on the thread count, and
//! nothing in them differs between native and wasm builds. The eigenvalues come from faer for
//! N > 2 ([`eig::eigenvalues_dense`]) and agree with wasm to rounding only.

use super::fixed_points::Kind;
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::numerics::{eig, solve};
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};

/// Which variable the dynamics are written in.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// Rates r: τ dr/dt = −r + φ(W r + B u + b), the form the simulator steps.
    #[default]
    Rate,
    /// Currents x: τ dx/dt = −x + W φ(x) + B u + b.
    Current,
}

/// Where [`find_full`] starts and when it calls a point fixed.
#[derive(Clone, Debug)]
pub struct FullOptions {
    /// Starts given by the caller (states along trajectories, say), N values each; starts of
    /// another length are skipped. Non-finite coordinates are read as 0 and coordinates beyond
    /// ±1e100 are clipped there, so no start can make the arithmetic overflow.
    pub starts: Vec<Vec<f64>>,
    /// Starts drawn uniformly in [−extent, extent]^N after the caller's.
    pub random_starts: usize,
    /// Half-width of the box of random starts (its magnitude, at most 1e100; NaN reads as 0).
    pub extent: f64,
    /// Seed of the random starts (stream [`stream::FIXED_POINT_STARTS`]).
    pub seed: u64,
    /// Largest number of Levenberg–Marquardt iterations per start.
    pub max_iterations: usize,
    /// Residual ‖τF(x)‖ (Euclidean, in state units) below which a point counts as fixed.
    pub tolerance: f64,
    /// Two points are one when their root-mean-square coordinate difference ‖x − y‖/√N is
    /// below `dedup` · max(1, ‖y‖/√N).
    pub dedup: f64,
}

impl Default for FullOptions {
    fn default() -> Self {
        FullOptions {
            starts: vec![],
            random_starts: 32,
            extent: 1.0,
            seed: 0,
            max_iterations: 200,
            tolerance: 1e-10,
            dedup: 1e-6,
        }
    }
}

/// A fixed point of the full dynamics with its stability.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FullFixedPoint {
    /// The state: N rates (rate form) or N currents (current form).
    pub x: Vec<f64>,
    /// Stable, saddle or unstable.
    pub kind: Kind,
    /// Number of eigenvalues with positive real part.
    pub unstable_dims: usize,
    /// Eigenvalues of the full Jacobian ∂F/∂x as [re, im], in 1/s, decreasing real part.
    pub eigenvalues: Vec<[f64; 2]>,
    /// ‖τF(x)‖ at the point, in state units.
    pub residual: f64,
}

/// Coordinates of a start are clipped to this magnitude (see [`FullOptions::starts`]).
const START_CLIP: f64 = 1e100;
/// Starts per block between cancellation checks and progress reports, about 10⁸/N³ (at most
/// 64): a block takes a second or two on one core at N = 300, a fraction of one at N = 30.
const BLOCK_WORK: usize = 100_000_000;
/// Newton steps after Levenberg–Marquardt; each one squares the error, so a handful is plenty.
const POLISH_STEPS: usize = 8;
/// A start is abandoned when its residual fell by less than this fraction over this many
/// iterations: near a root Levenberg–Marquardt converges quadratically, so only a slow point
/// creeps like that. Measured with 50 random starts, it saves about a third of the time on a
/// random gain-1.5 network of N = 100 and loses about one point in sixty on gain-2.5 ones of
/// N = 60.
const STALL_DECREASE: f64 = 1e-3;
const STALL_WINDOW: usize = 5;

/// A network's full dynamics under one constant input, with W formed once: the flow τF and its
/// Jacobian τ ∂F/∂x in either [`Form`].
pub struct FullSystem {
    n: usize,
    form: Form,
    phi: Phi,
    tau: f64,
    /// W = M Nᵀ + W_rand, row-major N × N.
    w: Vec<f64>,
    /// B u + b.
    offset: Vec<f64>,
}

impl FullSystem {
    /// Forms W (O(N²K)) and B u + b; `u` has one value per input channel, missing ones count
    /// as 0 and extra ones are ignored.
    pub fn new(net: &Network, form: Form, u: &[f64]) -> Self {
        let n = net.neurons;
        let offset = (0..n)
            .map(|i| {
                let mut c = net.bias[i];
                for (b, uc) in net.input[i * net.inputs..(i + 1) * net.inputs].iter().zip(u) {
                    c += b * uc;
                }
                c
            })
            .collect();
        FullSystem { n, form, phi: net.phi, tau: net.tau, w: net.dense_weights(), offset }
    }

    /// The dimension N.
    pub fn dim(&self) -> usize {
        self.n
    }

    /// τF(x) (rate form) or τG(x) (current form), in state units.
    pub fn scaled_flow(&self, x: &[f64]) -> Vec<f64> {
        self.eval(x, false).0
    }

    /// τ ∂F/∂x, row-major N × N: −I + diag(φ′(W r + B u + b)) W in the rate form,
    /// −I + W diag(φ′(x)) in the current form.
    pub fn scaled_jacobian(&self, x: &[f64]) -> Vec<f64> {
        self.eval(x, true).1
    }

    /// The flow and, when asked, the Jacobian, sharing the currents.
    fn eval(&self, x: &[f64], with_jacobian: bool) -> (Vec<f64>, Vec<f64>) {
        let n = self.n;
        let mut g = vec![0.0; n];
        let mut j = if with_jacobian { vec![0.0; n * n] } else { vec![] };
        match self.form {
            Form::Rate => {
                for i in 0..n {
                    let row = &self.w[i * n..(i + 1) * n];
                    let mut h = self.offset[i];
                    for (wq, xq) in row.iter().zip(x) {
                        h += wq * xq;
                    }
                    g[i] = self.phi.apply(h) - x[i];
                    if with_jacobian {
                        let d = self.phi.derivative(h);
                        for (jq, wq) in j[i * n..(i + 1) * n].iter_mut().zip(row) {
                            *jq = d * wq;
                        }
                        j[i * n + i] -= 1.0;
                    }
                }
            }
            Form::Current => {
                let p: Vec<f64> = x.iter().map(|&v| self.phi.apply(v)).collect();
                let d: Vec<f64> =
                    if with_jacobian { x.iter().map(|&v| self.phi.derivative(v)).collect() } else { vec![] };
                for i in 0..n {
                    let row = &self.w[i * n..(i + 1) * n];
                    let mut s = self.offset[i];
                    for (wq, pq) in row.iter().zip(&p) {
                        s += wq * pq;
                    }
                    g[i] = s - x[i];
                    if with_jacobian {
                        for ((jq, wq), dq) in j[i * n..(i + 1) * n].iter_mut().zip(row).zip(&d) {
                            *jq = wq * dq;
                        }
                        j[i * n + i] -= 1.0;
                    }
                }
            }
        }
        (g, j)
    }

    /// The fixed point at `x` classified by the eigenvalues of ∂F/∂x (1/s); `None` when the
    /// Jacobian's eigenvalues are not all finite (weights near the overflow limit).
    pub fn classify(&self, x: &[f64]) -> Option<FullFixedPoint> {
        let n = self.n;
        let (g, j) = self.eval(x, true);
        let j: Vec<f64> = j.into_iter().map(|v| v / self.tau).collect();
        if !j.iter().all(|v| v.is_finite()) {
            return None;
        }
        let ev = if n <= 2 { eig::eigenvalues_closed_form(&j, n) } else { eig::eigenvalues_dense(&j, n) };
        if ev.len() != n || !ev.iter().all(|e| e.0.is_finite() && e.1.is_finite()) {
            return None;
        }
        let unstable_dims = ev.iter().filter(|e| e.0 > 0.0).count();
        let kind = match unstable_dims {
            0 => Kind::Stable,
            d if d == n => Kind::Unstable,
            _ => Kind::Saddle,
        };
        Some(FullFixedPoint {
            x: x.to_vec(),
            kind,
            unstable_dims,
            eigenvalues: ev.iter().map(|e| [e.0, e.1]).collect(),
            residual: norm(&g),
        })
    }

    /// Levenberg–Marquardt on ½‖τF‖² from `x0`, then Newton polishing; the point if its
    /// residual ends below `tol`.
    fn descend(&self, x0: &[f64], max_iterations: usize, tol: f64) -> Option<Vec<f64>> {
        let n = self.n;
        let mut x: Vec<f64> =
            x0.iter().map(|&v| if v.is_finite() { v.clamp(-START_CLIP, START_CLIP) } else { 0.0 }).collect();
        let mut g = self.scaled_flow(&x);
        let mut cost = norm(&g);
        if !cost.is_finite() {
            return None;
        }
        let mut mu = 1e-3;
        let mut nu = 2.0;
        let mut history: Vec<f64> = vec![cost];
        let mut a = vec![0.0; n * n];
        let mut rhs = vec![0.0; n];
        for _ in 0..max_iterations {
            if cost <= tol {
                break;
            }
            let (_, j) = self.eval(&x, true);
            // (JᵀJ + μ diag(1 + JᵀJ)) δ = −Jᵀ g: JᵀJ by rows of J, upper triangle mirrored.
            a.iter_mut().for_each(|v| *v = 0.0);
            rhs.iter_mut().for_each(|v| *v = 0.0);
            for r in 0..n {
                let jr = &j[r * n..(r + 1) * n];
                for p in 0..n {
                    let jrp = jr[p];
                    if jrp == 0.0 {
                        continue;
                    }
                    rhs[p] -= jrp * g[r];
                    for (aq, jrq) in a[p * n + p..(p + 1) * n].iter_mut().zip(&jr[p..]) {
                        *aq += jrp * jrq;
                    }
                }
            }
            for p in 0..n {
                for q in 0..p {
                    a[p * n + q] = a[q * n + p];
                }
            }
            let mut improved = false;
            for _ in 0..40 {
                let mut damped = a.clone();
                for p in 0..n {
                    damped[p * n + p] += mu * (1.0 + a[p * n + p]);
                }
                let Some(delta) = solve::solve(&damped, &rhs, n) else {
                    mu = (mu * nu).min(1e200);
                    nu *= 2.0;
                    continue;
                };
                let trial: Vec<f64> = x.iter().zip(&delta).map(|(v, d)| v + d).collect();
                let g_trial = self.scaled_flow(&trial);
                let c_trial = norm(&g_trial);
                if c_trial < cost {
                    // Nielsen's update: the gain ratio ρ of the actual to the predicted
                    // decrease of ½‖g‖², ½δᵀ(μDδ − Jᵀg), sets the next damping.
                    let mut predicted = 0.0;
                    for p in 0..n {
                        predicted += delta[p] * (mu * (1.0 + a[p * n + p]) * delta[p] + rhs[p]);
                    }
                    let actual = (cost - c_trial) * (cost + c_trial);
                    let rho = actual / predicted;
                    let t = 2.0 * rho - 1.0;
                    let factor = if rho.is_finite() { (1.0 - t * t * t).max(1.0 / 3.0) } else { 1.0 / 3.0 };
                    mu = (mu * factor).max(1e-15);
                    nu = 2.0;
                    // A step that changes nothing, or a decrease lost in rounding, means a
                    // minimum of q: a fixed point or a slow point, either way done.
                    improved = norm(&delta) > 1e-15 * (1.0 + norm(&x)) && c_trial < cost * (1.0 - 1e-12);
                    x = trial;
                    g = g_trial;
                    cost = c_trial;
                    break;
                }
                mu = (mu * nu).min(1e200);
                nu *= 2.0;
            }
            if !improved {
                break;
            }
            // Creeping towards a slow point (a minimum of q above zero): give up early.
            history.push(cost);
            if history.len() > STALL_WINDOW && cost > history[history.len() - 1 - STALL_WINDOW] * (1.0 - STALL_DECREASE)
            {
                break;
            }
        }
        if cost > (1e3 * tol).max(1e-6) {
            // A slow point, far from any root: Newton steps from here would jump anywhere.
            return None;
        }
        for _ in 0..POLISH_STEPS {
            if cost == 0.0 {
                break;
            }
            let (_, j) = self.eval(&x, true);
            let minus_g: Vec<f64> = g.iter().map(|v| -v).collect();
            let Some(delta) = solve::solve(&j, &minus_g, n) else {
                break;
            };
            let trial: Vec<f64> = x.iter().zip(&delta).map(|(v, d)| v + d).collect();
            let g_trial = self.scaled_flow(&trial);
            let c_trial = norm(&g_trial);
            // A NaN residual is no improvement either.
            if c_trial.partial_cmp(&cost) != Some(std::cmp::Ordering::Less) {
                break;
            }
            x = trial;
            g = g_trial;
            cost = c_trial;
        }
        (cost <= tol && x.iter().all(|v| v.is_finite())).then_some(x)
    }
}

/// Every distinct fixed point of `net` in `form` under constant input `u` reached from the
/// starts of `opts`, classified by the full Jacobian.
///
/// Order: the order found, that is the order of the starts (the caller's, then the random
/// ones) that first reached each point; a later start's point within `dedup` of an earlier one
/// is dropped. A cancelled run ([`crate::progress::cancelled`]) stops before the next block of
/// starts and returns what the finished blocks found; progress is reported after each block.
pub fn find_full(net: &Network, form: Form, u: &[f64], opts: &FullOptions) -> Vec<FullFixedPoint> {
    let n = net.neurons;
    if n == 0 {
        return vec![];
    }
    let sys = FullSystem::new(net, form, u);
    let mut starts: Vec<Vec<f64>> = opts.starts.iter().filter(|s| s.len() == n).cloned().collect();
    let mut rng = Rng::new(opts.seed, stream::FIXED_POINT_STARTS);
    let extent = if opts.extent.is_nan() { 0.0 } else { opts.extent.abs().min(START_CLIP) };
    for _ in 0..opts.random_starts {
        starts.push((0..n).map(|_| (2.0 * rng.uniform() - 1.0) * extent).collect());
    }
    let tol = if opts.tolerance.is_nan() { 0.0 } else { opts.tolerance };
    let block = (BLOCK_WORK / n.saturating_pow(3)).clamp(1, 64);
    let mut found: Vec<Option<Vec<f64>>> = Vec::with_capacity(starts.len());
    for part in starts.chunks(block) {
        if crate::progress::cancelled() {
            break;
        }
        found.extend(crate::parallel::map(part, |x0| sys.descend(x0, opts.max_iterations, tol)));
        crate::progress::report(found.len() as f64 / starts.len() as f64);
    }
    let dedup = if opts.dedup.is_nan() { 0.0 } else { opts.dedup };
    let root_n = libm::sqrt(n as f64);
    let mut unique: Vec<Vec<f64>> = vec![];
    for x in found.into_iter().flatten() {
        let same = |y: &Vec<f64>| dist(&x, y) < dedup * root_n.max(norm(y));
        if !unique.iter().any(same) {
            // + 0.0 turns −0.0 into 0.0 so that equal points print alike.
            unique.push(x.iter().map(|v| v + 0.0).collect());
        }
    }
    crate::parallel::map(&unique, |x| sys.classify(x)).into_iter().flatten().collect()
}

fn norm(a: &[f64]) -> f64 {
    // Scaled by the largest magnitude so that squares of huge states do not overflow.
    let m = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    m * libm::sqrt(a.iter().map(|v| (v / m) * (v / m)).sum::<f64>())
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    norm(&d)
}
