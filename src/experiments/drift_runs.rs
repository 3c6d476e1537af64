//! What the drift experiments share (`exp=drift` and `exp=drift_sweep`): the designed
//! flip-flop resampled to N, its trial, one segment of simulation, and accuracy over a window.

use crate::analysis::readout::state_accuracy;
use crate::design::{resample, FlipFlop};
use crate::network::Network;
use crate::simulate::{Compute, SimJob, SimOutput};
use crate::task::{FlipFlopTask, Trial};

/// The designed flip-flop of `base` neurons (τ = 10 ms, Δt = 1 ms, τ_z = τ, ρ = 1, β = 2),
/// resampled to `neurons` (LCF drift methods): the LPU is unchanged in expectation.
pub fn network(bits: usize, base: usize, neurons: usize, seed: u64) -> Network {
    let net = FlipFlop::standard(bits, base).network(seed);
    if neurons == base {
        net
    } else {
        resample(&net, neurons, seed)
    }
}

/// The trial of a run: pulses on 10 ms bins over both segments.
pub fn trial(bits: usize, steps: usize, pulse_prob: f64, seed: u64, run: u64) -> Trial {
    FlipFlopTask { bits, steps, bin_steps: 10, pulse_prob }.trial(seed, run)
}

/// Accuracy of the latent rows `rows` (row r = state after step `offset + r`) on the scored
/// bin ends inside the last `score` steps of [offset, offset + rows).
pub fn window_accuracy(latent: &[f64], k: usize, trial: &Trial, offset: usize, len: usize, score: usize) -> f64 {
    let from = offset + len - score;
    let scored: Vec<usize> =
        trial.scored.iter().filter(|&&t| t >= from && t < offset + len).map(|&t| t - offset).collect();
    let targets = &trial.targets[offset * k..(offset + len) * k];
    state_accuracy(latent, targets, k, &scored)
}

/// How one segment of a trial is simulated.
pub struct Segment {
    /// The trial steps it covers.
    pub window: std::ops::Range<usize>,
    /// σ of the current noise.
    pub noise: f64,
    /// Seed of the noise.
    pub seed: u64,
    /// Also read the latent from the first `observed` neurons (0: no).
    pub observed: usize,
}

/// One segment of simulation on `backend` from `initial` rates over the trial steps
/// `s.window`.
pub fn segment(backend: &dyn Compute, net: &Network, initial: &[f64], trial: &Trial, s: Segment) -> SimOutput {
    let Segment { window, noise, seed, observed } = s;
    let (offset, len) = (window.start, window.len());
    let k = net.rank;
    backend.simulate(
        net,
        &SimJob {
            inputs: &trial.inputs[offset * k..(offset + len) * k],
            noise,
            seed,
            observed,
            ..SimJob::trial(initial, len)
        },
    )
}
