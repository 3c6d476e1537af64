//! Full-space Jacobian J_r = (−I + diag(φ′(W r + B u + b)) W) / τ and eigenvalues.

use crate::network::Network;
use nalgebra::DMatrix;

/// Row-major N × N Jacobian at rates r with input u, in 1/s. Forms W: small networks only.
pub fn full_jacobian(net: &Network, rates: &[f64], u: &[f64]) -> Vec<f64> {
    let n = net.neurons;
    let w = net.dense_weights();
    let mut j = vec![0.0; n * n];
    for i in 0..n {
        let mut x = net.bias[i];
        for c in 0..net.inputs {
            x += net.input[i * net.inputs + c] * u[c];
        }
        for q in 0..n {
            x += w[i * n + q] * rates[q];
        }
        let d = net.phi.derivative(x);
        for q in 0..n {
            j[i * n + q] = d * w[i * n + q] / net.tau;
        }
        j[i * n + i] -= 1.0 / net.tau;
    }
    j
}

/// Eigenvalues (re, im) of a real row-major square matrix, sorted by decreasing real part,
/// then decreasing imaginary part.
pub fn eigenvalues(a: &[f64], dim: usize) -> Vec<(f64, f64)> {
    if dim == 0 {
        return vec![];
    }
    let m = DMatrix::from_row_slice(dim, dim, a);
    // Bounded iterations: an unconverged Schur form gives no eigenvalues instead of hanging.
    let Some(schur) = nalgebra::Schur::try_new(m, 1e-13, 100_000) else {
        return vec![];
    };
    let mut ev: Vec<(f64, f64)> = schur.complex_eigenvalues().iter().map(|c| (c.re, c.im)).collect();
    ev.sort_by(|x, y| y.0.total_cmp(&x.0).then(y.1.total_cmp(&x.1)));
    ev
}
