//! The sequence-sorting task (LCF Fig. 2H–I, S3C–E): a network sees L numbers one after
//! another and must then give them back in ascending order.
//!
//! A trial of length L with `show` Euler steps per item has (2L + 1)·show steps:
//!
//! - **presentation**, items i = 0..L: x_{i+1}, drawn uniformly from [−1, 1), is the value of
//!   input channel 0 during steps i·show .. (i + 1)·show (channel 1 is 0);
//! - **cue**: input channel 1 is 1 during steps L·show .. (L + 1)·show (channel 0 is 0);
//! - **response**, slots j = 0..L: during steps (L + 1 + j)·show .. (L + 2 + j)·show both inputs
//!   are 0 and the single output must equal the (j + 1)-th smallest of x_1..x_L. The target is
//!   scored (mask 1) in every step of the slot's second half — its last show − ⌊show/2⌋ steps,
//!   leaving the network the first half to move — and unscored (mask 0, target 0) everywhere
//!   else, presentation and cue included.
//!
//! Row t of the inputs drives Euler step t and row t of the targets is the output after step t
//! ([`Batch`]). Trial `index` of a trial seed draws its numbers from its own stream
//! (`stream::TRAIN_TRIALS + index·2⁸`), so any trial is reproducible alone; the training and
//! test seeds of a run come from [`super::tasks::trial_seeds`]. Optional state noise — N(0,
//! noise²) added to every neuron's state after every step, as LCF's training does — comes from
//! the seed derived from the trial seed for `stream::TRAIN_NOISE`, on stream
//! `TRAIN_NOISE + index·2⁸` (ziggurat normals).
//!
//! **Accuracy** ([`accuracy`]): a response slot is right when the output's mean over the slot's
//! scored half is nearer to the correct number than to any other number of the trial. An
//! output that ignores the inputs is right in about 1/L of the slots (more for a
//! slot-dependent constant: −1/3 then +1/3 is right in 7/9 of L = 2 slots).

use super::bptt::Batch;
use crate::rng::{derive_seed, stream, Rng};

/// The sequence-sorting task's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceTask {
    /// Numbers per trial, L.
    pub length: usize,
    /// Euler steps each item, the cue and each response slot last (at least 2).
    pub show: usize,
    /// S.d. of the Gaussian noise added to each neuron's state every step of a training
    /// batch (0: none).
    pub noise: f64,
    /// Neurons N of the state the noise is drawn for (unused when `noise` is 0).
    pub neurons: usize,
}

/// Input channels: the numbers (0) and the cue (1).
pub const INPUTS: usize = 2;

/// One trial, flat and step-major.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceTrial {
    /// The numbers x_1..x_L in the order shown.
    pub numbers: Vec<f64>,
    /// The same numbers ascending: the targets of the response slots.
    pub sorted: Vec<f64>,
    /// steps × 2 inputs.
    pub inputs: Vec<f64>,
    /// steps × 1 targets.
    pub targets: Vec<f64>,
    /// steps × 1 target weights (1 in the second half of each response slot, else 0).
    pub mask: Vec<f64>,
}

impl SequenceTask {
    /// Euler steps of a trial: (2L + 1)·show.
    pub fn steps(&self) -> usize {
        (2 * self.length + 1) * self.show
    }

    /// The first step of response slot `j` (0-based).
    pub fn slot_start(&self, j: usize) -> usize {
        (self.length + 1 + j) * self.show
    }

    /// The scored steps of response slot `j`: its second half.
    pub fn scored(&self, j: usize) -> std::ops::Range<usize> {
        let start = self.slot_start(j);
        start + self.show / 2..start + self.show
    }

    /// Trial `index` of `seed`.
    pub fn trial(&self, seed: u64, index: u64) -> SequenceTrial {
        let mut rng = Rng::new(seed, stream::TRAIN_TRIALS + (index << 8));
        let (l, show, steps) = (self.length, self.show, self.steps());
        let numbers: Vec<f64> = (0..l).map(|_| 2.0 * rng.uniform() - 1.0).collect();
        let mut sorted = numbers.clone();
        sorted.sort_by(f64::total_cmp);
        let mut inputs = vec![0.0; steps * INPUTS];
        for (i, x) in numbers.iter().enumerate() {
            for t in i * show..(i + 1) * show {
                inputs[t * INPUTS] = *x;
            }
        }
        for t in l * show..(l + 1) * show {
            inputs[t * INPUTS + 1] = 1.0;
        }
        let mut targets = vec![0.0; steps];
        let mut mask = vec![0.0; steps];
        for (j, s) in sorted.iter().enumerate() {
            for t in self.scored(j) {
                targets[t] = *s;
                mask[t] = 1.0;
            }
        }
        SequenceTrial { numbers, sorted, inputs, targets, mask }
    }

    /// The state noise of trial `index` of `seed`: steps × N values, or none when `noise` is 0.
    pub fn state_noise(&self, seed: u64, index: u64) -> Vec<f64> {
        if self.noise <= 0.0 {
            return vec![];
        }
        let mut rng = Rng::new(derive_seed(seed, stream::TRAIN_NOISE), stream::TRAIN_NOISE + (index << 8));
        (0..self.steps() * self.neurons).map(|_| self.noise * rng.normal_fast()).collect()
    }
}

/// Trials `first..first + count` of `seed` as a training batch, with the task's state noise.
pub fn batch(task: &SequenceTask, seed: u64, first: u64, count: usize) -> Batch {
    let mut b = Batch { steps: task.steps(), ..Default::default() };
    for index in first..first + count as u64 {
        let trial = task.trial(seed, index);
        b.inputs.push(trial.inputs);
        b.targets.push(trial.targets);
        b.mask.push(trial.mask);
        if task.noise > 0.0 {
            b.noise.push(task.state_noise(seed, index));
        }
    }
    b
}

/// Per response slot of `trial`, the output's mean over the slot's scored half (`y`: steps × 1
/// outputs).
pub fn slot_means(task: &SequenceTask, y: &[f64]) -> Vec<f64> {
    (0..task.length)
        .map(|j| {
            let r = task.scored(j);
            let n = r.len() as f64;
            y[r].iter().sum::<f64>() / n
        })
        .collect()
}

/// Whether a slot's mean output `mean` is nearer to `sorted[j]` than to every other number.
pub fn slot_right(sorted: &[f64], j: usize, mean: f64) -> bool {
    let d = (mean - sorted[j]).abs();
    sorted.iter().enumerate().all(|(i, s)| i == j || d < (mean - s).abs())
}

/// The fraction of response slots of trials `0..trials` of `seed` that are right (see the
/// module's doc); `outputs` maps a trial's inputs (steps × 2) to its outputs (steps × 1).
pub fn accuracy(task: &SequenceTask, seed: u64, trials: usize, outputs: impl Fn(&[f64]) -> Vec<f64>) -> f64 {
    let (mut right, mut total) = (0usize, 0usize);
    for index in 0..trials as u64 {
        let trial = task.trial(seed, index);
        let y = outputs(&trial.inputs);
        for (j, mean) in slot_means(task, &y).into_iter().enumerate() {
            total += 1;
            right += slot_right(&trial.sorted, j, mean) as usize;
        }
    }
    if total == 0 {
        0.0
    } else {
        right as f64 / total as f64
    }
}

/// The activity whose linear dimensionality is measured: the states after every step of
/// trials `0..trials` of `seed`, stacked (trials·steps × N, row-major). `states` maps a trial's
/// inputs and its state noise ([`SequenceTask::state_noise`]: empty for a noise-free task) to
/// its states (steps × N), e.g. [`super::bptt::noisy_states`].
pub fn activity(
    task: &SequenceTask,
    seed: u64,
    trials: usize,
    states: impl Fn(&[f64], &[f64]) -> Vec<f64>,
) -> Vec<f64> {
    (0..trials as u64)
        .flat_map(|index| states(&task.trial(seed, index).inputs, &task.state_noise(seed, index)))
        .collect()
}
