//! `exp=perturb`: stimulating coding versus redundant neurons (LCF Fig. 3, SCIENCE §3). The
//! designed 2-bit flip-flop plus `redundant` neurons that have embedding weights in {−1, 0, +1}
//! but no encoding or input weights, plus random connectivity; an optogenetic-style input
//! along sign(m^(1)) restricted to one group, started in the state (+1, +1).
//!
//! With `source=network` or `source=trained` the given network (a 2-bit flip-flop: rank 2,
//! two input channels, rate form) is the coding group. The redundant neurons are appended
//! to it with embedding rows drawn as for the design and zero encoding and input weights,
//! and no random part is added: nothing reaches the given network from them, so they are
//! causally inert exactly, as in the design without W_rand. The network's latent basis
//! is its own (training fixes M Nᵀ, not M), so the stimulus follows the sign of its
//! channel-1 input weights B^(1), the direction it was made to flip bit 1 along; in the
//! design B^(1) = β m^(1), the same signs. It reaches (+1, +1) by +1 pulses on both of its
//! channels, and its state is read by its readout when it has one.

use super::{rows, Csv, Experiment, NetworkSource, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::design::FlipFlop;
use crate::memory::{document, f64s, Footprint};
use crate::network::Network;
use crate::nonlinearity::{sign, Phi};
use crate::numerics::ridge::{ridge, Ridge};
use crate::params::{range, Choice, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{derive_seed, stream, Rng};
use crate::simulate::{SimJob, SimOutput};
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
        source: NetworkSource = NetworkSource::Designed, range(0.0, 0.0), "network", "", network, "designed (the 2-bit flip-flop built from the keys below), network (a loaded network file) or trained (the network exp=train trains from the train.* keys); a given network is the coding group and must be a rate-form 2-bit flip-flop (rank 2, 2 input channels, a readout of 2 outputs if any, at most 2000 neurons); the redundant neurons are appended to it and no random part is added; it is brought to (+1, +1) by +1 pulses on both its channels, stimulated along the sign of its channel-1 input weights and read by its readout when it has one";
        neurons: usize = 100, range(4.0, 2000.0), "neurons N", "", network, "coding neurons (the designed 2-bit flip-flop; a given network brings its own)";
        redundant: usize = 100, range(0.0, 2000.0), "redundant neurons", "", network, "redundant neurons: embedding weights, no encoding or input weights";
        tuned: f64 = 0.1, range(0.0, 1.0), "tuned probability", "", network, "probability that a redundant neuron's embedding weight on a bit is ±1 (else 0)";
        random: Option<f64> = None, range(0.0, 10.0), "random W s.d.", "", network, "s.d. of the random connectivity W_rand (default: twice the s.d. of the structured part); does not apply to a given network, which keeps its own connectivity, so that redundant neurons send nothing to it";
        stimulate: Group = Group::Coding, range(0.0, 0.0), "stimulated group", "", task, "which group receives the stimulus along sign(m^(1)) (a given network's coding neurons: along the sign of its channel-1 input weights B^(1))";
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
    // A given network's cost depends on its size and step: `check_given` weighs it in the run.
    if p.source.outside() {
        return Ok(());
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

/// Most neurons a given network may have (the range of `neurons`).
pub const MAX_GIVEN: usize = 2000;

/// Most rates one run may keep (trial and readout-fitting trial together): a given network
/// with a readout records every neuron, and a cheap low-rank network could otherwise ask for
/// gigabytes.
pub const MAX_RECORDED: f64 = 3e7;

/// Seconds of the fitting trial for the redundant readout, in units of τ (3 s at τ = 10 ms,
/// as the design's [`TRAIN_STEPS`] at Δt = 1 ms).
const TRAIN_TAUS: f64 = 300.0;

/// Seconds a given network settles for after its (+1, +1) pulses, in units of τ (at least
/// [`SETTLE_MIN`] s): the pulses leave it near the attractor they chose, and the trial's own
/// time before the onset adds more; whether it got there is `state_before`.
const SETTLE_TAUS: f64 = 20.0;
const SETTLE_MIN: f64 = 0.2;

/// Fewest steps of a trial with a given network.
const MIN_STEPS: usize = 10;

/// One task bin of `net`: τ, in steps (the default bin of exp=train and exp=flipflop).
fn bin_steps(net: &Network) -> usize {
    ((net.tau / net.dt).round() as usize).max(1)
}

fn fitting_steps(net: &Network, redundant: usize) -> usize {
    if redundant == 0 {
        0
    } else {
        (TRAIN_TAUS * net.tau / net.dt).round() as usize
    }
}

fn settle_steps(net: &Network) -> usize {
    ((SETTLE_TAUS * net.tau).max(SETTLE_MIN) / net.dt).round() as usize
}

/// The given network, checked: what the view needs of it, and its work with the keys.
fn check_given(p: &PerturbParams, net: &Network) -> Result<(), ParamError> {
    let source = |message: String| ParamError::new("source", message);
    if net.model != crate::network::Model::Rate {
        return Err(source(
            "this view needs a rate-form network (the stimulus enters inside φ as for the design); the given one is current-form".into(),
        ));
    }
    if net.rank == 0 {
        return Err(source(
            "the given network is dense (rank 0); this view needs a low-rank part of rank 2, the latent the redundant neurons are tuned to".into(),
        ));
    }
    if net.rank != 2 || net.inputs != 2 {
        return Err(source(format!(
            "this view needs a 2-bit flip-flop network: rank 2 and 2 input channels; the given one has rank {} and {} input channels",
            net.rank, net.inputs
        )));
    }
    if net.embedding.iter().all(|&v| v == 0.0) || net.encoding.iter().all(|&v| v == 0.0) {
        return Err(source(
            "the given network's low-rank part M Nᵀ is zero; this view needs it non-zero (the redundant neurons read its latent)".into(),
        ));
    }
    if net.readout.is_some() && net.outputs() != 2 {
        return Err(source(format!(
            "the given network's readout has {} outputs; this view reads the 2 bits, so it needs 2 (or no readout)",
            net.outputs()
        )));
    }
    if net.neurons > MAX_GIVEN {
        return Err(source(format!(
            "the given network has {} neurons; this view takes at most {MAX_GIVEN}",
            net.neurons
        )));
    }
    if (0..net.neurons).all(|i| net.input[i * 2] == 0.0) {
        return Err(source(
            "the given network's channel-1 input weights B^(1) are all zero; the coding stimulus follows their sign, so this view needs them".into(),
        ));
    }
    let steps = p.length / net.dt;
    if steps.round() < MIN_STEPS as f64 {
        return Err(ParamError::new(
            "length",
            format!(
                "must be at least {MIN_STEPS} steps of the given network's Δt = {} s: length ≥ {} s",
                net.dt,
                MIN_STEPS as f64 * net.dt
            ),
        ));
    }
    let n = (net.neurons + p.redundant) as f64;
    let per_step = if net.random.is_some() { n * n } else { n * 16.0 };
    let fixed = (settle_steps(net) + fitting_steps(net, p.redundant)) as f64;
    let width = if net.readout.is_some() { n } else { p.redundant as f64 };
    let recorded = width * (fitting_steps(net, p.redundant) as f64 + 1.0);
    let limit = ((MAX_WORK / per_step - fixed).min((MAX_RECORDED - recorded) / width.max(1.0)) * net.dt).max(0.0);
    if limit < MIN_STEPS as f64 * net.dt {
        return Err(source(format!(
            "the given network (N = {}, τ = {} s, Δt = {} s) needs {fixed} steps to settle{} before the trial, more than this view's work limit ({MAX_WORK:.0e}) or record limit ({MAX_RECORDED:.0e} rates) allow; use fewer redundant neurons or a network with fewer steps per τ",
            net.neurons,
            net.tau,
            net.dt,
            if p.redundant > 0 { " and fit the redundant readout" } else { "" }
        )));
    }
    if p.length > limit {
        return Err(ParamError::new(
            "length",
            format!(
                "with the given network (N = {}, Δt = {} s) and {} redundant neurons use length ≤ {:.3} s (work at most {MAX_WORK:.0e}, at most {MAX_RECORDED:.0e} recorded rates)",
                net.neurons, net.dt, p.redundant, limit
            ),
        ));
    }
    Ok(())
}

/// The redundant neurons' embedding rows (`redundant` × 2, neuron-major): ±1 each with
/// probability `tuned`/2, else 0.
fn redundant_embedding(p: &PerturbParams, k: usize) -> Vec<f64> {
    let mut rng = Rng::new(p.seed, stream::DRIFT + 0x100);
    (0..p.redundant * k)
        .map(|_| {
            let u = rng.uniform();
            if u < p.tuned / 2.0 {
                1.0
            } else if u < p.tuned {
                -1.0
            } else {
                0.0
            }
        })
        .collect()
}

/// Channels 0, 1: the flip-flop bits; 2: stimulus to coding neurons; 3: to redundant ones.
pub fn network(p: &PerturbParams) -> (Network, f64) {
    let k = 2;
    let coding = FlipFlop::standard(k, p.neurons).network(p.seed);
    let n = p.neurons + p.redundant;
    let mut embedding = coding.embedding.clone();
    embedding.extend(redundant_embedding(p, k));
    let mut encoding = coding.encoding.clone();
    encoding.resize(n * k, 0.0);
    let mut input = vec![0.0; n * 4];
    for i in 0..n {
        if i < p.neurons {
            input[i * 4] = coding.input[i * k];
            input[i * 4 + 1] = coding.input[i * k + 1];
        }
        // sign(0) = 0: neurons that do not load on bit 1 get no stimulus.
        input[i * 4 + if i < p.neurons { 2 } else { 3 }] = sign(embedding[i * k]);
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

/// A given 2-bit flip-flop `net` (checked by [`check_given`]) with the redundant neurons
/// appended, in the channel layout of [`network`]. Every weight from a redundant neuron to
/// a coding one is zero (encoding, dense part), so the coding neurons' dynamics are the given
/// network's, whatever the redundant ones do; the readout, when there is one, gets zero
/// weights on them.
pub fn with_redundant(p: &PerturbParams, net: &Network) -> Network {
    let (given, k) = (net.neurons, 2);
    let n = given + p.redundant;
    let mut embedding = net.embedding.clone();
    embedding.extend(redundant_embedding(p, k));
    let mut encoding = net.encoding.clone();
    encoding.resize(n * k, 0.0);
    let mut input = vec![0.0; n * 4];
    for i in 0..n {
        if i < given {
            input[i * 4] = net.input[i * k];
            input[i * 4 + 1] = net.input[i * k + 1];
            input[i * 4 + 2] = sign(net.input[i * k]);
        } else {
            input[i * 4 + 3] = sign(embedding[i * k]);
        }
    }
    let mut bias = net.bias.clone();
    bias.resize(n, 0.0);
    let random = net.random.as_ref().map(|w| {
        let mut dense = vec![0.0; n * n];
        for i in 0..given {
            dense[i * n..i * n + given].copy_from_slice(&w[i * given..(i + 1) * given]);
        }
        dense
    });
    let readout = net.readout.as_ref().map(|r| {
        r.chunks(given).flat_map(|row| row.iter().copied().chain(std::iter::repeat_n(0.0, p.redundant))).collect()
    });
    Network {
        neurons: n,
        rank: k,
        inputs: 4,
        embedding,
        encoding,
        input,
        bias,
        random,
        readout,
        tau: net.tau,
        dt: net.dt,
        phi: net.phi,
        model: net.model,
    }
}

/// S.d. of a given network's own dense part over its entries (0 without one).
fn dense_sd(net: &Network) -> f64 {
    net.random.as_ref().map_or(0.0, |w| {
        let (mut s1, mut s2) = (0.0, 0.0);
        for &v in w {
            s1 += v;
            s2 += v * v;
        }
        let cells = w.len() as f64;
        (s2 / cells - (s1 / cells) * (s1 / cells)).max(0.0).sqrt()
    })
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
    /// twice the s.d. of the entries of M Nᵀ. For a given network, the s.d. of its own dense
    /// part (0 without one): no random part is added to it.
    pub random_sd: f64,
    /// Whether the state is read by the given network's readout R r (z1, z2 are then its two
    /// outputs) rather than by the encoding weights Nᵀ r; absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_out: bool,
}

/// The network a run stimulates: coding neurons first, then redundant ones (channels as in
/// [`network`]).
struct Stimulated {
    net: Network,
    /// Number of coding neurons.
    coding: usize,
    random_sd: f64,
    /// Whether the network is the design (its start is placed on the attractor) or given (its
    /// start is reached with pulses).
    designed: bool,
}

/// The given network, checked, with the redundant neurons appended.
fn given(p: &PerturbParams, ctx: &RunCtx) -> Result<Stimulated, RunError> {
    let net = ctx.network()?;
    check_given(p, net).map_err(RunError::Param)?;
    Ok(Stimulated { net: with_redundant(p, net), coding: net.neurons, random_sd: dense_sd(net), designed: false })
}

/// Rates in the state (+1, +1) of a given network: from rest, a +1 pulse on both channels
/// for one bin (as in the flip-flop task), then [`settle_steps`] without input.
fn settled(net: &Network, ctx: &RunCtx) -> Vec<f64> {
    let steps = settle_steps(net);
    let mut u = vec![0.0; steps * 4];
    for t in 0..bin_steps(net).min(steps) {
        u[t * 4] = 1.0;
        u[t * 4 + 1] = 1.0;
    }
    let rest = vec![0.0; net.neurons];
    ctx.backend().simulate(net, &SimJob { inputs: &u, ..SimJob::trial(&rest, steps) }).final_rates
}

fn run(p: &PerturbParams, ctx: &RunCtx) -> Result<Output<PerturbResult>, RunError> {
    let s = match p.source {
        NetworkSource::Designed => {
            let (net, random_sd) = network(p);
            Stimulated { net, coding: p.neurons, random_sd, designed: true }
        }
        NetworkSource::Network | NetworkSource::Trained => given(p, ctx)?,
    };
    let (net, coding_n) = (&s.net, s.coding);
    let (n, k) = (net.neurons, 2);
    let redundant = n - coding_n;
    let read_out = net.readout.is_some();
    let steps = (p.length / net.dt).round() as usize;
    let on = (p.onset / net.dt).round() as usize;
    let off = ((p.onset + p.duration) / net.dt).round() as usize;
    let mut inputs = vec![0.0; steps * 4];
    let mut stimulus = vec![0.0; steps];
    for t in on..off.min(steps) {
        inputs[t * 4 + if p.stimulate == Group::Coding { 2 } else { 3 }] = p.amplitude;
        stimulus[t] = p.amplitude;
    }
    // Start in (+1, +1): the design on its attractor, r = φ(M z*) with z* = (1, 1); a given
    // network, whose attractors' coordinates are its own, by its own input pulses.
    let initial: Vec<f64> = if s.designed {
        (0..n).map(|i| net.phi.apply(net.embedding[i * k] + net.embedding[i * k + 1])).collect()
    } else {
        ctx.stage(0.0, 0.05, || settled(net, ctx))?
    };
    // A readout needs every coding rate; otherwise only the redundant ones are kept.
    let record: Vec<usize> = (if read_out { 0 } else { coding_n }..n).collect();
    let (width, first) = (record.len(), record.len() - redundant);
    let out = ctx.stage(0.05, 0.4, || {
        ctx.backend().simulate(net, &SimJob { inputs: &inputs, record: &record, ..SimJob::trial(&initial, steps) })
    })?;
    // The state at time points `from..to`, T × 2: the readout's outputs or z = Nᵀ r (the
    // redundant neurons' encoding weights are zero, so this is the coding neurons' latent).
    let state = |o: &SimOutput, from: usize, to: usize| -> Vec<f64> {
        if read_out {
            net.read_out(&o.recorded[from * n..to * n])
        } else {
            o.latent[from * k..to * k].to_vec()
        }
    };
    let coding = state(&out, 1, steps + 1);
    // Redundant readout: least squares from the redundant rates (plus a constant) to the latent,
    // on a training trial with random pulses.
    let (latent_redundant, r2) = if redundant > 0 {
        let train_steps = fitting_steps(net, redundant);
        let trial = FlipFlopTask { bits: k, steps: train_steps, bin_steps: bin_steps(net), pulse_prob: 0.05 }
            .trial(derive_seed(p.seed, 77), 0);
        let mut u = vec![0.0; train_steps * 4];
        for t in 0..train_steps {
            u[t * 4] = trial.inputs[t * k];
            u[t * 4 + 1] = trial.inputs[t * k + 1];
        }
        let train = ctx.stage(0.4, 0.95, || {
            ctx.backend().simulate(net, &SimJob { inputs: &u, record: &record, ..SimJob::trial(&initial, train_steps) })
        })?;
        let target = state(&train, 0, train_steps + 1);
        let r = redundant;
        // Ridge-regularised (λ = 1) because untuned redundant neurons are constant and tuned ones
        // nearly collinear.
        let rows_ = train_steps + 1;
        let feature = |rec: &[f64], t: usize, j: usize| if j == r { 1.0 } else { rec[t * width + first + j] };
        let fitted = ridge(rows_, r + 1, k, |t, j| feature(&train.recorded, t, j), |t, c| target[t * k + c], 1.0);
        let predict = |rec: &[f64], t: usize, beta: &Ridge, c: usize| beta.predict(|j| feature(rec, t, j), c);
        match fitted {
            Some(beta) => {
                let mean: Vec<f64> =
                    (0..k).map(|c| (0..rows_).map(|t| target[t * k + c]).sum::<f64>() / rows_ as f64).collect();
                let (mut ss_res, mut ss_tot) = (0.0, 0.0);
                for t in 0..rows_ {
                    for (c, m) in mean.iter().enumerate() {
                        let y = target[t * k + c];
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
    let after_stim = at(off + (0.05 / net.dt).round() as usize);
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
        latent_coding: rows(&coding, k),
        latent_redundant,
        redundant_readout_r2: r2,
        switched: end[0] != before[0],
        state_before: before,
        state_after_stimulus: after_stim,
        state_end: end,
        redundant_from: shown.iter().position(|&i| i >= coding_n).unwrap_or(shown.len()),
        connectivity,
        random_sd: s.random_sd,
        read_out,
    };
    Ok(Output { result, network: s.net })
}

/// Stimulating coding versus redundant neurons.
pub struct Perturb;

impl Experiment for Perturb {
    fn memory(p: &PerturbParams, ctx: &RunCtx) -> Footprint {
        let given = if p.source.outside() { ctx.network().ok() } else { None };
        let n = (given.map_or(p.neurons, |g| g.neurons) + p.redundant) as f64;
        let steps = p.length / given.map_or(0.001, |g| g.dt);
        // The rates kept: the redundant neurons' (every neuron's for a readout), over the trial
        // and the readout's fitting trial.
        let width = if given.is_some_and(|g| g.readout.is_some()) { n } else { p.redundant as f64 };
        let recorded = MAX_RECORDED.min(width * (steps + TRAIN_STEPS as f64));
        Footprint::new(f64s(2.0 * n * n + 1.2 * recorded) + document(4.0 * steps), &["redundant", "neurons", "length"])
    }
    const NAME: &'static str = "perturb";
    const TITLE: &'static str = "Stimulation";
    const EXAMPLE: &'static str = "exp=perturb&neurons=40&redundant=20&length=0.3&onset=0.1";
    type Params = PerturbParams;
    type Result = PerturbResult;
    const SIMULATES: bool = true;

    fn specs() -> Vec<crate::params::ParamSpec> {
        let mut specs = <Self::Params as crate::params::ParamSet>::specs();
        super::designed_only(&mut specs, &["neurons", "random"]);
        specs
    }
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
            preset: "",
        }]
    }
    fn summary(p: &PerturbParams, r: &PerturbResult) -> String {
        let state = |v: &[f64]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(", ");
        let readout = r.redundant_readout_r2.map_or("–".to_string(), |v| format!("{v:.3}"));
        let what = format!(
            "Stimulating {} neurons for {} ms {} bit 1 (state {} → {}).",
            p.stimulate.name(),
            p.duration * 1000.0,
            if r.switched { "switched" } else { "did not switch" },
            state(&r.state_before),
            state(&r.state_end),
        );
        if p.source.outside() {
            format!(
                "{what} The coding neurons are the given network{}, its own dense part s.d. {}; redundant readout R² {readout}.",
                if r.read_out { ", read by its readout" } else { "" },
                super::significant(r.random_sd, 3),
            )
        } else {
            format!(
                "{what} Random connectivity s.d. {}; redundant readout R² {readout}.",
                super::significant(r.random_sd, 3)
            )
        }
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
