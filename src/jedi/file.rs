//! The JEDI model file (`lpu-jedi`, version 1): the hypernetwork, every trial's context and
//! initial state, and how the last layer's outputs become W — enough to regenerate each
//! trial's network and re-simulate it with NumPy alone (README, "The JEDI model file").

use super::fit::Model;
use super::recording::Recording;
use super::student;
use serde::{Deserialize, Serialize};

/// One layer of the hypernetwork.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// outputs × inputs (PyTorch's `nn.Linear.weight`).
    pub weight: Vec<Vec<f64>>,
    /// One per output.
    pub bias: Vec<f64>,
    /// `tanh` or `linear`.
    pub activation: String,
}

/// The file's contents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JediFile {
    /// `lpu-jedi`.
    pub format: String,
    /// 1.
    pub version: u32,
    /// N.
    pub neurons: usize,
    /// R (0: full W).
    pub rank: usize,
    /// d.
    pub context: usize,
    /// τ, s.
    pub tau: f64,
    /// Δt, s.
    pub dt: f64,
    /// `tanh`.
    pub nonlinearity: String,
    /// `rates`: the recording is fitted by tanh(x).
    pub observe: String,
    /// The update, in words and NumPy.
    pub update: String,
    /// How a trial's initial state comes from its first sample.
    pub initial_state: String,
    /// Time steps per trial.
    pub steps: usize,
    /// The three layers.
    pub hypernetwork: Vec<Layer>,
    /// How the last layer's outputs become W.
    pub output_layout: String,
    /// One context per trial (held-out ones inferred).
    pub contexts: Vec<Vec<f64>>,
    /// One initial state x_0 per trial.
    pub initial_states: Vec<Vec<f64>>,
    /// One condition label per trial.
    pub conditions: Vec<String>,
    /// One phase label per trial (empty without phases).
    pub phases: Vec<String>,
    /// Whether each trial was held out of the fit.
    pub held_out: Vec<bool>,
}

/// The layout text of a rank-R or full model.
pub fn layout(rank: usize) -> String {
    if rank == 0 {
        "full: W = outputs.reshape(N, N) / sqrt(N)".to_string()
    } else {
        "low_rank: M = outputs[:N*R].reshape(N, R); Nm = outputs[N*R:].reshape(N, R); W = M @ Nm.T / N".to_string()
    }
}

/// The file of a fitted model: `train` trials have their learned contexts, `test` trials the
/// `inferred` ones.
pub fn to_json(model: &Model, rec: &Recording, train: &[usize], test: &[usize], inferred: &[Vec<f64>]) -> String {
    let mlp = model.mlp();
    let theta = model.theta();
    let hypernetwork = (0..3)
        .map(|l| {
            let (w, b) = mlp.offsets(l);
            let (inputs, outputs) = (mlp.sizes[l], mlp.sizes[l + 1]);
            Layer {
                weight: (0..outputs).map(|o| theta[w + o * inputs..w + (o + 1) * inputs].to_vec()).collect(),
                bias: theta[b..b + outputs].to_vec(),
                activation: if l < 2 { "tanh" } else { "linear" }.to_string(),
            }
        })
        .collect();
    let mut contexts = vec![vec![]; rec.trials];
    for (k, &t) in train.iter().enumerate() {
        contexts[t] = model.context_of(k).to_vec();
    }
    for (e, &t) in inferred.iter().zip(test) {
        contexts[t] = e.clone();
    }
    let n = rec.neurons;
    let f = JediFile {
        format: "lpu-jedi".into(),
        version: 1,
        neurons: n,
        rank: model.rank,
        context: model.context,
        tau: model.tau,
        dt: model.dt,
        nonlinearity: "tanh".into(),
        observe: "rates".into(),
        update: "x[t+1] = x[t] + dt/tau * (W @ tanh(x[t]) - x[t]); rates[t] = tanh(x[t])".into(),
        initial_state: format!("x[0] = arctanh(clip(first recorded sample, -{0}, {0}))", student::CLIP),
        steps: rec.steps,
        hypernetwork,
        output_layout: layout(model.rank),
        contexts,
        initial_states: (0..rec.trials).map(|k| student::initial_state(&rec.trial(k)[..n])).collect(),
        conditions: rec.conditions.clone(),
        phases: rec.phases.clone(),
        held_out: (0..rec.trials).map(|k| test.contains(&k)).collect(),
    };
    serde_json::to_string(&f).expect("serialises")
}

/// The JSON sidecar of a recording written as `.npy`: condition labels, phases and Δt.
pub fn labels_json(rec: &Recording) -> String {
    serde_json::json!({
        "format": "lpu-recording-labels",
        "version": 1,
        "shape": [rec.trials, rec.steps, rec.neurons],
        "axes": ["trial", "time", "neuron"],
        "dt": rec.dt,
        "observed": "rates tanh(x)",
        "conditions": rec.conditions,
        "phases": rec.phases,
    })
    .to_string()
}
