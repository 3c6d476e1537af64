//! State accuracy of a linear readout (SCIENCE §4): 1 at a time point when every bit's
//! sign(ẑ_k) matches its target, else 0; averaged over the scored time points.

/// `latent` and `targets` are T × K (row per time point); `scored` lists the time points.
pub fn state_accuracy(latent: &[f64], targets: &[f64], k: usize, scored: &[usize]) -> f64 {
    if scored.is_empty() || k == 0 {
        return 0.0;
    }
    let correct = scored
        .iter()
        .filter(|&&t| {
            (0..k).all(|b| {
                let z = latent[t * k + b];
                let target = targets[t * k + b];
                (z > 0.0 && target > 0.0) || (z < 0.0 && target < 0.0)
            })
        })
        .count();
    correct as f64 / scored.len() as f64
}
