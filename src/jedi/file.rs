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
    /// The canonical query of the fit (`lpu run` of it refits the same model), so that loading
    /// the file restores its view without refitting; empty in files from elsewhere.
    #[serde(default)]
    pub query: String,
    /// The hash of the recording file fitted (`dataset=file`), if any.
    #[serde(default)]
    pub data: Option<String>,
    /// Mean minibatch loss of each epoch.
    #[serde(default)]
    pub loss: Vec<f64>,
}

/// What the fit was, for the model file: its query, its recording file's hash and its losses.
pub struct Provenance<'a> {
    /// The fit's canonical query.
    pub query: String,
    /// The recording file's hash (`dataset=file`).
    pub data: Option<String>,
    /// Loss per epoch.
    pub loss: &'a [f64],
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
pub fn to_json(
    model: &Model,
    rec: &Recording,
    train: &[usize],
    test: &[usize],
    inferred: &[Vec<f64>],
    from: Provenance,
) -> String {
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
        query: from.query,
        data: from.data,
        loss: from.loss.to_vec(),
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

/// Largest model file read (a full-rank hypernetwork of 4·10⁶ parameters is about 80 MB of
/// JSON).
pub const MAX_BYTES: usize = 128 << 20;

/// Reads and checks a model file: format and version, the three layers' shapes (d → h → h →
/// outputs, outputs as the layout of N and R), one context of d values, one initial state of N
/// values, a condition and a held-out flag per trial, and every number finite. Each problem is
/// one message.
pub fn from_json(text: &str) -> Result<JediFile, String> {
    if text.len() > MAX_BYTES {
        return Err(format!("the file is over the limit of {} MiB for a model file", MAX_BYTES >> 20));
    }
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    match v.get("format").and_then(|f| f.as_str()) {
        Some("lpu-jedi") => {}
        Some(other) => return Err(format!("format must be \"lpu-jedi\", got \"{other}\"")),
        None => return Err("not a JEDI model file: no \"format\": \"lpu-jedi\"".into()),
    }
    if v.get("version").and_then(|x| x.as_u64()) != Some(1) {
        return Err(format!("version must be 1, got {}", v.get("version").unwrap_or(&serde_json::Value::Null)));
    }
    let f: JediFile = serde_json::from_value(v).map_err(|e| format!("not a valid lpu-jedi file: {e}"))?;
    let (n, r, d) = (f.neurons, f.rank, f.context);
    if n == 0 || r > n || d == 0 || f.steps < 2 {
        return Err(format!("sizes out of range: neurons {n}, rank {r}, context {d}, steps {}", f.steps));
    }
    let outputs = if r == 0 { n * n } else { 2 * n * r };
    if f.hypernetwork.len() != 3 {
        return Err(format!("hypernetwork must have 3 layers, has {}", f.hypernetwork.len()));
    }
    let h = f.hypernetwork[0].bias.len();
    let shapes = [(d, h), (h, h), (h, outputs)];
    for (l, (layer, &(inputs, outs))) in f.hypernetwork.iter().zip(&shapes).enumerate() {
        let want = if l < 2 { "tanh" } else { "linear" };
        if layer.activation != want {
            return Err(format!("layer {l}: activation must be {want}, got \"{}\"", layer.activation));
        }
        if layer.bias.len() != outs || layer.weight.len() != outs || layer.weight.iter().any(|row| row.len() != inputs)
        {
            return Err(format!(
                "layer {l}: weight must be {outs} rows of {inputs} and bias {outs} values (context {d}, hidden {h}, {outputs} outputs for N = {n}, R = {r})"
            ));
        }
    }
    if f.output_layout != layout(r) {
        return Err(format!("output_layout must be \"{}\" for rank {r}", layout(r)));
    }
    let trials = f.contexts.len();
    if trials < 2 {
        return Err(format!("at least 2 trials are needed, the file has {trials}"));
    }
    if f.contexts.iter().any(|c| c.len() != d)
        || f.initial_states.len() != trials
        || f.initial_states.iter().any(|x| x.len() != n)
    {
        return Err(format!("contexts and initial_states must be {trials} rows of {d} and {n} values"));
    }
    if f.conditions.len() != trials || f.held_out.len() != trials || !(f.phases.is_empty() || f.phases.len() == trials)
    {
        return Err(format!("conditions, held_out (and phases, if any) must have one entry per trial ({trials})"));
    }
    let finite = |x: &f64| x.is_finite();
    let all_finite = f.hypernetwork.iter().all(|l| l.bias.iter().all(finite) && l.weight.iter().flatten().all(finite))
        && f.contexts.iter().flatten().all(finite)
        && f.initial_states.iter().flatten().all(finite)
        && f.loss.iter().all(finite)
        && f.tau.is_finite()
        && f.tau > 0.0
        && f.dt.is_finite()
        && f.dt > 0.0;
    if !all_finite {
        return Err("every weight, context, state, loss, tau and dt must be a finite number (tau, dt > 0)".into());
    }
    Ok(f)
}

/// The model of a file: its hypernetwork's parameters in [`super::hyper::Mlp`]'s order, then
/// the contexts of the trials not held out, in trial order (as a fit keeps them).
pub fn model_of(f: &JediFile) -> Model {
    let mut params = vec![];
    for layer in &f.hypernetwork {
        for row in &layer.weight {
            params.extend_from_slice(row);
        }
        params.extend_from_slice(&layer.bias);
    }
    for (c, held) in f.contexts.iter().zip(&f.held_out) {
        if !held {
            params.extend_from_slice(c);
        }
    }
    Model {
        neurons: f.neurons,
        rank: f.rank,
        context: f.context,
        hidden: f.hypernetwork[0].bias.len(),
        tau: f.tau,
        dt: f.dt,
        params,
    }
}
