//! `exp=perturb`: stimulating coding versus redundant neurons (LCF Fig. 3, SCIENCE §3). The
//! designed 2-bit flip-flop plus `redundant` neurons that have embedding weights in {−1, 0, +1}
//! but no encoding or input weights, plus random connectivity; an optogenetic-style input
//! along sign(m^(1)) restricted to one group, started in the state (+1, +1).

use super::{rows, Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::design::FlipFlop;
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::numerics::ridge::{ridge, Ridge};
use crate::params::{range, Choice, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{derive_seed, stream, Rng};
use crate::simulate::SimJob;
use crate::task::FlipFlopTask;
use serde::{Deserialize, Serialize};

/// The group of neurons the stimulus reaches (`stimulate=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// The neurons of the designed flip-flop, which carry the latent.
    Coding,
    /// The added neurons: tuned through their embedding weights but causally inert.
    Redundant,
}

impl crate::params::Choice for Group {
    const ALL: &'static [Self] = &[Group::Coding, Group::Redundant];
    const NAMES: &'static [&'static str] = &["coding", "redundant"];
    fn name(self) -> &'static str {
        match self {
            Group::Coding => "coding",
            Group::Redundant => "redundant",
        }
    }
}

crate::params! {
    /// The query keys of `exp=perturb`, with their ranges and defaults.
    pub struct PerturbParams {
        neurons: usize = 100, range(4.0, 2000.0), "neurons N", "", network, "coding neurons (the designed 2-bit flip-flop)";
        redundant: usize = 100, range(0.0, 2000.0), "redundant neurons", "", network, "redundant neurons: embedding weights, no encoding or input weights";
        tuned: f64 = 0.1, range(0.0, 1.0), "tuned probability", "", network, "probability that a redundant neuron's embedding weight on a bit is ±1 (else 0)";
        random: Option<f64> = None, range(0.0, 10.0), "random W s.d.", "", network, "s.d. of the random connectivity W_rand (default: twice the s.d. of the structured part)";
        stimulate: Group = Group::Coding, range(0.0, 0.0), "stimulated group", "", task, "which group receives the stimulus along sign(m^(1))";
        amplitude: f64 = -10.0, range(-100.0, 100.0), "amplitude", "", task, "stimulus amplitude (negative pushes z1 from +1 towards −1; our default −10)";
        onset: f64 = 0.5, range(0.0, 10.0), "onset", "s", task, "stimulus onset, s";
        duration: f64 = 0.01, range(0.0, 10.0), "duration", "s", task, "stimulus duration, s (our default 10 ms = τ: with τ = 10 ms a leaky rate network needs about 7 ms of saturating drive to cross z1 = 0; LCF used 5 ms to coding and 100 ms to redundant neurons)";
        length: f64 = 1.5, range(0.05, 20.0), "trial length", "s", task, "trial length, s";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed";
    }
}

/// Steps of the training trial the redundant readout is fitted on (3 s at Δt = 1 ms).
const TRAIN_STEPS: usize = 3000;

/// Most multiply-adds one run may take: the dense connectivity costs N² per step.
pub const MAX_WORK: f64 = 2e10;

fn check(p: &PerturbParams) -> Result<(), ParamError> {
    if p.onset + p.duration > p.length {
        return Err(ParamError::new("duration", format!("onset + duration must be at most length = {} s", p.length)));
    }
    let n = (p.neurons + p.redundant) as f64;
    let steps = (p.length / 0.001).round() + if p.redundant > 0 { TRAIN_STEPS as f64 } else { 0.0 };
    if n * n * steps > MAX_WORK {
        return Err(ParamError::new(
            "length",
            format!(
                "(neurons + redundant)² × steps must be at most {MAX_WORK:.0e}; with {n} neurons use length ≤ {:.2} s",
                ((MAX_WORK / (n * n) - if p.redundant > 0 { TRAIN_STEPS as f64 } else { 0.0 }) * 0.001).max(0.0)
            ),
        ));
    }
    Ok(())
}

/// Channels 0, 1: the flip-flop bits; 2: stimulus to coding neurons; 3: to redundant ones.
pub fn network(p: &PerturbParams) -> (Network, f64) {
    let k = 2;
    let coding = FlipFlop::standard(k, p.neurons).network(p.seed);
    let n = p.neurons + p.redundant;
    let mut rng = Rng::new(p.seed, stream::DRIFT + 0x100);
    let mut embedding = coding.embedding.clone();
    for _ in 0..p.redundant * k {
        let u = rng.uniform();
        embedding.push(if u < p.tuned / 2.0 {
            1.0
        } else if u < p.tuned {
            -1.0
        } else {
            0.0
        });
    }
    let mut encoding = coding.encoding.clone();
    encoding.resize(n * k, 0.0);
    let mut input = vec![0.0; n * 4];
    for i in 0..n {
        if i < p.neurons {
            input[i * 4] = coding.input[i * k];
            input[i * 4 + 1] = coding.input[i * k + 1];
        }
        // sign(m_i^(1)), with 0 for neurons that do not load on bit 1 (f64::signum(0) is 1).
        let m1 = embedding[i * k];
        let s = if m1 > 0.0 {
            1.0
        } else if m1 < 0.0 {
            -1.0
        } else {
            0.0
        };
        input[i * 4 + if i < p.neurons { 2 } else { 3 }] = s;
    }
    // s.d. of the structured W = M Nᵀ over all entries, for the default random strength.
    let (mut s1, mut s2) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            let w: f64 = (0..k).map(|c| embedding[i * k + c] * encoding[j * k + c]).sum();
            s1 += w;
            s2 += w * w;
        }
    }
    let cells = (n * n) as f64;
    let structured_sd = (s2 / cells - (s1 / cells) * (s1 / cells)).max(0.0).sqrt();
    let sd = p.random.unwrap_or(2.0 * structured_sd);
    let random = (sd > 0.0).then(|| {
        let mut w = vec![0.0; n * n];
        Rng::new(p.seed, stream::RANDOM_NETWORK).fill_normal(&mut w, 0.0, sd);
        w
    });
    (
        Network {
            neurons: n,
            rank: k,
            inputs: 4,
            tau: 0.01,
            dt: 0.001,
            phi: Phi::Tanh,
            embedding,
            encoding,
            input,
            bias: vec![0.0; n],
            random,
            model: crate::network::Model::Rate,
            readout: None,
        },
        sd,
    )
}

/// What `exp=perturb` gives: one trial of T = `length`/Δt steps from the attractor (+1, +1)
/// with the stimulus, the state read from both groups, and the connectivity.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PerturbResult {
    /// Time of each row, s: (t+1)·Δt for row t, Δt = 1 ms.
    pub time: Vec<f64>,
    /// Stimulus amplitude at each step.
    pub stimulus: Vec<f64>,
    /// The state the stimulus is designed to produce (T × 2): (+1, +1) until the onset, then
    /// bit 1 at the sign of the amplitude (LCF Fig. 3C's target).
    pub target: Vec<Vec<f64>>,
    /// Latent read from coding neurons with their encoding weights (T × 2).
    pub latent_coding: Vec<Vec<f64>>,
    /// Latent read from redundant neurons by a linear readout fitted on a training trial
    /// (T × 2; null without redundant neurons).
    pub latent_redundant: Option<Vec<Vec<f64>>>,
    /// R² of that readout on its training trial.
    pub redundant_readout_r2: Option<f64>,
    /// Signs of (z1, z2) read from coding neurons at the onset, before the stimulus acts.
    pub state_before: Vec<f64>,
    /// The same 50 ms after the stimulus ends (or at the end of the trial).
    pub state_after_stimulus: Vec<f64>,
    /// The same at the end of the trial.
    pub state_end: Vec<f64>,
    /// Whether the sign of z1 at the end of the trial differs from before the stimulus.
    pub switched: bool,
    /// Connectivity W = M Nᵀ + W_rand for the matrix plot, subsampled evenly to at most
    /// 200 × 200 neurons (row i = weights onto neuron i).
    pub connectivity: Vec<Vec<f64>>,
    /// The first row (and column) of `connectivity` that is a redundant neuron.
    pub redundant_from: usize,
    /// S.d. of the random connectivity W_rand used: the `random` parameter, or by default
    /// twice the s.d. of the entries of M Nᵀ.
    pub random_sd: f64,
}

fn run(p: &PerturbParams, ctx: &RunCtx) -> Result<Output<PerturbResult>, RunError> {
    let (net, random_sd) = network(p);
    let (n, k) = (net.neurons, 2);
    let steps = (p.length / net.dt).round() as usize;
    let on = (p.onset / net.dt).round() as usize;
    let off = ((p.onset + p.duration) / net.dt).round() as usize;
    let mut inputs = vec![0.0; steps * 4];
    let mut stimulus = vec![0.0; steps];
    for t in on..off.min(steps) {
        inputs[t * 4 + if p.stimulate == Group::Coding { 2 } else { 3 }] = p.amplitude;
        stimulus[t] = p.amplitude;
    }
    // Start on the attractor (+1, +1): r = φ(M z*).
    let initial: Vec<f64> = (0..n).map(|i| net.phi.apply(net.embedding[i * k] + net.embedding[i * k + 1])).collect();
    let record: Vec<usize> = (p.neurons..n).collect();
    let out = ctx.stage(0.0, 0.4, || {
        ctx.backend().simulate(&net, &SimJob { inputs: &inputs, record: &record, ..SimJob::trial(&initial, steps) })
    })?;
    let coding = &out.latent[k..];
    // Redundant readout: least squares from the redundant rates (plus a constant) to the latent,
    // on a training trial with random pulses.
    let (latent_redundant, r2) = if p.redundant > 0 {
        let train_steps = TRAIN_STEPS;
        let trial = FlipFlopTask { bits: k, steps: train_steps, bin_steps: 10, pulse_prob: 0.05 }
            .trial(derive_seed(p.seed, 77), 0);
        let mut u = vec![0.0; train_steps * 4];
        for t in 0..train_steps {
            u[t * 4] = trial.inputs[t * k];
            u[t * 4 + 1] = trial.inputs[t * k + 1];
        }
        let train = ctx.stage(0.4, 0.95, || {
            ctx.backend()
                .simulate(&net, &SimJob { inputs: &u, record: &record, ..SimJob::trial(&initial, TRAIN_STEPS) })
        })?;
        let r = record.len();
        // Ridge-regularised (λ = 1) because untuned redundant neurons are constant and tuned ones
        // nearly collinear.
        let rows_ = train_steps + 1;
        let feature = |rec: &[f64], t: usize, j: usize| if j == r { 1.0 } else { rec[t * r + j] };
        let fitted = ridge(rows_, r + 1, k, |t, j| feature(&train.recorded, t, j), |t, c| train.latent[t * k + c], 1.0);
        let predict = |rec: &[f64], t: usize, beta: &Ridge, c: usize| beta.predict(|j| feature(rec, t, j), c);
        match fitted {
            Some(beta) => {
                let mean: Vec<f64> =
                    (0..k).map(|c| (0..rows_).map(|t| train.latent[t * k + c]).sum::<f64>() / rows_ as f64).collect();
                let (mut ss_res, mut ss_tot) = (0.0, 0.0);
                for t in 0..rows_ {
                    for (c, m) in mean.iter().enumerate() {
                        let y = train.latent[t * k + c];
                        let e = y - predict(&train.recorded, t, &beta, c);
                        ss_res += e * e;
                        ss_tot += (y - m) * (y - m);
                    }
                }
                let z: Vec<Vec<f64>> =
                    (1..=steps).map(|t| (0..k).map(|c| predict(&out.recorded, t, &beta, c)).collect()).collect();
                (Some(z), Some(1.0 - ss_res / ss_tot))
            }
            None => (None, None),
        }
    } else {
        (None, None)
    };
    let at = |t: usize| -> Vec<f64> {
        coding[t.min(steps - 1) * k..t.min(steps - 1) * k + k].iter().map(|v| v.signum()).collect()
    };
    let before = at(on.saturating_sub(1));
    let after_stim = at(off + 50);
    let end = at(steps - 1);
    let shown: Vec<usize> = if n <= 200 { (0..n).collect() } else { (0..200).map(|i| i * n / 200).collect() };
    let dense = net.dense_weights();
    let connectivity = shown.iter().map(|&i| shown.iter().map(|&j| dense[i * n + j]).collect()).collect();
    let result = PerturbResult {
        time: (1..=steps).map(|t| t as f64 * net.dt).collect(),
        target: (0..steps)
            .map(|t| if t < on || p.amplitude == 0.0 { vec![1.0, 1.0] } else { vec![p.amplitude.signum(), 1.0] })
            .collect(),
        stimulus,
        latent_coding: rows(coding, k),
        latent_redundant,
        redundant_readout_r2: r2,
        switched: end[0] != before[0],
        state_before: before,
        state_after_stimulus: after_stim,
        state_end: end,
        redundant_from: shown.iter().position(|&i| i >= p.neurons).unwrap_or(shown.len()),
        connectivity,
        random_sd,
    };
    Ok(Output { result, network: net })
}

/// Stimulating coding versus redundant neurons.
pub struct Perturb;

impl Experiment for Perturb {
    const NAME: &'static str = "perturb";
    const TITLE: &'static str = "Stimulation";
    const EXAMPLE: &'static str = "exp=perturb&neurons=40&redundant=20&length=0.3&onset=0.1";
    type Params = PerturbParams;
    type Result = PerturbResult;

    fn check(p: &PerturbParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &PerturbParams, ctx: &RunCtx) -> Result<Output<PerturbResult>, RunError> {
        run(p, ctx)
    }
    fn validate(_p: &PerturbParams, r: &PerturbResult) -> Result<(), String> {
        use super::shape::{ensure, rows};
        let t = r.time.len();
        ensure(r.stimulus.len() == t, "stimulus")?;
        rows(&r.target, t, 2, "targets")?;
        rows(&r.latent_coding, t, 2, "coding readout")?;
        if let Some(z) = &r.latent_redundant {
            rows(z, t, 2, "redundant readout")?;
        }
        let n = r.connectivity.len();
        rows(&r.connectivity, n, n, "connectivity")?;
        ensure(r.redundant_from <= n, "the redundant block")?;
        ensure(r.state_before.len() == 2 && r.state_after_stimulus.len() == 2 && r.state_end.len() == 2, "states")
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("stimulation", "Stimulation and the state read from coding and redundant neurons", 0.5, true),
            PlotSpec::new("connectivity", "Connectivity: coding and redundant blocks", 0.9, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "perturb",
            label: "Stimulation",
            plots: &["stimulation", "connectivity"],
            main: &["stimulate", "amplitude", "onset", "duration", "neurons", "redundant", "random", "seed"],
            embed_plot: "stimulation",
        }]
    }
    fn summary(p: &PerturbParams, r: &PerturbResult) -> String {
        let state = |v: &[f64]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        format!(
            "Stimulating {} neurons for {} ms {} bit 1 (state {} → {}). Random connectivity s.d. {}; redundant readout R² {}.",
            p.stimulate.name(),
            p.duration * 1000.0,
            if r.switched { "switched" } else { "did not switch" },
            state(&r.state_before),
            state(&r.state_end),
            super::significant(r.random_sd, 3),
            r.redundant_readout_r2.map_or("–".to_string(), |v| format!("{v:.3}"))
        )
    }
    fn csv(_p: &PerturbParams, r: &PerturbResult) -> Csv {
        let csv = Csv::with_rows(r.time.len())
            .column("time_s", &r.time)
            .column("stimulus", &r.stimulus)
            .columns("target", "", &r.target, 2)
            .columns("z", "_coding", &r.latent_coding, 2);
        match &r.latent_redundant {
            Some(z) => csv.columns("z", "_redundant", z, 2),
            None => csv,
        }
    }
}
