//! `exp=chaos`: the transition to chaos (LCF Fig. S3F–G, SCIENCE §6–7). For random networks
//! (W_ij ~ N(0, g²/N)) or their rank-K truncation (LCF M87), sweep g and measure λ_max (QR
//! method, one tangent vector), the temporal variance of the activity and its linear
//! dimensionality (principal components for 99 % of the variance); then the dimensionality
//! against N at one g.

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::lyapunov::{self, Options};
use crate::ensembles::{Ensemble, Source};
use crate::memory::{f64s, Footprint};
use crate::numerics::{grid, pca};
use crate::params::{list, range, ParamError, MAX_SAFE_INTEGER};
use serde::{Deserialize, Serialize};

/// Most work one sweep may take, in multiply-adds: about 10 s natively, 30 s in a browser.
pub const MAX_WORK: f64 = 1.5e10;

/// Most samples of the rates kept per network for the variance and the PCA (every k-th step
/// when the run is longer): at N = 1000 they take 32 MB.
pub const MAX_SAMPLES: usize = 4000;

/// Below this total variance the activity has died out: its dimensionality is 0.
const SILENT: f64 = 1e-10;

crate::params! {
    /// The query keys of `exp=chaos`, with their ranges and defaults.
    pub struct ChaosParams {
        source: Source = Source::Random, range(0.0, 0.0), "network", "", network, "random (W_ij ~ N(0, g²/N), zero diagonal, LCF M86) or lowrank (its rank-K truncated SVD rescaled to W's Frobenius norm, LCF M87)";
        neurons: usize = 200, range(10.0, 1000.0), "neurons N", "", network, "neurons N of the sweep over g";
        rank: usize = 10, range(1.0, 100.0), "rank K", "", network, "rank K (lowrank)";
        g_min: f64 = 0.5, range(0.0, 10.0), "g from", "", task, "smallest gain g";
        g_max: f64 = 3.0, range(0.0, 10.0), "g to", "", task, "largest gain g";
        points: usize = 11, range(2.0, 41.0), "g values", "", task, "g values, evenly spaced";
        sizes: Vec<usize> = vec![50, 100, 200, 400], list(10.0, 1000.0, 8), "sizes N", "", network, "network sizes for the dimensionality against N";
        g_size: f64 = 2.5, range(0.0, 10.0), "g of the N sweep", "", task, "gain g of the dimensionality against N";
        g_spectrum: f64 = 2.0, range(0.0, 10.0), "g of the spectrum", "", analysis, "gain g of the Lyapunov spectrum shown beside the sweep (click the λ_max plot to pick one)";
        exponents: usize = 20, range(1.0, 100.0), "exponents", "", analysis, "Lyapunov exponents of that network (at most N)";
        warmup: f64 = 0.5, range(0.0, 100.0), "warm-up", "s", simulation, "simulated time before measuring, s (the second half aligns the tangent vectors)";
        time: f64 = 1.0, range(0.01, 100.0), "time", "s", simulation, "simulated time measured, s";
        tau: f64 = 0.01, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s";
        dt: f64 = 0.001, range(1e-5, 0.1), "Δt", "s", simulation, "Euler step Δt in s (at most τ)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed (one random matrix, rescaled by each g)";
    }
}

impl ChaosParams {
    /// The network family in words, for legends.
    pub fn source_label(&self) -> String {
        match self.source {
            Source::Lowrank => format!("rank-{} truncation (M87)", self.rank),
            _ => "random W (M86)".to_string(),
        }
    }
    fn steps(&self, seconds: f64) -> usize {
        (seconds / self.dt).round() as usize
    }
    fn cells(&self) -> Vec<(usize, f64)> {
        let gs = grid::linspace(self.g_min, self.g_max, self.points);
        let mut cells: Vec<(usize, f64)> = gs.into_iter().map(|g| (self.neurons, g)).collect();
        cells.extend(self.sizes.iter().map(|&n| (n, self.g_size)));
        cells
    }
    fn record_every(&self) -> usize {
        self.steps(self.time).div_ceil(MAX_SAMPLES).max(1)
    }
    fn work(&self) -> f64 {
        let steps = (self.steps(self.time) + self.steps(self.warmup)) as f64;
        let samples = self.steps(self.time).div_ceil(self.record_every()) as f64;
        let n = self.neurons as f64;
        n * n * (self.exponents + 2) as f64 * steps
            + self
                .cells()
                .iter()
                .map(|&(n, _)| {
                    let n = n as f64;
                    3.0 * n * n * steps + n * samples * n.min(samples) + n.min(samples).powi(3)
                })
                .sum::<f64>()
    }
}

/// What one network gives.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Cell {
    /// λ_max by the QR method, 1/s.
    pub lambda_max: f64,
    /// Temporal variance of the rates, averaged over neurons.
    pub variance: f64,
    /// Principal components for 99 % of the variance (0 once the activity has died out).
    pub dimension: usize,
}

/// What `exp=chaos` gives.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChaosResult {
    /// The gains swept.
    pub g: Vec<f64>,
    /// λ_max at each g, 1/s.
    pub lambda_max: Vec<f64>,
    /// Temporal variance of the activity at each g.
    pub variance: Vec<f64>,
    /// Linear dimensionality of the activity at each g.
    pub dimension: Vec<usize>,
    /// Where λ_max first crosses 0 going up in g (linear interpolation), if it does.
    pub critical_g: Option<f64>,
    /// The sizes of the N sweep.
    pub sizes: Vec<usize>,
    /// The Lyapunov spectrum at `g_spectrum` (N = `neurons`), 1/s, largest first.
    pub exponents: Vec<f64>,
    /// Its Kaplan–Yorke dimension.
    pub kaplan_yorke: f64,
    /// Its entropy rate (sum of the positive exponents), nats/s.
    pub entropy_rate: f64,
    /// Linear dimensionality at each size, at `g_size`.
    pub size_dimension: Vec<usize>,
    /// λ_max at each size, at `g_size`, 1/s.
    pub size_lambda_max: Vec<f64>,
}

fn check(p: &ChaosParams) -> Result<(), ParamError> {
    if !matches!(p.source, Source::Random | Source::Lowrank) {
        return Err(ParamError::new("source", "must be random or lowrank for the transition to chaos"));
    }
    if p.g_max <= p.g_min {
        return Err(ParamError::new("g_max", format!("must be above g_min = {}", p.g_min)));
    }
    if p.dt > p.tau {
        return Err(ParamError::new("dt", format!("must be at most tau = {} s", p.tau)));
    }
    if p.steps(p.time) < 10 {
        return Err(ParamError::new("time", format!("must be at least 10 steps of dt = {} s", p.dt)));
    }
    let biggest = p.sizes.iter().copied().chain([p.neurons]).min().unwrap_or(p.neurons);
    if p.source == Source::Lowrank && p.rank > biggest {
        return Err(ParamError::new("rank", format!("must be at most the smallest N, {biggest}")));
    }
    if p.exponents > p.neurons {
        return Err(ParamError::new("exponents", format!("must be at most neurons = {}", p.neurons)));
    }
    if p.sizes.is_empty() {
        return Err(ParamError::new("sizes", "must list at least one network size"));
    }
    let work = p.work();
    if work > MAX_WORK {
        return Err(ParamError::new(
            "time",
            format!("the sweep asks for {work:.1e} multiply-adds, more than the limit {MAX_WORK:.0e}: shorten time or warmup, or sweep fewer g values or sizes"),
        ));
    }
    Ok(())
}

fn ensemble(p: &ChaosParams, neurons: usize, g: f64) -> Ensemble {
    Ensemble { source: p.source, neurons, g, rank: p.rank, bits: 1, outlier: 0.0, tau: p.tau, dt: p.dt, seed: p.seed }
}

/// λ_max, variance and dimensionality of one network.
fn cell(p: &ChaosParams, neurons: usize, g: f64) -> Cell {
    let net = ensemble(p, neurons, g).network();
    let opts = Options {
        exponents: 1,
        warmup: p.steps(p.warmup),
        steps: p.steps(p.time),
        reorth: 10,
        initial_sd: 0.5,
        seed: p.seed,
        record_every: p.record_every(),
        convergence_points: 1,
    };
    let s = lyapunov::spectrum(&net, &opts);
    let count = s.rates.len();
    let flat: Vec<f64> = s.rates.concat();
    let mut variance = 0.0;
    for i in 0..neurons {
        let mean = (0..count).map(|t| flat[t * neurons + i]).sum::<f64>() / count as f64;
        let var = (0..count).map(|t| (flat[t * neurons + i] - mean).powi(2)).sum::<f64>() / count as f64;
        variance += var / neurons as f64;
    }
    let dimension = if variance * neurons as f64 > SILENT {
        pca::dimension(&pca::variances(&flat, count, neurons), 0.99)
    } else {
        0
    };
    Cell { lambda_max: s.exponents.first().copied().unwrap_or(f64::NAN), variance, dimension }
}

fn run(p: &ChaosParams, ctx: &RunCtx) -> Result<Output<ChaosResult>, RunError> {
    let cells = p.cells();
    let spectrum = ctx.stage(0.0, 0.2, || {
        let opts = Options {
            exponents: p.exponents,
            warmup: p.steps(p.warmup),
            steps: p.steps(p.time),
            reorth: 10,
            initial_sd: 0.5,
            seed: p.seed,
            record_every: 0,
            convergence_points: 1,
        };
        lyapunov::spectrum(&ensemble(p, p.neurons, p.g_spectrum).network(), &opts).exponents
    })?;
    let done = ctx.stage(0.2, 1.0, || {
        let mut out = vec![];
        let total = cells.len();
        for (i, part) in cells.chunks(2).enumerate() {
            crate::progress::report((2 * i) as f64 / total as f64);
            if crate::progress::cancelled() {
                break;
            }
            out.extend(crate::parallel::map(part, |&(n, g)| cell(p, n, g)));
        }
        out
    })?;
    let (sweep, sizes) = done.split_at(p.points);
    let g = grid::linspace(p.g_min, p.g_max, p.points);
    let lambda_max: Vec<f64> = sweep.iter().map(|c| c.lambda_max).collect();
    let critical_g = lambda_max.windows(2).zip(g.windows(2)).find(|(l, _)| l[0] < 0.0 && l[1] >= 0.0).map(|(l, x)| {
        let f = -l[0] / (l[1] - l[0]);
        x[0] + f * (x[1] - x[0])
    });
    let result = ChaosResult {
        variance: sweep.iter().map(|c| c.variance).collect(),
        dimension: sweep.iter().map(|c| c.dimension).collect(),
        lambda_max,
        critical_g,
        g,
        sizes: p.sizes.clone(),
        size_dimension: sizes.iter().map(|c| c.dimension).collect(),
        size_lambda_max: sizes.iter().map(|c| c.lambda_max).collect(),
        kaplan_yorke: lyapunov::kaplan_yorke(&spectrum),
        entropy_rate: lyapunov::entropy_rate(&spectrum),
        exponents: spectrum,
    };
    let network = ensemble(p, p.neurons, p.g_spectrum).network();
    Ok(Output { result, network })
}

/// The transition to chaos of random networks. The rates are sampled every step, or every
/// k-th step when the run is longer than [`MAX_SAMPLES`] steps.
pub struct Chaos;

impl Experiment for Chaos {
    fn memory(p: &ChaosParams, _ctx: &RunCtx) -> Footprint {
        let n = p.sizes.iter().copied().chain([p.neurons]).max().unwrap_or(0) as f64;
        Footprint::new(f64s(3.0 * n * n + 6.0 * n * p.exponents as f64), &["neurons", "sizes"])
    }
    const NAME: &'static str = "chaos";
    const TITLE: &'static str = "Transition to chaos";
    const EXAMPLE: &'static str = "exp=chaos&neurons=40&points=3&sizes=20,40&time=0.1&warmup=0.05";
    type Params = ChaosParams;
    type Result = ChaosResult;

    fn check(p: &ChaosParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &ChaosParams, ctx: &RunCtx) -> Result<Output<ChaosResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &ChaosParams, r: &ChaosResult) -> Result<(), String> {
        use super::shape::ensure;
        let n = p.points;
        ensure(
            r.g.len() == n && r.lambda_max.len() == n && r.variance.len() == n && r.dimension.len() == n,
            "the sweep over g",
        )?;
        let s = r.sizes.len();
        ensure(r.size_dimension.len() == s && r.size_lambda_max.len() == s, "the sweep over N")?;
        ensure(r.exponents.len() == p.exponents, "the Lyapunov spectrum")
    }
    fn click(_p: &ChaosParams, plot: &str, x: f64, _y: f64) -> Option<(&'static str, String)> {
        (plot == "lambda" && x.is_finite()).then(|| ("g_spectrum", format!("{:.3}", x.clamp(0.0, 10.0))))
    }
    fn cost(p: &ChaosParams) -> f64 {
        p.work()
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("lambda", "Largest Lyapunov exponent against g", 0.7, false)
                .clickable("Click at a g to show the Lyapunov spectrum of that network."),
            PlotSpec::new("exponents", "Lyapunov spectrum at the chosen g", 0.7, false),
            PlotSpec::new("variance", "Temporal variance of the activity against g", 0.7, false),
            PlotSpec::new("dimension", "Linear dimensionality against g", 0.7, false),
            PlotSpec::new("sizes", "Linear dimensionality against N", 0.7, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "chaos",
            label: "Chaos",
            plots: &["lambda", "exponents", "variance", "dimension", "sizes"],
            main: &["source", "neurons", "rank", "g_min", "g_max", "points", "g_spectrum", "sizes", "g_size", "seed"],
            embed_plot: "lambda",
            preset: "",
        }]
    }
    fn summary(p: &ChaosParams, r: &ChaosResult) -> String {
        let crossing = match r.critical_g {
            Some(g) => format!("λ_max crosses 0 at g ≈ {g:.2} (mean-field theory: g = 1 as N → ∞)"),
            None => "λ_max does not cross 0 in this range".to_string(),
        };
        let dims: Vec<String> = r.sizes.iter().zip(&r.size_dimension).map(|(n, d)| format!("{d} at N = {n}")).collect();
        format!(
            "N = {}: {crossing}. At g = {}: λ_max = {} 1/s, Kaplan–Yorke dimension {:.2}. Linear dimensionality at g = {}: {}.",
            p.neurons,
            p.g_spectrum,
            super::significant(r.exponents.first().copied().unwrap_or(f64::NAN), 3),
            r.kaplan_yorke,
            p.g_size,
            dims.join(", ")
        )
    }
    fn csv(_p: &ChaosParams, r: &ChaosResult) -> Csv {
        let dim: Vec<f64> = r.dimension.iter().map(|&d| d as f64).collect();
        let sizes: Vec<f64> = r.sizes.iter().map(|&d| d as f64).collect();
        let size_dim: Vec<f64> = r.size_dimension.iter().map(|&d| d as f64).collect();
        Csv::with_rows(r.g.len().max(r.sizes.len()))
            .column("g", &r.g)
            .column("lambda_max_per_s", &r.lambda_max)
            .column("variance", &r.variance)
            .column("dimension", &dim)
            .column("size_n", &sizes)
            .column("size_dimension", &size_dim)
            .column("size_lambda_max_per_s", &r.size_lambda_max)
    }
}
