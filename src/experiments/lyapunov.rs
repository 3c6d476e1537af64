//! `exp=lyapunov`: the Lyapunov spectrum of a network by the QR method (SCIENCE §7; Engelken
//! & Wolf 2023; JEDI A.4), with the two-trajectory estimate of λ_max, the running estimate over
//! time, the Kaplan–Yorke dimension and the entropy rate.

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::lyapunov::{self, Options};
use crate::ensembles::{Ensemble, Source};
use crate::memory::{f64s, Footprint};
use crate::params::{range, ParamError, MAX_SAFE_INTEGER};
use serde::{Deserialize, Serialize};

/// Most work a query may ask for, in multiply-adds (N² per evolved vector per step): about
/// 15 s natively, a minute in a browser.
pub const MAX_WORK: f64 = 2e10;

crate::params! {
    /// The query keys of `exp=lyapunov`, with their ranges and defaults.
    pub struct LyapunovParams {
        source: Source = Source::Random, range(0.0, 0.0), "network", "", network, "random (W_ij ~ N(0, g²/N)), lowrank_random (rank-K M Nᵀ plus the random part), lowrank (rank-K truncated SVD of the random W, LCF M87) or flipflop (the designed K-bit network, plus the random part when g > 0)";
        neurons: usize = 200, range(2.0, 2000.0), "neurons N", "", network, "neurons N";
        g: f64 = 2.0, range(0.0, 10.0), "gain g", "", network, "gain of the random part (entries of s.d. g/√N; chaos above g = 1 as N → ∞)";
        rank: usize = 2, range(1.0, 20.0), "rank K", "", network, "rank K of the low-rank part (lowrank_random, lowrank)";
        outlier: f64 = 2.0, range(-10.0, 10.0), "largest outlier", "", network, "lowrank_random: E[NᵀM] = diag(outlier·(K − k)/K)";
        bits: usize = 2, range(1.0, 6.0), "bits K", "", network, "bits of the flip-flop (flipflop)";
        exponents: usize = 20, range(1.0, 400.0), "exponents", "", analysis, "how many exponents (tangent vectors evolved), at most N";
        warmup: f64 = 1.0, range(0.0, 100.0), "warm-up", "s", simulation, "simulated time before measuring, s: the first half settles the trajectory, the second aligns the tangent vectors and the nearby trajectory (not counted)";
        time: f64 = 1.0, range(0.001, 1000.0), "time", "s", simulation, "simulated time measured, s";
        reorth: usize = 10, range(1.0, 10_000.0), "re-orthonormalise every", "steps", analysis, "steps between QR re-orthonormalisations (t_ONS / Δt)";
        tau: f64 = 0.01, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s";
        dt: f64 = 0.001, range(1e-5, 0.1), "Δt", "s", simulation, "Euler step Δt in s (at most τ)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed of the weights, initial rates and tangent vectors";
    }
}

impl LyapunovParams {
    fn ensemble(&self) -> Ensemble {
        Ensemble {
            source: self.source,
            neurons: self.neurons,
            g: self.g,
            rank: self.rank,
            bits: self.bits,
            outlier: self.outlier,
            tau: self.tau,
            dt: self.dt,
            seed: self.seed,
        }
    }
    fn steps(&self, seconds: f64) -> usize {
        (seconds / self.dt).round() as usize
    }
}

/// The running estimate of λ_max against time.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Convergence {
    /// Time since the warm-up, s.
    pub time: Vec<f64>,
    /// The QR method's running λ_max, 1/s.
    pub qr: Vec<f64>,
    /// The two-trajectory running λ_max, 1/s.
    pub brute_force: Vec<f64>,
}

/// What `exp=lyapunov` gives.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LyapunovResult {
    /// λ_1 ≥ λ_2 ≥ … ≥ λ_exponents, 1/s.
    pub exponents: Vec<f64>,
    /// λ_max from two trajectories 1e-8 apart renormalised every `reorth` steps, 1/s.
    pub lambda_max_brute: f64,
    /// Running estimates of λ_max over time.
    pub convergence: Convergence,
    /// The Kaplan–Yorke dimension of the exponents measured (a lower bound when every partial
    /// sum is non-negative).
    pub kaplan_yorke: f64,
    /// Sum of the positive exponents, nats/s.
    pub entropy_rate: f64,
    /// The exponents of the linearisation at r = 0, log|eig((1 − α) I + α W)|/Δt, largest first
    /// (1/s): the spectrum the QR method must give when the origin attracts (g < 1).
    pub origin: Vec<f64>,
}

fn check(p: &LyapunovParams) -> Result<(), ParamError> {
    if p.dt > p.tau {
        return Err(ParamError::new("dt", format!("must be at most tau = {} s", p.tau)));
    }
    if p.exponents > p.neurons {
        return Err(ParamError::new("exponents", format!("must be at most neurons = {}", p.neurons)));
    }
    p.ensemble().check()?;
    if p.steps(p.time) == 0 {
        return Err(ParamError::new("time", format!("must be at least one step (dt = {} s)", p.dt)));
    }
    let work = (p.neurons as f64).powi(2) * (p.exponents + 2) as f64 * (p.steps(p.time) + p.steps(p.warmup)) as f64;
    if work > MAX_WORK {
        return Err(ParamError::new(
            "time",
            format!(
                "asks for {work:.1e} multiply-adds (N² × (exponents + 2) × steps), more than the limit {MAX_WORK:.0e}: shorten time or warmup, or ask for fewer exponents or neurons"
            ),
        ));
    }
    Ok(())
}

/// The exponents of the Euler map linearised at r = 0, largest first.
fn origin_exponents(net: &crate::network::Network, count: usize) -> Vec<f64> {
    let n = net.neurons;
    let alpha = net.alpha();
    let mut d = net.dense_weights();
    for (idx, v) in d.iter_mut().enumerate() {
        *v *= alpha;
        if idx / n == idx % n {
            *v += 1.0 - alpha;
        }
    }
    let mut out: Vec<f64> = crate::numerics::eig::eigenvalues_dense(&d, n)
        .iter()
        .map(|(re, im)| libm::log(re.hypot(*im).max(1e-300)) / net.dt)
        .collect();
    out.sort_by(|a, b| b.total_cmp(a));
    out.truncate(count);
    out
}

fn run(p: &LyapunovParams, ctx: &RunCtx) -> Result<Output<LyapunovResult>, RunError> {
    let net = ctx.stage(0.0, 0.05, || p.ensemble().network())?;
    let opts = Options {
        exponents: p.exponents,
        warmup: p.steps(p.warmup),
        steps: p.steps(p.time),
        reorth: p.reorth,
        initial_sd: 0.5,
        seed: p.seed,
        record_every: 0,
        convergence_points: 400,
    };
    let s = ctx.stage(0.05, 0.9, || lyapunov::spectrum(&net, &opts))?;
    let origin = ctx.stage(0.9, 1.0, || origin_exponents(&net, p.exponents))?;
    let result = LyapunovResult {
        kaplan_yorke: lyapunov::kaplan_yorke(&s.exponents),
        entropy_rate: lyapunov::entropy_rate(&s.exponents),
        lambda_max_brute: s.brute_force,
        convergence: Convergence { time: s.time, qr: s.running, brute_force: s.running_brute_force },
        exponents: s.exponents,
        origin,
    };
    Ok(Output { result, network: net })
}

/// The Lyapunov spectrum of a network.
pub struct Lyapunov;

impl Experiment for Lyapunov {
    fn memory(p: &LyapunovParams, _ctx: &RunCtx) -> Footprint {
        let n = p.neurons as f64;
        Footprint::new(f64s(6.0 * n * n + 6.0 * n * p.exponents as f64), &["neurons", "exponents"])
    }
    const NAME: &'static str = "lyapunov";
    const TITLE: &'static str = "Lyapunov spectrum";
    const EXAMPLE: &'static str = "exp=lyapunov&neurons=60&exponents=8&time=0.3&warmup=0.1";
    type Params = LyapunovParams;
    type Result = LyapunovResult;

    fn check(p: &LyapunovParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &LyapunovParams, ctx: &RunCtx) -> Result<Output<LyapunovResult>, RunError> {
        run(p, ctx)
    }
    fn validate(p: &LyapunovParams, r: &LyapunovResult) -> Result<(), String> {
        use super::shape::ensure;
        let c = &r.convergence;
        ensure(r.exponents.len() == p.exponents && r.origin.len() <= p.exponents, "the exponents")?;
        ensure(c.qr.len() == c.time.len() && c.brute_force.len() == c.time.len(), "the convergence curves")
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("exponents", "Lyapunov spectrum λ_i against i/N", 0.7, false),
            PlotSpec::new("convergence", "Convergence of λ_max: QR method and two trajectories", 0.7, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "lyapunov",
            label: "Lyapunov spectrum",
            plots: &["exponents", "convergence"],
            main: &["source", "g", "neurons", "exponents", "time", "warmup", "reorth", "seed"],
            embed_plot: "exponents",
            preset: "",
        }]
    }
    fn summary(_p: &LyapunovParams, r: &LyapunovResult) -> String {
        let lmax = r.exponents.first().copied().unwrap_or(f64::NAN);
        let verdict = if lmax > 0.0 { "chaotic" } else { "not chaotic (λ_max < 0)" };
        format!(
            "λ_max = {} 1/s by QR, {} 1/s from two trajectories: {verdict}. Kaplan–Yorke dimension {:.2}, entropy rate {} nats/s ({} exponents).",
            super::significant(lmax, 4),
            super::significant(r.lambda_max_brute, 4),
            r.kaplan_yorke,
            super::significant(r.entropy_rate, 3),
            r.exponents.len()
        )
    }
    fn csv(_p: &LyapunovParams, r: &LyapunovResult) -> Csv {
        let index: Vec<f64> = (1..=r.exponents.len()).map(|i| i as f64).collect();
        Csv::with_rows(r.exponents.len())
            .column("i", &index)
            .column("lambda_per_s", &r.exponents)
            .column("origin_lambda_per_s", &r.origin)
    }
}
