//! Principal component analysis of `count` samples of dimension `dim` (row-major), mean
//! removed, covariance divided by `count − 1`.
//!
//! The eigenproblem is solved on the smaller of the `dim × dim` covariance XᵀX/(count−1) and
//! the `count × count` Gram matrix XXᵀ/(count−1): both have the same nonzero eigenvalues, and a
//! sample's score on a component is √((count−1) λ) times the Gram eigenvector's entry. Both
//! products are summed here in one fixed order (four lanes, then the lanes in order, no fused
//! multiply-add) rather than by nalgebra's `gemm`, which dispatches to SIMD kernels at run
//! time; nalgebra's symmetric eigensolver itself is plain Rust, so the results are
//! bit-identical natively and in wasm.

use nalgebra::{DMatrix, SymmetricEigen};

/// The principal components of a sample.
#[derive(Clone, Debug, PartialEq)]
pub struct Pca {
    /// Variance of each principal component, descending; `min(count − 1, dim)` values.
    pub variances: Vec<f64>,
    /// Per component (the first `keep`): the projection of each sample (`count` values, mean
    /// zero) on its unit direction. The sign is fixed so that the largest |score| is positive.
    pub scores: Vec<Vec<f64>>,
}

/// Which matrix's eigenproblem gives the components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The `dim × dim` covariance XᵀX/(count−1).
    Covariance,
    /// The `count × count` Gram matrix XXᵀ/(count−1).
    Gram,
}

impl Route {
    /// The smaller matrix's route (covariance on a tie).
    pub fn smaller(count: usize, dim: usize) -> Route {
        if dim <= count {
            Route::Covariance
        } else {
            Route::Gram
        }
    }
}

/// Variances of all principal components, descending: `min(count − 1, dim)` values (the
/// components a centred sample can have; further eigenvalues are zero by construction).
/// Rounding can leave a vanishing variance slightly negative; it is clamped to 0.
pub fn variances(samples: &[f64], count: usize, dim: usize) -> Vec<f64> {
    variances_with(samples, count, dim, Route::smaller(count, dim))
}

/// [`variances`] through a chosen route.
pub fn variances_with(samples: &[f64], count: usize, dim: usize, route: Route) -> Vec<f64> {
    let (m, _) = second_moments(samples, count, dim, route);
    let Some(m) = m else { return vec![] };
    let mut ev: Vec<f64> = m.symmetric_eigenvalues().iter().copied().collect();
    ev.sort_by(|a, b| b.total_cmp(a));
    ev.truncate(components(count, dim));
    ev.iter().map(|v| v.max(0.0)).collect()
}

/// Variances of all principal components and the scores of the first `keep` of them (at most
/// `min(count − 1, dim)`).
pub fn pca(samples: &[f64], count: usize, dim: usize, keep: usize) -> Pca {
    pca_with(samples, count, dim, keep, Route::smaller(count, dim))
}

/// [`pca`] through a chosen route.
pub fn pca_with(samples: &[f64], count: usize, dim: usize, keep: usize, route: Route) -> Pca {
    let (m, centred) = second_moments(samples, count, dim, route);
    let Some(m) = m else { return Pca { variances: vec![], scores: vec![] } };
    let gram = route == Route::Gram;
    let eig = SymmetricEigen::new(m);
    let mut order: Vec<usize> = (0..eig.eigenvalues.len()).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    order.truncate(components(count, dim));
    let variances: Vec<f64> = order.iter().map(|&k| eig.eigenvalues[k].max(0.0)).collect();
    let scale = (count - 1) as f64;
    let scores = order
        .iter()
        .zip(&variances)
        .take(keep)
        .map(|(&k, &var)| {
            let v = eig.eigenvectors.column(k);
            let mut s: Vec<f64> = if gram {
                let f = (scale * var).sqrt();
                v.iter().map(|u| f * u).collect()
            } else {
                (0..count).map(|i| dot(&centred[i * dim..(i + 1) * dim], v.as_slice())).collect()
            };
            let big = s.iter().fold(0.0f64, |b, &x| if x.abs() > b.abs() { x } else { b });
            if big < 0.0 {
                s.iter_mut().for_each(|x| *x = -*x);
            }
            s
        })
        .collect();
    Pca { variances, scores }
}

/// The smallest number of leading components whose variances sum to at least `fraction` of
/// the total (`variances` descending); 0 when the total is 0. At `fraction = 0.99` this is the
/// linear dimensionality.
pub fn dimension(variances: &[f64], fraction: f64) -> usize {
    let total: f64 = variances.iter().sum();
    if total <= 0.0 {
        return 0;
    }
    let mut acc = 0.0;
    for (i, v) in variances.iter().enumerate() {
        acc += v;
        if acc >= fraction * total {
            return i + 1;
        }
    }
    variances.len()
}

fn components(count: usize, dim: usize) -> usize {
    count.saturating_sub(1).min(dim)
}

/// The second-moment matrix of the centred sample (covariance or Gram, by `route`), divided
/// by `count − 1`, and the centred sample; `None` without a component.
fn second_moments(samples: &[f64], count: usize, dim: usize, route: Route) -> (Option<DMatrix<f64>>, Vec<f64>) {
    assert_eq!(samples.len(), count * dim, "pca: {count} samples of dimension {dim}");
    if components(count, dim) == 0 {
        return (None, vec![]);
    }
    let mut mean = vec![0.0; dim];
    for row in samples.chunks(dim) {
        mean.iter_mut().zip(row).for_each(|(m, x)| *m += x);
    }
    mean.iter_mut().for_each(|m| *m /= count as f64);
    let centred: Vec<f64> = samples.chunks(dim).flat_map(|row| row.iter().zip(&mean).map(|(x, m)| x - m)).collect();
    let scale = (count - 1) as f64;
    let m = if route == Route::Covariance {
        // Columns of the centred sample, contiguous, so each entry is one dot product.
        let mut cols = vec![0.0; count * dim];
        for (i, row) in centred.chunks(dim).enumerate() {
            for (j, x) in row.iter().enumerate() {
                cols[j * count + i] = *x;
            }
        }
        symmetric(dim, |a, b| dot(&cols[a * count..(a + 1) * count], &cols[b * count..(b + 1) * count]) / scale)
    } else {
        symmetric(count, |a, b| dot(&centred[a * dim..(a + 1) * dim], &centred[b * dim..(b + 1) * dim]) / scale)
    };
    (Some(m), centred)
}

/// The symmetric `n × n` matrix with entries `f(a, b)` computed for a ≥ b.
fn symmetric(n: usize, f: impl Fn(usize, usize) -> f64) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(n, n);
    for a in 0..n {
        for b in 0..=a {
            let v = f(a, b);
            m[(a, b)] = v;
            m[(b, a)] = v;
        }
    }
    m
}

/// x · y in four lanes (element i into lane i mod 4), then the lanes in order.
fn dot(x: &[f64], y: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 4];
    let (xc, yc) = (x.chunks_exact(4), y.chunks_exact(4));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for l in 0..4 {
            lanes[l] += a[l] * b[l];
        }
    }
    for (l, (a, b)) in xr.iter().zip(yr).enumerate() {
        lanes[l] += a * b;
    }
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
}
