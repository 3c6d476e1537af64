//! The generated RNN of one trial (JEDI Eq. 1/5, current form, no input):
//! x_{t+1} = x_t + α (W tanh(x_t) − x_t), α = Δt/τ, observed rates r_t = tanh(x_t), started at
//! x_0 = atanh(y_0) (the first recorded sample, clipped to ±[`CLIP`]).
//!
//! The hypernetwork's output o becomes W by the output layout:
//! - rank R > 0: M = o[0 .. N R] and N_ = o[N R .. 2 N R], both N × R row-major (neuron i's R
//!   values together), W = M N_ᵀ / N;
//! - full (R = 0): W_ij = o[i N + j] / √N.
//!
//! [`gradient`] is backpropagation through time by hand for this one model: the loss
//! Σ_{t ≥ 1} Σ_i (r_ti − y_ti)² times a scale, and its gradient with respect to o.

use crate::lowrank::lane_dot;
use crate::nonlinearity::tanh;

/// Largest |y_0| used for the initial state: atanh(0.999) ≈ 3.8.
pub const CLIP: f64 = 0.999;

/// What fixes a generated network's shape and step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Neurons N.
    pub neurons: usize,
    /// Rank R of W = M N_ᵀ / N; 0 for a full W.
    pub rank: usize,
    /// α = Δt/τ.
    pub alpha: f64,
}

impl Shape {
    /// Length of the hypernetwork's output.
    pub fn outputs(&self) -> usize {
        if self.rank == 0 {
            self.neurons * self.neurons
        } else {
            2 * self.neurons * self.rank
        }
    }

    /// W (N × N, row-major) from the output o.
    pub fn weights(&self, o: &[f64]) -> Vec<f64> {
        let n = self.neurons;
        if self.rank == 0 {
            let s = 1.0 / (n as f64).sqrt();
            return o.iter().map(|v| v * s).collect();
        }
        let r = self.rank;
        let (m, nn) = o.split_at(n * r);
        let inv = 1.0 / n as f64;
        let mut w = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                let mut s = 0.0;
                for k in 0..r {
                    s += m[i * r + k] * nn[j * r + k];
                }
                w[i * n + j] = s * inv;
            }
        }
        w
    }
}

/// The initial state of a trial whose first recorded rates are `y0`.
pub fn initial_state(y0: &[f64]) -> Vec<f64> {
    y0.iter().map(|y| libm::atanh(y.clamp(-CLIP, CLIP))).collect()
}

/// Column k of an N × R row-major factor, for all k: R rows of N (the kernels read columns).
fn columns(f: &[f64], n: usize, rk: usize) -> Vec<f64> {
    let mut c = vec![0.0; n * rk];
    for i in 0..n {
        for k in 0..rk {
            c[k * n + i] = f[i * rk + k];
        }
    }
    c
}

/// The generated network in the form the kernels read: W row-major (full) or the columns of
/// M and N_ (rank R).
enum Kernel {
    Full(Vec<f64>),
    LowRank { m: Vec<f64>, n: Vec<f64> },
}

impl Kernel {
    fn new(shape: &Shape, o: &[f64]) -> Kernel {
        let (n, rk) = (shape.neurons, shape.rank);
        if rk == 0 {
            Kernel::Full(shape.weights(o))
        } else {
            Kernel::LowRank { m: columns(&o[..n * rk], n, rk), n: columns(&o[n * rk..], n, rk) }
        }
    }

    /// out = W r; for rank R also z = N_ᵀ r / N.
    fn drive(&self, r: &[f64], z: &mut [f64], out: &mut [f64]) {
        let n = r.len();
        match self {
            Kernel::Full(w) => {
                for (i, oi) in out.iter_mut().enumerate() {
                    *oi = lane_dot(&w[i * n..(i + 1) * n], r);
                }
            }
            Kernel::LowRank { m, n: nc } => {
                let inv = 1.0 / n as f64;
                out.iter_mut().for_each(|v| *v = 0.0);
                for (k, zk) in z.iter_mut().enumerate() {
                    *zk = lane_dot(&nc[k * n..(k + 1) * n], r) * inv;
                    for (oi, mi) in out.iter_mut().zip(&m[k * n..(k + 1) * n]) {
                        *oi += mi * *zk;
                    }
                }
            }
        }
    }
}

/// The states x_0 … x_{steps−1} (steps × N) from x0, and the rates tanh(x_t).
fn trajectory(shape: &Shape, kernel: &Kernel, x0: &[f64], steps: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = shape.neurons;
    let mut xs = vec![0.0; steps * n];
    let mut rs = vec![0.0; steps * n];
    let mut zs = vec![0.0; steps * shape.rank];
    xs[..n].copy_from_slice(x0);
    let mut d = vec![0.0; n];
    for t in 0..steps {
        let (done, next) = xs.split_at_mut((t + 1) * n);
        let x = &done[t * n..];
        let r = &mut rs[t * n..(t + 1) * n];
        for (ri, xi) in r.iter_mut().zip(x) {
            *ri = tanh(*xi);
        }
        if t + 1 < steps {
            kernel.drive(r, &mut zs[t * shape.rank..(t + 1) * shape.rank], &mut d);
            for ((xn, xi), di) in next[..n].iter_mut().zip(x).zip(&d) {
                *xn = xi + shape.alpha * (di - xi);
            }
        }
    }
    (xs, rs, zs)
}

/// The states x_0 … x_{steps−1} (steps × N) from x0.
pub fn states(shape: &Shape, o: &[f64], x0: &[f64], steps: usize) -> Vec<f64> {
    trajectory(shape, &Kernel::new(shape, o), x0, steps).0
}

/// The rates tanh(x_t) (steps × N) from x0.
pub fn rates(shape: &Shape, o: &[f64], x0: &[f64], steps: usize) -> Vec<f64> {
    trajectory(shape, &Kernel::new(shape, o), x0, steps).1
}

/// Σ_{t ≥ 1} Σ_i (r_ti − y_ti)² of the trial with recording `y` (steps × N), without scale.
pub fn loss(shape: &Shape, o: &[f64], y: &[f64], steps: usize) -> f64 {
    let n = shape.neurons;
    let r = rates(shape, o, &initial_state(&y[..n]), steps);
    r[n..].iter().zip(&y[n..]).map(|(a, b)| (a - b) * (a - b)).sum()
}

/// `scale` · Σ_{t ≥ 1} Σ_i (r_ti − y_ti)² for the recording `y` (steps × N), and its gradient
/// with respect to the output o.
pub fn gradient(shape: &Shape, o: &[f64], y: &[f64], steps: usize, scale: f64) -> (f64, Vec<f64>) {
    let n = shape.neurons;
    let rk = shape.rank;
    let alpha = shape.alpha;
    let kernel = Kernel::new(shape, o);
    let (_, rs, zs) = trajectory(shape, &kernel, &initial_state(&y[..n]), steps);
    // Gradients of W (full) or of the columns of M and N_ (rank R).
    let mut grad = vec![0.0; o.len()];
    let mut loss = 0.0;
    // gx: ∂L/∂x_{t+1} while stepping back; gr: ∂L/∂r_t.
    let mut gx = vec![0.0; n];
    let mut gr = vec![0.0; n];
    let mut a = vec![0.0; n];
    let inv = 1.0 / n as f64;
    for t in (0..steps).rev() {
        let r = &rs[t * n..(t + 1) * n];
        for i in 0..n {
            let e = if t > 0 { r[i] - y[t * n + i] } else { 0.0 };
            loss += e * e;
            gr[i] = 2.0 * scale * e;
        }
        if t + 1 < steps {
            for i in 0..n {
                a[i] = alpha * gx[i];
            }
            match &kernel {
                Kernel::Full(w) => {
                    // ∂L/∂W_ij += a_i r_j; ∂L/∂r_j += Σ_i W_ij a_i.
                    for i in 0..n {
                        let ai = a[i];
                        let row = &w[i * n..(i + 1) * n];
                        let g = &mut grad[i * n..(i + 1) * n];
                        for j in 0..n {
                            g[j] += ai * r[j];
                            gr[j] += row[j] * ai;
                        }
                    }
                }
                Kernel::LowRank { m, n: nc } => {
                    let z = &zs[t * rk..(t + 1) * rk];
                    let (gm, gn) = grad.split_at_mut(n * rk);
                    for k in 0..rk {
                        let col = k * n..(k + 1) * n;
                        // ∂L/∂z_k = M_kᵀ a; ∂L/∂M_k += a z_k; ∂L/∂N_k += r ∂L/∂z_k / N.
                        let pk = lane_dot(&m[col.clone()], &a) * inv;
                        for (g, ai) in gm[col.clone()].iter_mut().zip(&a) {
                            *g += ai * z[k];
                        }
                        for (g, rj) in gn[col].iter_mut().zip(r) {
                            *g += pk * rj;
                        }
                        for (gj, nj) in gr.iter_mut().zip(&nc[k * n..(k + 1) * n]) {
                            *gj += nj * pk;
                        }
                    }
                }
            }
        }
        for i in 0..n {
            let carried = if t + 1 < steps { (1.0 - alpha) * gx[i] } else { 0.0 };
            gx[i] = carried + gr[i] * (1.0 - r[i] * r[i]);
        }
    }
    if rk == 0 {
        let s = 1.0 / (n as f64).sqrt();
        grad.iter_mut().for_each(|g| *g *= s);
    } else {
        // Back to the output layout: N × R row-major for each factor.
        let (gm, gn) = grad.split_at(n * rk);
        let mut out = vec![0.0; o.len()];
        for i in 0..n {
            for k in 0..rk {
                out[i * rk + k] = gm[k * n + i];
                out[n * rk + i * rk + k] = gn[k * n + i];
            }
        }
        grad = out;
    }
    (scale * loss, grad)
}
