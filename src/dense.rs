//! Deterministic dense product X = R Wᵀ for a batch of rate vectors.
//!
//! Every output is summed in plain column order j = 0, 1, …, N−1 starting from 0, whatever the
//! blocking, tiling, thread count or SIMD width, and without fused multiply-adds, so the result
//! is bit-identical to the naive loop natively and in wasm. The blocking only keeps W's tiles
//! in cache and the accumulators in registers.

/// `wt` is Wᵀ (row j holds the weights leaving neuron j), `rates` and the result are
/// batch × n, trial-major.
pub fn product(wt: &[f64], n: usize, rates: &[f64], batch: usize) -> Vec<f64> {
    assert_eq!(wt.len(), n * n);
    assert_eq!(rates.len(), n * batch);
    let blocks: Vec<usize> = (0..n).step_by(IB).collect();
    let columns = |i0: usize| -> Vec<f64> {
        let width = IB.min(n - i0);
        let mut local = vec![0.0; batch * width];
        kernel_dispatch(wt, n, rates, batch, i0, width, &mut local);
        local
    };
    #[cfg(not(target_arch = "wasm32"))]
    let parts: Vec<Vec<f64>> = {
        use rayon::prelude::*;
        blocks.par_iter().map(|&i0| columns(i0)).collect()
    };
    #[cfg(target_arch = "wasm32")]
    let parts: Vec<Vec<f64>> = blocks.iter().map(|&i0| columns(i0)).collect();
    let mut out = vec![0.0; batch * n];
    for (&i0, local) in blocks.iter().zip(&parts) {
        let width = IB.min(n - i0);
        for b in 0..batch {
            out[b * n + i0..b * n + i0 + width].copy_from_slice(&local[b * width..(b + 1) * width]);
        }
    }
    out
}

const IB: usize = 64; // output columns per task
const JB: usize = 256; // inner-dimension block kept in cache
const TB: usize = 4; // trials per register tile
const TI: usize = 8; // outputs per register tile

fn kernel_dispatch(wt: &[f64], n: usize, r: &[f64], batch: usize, i0: usize, width: usize, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2; the body has no FMA, so results are unchanged.
            unsafe { kernel_avx2(wt, n, r, batch, i0, width, out) };
            return;
        }
    }
    kernel(wt, n, r, batch, i0, width, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn kernel_avx2(wt: &[f64], n: usize, r: &[f64], batch: usize, i0: usize, width: usize, out: &mut [f64]) {
    kernel(wt, n, r, batch, i0, width, out)
}

/// out[b][l] (width-wide, local) accumulates Σ_j r[b][j] · wt[j][i0 + l].
#[inline(always)]
fn kernel(wt: &[f64], n: usize, r: &[f64], batch: usize, i0: usize, width: usize, out: &mut [f64]) {
    let full_b = batch / TB * TB;
    let full_i = width / TI * TI;
    for j0 in (0..n).step_by(JB) {
        let j1 = (j0 + JB).min(n);
        let mut b = 0;
        while b < full_b {
            let mut l = 0;
            while l < full_i {
                let mut acc = [[0.0f64; TI]; TB];
                for (bb, row) in acc.iter_mut().enumerate() {
                    row.copy_from_slice(&out[(b + bb) * width + l..(b + bb) * width + l + TI]);
                }
                for j in j0..j1 {
                    let w: &[f64; TI] = wt[j * n + i0 + l..j * n + i0 + l + TI].try_into().unwrap();
                    for (bb, row) in acc.iter_mut().enumerate() {
                        let s = r[(b + bb) * n + j];
                        for t in 0..TI {
                            row[t] += s * w[t];
                        }
                    }
                }
                for (bb, row) in acc.iter().enumerate() {
                    out[(b + bb) * width + l..(b + bb) * width + l + TI].copy_from_slice(row);
                }
                l += TI;
            }
            for bb in b..b + TB {
                edge(wt, n, r, bb, i0, full_i, width, j0, j1, out);
            }
            b += TB;
        }
        for bb in full_b..batch {
            edge(wt, n, r, bb, i0, 0, width, j0, j1, out);
        }
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn edge(
    wt: &[f64],
    n: usize,
    r: &[f64],
    b: usize,
    i0: usize,
    l0: usize,
    width: usize,
    j0: usize,
    j1: usize,
    out: &mut [f64],
) {
    for l in l0..width {
        let mut acc = out[b * width + l];
        for j in j0..j1 {
            acc += r[b * n + j] * wt[j * n + i0 + l];
        }
        out[b * width + l] = acc;
    }
}

/// The transpose of the n × n row-major matrix `w` (for [`product`], which takes Wᵀ).
pub fn transpose(w: &[f64], n: usize) -> Vec<f64> {
    let mut t = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            t[j * n + i] = w[i * n + j];
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn blocked_product_equals_the_naive_sum_bit_for_bit() {
        let mut rng = Rng::new(5, 0);
        for (n, batch) in [(1, 1), (7, 3), (70, 5), (300, 9), (513, 4)] {
            let w: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
            let r: Vec<f64> = (0..n * batch).map(|_| rng.normal()).collect();
            let got = product(&transpose(&w, n), n, &r, batch);
            for b in 0..batch {
                for i in 0..n {
                    let mut s = 0.0;
                    for j in 0..n {
                        s += r[b * n + j] * w[i * n + j];
                    }
                    assert_eq!(got[b * n + i].to_bits(), s.to_bits(), "n={n} b={b} i={i}");
                }
            }
        }
    }
}
