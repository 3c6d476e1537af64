//! What the drift experiments share (`exp=drift` and `exp=drift_sweep`): the designed
//! flip-flop or a network given from outside, resampled to N; its trial; one segment of
//! simulation with what its accuracy is read from; and accuracy over a window.

use super::RunError;
use crate::analysis::readout::state_accuracy;
use crate::design::{resample, FlipFlop};
use crate::network::{Model, Network};
use crate::params::ParamError;
use crate::simulate::{Compute, SimJob, SimOutput, Simulator};
use crate::task::{FlipFlopTask, Trial};

/// The designed flip-flop of `base` neurons (τ = 10 ms, Δt = 1 ms, τ_z = τ, ρ = 1, β = 2),
/// resampled to `neurons` (LCF drift methods): the LPU is unchanged in expectation.
pub fn network(bits: usize, base: usize, neurons: usize, seed: u64) -> Network {
    grown(&FlipFlop::standard(bits, base).network(seed), neurons, seed)
}

/// `net` resampled to `neurons` with `seed`, or `net` itself when it already has that many:
/// the same rule for a designed network and one given from outside.
pub fn grown(net: &Network, neurons: usize, seed: u64) -> Network {
    if neurons == net.neurons {
        net.clone()
    } else {
        resample(net, neurons, seed)
    }
}

/// Checks a network given from outside against what the drift views need: a rate-form
/// network (the simulator steps rates) whose low-rank part is all of its recurrence (a dense
/// part can neither be resampled nor drifted with M), with one latent, one input channel and
/// at most one readout output per bit.
pub fn check_outside(net: &Network, bits: usize) -> Result<(), RunError> {
    let param = |key: &str, message: String| Err(RunError::Param(ParamError::new(key, message)));
    if net.model != Model::Rate {
        return param(
            "source",
            "the drift views simulate rate-form networks (τ dr/dt = −r + φ(W r + B u + b)); the given one is current-form".into(),
        );
    }
    if net.rank == 0 {
        return param(
            "source",
            "the given network has no low-rank part (rank 0): drift moves the embedding M of M Nᵀ, so this view takes low-rank networks".into(),
        );
    }
    if net.random.is_some() {
        return param(
            "source",
            "the given network has a dense part W_rand besides M Nᵀ: resampling cannot grow it and drift does not move it, so this view takes purely low-rank networks".into(),
        );
    }
    if net.rank != bits || net.inputs != bits {
        return param(
            "bits",
            format!(
                "must equal the given network's rank ({}) and inputs ({}), one latent and one channel per bit",
                net.rank, net.inputs
            ),
        );
    }
    if net.readout.is_some() && net.outputs() != bits {
        return param("bits", format!("must equal the given network's readout outputs ({})", net.outputs()));
    }
    Ok(())
}

/// Euler steps per task bin of 10 ms (τ of the design) at step `dt`, at least one: 10 for the
/// designed Δt = 1 ms, 5 for a trained network's default Δt = 2 ms (its training bins).
pub fn bin_steps(dt: f64) -> usize {
    ((0.01 / dt).round() as usize).max(1)
}

/// The trial of a run: pulses on bins of `bin_steps` steps over both segments.
pub fn trial(bits: usize, steps: usize, bin_steps: usize, pulse_prob: f64, seed: u64, run: u64) -> Trial {
    FlipFlopTask { bits, steps, bin_steps, pulse_prob }.trial(seed, run)
}

/// Accuracy of the rows `read` (row r = state after step `offset + r`, K per row) on the scored
/// bin ends inside the last `score` steps of [offset, offset + len).
pub fn window_accuracy(read: &[f64], k: usize, trial: &Trial, offset: usize, len: usize, score: usize) -> f64 {
    let from = offset + len - score;
    let scored: Vec<usize> =
        trial.scored.iter().filter(|&&t| t >= from && t < offset + len).map(|&t| t - offset).collect();
    let targets = &trial.targets[offset * k..(offset + len) * k];
    state_accuracy(read, targets, k, &scored)
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

/// One simulated segment and what its state accuracy is read from.
pub struct Segmented {
    /// The simulation (latent and observed latent from t = 0, the final rates).
    pub out: SimOutput,
    /// A network with a readout: its outputs R r after each step of the segment (rows of K,
    /// row r after step r + 1), filled at the trial's bin ends only (the only rows scored).
    pub outputs: Option<Vec<f64>>,
    /// The same read from the first `observed` neurons, R[:, :n_obs] r[:n_obs] · N/n_obs
    /// (scaled like the observed latent), when `observed` > 0.
    pub observed_outputs: Option<Vec<f64>>,
}

impl Segmented {
    /// What accuracy is read from, rows after each step: the readout's outputs when the
    /// network has one (a trained network's task output), else the latent z = Nᵀ r.
    pub fn read(&self, k: usize) -> &[f64] {
        self.outputs.as_deref().unwrap_or(&self.out.latent[k..])
    }

    /// As [`Segmented::read`] from the first `observed` neurons.
    pub fn read_observed(&self, k: usize) -> &[f64] {
        self.observed_outputs.as_deref().unwrap_or(&self.out.observed_latent[k..])
    }
}

/// One segment of simulation on `backend` from `initial` rates over the trial steps
/// `s.window`. A network with a readout is stepped on the CPU [`Simulator`] instead, which
/// stops at each bin end to read R r from every neuron's rate without recording them all
/// (stepping gives the one-shot run's bits).
pub fn segment(backend: &dyn Compute, net: &Network, initial: &[f64], trial: &Trial, s: Segment) -> Segmented {
    let Segment { window, noise, seed, observed } = s;
    let (offset, len) = (window.start, window.len());
    let k = net.rank;
    let job = SimJob {
        inputs: &trial.inputs[offset * k..(offset + len) * k],
        noise,
        seed,
        observed,
        ..SimJob::trial(initial, len)
    };
    let Some(readout) = &net.readout else {
        return Segmented { out: backend.simulate(net, &job), outputs: None, observed_outputs: None };
    };
    let n = net.neurons;
    let observed = observed.min(n);
    let mut sim = Simulator::new(net, &job);
    let mut outputs = vec![0.0; len * k];
    let mut observed_outputs = vec![0.0; if observed > 0 { len * k } else { 0 }];
    let scale = n as f64 / observed.max(1) as f64;
    for t in trial.scored.iter().filter(|&&t| t >= offset && t < offset + len).map(|&t| t - offset) {
        let need = t + 1 - sim.steps_done();
        if sim.advance(need) < need {
            break; // cancelled: the caller's stage reports it
        }
        let rates = sim.rates();
        outputs[t * k..(t + 1) * k].copy_from_slice(&net.read_out(rates));
        if observed > 0 {
            for (o, row) in observed_outputs[t * k..(t + 1) * k].iter_mut().zip(readout.chunks(n)) {
                *o = crate::lowrank::lane_dot(&row[..observed], &rates[..observed]) * scale;
            }
        }
    }
    sim.advance(len - sim.steps_done());
    Segmented {
        out: sim.finish(),
        outputs: Some(outputs),
        observed_outputs: (observed > 0).then_some(observed_outputs),
    }
}
