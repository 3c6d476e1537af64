//! The tasks networks are trained on, as minibatches of trials: the K-bit flip-flop (LCF
//! Methods, two-step paradigm) and sequence sorting (LCF Fig. 2H–I).

use super::bptt::Batch;
use crate::rng::derive_seed;
use crate::task::FlipFlopTask;

/// Flip-flop trials `first..first + count` of `seed` as a batch: the targets are the bits'
/// states (±1), unscored (mask 0) before a channel's first pulse.
pub fn flipflop_batch(task: &FlipFlopTask, seed: u64, first: u64, count: usize) -> Batch {
    let mut b = Batch { steps: task.steps, ..Default::default() };
    for i in 0..count as u64 {
        let trial = task.trial(seed, first + i);
        b.mask.push(trial.targets.iter().map(|t| if *t == 0.0 { 0.0 } else { 1.0 }).collect());
        b.inputs.push(trial.inputs);
        b.targets.push(trial.targets);
    }
    b
}

/// The seed of the training trials and of the test trials of a run seeded `seed`: separate
/// streams, so no test trial is ever trained on.
pub fn trial_seeds(seed: u64) -> (u64, u64) {
    (derive_seed(seed, crate::rng::stream::TRAIN_TRIALS), derive_seed(seed, crate::rng::stream::TEST_TRIALS))
}

/// The fraction of scored bin ends at which every output has the sign of its bit's state.
pub fn flipflop_accuracy(task: &FlipFlopTask, seed: u64, trials: usize, outputs: impl Fn(&[f64]) -> Vec<f64>) -> f64 {
    let k = task.bits;
    let (mut right, mut total) = (0usize, 0usize);
    for i in 0..trials as u64 {
        let trial = task.trial(seed, i);
        let y = outputs(&trial.inputs);
        for &t in &trial.scored {
            total += 1;
            if (0..k).all(|c| y[t * k + c] * trial.targets[t * k + c] > 0.0) {
                right += 1;
            }
        }
    }
    if total == 0 {
        0.0
    } else {
        right as f64 / total as f64
    }
}
