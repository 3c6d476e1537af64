//! Eigenvalues of small real matrices.

use nalgebra::DMatrix;

/// Eigenvalues (re, im) of a real row-major `dim × dim` matrix from nalgebra's real Schur
/// form, sorted by decreasing real part, then decreasing imaginary part. Empty if the Schur
/// iteration has not converged after 100 000 steps: a bounded search gives no answer instead
/// of hanging.
pub fn eigenvalues(a: &[f64], dim: usize) -> Vec<(f64, f64)> {
    if dim == 0 {
        return vec![];
    }
    let m = DMatrix::from_row_slice(dim, dim, a);
    let Some(schur) = nalgebra::Schur::try_new(m, 1e-13, 100_000) else {
        return vec![];
    };
    let mut ev: Vec<(f64, f64)> = schur.complex_eigenvalues().iter().map(|c| (c.re, c.im)).collect();
    ev.sort_by(|x, y| y.0.total_cmp(&x.0).then(y.1.total_cmp(&x.1)));
    ev
}

/// As [`eigenvalues`], with closed forms for `dim` ≤ 2: a handful of exact IEEE operations,
/// cheaper than a Schur iteration and exact for a double root.
pub fn eigenvalues_closed_form(a: &[f64], dim: usize) -> Vec<(f64, f64)> {
    match dim {
        1 => vec![(a[0], 0.0)],
        2 => {
            // ((a−d)/2)² + bc rather than (tr/2)² − det: no cancellation for repeated roots.
            let half = (a[0] + a[3]) / 2.0;
            let gap = (a[0] - a[3]) / 2.0;
            let disc = gap * gap + a[1] * a[2];
            if disc >= 0.0 {
                let s = disc.sqrt();
                vec![(half + s, 0.0), (half - s, 0.0)]
            } else {
                let s = (-disc).sqrt();
                vec![(half, s), (half, -s)]
            }
        }
        _ => eigenvalues(a, dim),
    }
}

/// All eigenvalues (re, im) of a dense real row-major `dim × dim` matrix, by faer's
/// Hessenberg reduction and Francis QR, sorted as [`eigenvalues`] sorts them.
///
/// For matrices of hundreds to thousands of rows. faer dispatches to SIMD kernels that fuse
/// multiply-adds where the CPU has them, so values agree between native and wasm to rounding
/// (within 1e-10 relative to the spectral radius, `tests/numerics/eig.rs`), not bit for bit.
pub fn eigenvalues_dense(a: &[f64], dim: usize) -> Vec<(f64, f64)> {
    if dim == 0 {
        return vec![];
    }
    let m = faer::Mat::from_fn(dim, dim, |i, j| a[i * dim + j]);
    let mut ev: Vec<(f64, f64)> = m.eigenvalues::<faer::complex_native::c64>().iter().map(|c| (c.re, c.im)).collect();
    ev.sort_by(|x, y| y.0.total_cmp(&x.0).then(y.1.total_cmp(&x.1)));
    ev
}
