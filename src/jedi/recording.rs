//! A recording: trials × time steps × neurons of activity with a label per trial, the data
//! JEDI fits (SCIENCE §8). Teacher datasets ([`super::teacher`]) and uploaded files
//! ([`super::upload`]) both end here.

use serde::{Deserialize, Serialize};

/// Most values (trials × steps × neurons) a recording may hold: 2²⁴ f64 values are 128 MiB,
/// which a 32-bit wasm worker holds beside the fit's own buffers.
pub const MAX_VALUES: usize = 1 << 24;
/// Most neurons a recording may have (a full-rank fit stores N² weights per trial).
pub const MAX_NEURONS: usize = 2000;
/// Most trials.
pub const MAX_TRIALS: usize = 5000;
/// Most time steps per trial.
pub const MAX_STEPS: usize = 10_000;

/// Activity of a population over trials, time-major within a trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    /// Number of trials.
    pub trials: usize,
    /// Time steps per trial.
    pub steps: usize,
    /// Number of neurons.
    pub neurons: usize,
    /// Time between steps, s.
    pub dt: f64,
    /// trials × steps × neurons values, C order (trial, then step, then neuron).
    pub data: Vec<f64>,
    /// The condition of each trial (a task, a frequency, a reach direction).
    pub conditions: Vec<String>,
    /// The phase of each trial when trials are phases of a longer one (`prep`, `move`), or
    /// empty.
    pub phases: Vec<String>,
}

impl Recording {
    /// The steps × neurons values of trial `k`.
    pub fn trial(&self, k: usize) -> &[f64] {
        let len = self.steps * self.neurons;
        &self.data[k * len..(k + 1) * len]
    }

    /// The distinct conditions in order of first appearance.
    pub fn condition_names(&self) -> Vec<String> {
        let mut names: Vec<String> = vec![];
        for c in &self.conditions {
            if !names.contains(c) {
                names.push(c.clone());
            }
        }
        names
    }

    /// The index of each trial's condition in [`Recording::condition_names`].
    pub fn condition_index(&self) -> Vec<usize> {
        let names = self.condition_names();
        self.conditions.iter().map(|c| names.iter().position(|n| n == c).unwrap_or(0)).collect()
    }
}
