//! The logistic function.

/// The logistic function 1 / (1 + e^(−t)), rising from 0 to 1 through ½ at t = 0.
pub fn logistic(t: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-t))
}

/// A logistic step in x: `right + (left − right) / (1 + e^(slope·(x − midpoint)))`, which for
/// a positive slope runs from `left` (x → −∞) to `right` (x → +∞) and is halfway at the
/// midpoint.
pub fn logistic_step(x: f64, midpoint: f64, slope: f64, left: f64, right: f64) -> f64 {
    right + (left - right) / (1.0 + libm::exp(slope * (x - midpoint)))
}
