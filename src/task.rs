//! K-bit flip-flop task (SCIENCE §4, LCF Methods).
//!
//! Time is divided into bins (our default: 10 ms = τ). In each bin each channel emits a pulse
//! with probability p (0.05), of value ±1 with equal odds, held for the whole bin; the target of
//! channel k is the sign of its most recent pulse (0 before the first). A leaky rate network
//! needs about τ to move its latent across the origin, so the state is scored at bin ends.

use crate::rng::{stream, Rng};

/// The flip-flop task's settings; [`FlipFlopTask::trial`] draws trials from them.
#[derive(Clone, Debug)]
pub struct FlipFlopTask {
    /// Number of bits K: input channels and targets.
    pub bits: usize,
    /// Trial length in Euler steps.
    pub steps: usize,
    /// Euler steps per bin.
    pub bin_steps: usize,
    /// Probability that a channel emits a pulse in a bin.
    pub pulse_prob: f64,
}

/// One trial of the task, flat and step-major (row t holds step t's K values).
pub struct Trial {
    /// steps × K inputs.
    pub inputs: Vec<f64>,
    /// steps × K targets (±1, or 0 before a channel's first pulse).
    pub targets: Vec<f64>,
    /// Step indices t at bin ends: the state after step t is scored.
    pub scored: Vec<usize>,
}

impl FlipFlopTask {
    /// Trial number `index` of `seed`: each index has its own stream, so trials are independent
    /// and reproducible one by one.
    pub fn trial(&self, seed: u64, index: u64) -> Trial {
        let mut rng = Rng::new(seed, stream::TASK + (index << 8));
        let k = self.bits;
        let mut inputs = vec![0.0; self.steps * k];
        let mut targets = vec![0.0; self.steps * k];
        let mut state = vec![0.0; k];
        let mut scored = vec![];
        let bins = self.steps.div_ceil(self.bin_steps);
        for bin in 0..bins {
            let pulse: Vec<f64> = (0..k)
                .map(|_| {
                    let fire = rng.uniform() < self.pulse_prob;
                    let sign = if rng.uniform() < 0.5 { 1.0 } else { -1.0 };
                    if fire {
                        sign
                    } else {
                        0.0
                    }
                })
                .collect();
            for (s, p) in state.iter_mut().zip(&pulse) {
                if *p != 0.0 {
                    *s = *p;
                }
            }
            let t0 = bin * self.bin_steps;
            let t1 = ((bin + 1) * self.bin_steps).min(self.steps);
            for t in t0..t1 {
                inputs[t * k..(t + 1) * k].copy_from_slice(&pulse);
                targets[t * k..(t + 1) * k].copy_from_slice(&state);
            }
            if t1 - t0 == self.bin_steps && state.iter().all(|s| *s != 0.0) {
                scored.push(t1 - 1);
            }
        }
        Trial { inputs, targets, scored }
    }
}
