//! `exp=spectrum`: all eigenvalues of a network's weights, or of its Jacobian at a fixed point,
//! in the complex plane (SCIENCE §2, §7): the circular law's disk for the random part and the
//! outliers a low-rank part adds (the eigenvalues of NᵀM).
//!
//! The network is a member of one of the spectral families, or one given from outside
//! (`source=network|trained`: a file, or a trained network). For one from outside:
//!
//! - `matrix=weights`: W = M Nᵀ + W_rand as the network defines it (the 1/N lives in the
//!   encoding N); the outliers are eig NᵀM, the disk's radius √N times the standard deviation
//!   of W_rand's entries (the g of g X/√N), 0 without a dense part;
//! - `matrix=jacobian`: for a low-rank rate network without a dense part, at a fixed point of
//!   its latent dynamics (exactly closed, SCIENCE §1), as for the families; for any other
//!   (a dense part, the current form), N ≤ [`MAX_FULL_NEURONS`], at a fixed point of the full
//!   N-dimensional dynamics found by [`fixed_points_full::find_full`] from the origin, the
//!   low-rank part's latent fixed points and a few random states. Either way it is
//!   J_r = (−I + diag(φ′(W r* + b)) W)/τ at the rates r* (in the current form r* = φ(x*),
//!   whose J_r has the eigenvalues of the current form's own Jacobian: D W and W D are
//!   similar), without input.

use super::{Csv, Experiment, FamilySource, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::{self, FixedPoint, SearchOptions};
use crate::analysis::fixed_points_full::{self, Form, FullFixedPoint, FullOptions};
use crate::analysis::flow::Lpu;
use crate::ensembles::{overlap_matrix, Ensemble};
use crate::lowrank::CHUNK;
use crate::memory::{f64s, Footprint};
use crate::network::{Model, Network};
use crate::numerics::eig;
use crate::params::{range, Choice, ParamError, ParamSet, ParamSpec, Widget, MAX_SAFE_INTEGER};
use serde::{Deserialize, Serialize};

/// Which matrix's eigenvalues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Matrix {
    /// The connectivity W = M Nᵀ + W_rand.
    Weights,
    /// J_r = (−I + diag(φ′(W r*)) W)/τ at the rates of a latent fixed point, 1/s.
    Jacobian,
}

impl Choice for Matrix {
    const ALL: &'static [Self] = &[Matrix::Weights, Matrix::Jacobian];
    const NAMES: &'static [&'static str] = &["weights", "jacobian"];
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Largest N: N² doubles of W plus faer's workspace stay near 100 MB, and the eigenvalues of a
/// dense N = 2000 matrix take about 4 s natively and 12 s in a browser.
pub const MAX_NEURONS: usize = 2000;
/// Largest N of a Jacobian at a fixed point of the full dynamics (a network from outside with
/// a dense part or in the current form): each Levenberg–Marquardt step of the search solves an
/// N × N system, about 1.5 s per start on one core at N = 300 (as `exp=fixed_points`).
pub const MAX_FULL_NEURONS: usize = 300;
/// Random starts of the full-state search, after the origin and the latent starts.
pub const FULL_RANDOM_STARTS: usize = 8;
/// Most starts taken from the low-rank part's latent fixed points in the full-state search
/// (all nine of a 2-bit flip-flop), which bounds the search to 18 starts: at N = 300 at most
/// about half a minute on one core.
pub const FULL_LATENT_STARTS: usize = 9;
/// Half-width of the window of the full-state search's random starts (rates of tanh lie in
/// ±1).
const FULL_EXTENT: f64 = 1.5;

crate::params! {
    /// The query keys of `exp=spectrum`, with their ranges and defaults.
    pub struct SpectrumParams {
        source: FamilySource = FamilySource::LowrankRandom, range(0.0, 0.0), "network", "", network, "random (W_ij ~ N(0, g²/N)), lowrank_random (rank-K M Nᵀ plus the random part), lowrank (rank-K truncated SVD of the random W, LCF M87), flipflop (the designed K-bit network, plus the random part when g > 0), network (a network file: lpu run --network-in FILE, or one loaded in the page; N ≤ 2000) or trained (the network exp=train trains from the train.* keys); with network or trained the keys neurons, g, rank, outlier, bits and tau do not apply";
        neurons: usize = 200, range(2.0, 2000.0), "neurons N", "", network, "neurons N (at most 2000: the dense eigenproblem is O(N³)); not with source=network|trained";
        g: f64 = 1.0, range(0.0, 10.0), "gain g", "", network, "gain of the random part: its entries have s.d. g/√N, so its eigenvalues fill the disk of radius g; not with source=network|trained (the disk's radius is then √N times the s.d. of the dense part's entries)";
        rank: usize = 2, range(1.0, 20.0), "rank K", "", network, "rank K of the low-rank part (lowrank_random, lowrank; not with source=network|trained)";
        outlier: f64 = 2.0, range(-10.0, 10.0), "largest outlier", "", network, "lowrank_random: ñ^(k) = λ_k m^(k) + ξ^(k) with λ_k = outlier·(K − k)/K, so E[NᵀM] = diag(λ) (our design)";
        bits: usize = 2, range(1.0, 6.0), "bits K", "", network, "bits of the flip-flop (flipflop)";
        matrix: Matrix = Matrix::Weights, range(0.0, 0.0), "matrix", "", analysis, "weights (W) or jacobian (J_r at a fixed point, in 1/s: of the latent dynamics for the families and for low-rank rate networks without a dense part; of the full dynamics, N ≤ 300, for other networks from outside)";
        fixed_point: usize = 0, range(0.0, 1000.0), "fixed point", "", analysis, "jacobian: which fixed point (0 = the first listed; the origin for random and lowrank; in a full-state search the order found, the origin's start first)";
        tau: f64 = 0.01, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s (sets the Jacobian's units); not with source=network|trained (a network has its own τ)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed of the weights (families) and of the random starts of a full-state search";
    }
}

impl SpectrumParams {
    /// The family member the keys describe (`None` for a network from outside).
    fn ensemble(&self) -> Option<Ensemble> {
        self.source.family().map(|source| Ensemble {
            source,
            neurons: self.neurons,
            g: self.g,
            rank: self.rank,
            bits: self.bits,
            outlier: self.outlier,
            tau: self.tau,
            dt: self.tau / 10.0,
            seed: self.seed,
        })
    }
}

/// A circle in the complex plane.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Circle {
    /// Centre on the real axis.
    pub centre: f64,
    /// Radius.
    pub radius: f64,
}

/// What `exp=spectrum` gives.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpectrumResult {
    /// All N eigenvalues [re, im] of the chosen matrix (the Jacobian's in 1/s), by decreasing
    /// real part.
    pub eigenvalues: Vec<[f64; 2]>,
    /// The circular law's radius for the random part of W: g (for a network from outside, √N
    /// times the standard deviation of its dense part's entries; 0 without one).
    pub radius: f64,
    /// Where the circular law puts the bulk of the chosen matrix: the disk of radius g for W;
    /// for J_r the disk of radius g·√⟨φ′²⟩/τ about −1/τ (a random matrix with rows scaled by
    /// φ′ has radius g times their root mean square).
    pub bulk: Circle,
    /// The eigenvalues [re, im] the low-rank part adds: of the K × K matrix NᵀM for W, of the
    /// latent Jacobian J_z at the fixed point for J_r (1/s). Empty for `random`, and for a
    /// Jacobian at a fixed point of a full-state search.
    pub outliers: Vec<[f64; 2]>,
    /// The fraction of eigenvalues inside the bulk circle enlarged by 5 %.
    pub inside: f64,
    /// The latent fixed points found (jacobian only, sources with a latent flow).
    pub fixed_points: Vec<FixedPoint>,
    /// The latent fixed point whose rates r* = φ(M z* + b) the Jacobian is taken at (jacobian
    /// only, latent search).
    pub at: Option<Vec<f64>>,
    /// The fixed points of a full-state search in the order found (jacobian on a network from
    /// outside with a dense part or in the current form): N rates, or N currents in the current
    /// form, each with its Jacobian's eigenvalues. Absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub full_points: Vec<FullFixedPoint>,
}

fn check(p: &SpectrumParams) -> Result<(), ParamError> {
    if let Some(ens) = p.ensemble() {
        ens.check()?;
    }
    Ok(())
}

/// The network from outside, if it fits: N ≤ [`MAX_NEURONS`].
fn outside_network(ctx: &RunCtx) -> Result<Network, RunError> {
    let net = ctx.network()?;
    if net.neurons > MAX_NEURONS {
        return Err(RunError::Param(ParamError::new(
            "source",
            format!(
                "the network has N = {} neurons; the spectrum takes at most N = {MAX_NEURONS} (all eigenvalues of a dense N × N matrix, O(N³))",
                net.neurons
            ),
        )));
    }
    Ok(net.clone())
}

/// The error for a `fixed_point` index past the `count` fixed points found.
fn no_such_point(p: &SpectrumParams, count: usize, flow: &str) -> RunError {
    let message = if count == 0 {
        format!("has no fixed point to take: the {flow} found none (use matrix=weights)")
    } else {
        format!("must be an index in 0..={} (the {flow} has {count} fixed points), got {}", count - 1, p.fixed_point)
    };
    RunError::Param(ParamError::new("fixed_point", message))
}

/// The spectrum of `p`'s network.
pub fn spectrum(p: &SpectrumParams, ctx: &RunCtx) -> Result<Output<SpectrumResult>, RunError> {
    let Some(ens) = p.ensemble() else { return outside(p, ctx) };
    let net = ctx.stage(0.0, 0.15, || ens.network())?;
    let n = net.neurons;
    let mut fixed = vec![];
    let mut at = None;
    let (matrix, bulk, outliers) = match p.matrix {
        Matrix::Weights => {
            let k = net.rank;
            let outliers = eig::eigenvalues(&overlap_matrix(&net), k).into_iter().map(|(a, b)| [a, b]).collect();
            (net.dense_weights(), Circle { centre: 0.0, radius: p.g }, outliers)
        }
        Matrix::Jacobian => {
            let lpu = Lpu::new(&net);
            let z = if ens.source.has_latent() {
                fixed = ctx.stage(0.15, 0.3, || {
                    let opts = SearchOptions { extent: 2.0, ..SearchOptions::default() };
                    fixed_points::find(&lpu, &[], &opts)
                })?;
                let chosen = fixed.get(p.fixed_point).ok_or_else(|| no_such_point(p, fixed.len(), "latent flow"))?;
                chosen.z.clone()
            } else {
                vec![0.0; net.rank]
            };
            let mut rates = vec![0.0; n];
            for (i, r) in rates.iter_mut().enumerate() {
                *r = net.phi.apply((0..net.rank).map(|c| net.m(i, c) * z[c]).sum());
            }
            let j = crate::analysis::jacobian::full_jacobian(&net, &rates, &[]);
            // φ′ at the currents the Jacobian uses, for the bulk's radius.
            let w = net.dense_weights();
            let mean_sq: f64 = (0..n)
                .map(|i| {
                    let x: f64 = (0..n).map(|q| w[i * n + q] * rates[q]).sum();
                    let d = net.phi.derivative(x);
                    d * d
                })
                .sum::<f64>()
                / n as f64;
            let bulk = Circle { centre: -1.0 / p.tau, radius: p.g * mean_sq.sqrt() / p.tau };
            let outliers = if net.rank > 0 {
                eig::eigenvalues(&lpu.jacobian(&z, &[]), net.rank).into_iter().map(|(a, b)| [a, b]).collect()
            } else {
                vec![]
            };
            at = Some(z);
            (j, bulk, outliers)
        }
    };
    let eigenvalues: Vec<[f64; 2]> =
        ctx.stage(0.3, 1.0, || eig::eigenvalues_dense(&matrix, n))?.into_iter().map(|(a, b)| [a, b]).collect();
    let limit = bulk.radius * 1.05;
    let inside = eigenvalues.iter().filter(|e| (e[0] - bulk.centre).hypot(e[1]) <= limit).count() as f64 / n as f64;
    let result = SpectrumResult {
        eigenvalues,
        radius: p.g,
        bulk,
        outliers,
        inside,
        fixed_points: fixed,
        at,
        full_points: vec![],
    };
    Ok(Output { result, network: net })
}

/// The circular law's radius for `net`'s dense part: √N times the standard deviation of its
/// entries, which is g for g X/√N (SCIENCE §7); 0 without a dense part. Sums in entry order.
pub fn dense_radius(net: &Network) -> f64 {
    let Some(w) = &net.random else { return 0.0 };
    let count = w.len() as f64;
    let mean = w.iter().sum::<f64>() / count;
    let var = w.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / count;
    (var * net.neurons as f64).sqrt()
}

/// M z + B u + b, summed as the latent flow sums them.
fn currents(lpu: &Lpu, z: &[f64], u: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; lpu.neurons()];
    for (c, out) in x.chunks_mut(CHUNK).enumerate() {
        lpu.currents(c * CHUNK, None, z, u, out);
    }
    x
}

/// The spectrum of a network given from outside: see the module's notes.
fn outside(p: &SpectrumParams, ctx: &RunCtx) -> Result<Output<SpectrumResult>, RunError> {
    let net = outside_network(ctx)?;
    let (n, k) = (net.neurons, net.rank);
    let radius = dense_radius(&net);
    let u = vec![0.0; net.inputs];
    let mut result = SpectrumResult {
        eigenvalues: vec![],
        radius,
        bulk: Circle { centre: 0.0, radius },
        outliers: vec![],
        inside: 0.0,
        fixed_points: vec![],
        at: None,
        full_points: vec![],
    };
    let matrix = match p.matrix {
        Matrix::Weights => {
            result.outliers = eig::eigenvalues(&overlap_matrix(&net), k).into_iter().map(|(a, b)| [a, b]).collect();
            net.dense_weights()
        }
        Matrix::Jacobian => {
            let lpu = Lpu::new(&net);
            let rates = if net.random.is_none() && net.model == Model::Rate && k >= 1 {
                // The latent dynamics close exactly: their fixed points are all the network's.
                let fixed = ctx.stage(0.0, 0.3, || {
                    let opts = SearchOptions { extent: 2.0, ..SearchOptions::default() };
                    fixed_points::find(&lpu, &u, &opts)
                })?;
                let z = fixed.get(p.fixed_point).ok_or_else(|| no_such_point(p, fixed.len(), "latent flow"))?.z.clone();
                result.outliers = eig::eigenvalues(&lpu.jacobian(&z, &u), k).into_iter().map(|(a, b)| [a, b]).collect();
                result.fixed_points = fixed;
                result.at = Some(z.clone());
                currents(&lpu, &z, &u).into_iter().map(|c| net.phi.apply(c)).collect()
            } else {
                if n > MAX_FULL_NEURONS {
                    let why = if net.random.is_some() { "a dense part" } else { "no latent dynamics of its own" };
                    let why = if net.model == Model::Current { "the current form" } else { why };
                    return Err(RunError::Param(ParamError::new(
                        "matrix",
                        format!(
                            "jacobian needs a fixed point of the full dynamics for this network ({why}), found for N ≤ {MAX_FULL_NEURONS} (O(N³) per step), but it has N = {n}: use matrix=weights"
                        ),
                    )));
                }
                let form = match net.model {
                    Model::Rate => Form::Rate,
                    Model::Current => Form::Current,
                };
                let found = ctx.stage(0.0, 0.3, || {
                    // The origin first (the fixed point of an unbiased network), then the low-rank
                    // part's own latent fixed points as states, near which a weakly perturbed
                    // network's lie, then random states.
                    let mut starts = vec![vec![0.0; n]];
                    if k >= 1 {
                        let opts = SearchOptions { extent: FULL_EXTENT, ..SearchOptions::default() };
                        for f in fixed_points::find(&lpu, &u, &opts).iter().take(FULL_LATENT_STARTS) {
                            let x = currents(&lpu, &f.z, &u);
                            starts.push(match form {
                                Form::Rate => x.into_iter().map(|c| net.phi.apply(c)).collect(),
                                Form::Current => x,
                            });
                        }
                    }
                    let opts = FullOptions {
                        starts,
                        random_starts: FULL_RANDOM_STARTS,
                        extent: FULL_EXTENT,
                        seed: p.seed,
                        ..FullOptions::default()
                    };
                    fixed_points_full::find_full(&net, form, &u, &opts)
                })?;
                let x = found
                    .get(p.fixed_point)
                    .ok_or_else(|| no_such_point(p, found.len(), "full-state search"))?
                    .x
                    .clone();
                result.full_points = found;
                match form {
                    Form::Rate => x,
                    Form::Current => x.into_iter().map(|c| net.phi.apply(c)).collect(),
                }
            };
            let j = crate::analysis::jacobian::full_jacobian(&net, &rates, &u);
            // φ′ at the currents W r* + b the Jacobian uses, for the bulk's radius (a random
            // matrix with rows scaled by φ′ has radius g times their root mean square).
            let w = net.dense_weights();
            let mean_sq: f64 = (0..n)
                .map(|i| {
                    let x: f64 = net.bias[i] + (0..n).map(|q| w[i * n + q] * rates[q]).sum::<f64>();
                    let d = net.phi.derivative(x);
                    d * d
                })
                .sum::<f64>()
                / n as f64;
            result.bulk = Circle { centre: -1.0 / net.tau, radius: radius * mean_sq.sqrt() / net.tau };
            j
        }
    };
    result.eigenvalues =
        ctx.stage(0.3, 1.0, || eig::eigenvalues_dense(&matrix, n))?.into_iter().map(|(a, b)| [a, b]).collect();
    let limit = result.bulk.radius * 1.05;
    let c = result.bulk.centre;
    result.inside =
        result.eigenvalues.iter().filter(|e| libm::hypot(e[0] - c, e[1]) <= limit).count() as f64 / n as f64;
    Ok(Output { result, network: net })
}

/// The eigenvalues of a network in the complex plane.
pub struct Spectrum;

impl Experiment for Spectrum {
    fn memory(p: &SpectrumParams, ctx: &RunCtx) -> Footprint {
        let n = match ctx.network().ok().filter(|_| p.source.outside()) {
            Some(g) => g.neurons,
            None => p.neurons,
        } as f64;
        Footprint::new(f64s(6.0 * n * n), &["neurons"])
    }
    const NAME: &'static str = "spectrum";
    const TITLE: &'static str = "Eigenspectrum";
    const EXAMPLE: &'static str = "exp=spectrum&neurons=120&g=0.8&outlier=2";
    type Params = SpectrumParams;
    type Result = SpectrumResult;

    fn specs() -> Vec<ParamSpec> {
        let mut specs = SpectrumParams::specs();
        for s in specs.iter_mut().filter(|s| s.key == "g") {
            s.widget = Some(Widget::Slider {
                span: 3.0,
                hint: "drag to watch the disk and the outliers move: the spectrum is recomputed live",
            });
        }
        specs
    }
    fn check(p: &SpectrumParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &SpectrumParams, ctx: &RunCtx) -> Result<Output<SpectrumResult>, RunError> {
        spectrum(p, ctx)
    }
    fn validate(p: &SpectrumParams, r: &SpectrumResult) -> Result<(), String> {
        use super::shape::{ensure, portrait};
        let Some(ens) = p.ensemble() else {
            // A network from outside: its N is the number of eigenvalues, its K the latent
            // fixed point's dimension.
            let n = r.eigenvalues.len();
            let k = r.at.as_ref().map_or(0, Vec::len);
            portrait(k, &r.fixed_points, None, None)?;
            return ensure(
                r.full_points.iter().all(|f| f.x.len() == n && f.eigenvalues.len() == n),
                "full-state fixed points of another N",
            );
        };
        ensure(r.eigenvalues.len() == p.neurons, "the number of eigenvalues")?;
        let k = ens.rank();
        portrait(k, &r.fixed_points, None, None)?;
        ensure(r.full_points.is_empty(), "full-state fixed points for a family")?;
        ensure(r.at.as_ref().is_none_or(|z| z.len() == k), "the fixed point")
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("eigenvalues", "Eigenvalues in the complex plane", 0.9, false).live(),
            PlotSpec::new("moduli", "Distance from the disk's centre against the circular law", 0.75, false).live(),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "spectrum",
            label: "Spectrum",
            plots: &["eigenvalues", "moduli"],
            main: &["source", "g", "neurons", "rank", "outlier", "bits", "matrix", "fixed_point", "seed"],
            embed_plot: "eigenvalues",
            preset: "",
        }]
    }
    fn summary(p: &SpectrumParams, r: &SpectrumResult) -> String {
        let what = match (p.matrix, r.full_points.get(p.fixed_point)) {
            (Matrix::Weights, _) if p.source.outside() => "the given network's W".to_string(),
            (Matrix::Weights, _) => "W".to_string(),
            (Matrix::Jacobian, Some(f)) => format!(
                "the Jacobian at fixed point {} of {} of the full dynamics ({}, {} unstable directions)",
                p.fixed_point,
                r.full_points.len(),
                format!("{:?}", f.kind).to_lowercase(),
                f.unstable_dims
            ),
            (Matrix::Jacobian, None) => format!(
                "the Jacobian at z* = ({})",
                r.at.as_deref().unwrap_or(&[]).iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join(", ")
            ),
        };
        let lead = r.eigenvalues.first().copied().unwrap_or([f64::NAN, 0.0]);
        let mut s = format!(
            "{} eigenvalues of {what}: {:.1}% lie within 5% of the circular law's disk (radius {}, centre {}). Largest real part {}.",
            r.eigenvalues.len(),
            r.inside * 100.0,
            super::significant(r.bulk.radius, 3),
            super::significant(r.bulk.centre, 3),
            super::significant(lead[0], 4),
        );
        if !r.outliers.is_empty() {
            let list: Vec<String> = r
                .outliers
                .iter()
                .map(|o| if o[1] == 0.0 { super::significant(o[0], 3) } else { format!("{:.3}{:+.3}i", o[0], o[1]) })
                .collect();
            s += &format!(" Predicted outliers (low-rank part): {}.", list.join(", "));
        }
        s
    }
    fn csv(_p: &SpectrumParams, r: &SpectrumResult) -> Csv {
        let col = |v: &[[f64; 2]], i: usize| v.iter().map(|e| e[i]).collect::<Vec<f64>>();
        Csv::with_rows(r.eigenvalues.len())
            .column("re", &col(&r.eigenvalues, 0))
            .column("im", &col(&r.eigenvalues, 1))
            .column("outlier_re", &col(&r.outliers, 0))
            .column("outlier_im", &col(&r.outliers, 1))
    }
    fn live(p: &SpectrumParams, _ctx: &RunCtx) -> Option<String> {
        spectrum(p, &RunCtx::default()).ok().map(|o| serde_json::to_string(&o.result).expect("spectrum serialises"))
    }
    fn apply_live(r: &mut SpectrumResult, live: &str) -> Result<(), String> {
        let new: SpectrumResult = serde_json::from_str(live).map_err(|e| format!("not a spectrum: {e}"))?;
        if new.eigenvalues.len() != r.eigenvalues.len() {
            return Err("the live spectrum is for another N".into());
        }
        *r = new;
        Ok(())
    }
}
