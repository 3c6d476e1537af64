//! `exp=dimensionality`: a static embedding r = φ(M z) of the unit sphere in R^d into N
//! neurons (LCF Fig. 2F–G, S3A–B; SCIENCE §6): the linear dimensionality against N, the PC
//! spectrum with each PC's largest correlation with the latent coordinates, the share of the
//! variance in PCs barely correlated with z, and how well the embedding keeps the order of
//! pairwise distances as the weight scale s grows.

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::memory::{f64s, Footprint};
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::numerics::pca;
use crate::numerics::rank_correlation::{pearson, spearman};
use crate::params::{list, range, Choice, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{stream, Rng};
use serde::{Deserialize, Serialize};

/// Most work units (multiply-adds, see [`work`]) one query may take: the default query
/// (samples = 1000, N up to 1000) fits, and runs in about 2 s natively and about 3 s in wasm.
pub const MAX_WORK: f64 = 1e10;
/// Most values in the sample matrix (samples × largest N): 32 MB of rates, a few copies of it
/// at the peak.
pub const MAX_VALUES: f64 = 4e6;
/// Largest side of the matrix whose eigenvectors are computed (min(samples, N)): 32 MB.
pub const MAX_SIDE: usize = 2000;

/// The map from the latent sphere to the rates: φ applied to M z, or M z itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Embedding {
    /// tanh(M z).
    Tanh,
    /// max(M z, 0).
    Relu,
    /// sign(M z).
    Sign,
    /// sin(M z).
    Sin,
    /// M z: the analytic control, a flat manifold of exactly d dimensions.
    Linear,
}

impl Embedding {
    /// The query words, in declaration order.
    pub const NAMES: [&'static str; 5] = ["tanh", "relu", "sign", "sin", "linear"];

    /// The nonlinearity, or None for the linear control.
    pub fn phi(self) -> Option<Phi> {
        match self {
            Embedding::Tanh => Some(Phi::Tanh),
            Embedding::Relu => Some(Phi::Relu),
            Embedding::Sign => Some(Phi::Sign),
            Embedding::Sin => Some(Phi::Sin),
            Embedding::Linear => None,
        }
    }
}

impl Choice for Embedding {
    const ALL: &'static [Self] =
        &[Embedding::Tanh, Embedding::Relu, Embedding::Sign, Embedding::Sin, Embedding::Linear];
    const NAMES: &'static [&'static str] = &Embedding::NAMES;
    fn name(self) -> &'static str {
        Embedding::NAMES[self as usize]
    }
}

crate::params! {
    /// The query keys of `exp=dimensionality`, with their ranges and defaults.
    pub struct DimensionalityParams {
        latent: usize = 10, range(1.0, 100.0), "latent d", "", network, "dimension d of the latent sphere (LCF Fig. 2G: 10)";
        neurons: Vec<usize> = vec![10, 30, 100, 300, 1000], list(2.0, 100_000.0, 12), "sizes N", "", network, "network sizes N (each the first N neurons of the largest)";
        scale: f64 = 1.0, range(0.001, 1000.0), "weight s.d. s", "", network, "s.d. s of the embedding weights M_ik (LCF: varied; our default 1)";
        nonlinearity: Embedding = Embedding::Tanh, range(0.0, 0.0), "nonlinearity φ", "", network, "r = φ(M z): tanh, relu, sign, sin, or linear (r = M z, the analytic control: exactly d dimensions)";
        samples: usize = 1000, range(10.0, 20_000.0), "samples", "", analysis, "points z drawn uniformly on the sphere (our default 1000); the dimensionality is at most samples − 1";
        fraction: f64 = 0.99, range(0.5, 0.9999), "variance explained", "", analysis, "the linear dimensionality counts the PCs explaining this fraction of the variance (LCF: 0.99)";
        threshold: f64 = 0.2, range(0.0, 1.0), "barely-correlated |corr|", "", analysis, "a PC is barely correlated with z when its largest |correlation| with a latent coordinate is below this (our default 0.2)";
        scales: Vec<f64> = vec![0.1, 0.3, 1.0, 3.0, 10.0], list(0.001, 1000.0, 12), "distance scales s", "", analysis, "weight scales s of the distance-preservation sweep (LCF Fig. S3B), at the largest N";
        pairs: usize = 2000, range(10.0, 100_000.0), "distance pairs", "", analysis, "random pairs of samples whose latent and embedded distances are compared";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed (weights, samples, pairs)";
    }
}

impl DimensionalityParams {
    /// The largest network size, whose spectrum and distances are reported.
    pub fn largest(&self) -> usize {
        self.neurons.iter().copied().max().unwrap_or(0)
    }
}

/// Multiply-adds of a query: per N the rates (samples·N·d), the second-moment matrix
/// (m²·M with m = min(samples, N), M = max), its eigenvectors (about 5 m³) and the scores
/// (samples·N·m on the covariance route); per distance scale the rates and the pairs.
pub fn work(p: &DimensionalityParams) -> f64 {
    let s = p.samples as f64;
    let d = p.latent as f64;
    let per_size: f64 = p
        .neurons
        .iter()
        .map(|&n| {
            let n = n as f64;
            let (m, big) = (s.min(n), s.max(n));
            let scores = if n <= s { s * n * m } else { 0.0 };
            s * n * d + m * m * big + 5.0 * m * m * m + scores
        })
        .sum();
    let big_n = p.largest() as f64;
    per_size + p.scales.len() as f64 * (s * big_n * d + p.pairs as f64 * (big_n + d))
}

fn check(p: &DimensionalityParams) -> Result<(), ParamError> {
    if p.neurons.is_empty() {
        return Err(ParamError::new("neurons", "must list at least one network size"));
    }
    if p.scales.is_empty() {
        return Err(ParamError::new("scales", "must list at least one weight scale"));
    }
    let n = p.largest();
    let values = p.samples as f64 * n as f64;
    if values > MAX_VALUES {
        return Err(ParamError::new(
            "samples",
            format!(
                "samples × largest N = {values:.1e} rates; at most {MAX_VALUES:.0e} (fewer samples or a smaller N)"
            ),
        ));
    }
    if let Some(&big) = p.neurons.iter().find(|&&n| n.min(p.samples) > MAX_SIDE) {
        return Err(ParamError::new(
            "samples",
            format!("min(samples, N = {big}) must be at most {MAX_SIDE} (the eigenproblem's side)"),
        ));
    }
    let w = work(p);
    if w > MAX_WORK {
        return Err(ParamError::new(
            "neurons",
            format!(
                "the query would take {w:.1e} operations; at most {MAX_WORK:.0e} (fewer samples, smaller or fewer N)"
            ),
        ));
    }
    Ok(())
}

/// What `exp=dimensionality` gives. Sizes follow the order of `neurons`; the spectrum and the
/// distance sweep belong to the largest N.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DimensionalityResult {
    /// The network sizes N, in query order.
    pub neurons: Vec<usize>,
    /// Linear dimensionality per N: PCs explaining `fraction` of the variance.
    pub dimension: Vec<usize>,
    /// Per N, the fraction of the variance in PCs whose largest |correlation| with a latent
    /// coordinate is below `threshold`.
    pub barely_fraction: Vec<f64>,
    /// The size whose spectrum is given: the largest N.
    pub spectrum_neurons: usize,
    /// Variance of each PC at the largest N, descending (min(samples − 1, N) values).
    pub variance: Vec<f64>,
    /// Each PC's largest |Pearson correlation| over the latent coordinates z_1..z_d.
    pub max_correlation: Vec<f64>,
    /// The distance sweep's weight scales (the `scales` key).
    pub scales: Vec<f64>,
    /// Spearman correlation of latent against embedded pairwise distances at each scale.
    pub spearman: Vec<f64>,
}

/// The latent points z a run embeds: `samples` points uniform on the unit sphere of R^d
/// (normalised Gaussian vectors), samples × d row-major.
pub fn latent_samples(p: &DimensionalityParams) -> Vec<f64> {
    sphere(p.samples, p.latent, &mut Rng::new(p.seed, stream::LATENT_SAMPLES))
}

fn sphere(samples: usize, d: usize, rng: &mut Rng) -> Vec<f64> {
    let mut z = vec![0.0; samples * d];
    for row in z.chunks_mut(d) {
        loop {
            row.iter_mut().for_each(|x| *x = rng.normal());
            let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|x| *x /= norm);
                break;
            }
        }
    }
    z
}

/// The rates r = φ(s G z) of the first `n` neurons for every sample (samples × n, row-major);
/// G is the unit-variance weight matrix (N × d, neuron-major).
fn rates(g: &[f64], z: &[f64], d: usize, n: usize, scale: f64, map: Embedding) -> Vec<f64> {
    let samples = z.len() / d;
    let mut r = vec![0.0; samples * n];
    for (row, zs) in r.chunks_mut(n).zip(z.chunks(d)) {
        for (i, x) in row.iter_mut().enumerate() {
            let w = &g[i * d..(i + 1) * d];
            let mut acc = 0.0;
            for (a, b) in w.iter().zip(zs) {
                acc += a * b;
            }
            *x = scale * acc;
        }
        if let Some(phi) = map.phi() {
            phi.apply_slice(row);
        }
    }
    r
}

/// Dimensionality, barely-correlated fraction, and (when `spectrum`) the PC variances and
/// their largest |correlation| with z, of one size.
fn analyse(r: &[f64], z: &[f64], p: &DimensionalityParams, n: usize) -> (usize, f64, Vec<f64>, Vec<f64>) {
    let (s, d) = (p.samples, p.latent);
    let keep = (s - 1).min(n);
    let pc = pca::pca(r, s, n, keep);
    let coords: Vec<Vec<f64>> = (0..d).map(|j| z.iter().skip(j).step_by(d).copied().collect()).collect();
    let corr: Vec<f64> = pc
        .scores
        .iter()
        .map(|score| coords.iter().map(|c| pearson(score, c).abs()).filter(|v| v.is_finite()).fold(0.0, f64::max))
        .collect();
    let total: f64 = pc.variances.iter().sum();
    let barely: f64 = pc.variances.iter().zip(&corr).filter(|(_, c)| **c < p.threshold).map(|(v, _)| v).sum();
    let fraction = if total > 0.0 { barely / total } else { 0.0 };
    (pca::dimension(&pc.variances, p.fraction), fraction, pc.variances, corr)
}

fn run(p: &DimensionalityParams, ctx: &RunCtx) -> Result<Output<DimensionalityResult>, RunError> {
    let (d, s) = (p.latent, p.samples);
    let big = p.largest();
    let mut rng = Rng::new(p.seed, stream::RANDOM_NETWORK);
    let mut g = vec![0.0; big * d];
    rng.fill_normal(&mut g, 0.0, 1.0);
    let z = latent_samples(p);
    // Sizes are analysed one after another, smallest first for even progress; each is the
    // first N neurons of the largest network (nested sizes, smooth curves).
    let mut order: Vec<usize> = (0..p.neurons.len()).collect();
    order.sort_by_key(|&i| p.neurons[i]);
    let costs: Vec<f64> = order.iter().map(|&i| (p.neurons[i] as f64).min(s as f64).powi(2)).collect();
    let total_cost: f64 = costs.iter().sum::<f64>() * 1.1;
    let mut done = 0.0;
    let mut per_size = vec![(0, 0.0); p.neurons.len()];
    let mut spectrum = (vec![], vec![]);
    for (&i, c) in order.iter().zip(&costs) {
        let n = p.neurons[i];
        let (a, b) = (done / total_cost, (done + c) / total_cost);
        let (dim, barely, var, corr) = ctx.stage(a, b, || {
            let r = rates(&g, &z, d, n, p.scale, p.nonlinearity);
            analyse(&r, &z, p, n)
        })?;
        per_size[i] = (dim, barely);
        if n == big {
            spectrum = (var, corr);
        }
        done += c;
    }
    // Distances: the same pairs of samples at every scale, embedded by the largest network.
    let mut pick = Rng::new(p.seed, stream::LATENT_SAMPLES + (1 << 8));
    let pairs: Vec<(usize, usize)> = (0..p.pairs)
        .map(|_| {
            let a = pick.below(s as u64) as usize;
            let b = (a + 1 + pick.below(s as u64 - 1) as usize) % s;
            (a, b)
        })
        .collect();
    let dist = |x: &[f64], w: usize| -> Vec<f64> {
        pairs
            .iter()
            .map(|&(a, b)| {
                let (u, v) = (&x[a * w..(a + 1) * w], &x[b * w..(b + 1) * w]);
                u.iter().zip(v).map(|(p, q)| (p - q) * (p - q)).sum::<f64>().sqrt()
            })
            .collect()
    };
    let latent = dist(&z, d);
    let spearman_at = ctx.stage(done / total_cost, 1.0, || {
        p.scales.iter().map(|&sc| spearman(&latent, &dist(&rates(&g, &z, d, big, sc, p.nonlinearity), big))).collect()
    })?;
    let result = DimensionalityResult {
        neurons: p.neurons.clone(),
        dimension: per_size.iter().map(|x| x.0).collect(),
        barely_fraction: per_size.iter().map(|x| x.1).collect(),
        spectrum_neurons: big,
        variance: spectrum.0,
        max_correlation: spectrum.1,
        scales: p.scales.clone(),
        spearman: spearman_at,
    };
    // The network file holds M (scaled by s) as the embedding of a network with no encoding;
    // the file has no linear φ, so the linear control is written with tanh.
    let network = Network {
        neurons: big,
        rank: d,
        inputs: 0,
        tau: 0.01,
        dt: 0.001,
        phi: p.nonlinearity.phi().unwrap_or(Phi::Tanh),
        embedding: g.iter().map(|x| x * p.scale).collect(),
        encoding: vec![0.0; big * d],
        input: vec![],
        bias: vec![0.0; big],
        random: None,
        model: crate::network::Model::Rate,
        readout: None,
    };
    Ok(Output { result, network })
}

/// The static embedding of a d-sphere and its linear dimensionality.
pub struct Dimensionality;

impl Experiment for Dimensionality {
    fn memory(p: &DimensionalityParams, _ctx: &RunCtx) -> Footprint {
        let (n, s) = (p.neurons.iter().copied().max().unwrap_or(0) as f64, p.samples as f64);
        // The PCA's eigenproblem is the smaller of the covariance (N × N) and the Gram (S × S).
        let side = s.min(n);
        Footprint::new(f64s(4.0 * s * n + 3.0 * side * side + n * p.latent as f64), &["samples", "neurons"])
    }
    const NAME: &'static str = "dimensionality";
    const TITLE: &'static str = "Dimensionality of a static embedding";
    const EXAMPLE: &'static str = "exp=dimensionality&latent=4&neurons=20,80&samples=200&pairs=300&scales=0.3,3";
    type Params = DimensionalityParams;
    type Result = DimensionalityResult;

    fn check(p: &DimensionalityParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &DimensionalityParams, ctx: &RunCtx) -> Result<Output<DimensionalityResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &DimensionalityParams, r: &DimensionalityResult) -> Result<(), String> {
        use super::shape::ensure;
        let k = p.neurons.len();
        ensure(
            r.neurons == p.neurons && r.dimension.len() == k && r.barely_fraction.len() == k,
            "values per network size",
        )?;
        ensure(
            r.variance.len() == r.max_correlation.len()
                && r.variance.len() == (p.samples - 1).min(p.largest())
                && r.spectrum_neurons == p.largest(),
            "the PC spectrum",
        )?;
        ensure(r.scales.len() == p.scales.len() && r.spearman.len() == p.scales.len(), "the distance sweep")
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("dimension", "Linear dimensionality against N", 0.75, false),
            PlotSpec::new("distances", "Distance preservation against weight scale", 0.75, false),
            PlotSpec::new("spectrum", "PC spectrum and correlation with the latent sphere", 0.5, true),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "dimensionality",
            label: "Dimensionality",
            plots: &["dimension", "distances", "spectrum"],
            main: &["latent", "neurons", "scale", "nonlinearity", "samples", "threshold", "scales", "seed"],
            embed_plot: "dimension",
            preset: "",
        }]
    }
    fn summary(p: &DimensionalityParams, r: &DimensionalityResult) -> String {
        let join = |v: Vec<String>| v.join(", ");
        let big = r.neurons.iter().position(|&n| n == r.spectrum_neurons).unwrap_or(0);
        let barely = r.barely_fraction.get(big).copied().unwrap_or(f64::NAN);
        format!(
            "{}-sphere, φ = {}, s = {}, {} samples. Linear dimensionality ({} % of the variance): {} at N = {}. At N = {}, {:.1} % of the variance is in PCs barely correlated with z (largest |corr| < {}). Spearman ρ of latent vs embedded distances: {} at s = {}.",
            p.latent,
            p.nonlinearity.name(),
            p.scale,
            p.samples,
            super::significant(p.fraction * 100.0, 3),
            join(r.dimension.iter().map(|d| d.to_string()).collect()),
            join(r.neurons.iter().map(|n| n.to_string()).collect()),
            r.spectrum_neurons,
            barely * 100.0,
            p.threshold,
            join(r.spearman.iter().map(|c| super::significant(*c, 3)).collect()),
            join(r.scales.iter().map(|s| s.to_string()).collect()),
        )
    }
    fn csv(_p: &DimensionalityParams, r: &DimensionalityResult) -> Csv {
        let rows = r.neurons.len().max(r.variance.len()).max(r.scales.len());
        let f = |v: &[usize]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
        let pcs: Vec<f64> = (1..=r.variance.len()).map(|k| k as f64).collect();
        Csv::with_rows(rows)
            .column("neurons", &f(&r.neurons))
            .column("dimension", &f(&r.dimension))
            .column("barely_fraction", &r.barely_fraction)
            .column("pc", &pcs)
            .column("variance", &r.variance)
            .column("max_abs_correlation", &r.max_correlation)
            .column("scale", &r.scales)
            .column("spearman", &r.spearman)
    }
    fn cost(p: &DimensionalityParams) -> f64 {
        work(p)
    }
}
