//! `exp=fixed_points`: the fixed points of any network with their stability — a network of
//! the spectral families (`random`, `lowrank_random`, `lowrank`, the designed `flipflop`) or one
//! given from outside (`source=network`: a network file, `lpu run --network-in FILE`).
//!
//! Two searches, chosen by the network:
//!
//! - a low-rank rate network without a dense part, of rank K ≤ [`MAX_LATENT_RANK`]: its
//!   dynamics close exactly on the K latent variables (SCIENCE §1), so the latent finder
//!   ([`fixed_points::find`]) gives every fixed point z* with the eigenvalues of the K × K
//!   latent Jacobian, and each maps to the full state r* = φ(M z* + B u + b);
//! - any other network (a dense part, a full-rank trained or uploaded one, the current form),
//!   N ≤ [`MAX_FULL_NEURONS`]: Levenberg–Marquardt in the full N-dimensional state space
//!   ([`fixed_points_full::find_full`]) from states along a few simulated trajectories and from
//!   random states, with the eigenvalues of the N × N Jacobian; the fixed points and the
//!   trajectories are shown on their first two principal components.

use super::{Csv, Experiment, FamilySource, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::{self, FixedPoint, Kind, SearchOptions};
use crate::analysis::fixed_points_full::{self, Form, FullOptions, FullSystem};
use crate::analysis::flow::{flow_grid, FlowGrid, Lpu};
use crate::ensembles::{self, Ensemble};
use crate::lowrank::CHUNK;
use crate::memory::{document, f64s, Footprint};
use crate::network::{Model, Network};
use crate::numerics::pca;
use crate::params::{list, range, Choice, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};

/// Largest N of the full-state search: every Levenberg–Marquardt step forms and solves an
/// N × N system (O(N³)), about 1.5 s per start on one core at N = 300.
pub const MAX_FULL_NEURONS: usize = 300;
/// Largest rank of the latent search (its grid of starts has 3^K or 5^K points).
pub const MAX_LATENT_RANK: usize = 6;
/// Largest N of any network here: each fixed point lists all N coordinates.
pub const MAX_NEURONS: usize = 2000;
/// Most work of a full-state search, in multiply-adds: about 100 N³ per start (tens of
/// Levenberg–Marquardt iterations of about 1.3 N³ each, measured) plus N² per trajectory step.
/// About a minute on one core natively; 37 starts at N = 300.
pub const MAX_WORK: f64 = 1e11;
/// Multiply-adds per start of the full-state search, in units of N³ (see [`MAX_WORK`]).
const WORK_PER_START: f64 = 100.0;
/// Starts taken from each trajectory, evenly spaced along it (the last state among them).
pub const TRAJECTORY_STARTS: usize = 4;
/// Most starts taken from the latent fixed points of a dense network's low-rank part (3^K for
/// a K-bit flip-flop: all of them up to K = 3).
pub const LATENT_STARTS: usize = 27;
/// A trajectory stops once a coordinate leaves [−bound, bound] (or is not finite).
pub const TRAJECTORY_BOUND: f64 = 1e6;
/// States kept of each trajectory for the plane of principal components (plus the first).
pub const TRAJECTORY_POINTS: usize = 100;

crate::params! {
    /// The query keys of `exp=fixed_points`, with their ranges and defaults.
    pub struct FixedPointsParams {
        source: FamilySource = FamilySource::Flipflop, range(0.0, 0.0), "network", "", network, "random (W_ij ~ N(0, g²/N)), lowrank_random (rank-K M Nᵀ plus the random part), lowrank (rank-K truncated SVD of the random W, LCF M87), flipflop (the designed K-bit network, plus the random part when g > 0), network (a network file: lpu run --network-in FILE) or trained (the network exp=train trains from the train.* keys); with network or trained the keys neurons to dt do not apply";
        neurons: usize = 100, range(2.0, 2000.0), "neurons N", "", network, "neurons N (at most 300 when the full-state search is needed: a dense part, or rank above 6)";
        g: f64 = 0.0, range(0.0, 10.0), "gain g", "", network, "gain of the random part (entries of s.d. g/√N); g > 0 makes the network dense, searched in the full state space";
        rank: usize = 2, range(1.0, 20.0), "rank K", "", network, "rank K of the low-rank part (lowrank_random, lowrank)";
        outlier: f64 = 2.0, range(-10.0, 10.0), "largest outlier", "", network, "lowrank_random: E[NᵀM] = diag(outlier·(K − k)/K)";
        bits: usize = 2, range(1.0, 6.0), "bits K", "", network, "bits of the flip-flop (flipflop)";
        tau: f64 = 0.01, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s (sets the eigenvalues' units, 1/s)";
        dt: f64 = 0.001, range(1e-5, 0.1), "Δt", "s", simulation, "Euler step Δt of the trajectories in s (at most τ)";
        input: Vec<f64> = vec![], list(-10.0, 10.0, 32), "constant input", "", task, "constant input per channel (source=network: at most its input channels; the families have none)";
        random_starts: usize = 16, range(0.0, 2000.0), "random starts", "", analysis, "starts drawn uniformly in [−extent, extent] per coordinate (latent or full state), besides the latent grid or the trajectories";
        trajectories: usize = 2, range(0.0, 32.0), "trajectories", "", analysis, "full-state search: simulated trajectories from random states, 4 starts taken along each";
        steps: usize = 300, range(1.0, 10_000.0), "trajectory steps", "", simulation, "full-state search: Euler steps of each trajectory";
        extent: f64 = 1.5, range(0.01, 100.0), "start window ±", "", analysis, "half-width of the window of random starts and trajectory starts (and of the latent portrait)";
        grid: usize = 21, range(3.0, 101.0), "flow grid", "", display, "latent search: flow-field points per axis of the portrait";
        slice: f64 = 1.0, range(-10.0, 10.0), "slice z3…", "latent units", display, "latent search, K ≥ 3: the portrait is the (z1, z2) plane with z3…z_K held at this value";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed of the weights, the trajectories and the random starts";
    }
}

impl FixedPointsParams {
    /// The family member the keys describe (`None` for `source=network`).
    pub fn ensemble(&self) -> Option<Ensemble> {
        self.source.family().map(|source| Ensemble {
            source,
            neurons: self.neurons,
            g: self.g,
            rank: self.rank,
            bits: self.bits,
            outlier: self.outlier,
            tau: self.tau,
            dt: self.dt,
            seed: self.seed,
        })
    }

    /// The full-state search's starts on a network of rank `rank`, counting as many latent
    /// ones as a flip-flop of that rank has (3^K, at most [`LATENT_STARTS`]).
    fn starts(&self, rank: usize) -> usize {
        let latent = if (1..=MAX_LATENT_RANK).contains(&rank) { 3usize.pow(rank as u32).min(LATENT_STARTS) } else { 0 };
        latent + self.random_starts + TRAJECTORY_STARTS * self.trajectories
    }

    /// The full-state search's multiply-adds at `n` neurons of rank `rank`.
    fn work(&self, n: usize, rank: usize) -> f64 {
        let n = n as f64;
        self.starts(rank) as f64 * WORK_PER_START * n * n * n + (self.trajectories * self.steps) as f64 * n * n
    }
}

/// The space the fixed points were found, and their eigenvalues computed, in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Space {
    /// The K latent variables of a low-rank network (the K × K latent Jacobian).
    Latent,
    /// The N-dimensional state (the N × N Jacobian).
    Full,
}

/// Which search a network gets.
fn space_of(net: &Network) -> Result<Space, String> {
    let (n, k) = (net.neurons, net.rank);
    if net.random.is_none() && net.model == Model::Rate && (1..=MAX_LATENT_RANK).contains(&k) && n <= MAX_NEURONS {
        return Ok(Space::Latent);
    }
    if n <= MAX_FULL_NEURONS {
        return Ok(Space::Full);
    }
    let why = if net.random.is_some() {
        "a dense part".to_string()
    } else if net.model == Model::Current {
        "the current form".to_string()
    } else if k > MAX_LATENT_RANK {
        format!("rank {k} > {MAX_LATENT_RANK}")
    } else if k == 0 {
        "no low-rank part".to_string()
    } else {
        format!("N > {MAX_NEURONS}")
    };
    Err(format!(
        "the network (N = {n}, {why}) is too large: the full-state search takes at most N = {MAX_FULL_NEURONS} (O(N³) per step), the latent search low-rank rate networks without a dense part of rank ≤ {MAX_LATENT_RANK} and N ≤ {MAX_NEURONS}"
    ))
}

/// One fixed point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The full state: N rates (rate form) or N currents (current form).
    pub x: Vec<f64>,
    /// Its latent coordinates z (K values) in the latent space, null in the full one.
    pub z: Option<Vec<f64>>,
    /// Stable, saddle or unstable.
    pub kind: Kind,
    /// Number of eigenvalues with positive real part.
    pub unstable_dims: usize,
    /// Eigenvalues [re, im] of the Jacobian of `space` (K or N of them), 1/s, decreasing real
    /// part.
    pub eigenvalues: Vec<[f64; 2]>,
}

/// The fixed points and trajectories of a full-state search on their first two principal
/// components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plane {
    /// The fraction of the variance of all the points on each of the two components.
    pub explained: Vec<f64>,
    /// Each fixed point's (PC1, PC2) scores, in the order of `fixed_points`.
    pub fixed_points: Vec<[f64; 2]>,
    /// Each trajectory's states (the first and every few steps) as (PC1, PC2) scores.
    pub trajectories: Vec<Vec<[f64; 2]>>,
}

/// What `exp=fixed_points` gives.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FixedPointsResult {
    /// `latent`: found by the latent finder, eigenvalues of the latent Jacobian; `full`: found
    /// in the N-dimensional state space, eigenvalues of the full Jacobian.
    pub space: Space,
    /// Whether `x` holds rates (`rate`) or currents (`current`).
    pub form: Form,
    /// Neurons N of the network.
    pub neurons: usize,
    /// Rank K of its low-rank part (the dimension of z in the latent space).
    pub rank: usize,
    /// The constant input applied, one value per input channel of the network.
    pub input: Vec<f64>,
    /// Starts of the full-state search (along the trajectories, then random); null in the
    /// latent space, whose finder starts from a grid and `random_starts` random points (K ≥ 2)
    /// or scans the line (K = 1).
    pub starts: Option<usize>,
    /// Every distinct fixed point found: in the latent space sorted by z, in the full one in
    /// the order of the starts that reached them.
    pub fixed_points: Vec<Point>,
    /// The latent flow (latent space): the line for K = 1, the (z1, z2) plane for K ≥ 2 with
    /// z3… held at `slice`.
    pub flow: Option<FlowGrid>,
    /// The plane of the first two principal components (full space).
    pub plane: Option<Plane>,
}

fn check(p: &FixedPointsParams) -> Result<(), ParamError> {
    if p.dt > p.tau {
        return Err(ParamError::new("dt", format!("must be at most tau = {} s", p.tau)));
    }
    let Some(ens) = p.ensemble() else { return Ok(()) };
    ens.check()?;
    if !p.input.is_empty() {
        return Err(ParamError::new(
            "input",
            format!(
                "has {} values but source={} has no input channels (input applies to source=network)",
                p.input.len(),
                p.source.name()
            ),
        ));
    }
    let dense = ens.source == ensembles::Source::Random || (ens.source != ensembles::Source::Lowrank && p.g > 0.0);
    let latent = !dense && ens.rank() <= MAX_LATENT_RANK;
    if latent {
        return Ok(());
    }
    if p.neurons > MAX_FULL_NEURONS {
        let why = if ens.source == ensembles::Source::Random {
            "source=random is dense".to_string()
        } else if dense {
            format!("source={} with g > 0 has a dense part", p.source.name())
        } else {
            format!("rank {} is above the latent search's {MAX_LATENT_RANK}", p.rank)
        };
        return Err(ParamError::new(
            "neurons",
            format!(
                "must be at most {MAX_FULL_NEURONS} for the full-state search ({why}; O(N³) per step), got {}",
                p.neurons
            ),
        ));
    }
    check_work(p, p.neurons, ens.rank())
}

/// The full-state search's budget, naming `random_starts`.
fn check_work(p: &FixedPointsParams, n: usize, rank: usize) -> Result<(), ParamError> {
    let work = p.work(n, rank);
    if work > MAX_WORK {
        return Err(ParamError::new(
            "random_starts",
            format!(
                "the full-state search at N = {n} would take {work:.1e} multiply-adds (about {WORK_PER_START} N³ per start, {} starts), more than {MAX_WORK:.0e}: use fewer random starts or trajectories",
                p.starts(rank)
            ),
        ));
    }
    Ok(())
}

/// The constant input for `net`: one value per input channel, missing ones 0.
fn input_for(p: &FixedPointsParams, net: &Network) -> Result<Vec<f64>, RunError> {
    if p.input.len() > net.inputs {
        return Err(RunError::Param(ParamError::new(
            "input",
            format!(
                "has {} values but the network has {} input channel{}",
                p.input.len(),
                net.inputs,
                if net.inputs == 1 { "" } else { "s" }
            ),
        )));
    }
    let mut u = p.input.clone();
    u.resize(net.inputs, 0.0);
    Ok(u)
}

fn run(p: &FixedPointsParams, ctx: &RunCtx) -> Result<Output<FixedPointsResult>, RunError> {
    let net = match p.ensemble() {
        Some(ens) => ctx.stage(0.0, 0.05, || ens.network())?,
        None => ctx.network()?.clone(),
    };
    let u = input_for(p, &net)?;
    let space = space_of(&net).map_err(|m| RunError::Param(ParamError::new("source", m)))?;
    let result = match space {
        Space::Latent => latent(p, ctx, &net, u)?,
        Space::Full => {
            check_work(p, net.neurons, net.rank).map_err(RunError::Param)?;
            full(p, ctx, &net, u)?
        }
    };
    Ok(Output { result, network: net })
}

/// The latent search: fixed points of the K-dimensional flow, mapped to rates.
fn latent(p: &FixedPointsParams, ctx: &RunCtx, net: &Network, u: Vec<f64>) -> Result<FixedPointsResult, RunError> {
    let lpu = Lpu::new(net);
    let opts = SearchOptions { extent: p.extent, random_starts: p.random_starts, seed: p.seed, ..Default::default() };
    let found = ctx.stage(0.05, 0.7, || fixed_points::find(&lpu, &u, &opts))?;
    let flow = ctx.stage(0.7, 0.9, || flow_grid(&lpu, &u, p.extent, p.grid, p.slice))?;
    let fixed_points = ctx.stage(0.9, 1.0, || {
        found
            .into_iter()
            .map(|f| Point {
                x: rates(&lpu, &f.z, &u),
                z: Some(f.z),
                kind: f.kind,
                unstable_dims: f.unstable_dims,
                eigenvalues: f.eigenvalues,
            })
            .collect()
    })?;
    Ok(FixedPointsResult {
        space: Space::Latent,
        form: Form::Rate,
        neurons: net.neurons,
        rank: net.rank,
        input: u,
        starts: None,
        fixed_points,
        flow,
        plane: None,
    })
}

/// M z + B u + b, summed as the latent flow sums them.
fn currents(lpu: &Lpu, z: &[f64], u: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; lpu.neurons()];
    for (c, out) in x.chunks_mut(CHUNK).enumerate() {
        lpu.currents(c * CHUNK, None, z, u, out);
    }
    x
}

/// r = φ(M z + B u + b).
fn rates(lpu: &Lpu, z: &[f64], u: &[f64]) -> Vec<f64> {
    // + 0.0 turns −0.0 into 0.0 so that equal points print alike.
    currents(lpu, z, u).into_iter().map(|c| lpu.phi.apply(c) + 0.0).collect()
}

/// The full-state search: trajectories, then Levenberg–Marquardt from states along them and
/// from random states, then the plane of principal components.
fn full(p: &FixedPointsParams, ctx: &RunCtx, net: &Network, u: Vec<f64>) -> Result<FixedPointsResult, RunError> {
    let n = net.neurons;
    let form = match net.model {
        Model::Rate => Form::Rate,
        Model::Current => Form::Current,
    };
    let sys = FullSystem::new(net, form, &u);
    let alpha = net.alpha();
    let mut rng = Rng::new(p.seed, stream::INITIAL_RATES);
    let initial: Vec<Vec<f64>> =
        (0..p.trajectories).map(|_| (0..n).map(|_| (2.0 * rng.uniform() - 1.0) * p.extent).collect()).collect();
    let stride = p.steps.div_ceil(TRAJECTORY_POINTS).max(1);
    let trajectories: Vec<Vec<Vec<f64>>> = ctx.stage(0.05, 0.1, || {
        crate::parallel::map(&initial, |x0| {
            let mut x = x0.clone();
            let mut kept = vec![x.clone()];
            for t in 1..=p.steps {
                let g = sys.scaled_flow(&x);
                for (xi, gi) in x.iter_mut().zip(&g) {
                    *xi += alpha * gi;
                }
                // A diverging trajectory (an unbounded φ) ends where it leaves the box: its
                // states would swamp the principal components, and overflow them later.
                if !x.iter().all(|v| v.abs() <= TRAJECTORY_BOUND) {
                    break;
                }
                if t.is_multiple_of(stride) || t == p.steps {
                    kept.push(x.clone());
                    // The stage's checkpoint turns a cancelled run into `Cancelled`.
                    if crate::progress::cancelled() {
                        break;
                    }
                }
            }
            kept
        })
    })?;
    let starts: Vec<Vec<f64>> = trajectories
        .iter()
        .flat_map(|kept| {
            let len = kept.len();
            (1..=TRAJECTORY_STARTS).map(move |j| kept[(len * j / TRAJECTORY_STARTS).max(1) - 1].clone())
        })
        .collect();
    // The low-rank part's own latent fixed points, mapped to the state, lead: with a weak
    // dense part (or in the current form) the network's fixed points lie near them.
    let structured = ctx.stage(0.1, 0.15, || structured_starts(p, net, form, &u))?;
    let starts: Vec<Vec<f64>> = structured.into_iter().chain(starts).collect();
    let start_count = starts.len() + p.random_starts;
    let opts =
        FullOptions { starts, random_starts: p.random_starts, extent: p.extent, seed: p.seed, ..Default::default() };
    let found = ctx.stage(0.15, 0.95, || fixed_points_full::find_full(net, form, &u, &opts))?;
    let plane =
        ctx.stage(0.95, 1.0, || plane(&found.iter().map(|f| f.x.clone()).collect::<Vec<_>>(), &trajectories, n))?;
    let fixed_points = found
        .into_iter()
        .map(|f| Point { x: f.x, z: None, kind: f.kind, unstable_dims: f.unstable_dims, eigenvalues: f.eigenvalues })
        .collect();
    Ok(FixedPointsResult {
        space: Space::Full,
        form,
        neurons: n,
        rank: net.rank,
        input: u,
        starts: Some(start_count),
        fixed_points,
        flow: None,
        plane: Some(plane),
    })
}

/// The latent fixed points of `net`'s low-rank part (K ≤ [`MAX_LATENT_RANK`]; at most
/// [`LATENT_STARTS`] of them, in the latent finder's order) as states: rates φ(M z + B u + b)
/// in the rate form, currents M z + B u + b in the current form.
fn structured_starts(p: &FixedPointsParams, net: &Network, form: Form, u: &[f64]) -> Vec<Vec<f64>> {
    if !(1..=MAX_LATENT_RANK).contains(&net.rank) {
        return vec![];
    }
    let lpu = Lpu::new(net);
    let opts = SearchOptions { extent: p.extent, random_starts: p.random_starts, seed: p.seed, ..Default::default() };
    let found = fixed_points::find(&lpu, u, &opts);
    found
        .iter()
        .take(LATENT_STARTS)
        .map(|f| match form {
            Form::Rate => rates(&lpu, &f.z, u),
            Form::Current => currents(&lpu, &f.z, u),
        })
        .collect()
}

/// The fixed points and the trajectories' states on the first two principal components of
/// all of them together (a missing component scores 0).
fn plane(fixed: &[Vec<f64>], trajectories: &[Vec<Vec<f64>>], n: usize) -> Plane {
    let samples: Vec<f64> = fixed.iter().chain(trajectories.iter().flatten()).flatten().copied().collect();
    let count = samples.len() / n.max(1);
    let pc = pca::pca(&samples, count, n, 2);
    let total: f64 = pc.variances.iter().sum();
    let explained =
        (0..2).map(|c| pc.variances.get(c).map_or(0.0, |v| if total > 0.0 { v / total } else { 0.0 })).collect();
    let score = |i: usize| [0, 1].map(|c| pc.scores.get(c).map_or(0.0, |s| s[i]));
    let mut i = fixed.len();
    let trajectories = trajectories
        .iter()
        .map(|t| {
            let pts = (i..i + t.len()).map(score).collect();
            i += t.len();
            pts
        })
        .collect();
    Plane { explained, fixed_points: (0..fixed.len()).map(score).collect(), trajectories }
}

/// The fixed points of a network.
pub struct FixedPoints;

const PLOTS: &[PlotSpec] = &[
    PlotSpec::new(
        "plane",
        "Fixed points: the latent plane with its flow, or the first two principal components",
        0.9,
        false,
    ),
    PlotSpec::new("eigenvalues", "Eigenvalues of the Jacobian at each fixed point, by kind", 0.9, false),
];

const VIEWS: &[ViewSpec] = &[ViewSpec {
    name: "fixed_points",
    label: "Fixed points",
    plots: &["plane", "eigenvalues"],
    main: &["source", "neurons", "g", "bits", "rank", "input", "random_starts", "trajectories", "seed"],
    embed_plot: "plane",
    preset: "",
}];

/// The numeric code of a kind in the CSV: 0 stable, 1 saddle, 2 unstable.
pub fn kind_code(kind: Kind) -> f64 {
    match kind {
        Kind::Stable => 0.0,
        Kind::Saddle => 1.0,
        Kind::Unstable => 2.0,
    }
}

/// Coordinates of x the CSV lists.
pub const CSV_COORDS: usize = 8;

impl Experiment for FixedPoints {
    fn memory(p: &FixedPointsParams, ctx: &RunCtx) -> Footprint {
        let given = ctx.network().ok().filter(|_| p.source.outside());
        let n = given.map_or(p.neurons, |g| g.neurons) as f64;
        let designed_rank = if p.source == FamilySource::Flipflop { p.bits } else { p.rank };
        let k = given.map_or(designed_rank, |g| g.rank) as f64;
        let starts = (p.random_starts + LATENT_STARTS + p.trajectories * TRAJECTORY_STARTS) as f64;
        // A designed flip-flop has 3^K fixed points; elsewhere each start may find its own.
        let points = if p.source == FamilySource::Flipflop { starts.min(3f64.powf(k)) } else { starts };
        let full = n.min(MAX_FULL_NEURONS as f64);
        let weights = given.map_or(f64s(n * (3.0 * k + 2.0)), |g| g.bytes());
        let values =
            points * (n + 3.0 * k) + (2 * p.grid * p.grid) as f64 + (p.trajectories * TRAJECTORY_POINTS) as f64 * 2.0;
        Footprint::new(3.0 * weights + f64s(6.0 * full * full) + document(values), &["random_starts", "neurons"])
    }
    const NAME: &'static str = "fixed_points";
    const TITLE: &'static str = "Fixed points";
    const EXAMPLE: &'static str = "exp=fixed_points&source=flipflop&bits=2&neurons=60";
    type Params = FixedPointsParams;
    type Result = FixedPointsResult;

    fn check(p: &FixedPointsParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &FixedPointsParams, ctx: &RunCtx) -> Result<Output<FixedPointsResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &FixedPointsParams, r: &FixedPointsResult) -> Result<(), String> {
        use super::shape::{ensure, portrait};
        let (n, k) = (r.neurons, r.rank);
        if let Some(ens) = p.ensemble() {
            ensure(n == p.neurons && k == ens.rank(), "the network's size")?;
        }
        ensure(r.fixed_points.iter().all(|f| f.x.len() == n), "fixed points of another N")?;
        let dim = match r.space {
            Space::Latent => k,
            Space::Full => n,
        };
        ensure(
            r.fixed_points.iter().all(|f| f.eigenvalues.len() == dim && f.unstable_dims <= dim),
            "eigenvalues of another dimension",
        )?;
        match r.space {
            Space::Latent => {
                ensure(r.plane.is_none() && r.fixed_points.iter().all(|f| f.z.is_some()), "a latent result")?;
                portrait(k, &latent_points(r), r.flow.as_ref(), None)
            }
            Space::Full => {
                let plane = r.plane.as_ref().ok_or("the result does not fit its parameters: no plane")?;
                ensure(
                    r.flow.is_none()
                        && r.fixed_points.iter().all(|f| f.z.is_none())
                        && plane.fixed_points.len() == r.fixed_points.len()
                        && plane.explained.len() == 2,
                    "a full-state result",
                )
            }
        }
    }
    fn plots() -> &'static [PlotSpec] {
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        VIEWS
    }
    fn summary(p: &FixedPointsParams, r: &FixedPointsResult) -> String {
        let count = |kind| r.fixed_points.iter().filter(|f| f.kind == kind).count();
        let network = match p.source {
            FamilySource::Network | FamilySource::Trained => {
                format!("the given network (N = {}, {} form)", r.neurons, form_name(r.form))
            }
            s => format!("source={} (N = {})", s.name(), r.neurons),
        };
        let space = match r.space {
            Space::Latent => format!("the latent space (K = {}; eigenvalues of the latent Jacobian)", r.rank),
            Space::Full => format!("the full {}-dimensional state space (eigenvalues of the full Jacobian)", r.neurons),
        };
        let mut s = format!(
            "{} fixed points of {network} in {space}: {} stable, {} saddle, {} unstable{}.",
            r.fixed_points.len(),
            count(Kind::Stable),
            count(Kind::Saddle),
            count(Kind::Unstable),
            r.starts.map_or(String::new(), |s| format!(", from {s} starts"))
        );
        if let Some(top) =
            r.fixed_points.iter().filter_map(|f| f.eigenvalues.first()).map(|e| e[0]).max_by(|a, b| a.total_cmp(b))
        {
            s += &format!(" Largest real part of an eigenvalue: {} 1/s.", super::significant(top, 4));
        }
        s
    }
    fn csv(_p: &FixedPointsParams, r: &FixedPointsResult) -> Csv {
        let fps = &r.fixed_points;
        let col = |f: &dyn Fn(&Point) -> f64| fps.iter().map(f).collect::<Vec<f64>>();
        let lead = |i: usize| col(&|f| f.eigenvalues.first().map_or(f64::NAN, |e| e[i]));
        let zs: Vec<Vec<f64>> = fps.iter().map(|f| f.z.clone().unwrap_or_default()).collect();
        let xs: Vec<Vec<f64>> = fps.iter().map(|f| f.x.clone()).collect();
        let k = if r.space == Space::Latent { r.rank } else { 0 };
        Csv::with_rows(fps.len())
            .column("kind", &col(&|f| kind_code(f.kind)))
            .column("unstable_dims", &col(&|f| f.unstable_dims as f64))
            .column("lead_re", &lead(0))
            .column("lead_im", &lead(1))
            .columns("z", "", &zs, k)
            .columns("x", "", &xs, r.neurons.min(CSV_COORDS))
    }
}

/// A latent result's points as the latent finder's, for the portrait.
pub(crate) fn latent_points(r: &FixedPointsResult) -> Vec<FixedPoint> {
    r.fixed_points
        .iter()
        .map(|f| FixedPoint {
            z: f.z.clone().unwrap_or_default(),
            kind: f.kind,
            unstable_dims: f.unstable_dims,
            eigenvalues: f.eigenvalues.clone(),
        })
        .collect()
}

fn form_name(f: Form) -> &'static str {
    match f {
        Form::Rate => "rate",
        Form::Current => "current",
    }
}
