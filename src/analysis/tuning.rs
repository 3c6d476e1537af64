//! Tuning curves (LCF Eq. 5, M85): with the latent held fixed the rates settle to
//! r_i(z) = φ(m_i · z + B_i u + b_i); encoding weights do not appear.

use crate::network::Network;
use crate::numerics::grid::linspace;
use serde::{Deserialize, Serialize};

/// A neuron's rate as one latent variable sweeps the window (LCF Eq. 5).
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct TuningCurve {
    /// The neuron (its index).
    pub neuron: usize,
    /// Latent dimension varied (the others are held at 0).
    pub dimension: usize,
    /// Values of the varied latent variable.
    pub z: Vec<f64>,
    /// r_i(z) = φ(m_i·z + B_i u + b_i) at each value.
    pub rate: Vec<f64>,
}

/// The tuning curve of `neuron` against latent `dimension` over [−extent, extent] at `points` values, under constant input `u`.
pub fn tuning_curve(
    net: &Network,
    neuron: usize,
    dimension: usize,
    extent: f64,
    points: usize,
    u: &[f64],
) -> TuningCurve {
    let mut z = vec![0.0; net.rank];
    let grid = linspace(-extent, extent, points);
    let rate = grid
        .iter()
        .map(|&x| {
            z[dimension] = x;
            net.phi.apply(net.structured_current(neuron, &z, u))
        })
        .collect();
    TuningCurve { neuron, dimension, z: grid, rate }
}
