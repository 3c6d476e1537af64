//! Full-space Jacobian J_r = (−I + diag(φ′(W r + B u + b)) W) / τ and eigenvalues.

use crate::network::Network;

/// Row-major N × N Jacobian at rates r with input u, in 1/s. Forms W: small networks only.
pub fn full_jacobian(net: &Network, rates: &[f64], u: &[f64]) -> Vec<f64> {
    let n = net.neurons;
    let w = net.dense_weights();
    let mut j = vec![0.0; n * n];
    for i in 0..n {
        let mut x = net.bias[i];
        for (b, uc) in net.input[i * net.inputs..(i + 1) * net.inputs].iter().zip(u) {
            x += b * uc;
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

// The spectrum is read beside the Jacobian, so its callers keep finding it here.
pub use crate::numerics::eig::eigenvalues;
