//! The low-rank part of a network laid out for streaming, and the one kernel every CPU path
//! evaluates it with: the simulator's step, the latent drive, the flow and its Jacobian.
//!
//! Weights are stored neuron-major in [`Network`] (row i is neuron i), but every kernel walks
//! one weight vector across many neurons, so the columns of M, N and B are copied once into
//! contiguous vectors. Building that copy costs as much as several evaluations at large N;
//! callers that evaluate repeatedly keep one [`LowRank`] rather than rebuilding it.
//!
//! Bit-identity natively and in wasm rests on the order fixed here: neurons are taken in
//! chunks of [`CHUNK`], currents are accumulated term by term in one order, and each
//! reduction over neurons is summed per chunk with [`lane_dot`] and then across chunks in
//! chunk order, whatever the thread count.

use crate::network::Network;
use crate::nonlinearity::Phi;

/// Neurons per chunk: the unit of work of the simulator's tasks, of each noise stream, and of
/// every reduction over neurons.
pub const CHUNK: usize = 4096;
pub(crate) const LANES: usize = 8;

/// Σ a_i b_i in LANES interleaved partial sums, combined pairwise: a fixed order the compiler
/// can vectorise without reassociating anything.
#[inline(always)]
pub fn lane_dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; LANES];
    lane_accumulate(&mut acc, a, b);
    combine(&acc)
}

/// [`lane_dot`]'s partial sums carried on over `a` and `b`: a dot product taken piece by
/// piece, each piece but the last a multiple of LANES long, gives lane_dot's bits.
#[inline(always)]
pub(crate) fn lane_accumulate(acc: &mut [f64; LANES], a: &[f64], b: &[f64]) {
    let full = a.len() / LANES * LANES;
    for (ca, cb) in a[..full].chunks_exact(LANES).zip(b[..full].chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += ca[l] * cb[l];
        }
    }
    for i in full..a.len() {
        acc[i - full] += a[i] * b[i];
    }
}

/// Neurons per piece of a chunk in the fused kernels: the currents of a piece stay in L1 while
/// φ is applied and the piece is read out, instead of a whole chunk's going round L2 once per
/// term.
pub(crate) const PIECE: usize = 256;

/// The largest rank the fused kernels keep partial sums for on the stack; a larger rank takes
/// the unfused path, with the same bits.
pub(crate) const FUSED_RANK: usize = 8;

/// The pairwise sum of [`lane_dot`]'s partial sums.
#[inline(always)]
pub(crate) fn combine(acc: &[f64; LANES]) -> f64 {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

/// Column-major copy of a network's low-rank part: the columns of M, N and B, the bias, φ, τ
/// and the rank. The dense random part, if any, is not included.
pub struct LowRank {
    /// K, the number of latent dimensions.
    pub rank: usize,
    /// The number of input channels (columns of B).
    pub inputs: usize,
    /// Neuron time constant τ, seconds.
    pub tau: f64,
    /// The nonlinearity φ.
    pub phi: Phi,
    m: Vec<Vec<f64>>,
    n: Vec<Vec<f64>>,
    b: Vec<Vec<f64>>,
    bias: Vec<f64>,
}

impl LowRank {
    /// Copies the columns of `net`'s M, N and B (O(N·(2K + I)) once).
    pub fn new(net: &Network) -> Self {
        let col = |v: &[f64], width: usize, c: usize| (0..net.neurons).map(|i| v[i * width + c]).collect();
        LowRank {
            rank: net.rank,
            inputs: net.inputs,
            tau: net.tau,
            phi: net.phi,
            m: (0..net.rank).map(|k| col(&net.embedding, net.rank, k)).collect(),
            n: (0..net.rank).map(|k| col(&net.encoding, net.rank, k)).collect(),
            b: (0..net.inputs).map(|c| col(&net.input, net.inputs, c)).collect(),
            bias: net.bias.clone(),
        }
    }

    /// The number of neurons N.
    pub fn neurons(&self) -> usize {
        self.bias.len()
    }

    /// Column k of M (N values).
    pub fn m(&self, k: usize) -> &[f64] {
        &self.m[k]
    }

    /// Column k of N (N values; carries the 1/N normalisation).
    pub fn n(&self, k: usize) -> &[f64] {
        &self.n[k]
    }

    /// Currents of neurons `start..start + out.len()` (at most one chunk):
    /// b + extra + Σ_k m_k z_k + Σ_c b_c u_c, accumulated in exactly that order.
    ///
    /// `extra` is the dense random part's input where there is one; it sits right after the
    /// bias because that is where the simulator has always added it. Input channels with
    /// u_c = 0 are skipped, since inputs are mostly sparse pulses; missing trailing entries of
    /// `z` or `u` count as zero.
    #[inline(always)]
    pub fn currents(&self, start: usize, extra: Option<&[f64]>, z: &[f64], u: &[f64], out: &mut [f64]) {
        let range = start..start + out.len();
        let bias = &self.bias[range.clone()];
        // The bias is added with the first term in one pass rather than copied first: the same
        // sums, one sweep over the chunk fewer.
        let mut columns = self.m.iter().zip(z);
        match extra {
            Some(d) => {
                for ((c, b), x) in out.iter_mut().zip(bias).zip(d) {
                    *c = b + x;
                }
            }
            None => match columns.next() {
                Some((m0, &z0)) => {
                    for ((c, b), m) in out.iter_mut().zip(bias).zip(&m0[range.clone()]) {
                        *c = b + m * z0;
                    }
                }
                None => out.copy_from_slice(bias),
            },
        }
        for (mk, &zk) in columns {
            for (c, m) in out.iter_mut().zip(&mk[range.clone()]) {
                *c += m * zk;
            }
        }
        for (bc, &uc) in self.b.iter().zip(u) {
            if uc != 0.0 {
                for (c, w) in out.iter_mut().zip(&bc[range.clone()]) {
                    *c += w * uc;
                }
            }
        }
    }

    /// One chunk's share of Nᵀ x: `out[k]` = Σ_{i in chunk} n_ik x_i for neurons
    /// `start..start + x.len()`, each by [`lane_dot`].
    #[inline(always)]
    pub fn encode_chunk(&self, start: usize, x: &[f64], out: &mut [f64]) {
        for (o, nk) in out.iter_mut().zip(&self.n) {
            *o = lane_dot(&nk[start..start + x.len()], x);
        }
    }

    /// Nᵀ x over all N neurons (or the first `x.len()`), summed chunk by chunk in chunk order:
    /// the order of the simulator's latent readout.
    pub fn encode(&self, x: &[f64]) -> Vec<f64> {
        self.n
            .iter()
            .map(|nk| {
                let mut s = 0.0;
                for (c, xc) in x.chunks(CHUNK).enumerate() {
                    s += lane_dot(&nk[c * CHUNK..c * CHUNK + xc.len()], xc);
                }
                s
            })
            .collect()
    }

    /// [`LowRank::drive`] a whole chunk per pass: the plain form of the fused kernel, and the
    /// path of ranks above [`FUSED_RANK`].
    #[inline(always)]
    fn drive_unfused(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        let n = self.neurons();
        let mut out = vec![0.0; self.rank];
        let mut buf = vec![0.0f64; CHUNK];
        for start in (0..n).step_by(CHUNK) {
            let cur = &mut buf[..CHUNK.min(n - start)];
            self.currents(start, None, z, u, cur);
            self.phi.apply_slice(cur);
            for (o, nk) in out.iter_mut().zip(&self.n) {
                *o += lane_dot(&nk[start..start + cur.len()], cur);
            }
        }
        out
    }

    /// Nᵀ φ(M z + B u + b), summed in the simulator's fixed chunk-and-lane order.
    pub fn drive(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        #[cfg(target_arch = "x86_64")]
        {
            if crate::simd::avx2() {
                // SAFETY: AVX2 is present; the body uses no FMA, so results are unchanged.
                return unsafe { self.drive_avx2(z, u) };
            }
        }
        self.drive_body(z, u)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn drive_avx2(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        self.drive_body(z, u)
    }

    #[inline(always)]
    fn drive_body(&self, z: &[f64], u: &[f64]) -> Vec<f64> {
        if self.rank > FUSED_RANK {
            return self.drive_unfused(z, u);
        }
        // Each chunk piece by piece: the sums of `drive_unfused`, in the same order.
        let n = self.neurons();
        let mut out = vec![0.0; self.rank];
        let mut buf = [0.0f64; PIECE];
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let mut acc = [[0.0f64; LANES]; FUSED_RANK];
            for p0 in (start..end).step_by(PIECE) {
                let cur = &mut buf[..PIECE.min(end - p0)];
                self.currents(p0, None, z, u, cur);
                // tanh spelled out so it inlines into the AVX2 body; `apply_slice` computes
                // the same function element by element.
                match self.phi {
                    Phi::Tanh => cur.iter_mut().for_each(|x| *x = crate::nonlinearity::tanh(*x)),
                    phi => phi.apply_slice(cur),
                }
                for (a, nk) in acc.iter_mut().zip(&self.n) {
                    lane_accumulate(a, &nk[p0..p0 + cur.len()], cur);
                }
            }
            for (o, a) in out.iter_mut().zip(&acc) {
                *o += combine(a);
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::Rng;

    /// A rank-K network with a bias and K inputs, N not a multiple of the chunk or the piece.
    pub(crate) fn network(neurons: usize, rank: usize, phi: Phi) -> Network {
        let mut net = crate::design::FlipFlop::standard(rank, neurons).network(3);
        let mut rng = Rng::new(4, 0);
        net.bias = (0..neurons).map(|_| 0.3 * rng.normal()).collect();
        net.phi = phi;
        net
    }

    #[test]
    fn the_fused_drive_is_the_unfused_one_bit_for_bit() {
        for (neurons, rank, phi) in
            [(9_001, 3, Phi::Tanh), (5_000, 1, Phi::Sin), (300, 8, Phi::Relu), (4_096, 2, Phi::Tanh)]
        {
            let low = LowRank::new(&network(neurons, rank, phi));
            let z: Vec<f64> = (0..rank).map(|k| 0.4 - 0.3 * k as f64).collect();
            let u: Vec<f64> = (0..rank).map(|k| if k == 1 { 0.7 } else { 0.0 }).collect();
            let bits = |v: Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(low.drive(&z, &u)), bits(low.drive_unfused(&z, &u)), "N={neurons} K={rank} {phi:?}");
        }
    }
}
