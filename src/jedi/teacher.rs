//! Teacher datasets (JEDI §3.1, A.1; SCIENCE §8): a chaotic current-form rate network
//! τ dx/dt = −x + W tanh(x) + B u(t) with W = g U Vᵀ/√(N R) (U, V ~ N(0, 1), so W's entries
//! have variance g²/N and its R non-zero eigenvalues spread over a disc of radius about g),
//! driven by input families on half the neurons. Each trial starts from x ~ N(0, 1), runs a
//! 0.1 s burn-in without input, then records the rates tanh(x) for `duration` seconds.
//!
//! - `multitask`: six tasks (sine, cosine, square at 1 Hz; a ramp 0 → 1; a decay e^{−t/0.5 s};
//!   a step 0 → 1 at half the trial), one input channel.
//! - `frequency`: sines of 0.25, 0.5, …, 2.5 Hz (10 conditions; at τ = 0.2 s faster sines are
//!   filtered down to small ripples).
//! - `reach`: a centre-out stand-in for the monkey data (JEDI §3.5): 8 directions θ. Three
//!   input channels: during the preparatory half the target (cos θ, sin θ) is held; a 50 ms go
//!   pulse on the third channel starts the movement half, in which the channels carry the
//!   minimum-jerk velocity profile of a reach, (cos θ, sin θ) · 30 s²(1 − s)² (s the fraction
//!   of the movement), peak 1.875. Each trial is recorded as two trials, `prep` and `move`, so
//!   each phase gets its own context and generated network (JEDI §3.6 compares the phases).

use super::recording::Recording;
use crate::nonlinearity::tanh;
use crate::params::Choice;
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};

/// Rank of the teacher's connectivity (JEDI §3.1).
pub const TEACHER_RANK: usize = 5;
/// Burn-in before recording, s.
pub const BURN_IN: f64 = 0.1;

/// Which teacher dataset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    /// Six input families (JEDI Fig. 2).
    Multitask,
    /// Ten sine frequencies (JEDI Fig. 4).
    Frequency,
    /// Eight reach directions, preparation and movement (JEDI Fig. 6 stand-in).
    Reach,
}

impl Choice for Dataset {
    const ALL: &'static [Self] = &[Dataset::Multitask, Dataset::Frequency, Dataset::Reach];
    const NAMES: &'static [&'static str] = &["multitask", "frequency", "reach"];
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The multitask dataset's task names, in condition order.
pub const TASKS: [&str; 6] = ["sine", "cosine", "square", "ramp", "decay", "step"];
/// Frequencies of the `frequency` dataset, Hz.
pub const FREQUENCIES: [f64; 10] = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.25, 2.5];
/// Reach directions, degrees.
pub const DIRECTIONS: usize = 8;

/// What fixes a teacher dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct TeacherSpec {
    /// Which dataset.
    pub dataset: Dataset,
    /// Neurons N.
    pub neurons: usize,
    /// Trials per condition (initial states).
    pub repeats: usize,
    /// Recorded duration per trial, s (for `reach`, both phases together).
    pub duration: f64,
    /// Time step, s.
    pub dt: f64,
    /// Neuron time constant τ, s.
    pub tau: f64,
    /// Gain g of the connectivity.
    pub gain: f64,
    /// Amplitude of the inputs (B's non-zero entries are N(0, 1)).
    pub input: f64,
    /// S.d. of the initial states x ~ N(0, s²).
    pub initial_sd: f64,
    /// Seed of the connectivity, inputs and initial states.
    pub seed: u64,
}

impl TeacherSpec {
    /// Input channels the dataset drives.
    pub fn channels(&self) -> usize {
        if self.dataset == Dataset::Reach {
            3
        } else {
            1
        }
    }

    /// Condition labels, in order.
    pub fn conditions(&self) -> Vec<String> {
        match self.dataset {
            Dataset::Multitask => TASKS.iter().map(|s| s.to_string()).collect(),
            Dataset::Frequency => FREQUENCIES.iter().map(|f| format!("{f} Hz")).collect(),
            Dataset::Reach => (0..DIRECTIONS).map(|k| format!("{}°", k * 360 / DIRECTIONS)).collect(),
        }
    }

    /// Recorded steps per trial (per phase for `reach`).
    pub fn steps(&self) -> usize {
        let all = (self.duration / self.dt).round() as usize;
        if self.dataset == Dataset::Reach {
            all / 2
        } else {
            all
        }
    }

    /// Trials of the recording.
    pub fn trials(&self) -> usize {
        let per = if self.dataset == Dataset::Reach { 2 } else { 1 };
        self.conditions().len() * self.repeats * per
    }

    /// The input of condition `c` at time `t` (s since the end of the burn-in), `channels`
    /// values.
    pub fn input(&self, c: usize, t: f64) -> Vec<f64> {
        let two_pi = 2.0 * std::f64::consts::PI;
        match self.dataset {
            Dataset::Multitask => {
                let s = libm::sin(two_pi * t);
                vec![match c {
                    0 => s,
                    1 => libm::cos(two_pi * t),
                    2 => {
                        if s >= 0.0 {
                            1.0
                        } else {
                            -1.0
                        }
                    }
                    3 => t / self.duration,
                    4 => libm::exp(-t / 0.5),
                    _ => {
                        if t >= self.duration / 2.0 {
                            1.0
                        } else {
                            0.0
                        }
                    }
                }]
            }
            Dataset::Frequency => vec![libm::sin(two_pi * FREQUENCIES[c] * t)],
            Dataset::Reach => {
                let angle = two_pi * c as f64 / DIRECTIONS as f64;
                let (sin, cos) = (libm::sin(angle), libm::cos(angle));
                let half = self.steps() as f64 * self.dt;
                if t < half {
                    vec![cos, sin, 0.0]
                } else {
                    let s = ((t - half) / half).min(1.0);
                    let v = 30.0 * s * s * (1.0 - s) * (1.0 - s);
                    let go = if t - half < 0.05 { 1.0 } else { 0.0 };
                    vec![cos * v, sin * v, go]
                }
            }
        }
    }
}

/// The teacher network: W (N × N, row-major) and B (N × channels, row-major).
pub struct Teacher {
    /// Recurrent weights.
    pub w: Vec<f64>,
    /// Input weights: rows of half the neurons are N(0, 1), the others zero.
    pub b: Vec<f64>,
}

/// The teacher of `spec`.
pub fn teacher(spec: &TeacherSpec) -> Teacher {
    let n = spec.neurons;
    let r = TEACHER_RANK.min(n);
    let mut rng = Rng::new(spec.seed, stream::JEDI_TEACHER);
    let mut u = vec![0.0; n * r];
    let mut v = vec![0.0; n * r];
    rng.fill_normal(&mut u, 0.0, 1.0);
    rng.fill_normal(&mut v, 0.0, 1.0);
    let scale = spec.gain / ((n * r) as f64).sqrt();
    let mut w = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let mut s = 0.0;
            for k in 0..r {
                s += u[i * r + k] * v[j * r + k];
            }
            w[i * n + j] = scale * s;
        }
    }
    let channels = spec.channels();
    // Half the neurons, chosen by a partial Fisher–Yates shuffle, receive input.
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..n / 2 {
        let j = i + rng.below((n - i) as u64) as usize;
        order.swap(i, j);
    }
    let mut b = vec![0.0; n * channels];
    for &i in &order[..n / 2] {
        for c in 0..channels {
            b[i * channels + c] = rng.normal();
        }
    }
    Teacher { w, b }
}

/// The recording of `spec`: every condition × repeat, in condition-major order.
pub fn generate(spec: &TeacherSpec) -> Recording {
    let n = spec.neurons;
    let t = teacher(spec);
    let names = spec.conditions();
    let steps = spec.steps();
    let reach = spec.dataset == Dataset::Reach;
    let record = if reach { 2 * steps } else { steps };
    let burn = (BURN_IN / spec.dt).round() as usize;
    let alpha = spec.dt / spec.tau;
    let channels = spec.channels();
    let jobs: Vec<(usize, usize)> = (0..names.len()).flat_map(|c| (0..spec.repeats).map(move |k| (c, k))).collect();
    let trials = crate::parallel::map(&jobs, |&(c, k)| {
        let index = (c * spec.repeats + k) as u64;
        let mut rng = Rng::new(spec.seed, stream::JEDI_TEACHER_STATES + (index << 8));
        let mut x = vec![0.0; n];
        rng.fill_normal(&mut x, 0.0, spec.initial_sd);
        let mut r = vec![0.0; n];
        let mut out = Vec::with_capacity(record * n);
        let zero = vec![0.0; channels];
        for s in 0..burn + record {
            for (ri, xi) in r.iter_mut().zip(&x) {
                *ri = tanh(*xi);
            }
            if s >= burn {
                out.extend_from_slice(&r);
            }
            let u = if s >= burn { spec.input(c, (s - burn) as f64 * spec.dt) } else { zero.clone() };
            for (i, xi) in x.iter_mut().enumerate() {
                let mut drive = crate::lowrank::lane_dot(&t.w[i * n..(i + 1) * n], &r);
                for (ch, uc) in u.iter().enumerate() {
                    drive += t.b[i * channels + ch] * (spec.input * uc);
                }
                *xi += alpha * (drive - *xi);
            }
        }
        out
    });
    let mut data = Vec::with_capacity(spec.trials() * steps * n);
    let mut conditions = vec![];
    let mut phases = vec![];
    for (&(c, _), trial) in jobs.iter().zip(&trials) {
        if reach {
            for (p, phase) in ["prep", "move"].iter().enumerate() {
                data.extend_from_slice(&trial[p * steps * n..(p + 1) * steps * n]);
                conditions.push(names[c].clone());
                phases.push(phase.to_string());
            }
        } else {
            data.extend_from_slice(trial);
            conditions.push(names[c].clone());
        }
    }
    Recording { trials: conditions.len(), steps, neurons: n, dt: spec.dt, data, conditions, phases }
}
