//! The latent flow F(z) = (−z + Nᵀ φ(M z + B u + b)) / τ of the low-rank part and its Jacobian.
//! A random dense part, if any, is not part of the latent flow (the dynamics are then not
//! exactly closed, SCIENCE §1).

use crate::lowrank::{lane_dot, LowRank, CHUNK};
use crate::network::Network;
use crate::nonlinearity::Phi;

/// A network's low-rank part seen as a K-dimensional dynamical system: its flow and Jacobian.
/// Built once (it holds the [`LowRank`] column layout) and shared by many evaluations; it
/// dereferences to that layout, so `lpu.rank`, `lpu.tau` and `lpu.drive(z, u)` read through.
pub struct Lpu {
    layout: LowRank,
}

impl std::ops::Deref for Lpu {
    type Target = LowRank;

    fn deref(&self) -> &LowRank {
        &self.layout
    }
}

impl Lpu {
    /// Copies `net`'s low-rank part into the column layout (O(N·(2K + I)) once).
    pub fn new(net: &Network) -> Self {
        Lpu { layout: LowRank::new(net) }
    }

    /// τ dz/dt = −z + Nᵀ φ(…): the flow in units of 1/τ.
    pub fn scaled_flow(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        let d = self.drive(z, u);
        z.iter().zip(d).map(|(zk, dk)| dk - zk).collect()
    }

    /// F(z) in latent units per second.
    pub fn flow(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        self.scaled_flow(z, u).into_iter().map(|v| v / self.tau).collect()
    }

    /// −I + Nᵀ diag(φ′(M z + B u + b)) M, row-major K × K (the Jacobian times τ).
    pub fn scaled_jacobian(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        let mut slopes = vec![0.0; self.neurons()];
        self.scaled_flow_keeping_slopes(z, u, &mut slopes);
        self.scaled_jacobian_from_slopes(&slopes)
    }

    /// [`Lpu::scaled_flow`] at `z`, bit for bit, keeping φ′ of every neuron's current in
    /// `slopes` (length N) for [`Lpu::scaled_jacobian_from_slopes`]: a Levenberg–Marquardt step
    /// needs J only where a trial is accepted, and the currents and φ are most of J's cost. φ
    /// and φ′ are out of the per-element match, so that they vectorise (AVX2 natively, simd128
    /// in wasm), element by element the same functions.
    pub fn scaled_flow_keeping_slopes(&self, z: &[f64], u: &[f64], slopes: &mut [f64]) -> Vec<f64> {
        #[cfg(target_arch = "x86_64")]
        {
            if crate::simd::avx2() {
                // SAFETY: AVX2 is present; the body uses no FMA, so results are unchanged.
                return unsafe { self.keeping_avx2(z, u, slopes) };
            }
        }
        self.keeping_body(z, u, slopes)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn keeping_avx2(&self, z: &[f64], u: &[f64], slopes: &mut [f64]) -> Vec<f64> {
        self.keeping_body(z, u, slopes)
    }

    #[inline(always)]
    fn keeping_body(&self, z: &[f64], u: &[f64], slopes: &mut [f64]) -> Vec<f64> {
        let (n, k) = (self.neurons(), self.rank);
        let mut drive = vec![0.0; k];
        let mut cur = [0.0f64; CHUNK];
        for start in (0..n).step_by(CHUNK) {
            let len = CHUNK.min(n - start);
            let (cur, slope) = (&mut cur[..len], &mut slopes[start..start + len]);
            self.currents(start, None, z, u, cur);
            match self.phi {
                Phi::Tanh => {
                    for (c, d) in cur.iter_mut().zip(slope.iter_mut()) {
                        let t = crate::nonlinearity::tanh(*c);
                        *c = t;
                        *d = 1.0 - t * t;
                    }
                }
                phi => {
                    for (c, d) in cur.iter_mut().zip(slope.iter_mut()) {
                        *d = phi.derivative(*c);
                    }
                    phi.apply_slice(cur);
                }
            }
            for (c, o) in drive.iter_mut().enumerate() {
                *o += lane_dot(&self.n(c)[start..start + len], cur);
            }
        }
        z.iter().zip(drive).map(|(zk, dk)| dk - zk).collect()
    }

    /// [`Lpu::scaled_jacobian`] at the point whose φ′ [`Lpu::scaled_flow_keeping_slopes`] kept.
    pub fn scaled_jacobian_from_slopes(&self, slopes: &[f64]) -> Vec<f64> {
        #[cfg(target_arch = "x86_64")]
        {
            if crate::simd::avx2() {
                // SAFETY: AVX2 is present; the body uses no FMA, so results are unchanged.
                return unsafe { self.jacobian_of_slopes_avx2(slopes) };
            }
        }
        self.jacobian_of_slopes_body(slopes)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn jacobian_of_slopes_avx2(&self, slopes: &[f64]) -> Vec<f64> {
        self.jacobian_of_slopes_body(slopes)
    }

    #[inline(always)]
    fn jacobian_of_slopes_body(&self, slopes: &[f64]) -> Vec<f64> {
        let (n, k) = (self.neurons(), self.rank);
        let mut g = vec![0.0; k * k];
        let mut w = [0.0f64; CHUNK];
        for start in (0..n).step_by(CHUNK) {
            let len = CHUNK.min(n - start);
            for a in 0..k {
                for (wi, (d, nv)) in
                    w[..len].iter_mut().zip(slopes[start..start + len].iter().zip(&self.n(a)[start..start + len]))
                {
                    *wi = d * nv;
                }
                for bcol in 0..k {
                    g[a * k + bcol] += lane_dot(&w[..len], &self.m(bcol)[start..start + len]);
                }
            }
        }
        for a in 0..k {
            g[a * k + a] -= 1.0;
        }
        g
    }

    /// Latent Jacobian J_z in 1/s.
    pub fn jacobian(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        self.scaled_jacobian(z, u).into_iter().map(|v| v / self.tau).collect()
    }
}

/// Nᵀ φ(M z + B u + b) for a network, for one-off evaluations: it lays out the columns anew at
/// every call, which at large N costs more than the evaluation, so repeated callers keep an
/// [`Lpu`] (or a [`LowRank`]).
pub fn latent_drive(net: &Network, z: &[f64], u: &[f64]) -> Vec<f64> {
    Lpu::new(net).drive(z, u)
}

/// Flow sampled on a regular grid over [−extent, extent] per shown axis: the line for K = 1,
/// the (z1, z2) plane for K ≥ 2, with z3…z_K held at `held` (a slice of the portrait).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug)]
pub struct FlowGrid {
    /// Grid coordinates along each axis.
    pub axis: Vec<f64>,
    /// Values of z3…z_K on the slice (empty for K ≤ 2).
    pub held: Vec<f64>,
    /// K = 1: one value per point; K ≥ 2: row-major over (z1 = `axis[col]`, z2 = `axis[row]`),
    /// each point [F1, F2] (the in-plane components). Units: latent units per second.
    pub velocity: Vec<Vec<f64>>,
    /// ‖F‖ at each point (all K components), in latent units per second.
    pub speed: Vec<f64>,
}

/// The flow on a `points` × `points` grid (or `points` for K = 1) over [−extent, extent], the
/// other latent coordinates held at `held_value`; `None` for K = 0 or fewer than 2 points.
pub fn flow_grid(lpu: &Lpu, u: &[f64], extent: f64, points: usize, held_value: f64) -> Option<FlowGrid> {
    if lpu.rank == 0 || points < 2 {
        return None;
    }
    let held = vec![held_value; lpu.rank.saturating_sub(2)];
    let axis = crate::numerics::grid::linspace(-extent, extent, points);
    let zs: Vec<Vec<f64>> = if lpu.rank == 1 {
        axis.iter().map(|&x| vec![x]).collect()
    } else {
        axis.iter()
            .flat_map(|&y| axis.iter().map(move |&x| vec![x, y]))
            .map(|mut z| {
                z.extend_from_slice(&held);
                z
            })
            .collect()
    };
    let full = crate::parallel::map_cancellable(&zs, 256, |z| lpu.flow(z, u));
    let speed = full.iter().map(|v| libm::sqrt(v.iter().map(|x| x * x).sum())).collect();
    let velocity = full
        .into_iter()
        .map(|mut v| {
            v.truncate(2);
            v
        })
        .collect();
    Some(FlowGrid { axis, held, velocity, speed })
}
