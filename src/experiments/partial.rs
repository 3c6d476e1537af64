//! `exp=partial`: the designed 1-D bistable LPU of exp=timescale rebuilt from its first n_obs
//! neurons (LCF Supplementary A1.3, A11–A19, Fig. A1–A2; SCIENCE §3 "Partial observation").
//!
//! Each repeat draws a new design of N neurons and rebuilds its growth rate at the origin from
//! the first n_obs of them, Ĉ_obs = (1/n_obs) Σ_{i ≤ n_obs} ñ_i m_i, λ̂_obs = (Ĉ_obs − 1)/τ.
//! The error of a repeat is measured against the full network's own rate λ̂_full (the circuit
//! being observed), normalised by the design's target rate λ = 1/τ_z:
//!
//!   e = (λ̂_obs − λ̂_full) / λ = (τ_z/τ)·(Ĉ_obs − Ĉ_full),
//!
//! and `squared_error` is the mean of e² over repeats. Normalising by the fixed target rather
//! than by λ̂_full keeps the ratio finite when a slow network's λ̂_full is near zero (at
//! τ_z = 1 s and N = 10⁶ its s.d. is ≈ 150 % of λ, SCIENCE §3) and makes the prediction exact.
//!
//! Prediction. The products p_i = ñ_i m_i are i.i.d. with mean σ_mn and variance
//! s² = σ_m²σ_n² + σ_mn² (Isserlis: E[m²ñ²] = σ_m²σ_n² + 2σ_mn²). Writing n = n_obs,
//! Ĉ_obs − Ĉ_full = (1/n − 1/N) Σ_{i≤n} p_i − (1/N) Σ_{i>n} p_i has mean 0 and variance
//! s²[(N−n)²/(nN²) + (N−n)/N²] = (s²/n)(1 − n/N): the 1/n_obs law of A9 with the
//! finite-population correction of sampling without replacement, exactly 0 at n = N. So
//! E[e²] = (τ_z/τ)²(s²/n)(1 − n/N).

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::design::Bistable;
use crate::memory::{document, f64s, Footprint};
use crate::nonlinearity::Phi;
use crate::params::{list, range, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{derive_seed, stream, Rng};
use serde::{Deserialize, Serialize};

/// Most (m_i, ñ_i) pairs one query may draw: neurons × repeats (about 1–2 s natively, a few
/// seconds in the browser, 16 MB per design at N = 10⁶).
pub const MAX_DRAWS: f64 = 4e7;

crate::params! {
    /// The query keys of `exp=partial`, with their ranges and defaults.
    pub struct PartialParams {
        neurons: usize = 1_000_000, range(10.0, 1_000_000.0), "neurons N", "", network, "neurons of the designed network (LCF Fig. A1–A2: 10⁶)";
        observed: Vec<usize> = vec![100, 300, 1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000], list(1.0, 1_000_000.0, 32), "observed n_obs", "", analysis, "numbers of observed neurons (the first n_obs), increasing, at most N";
        repeats: usize = 20, range(1.0, 100_000.0), "repeats", "", simulation, "designs drawn (repeat 0 uses the seed itself, repeat r the seed derived from (seed, r))";
        tau: f64 = 0.001, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s (LCF Fig. 1H–I: 1 ms)";
        tau_latent: f64 = 0.1, range(1e-4, 100.0), "latent τ_z", "s", network, "target latent time scale τ_z in s (σ_mn = 1 + τ/τ_z)";
        rho: f64 = 0.9, range(0.05, 1.0), "ρ (m, ñ correlation)", "", network, "correlation of (m, ñ) (our default 0.9)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed of the designs";
    }
}

fn check(p: &PartialParams) -> Result<(), ParamError> {
    if 1.0 + p.tau / p.tau_latent <= 1.0 {
        return Err(ParamError::new(
            "tau_latent",
            format!("is too large for tau = {} s: 1 + τ/τ_z rounds to 1", p.tau),
        ));
    }
    if p.observed.is_empty() {
        return Err(ParamError::new("observed", "must list at least one number of observed neurons"));
    }
    if p.observed.windows(2).any(|w| w[0] >= w[1]) {
        return Err(ParamError::new("observed", "must be increasing (e.g. 100,1000,10000)"));
    }
    if let Some(&last) = p.observed.last() {
        if last > p.neurons {
            return Err(ParamError::new("observed", format!("must be at most neurons = {}, got {last}", p.neurons)));
        }
    }
    let draws = p.neurons as f64 * p.repeats as f64;
    if draws > MAX_DRAWS {
        return Err(ParamError::new(
            "repeats",
            format!("neurons × repeats = {draws:.1e}; at most {MAX_DRAWS:.0e} (fewer repeats or neurons)"),
        ));
    }
    Ok(())
}

/// The design of the repeats: the distribution of (m_i, ñ_i) after rescaling the mean-field
/// attractors to ±1, and the per-neuron variance that sets the error.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartialDesign {
    /// S.d. of m_i.
    pub sigma_m: f64,
    /// S.d. of ñ_i.
    pub sigma_n: f64,
    /// Covariance of (m_i, ñ_i): 1 + τ/τ_z.
    pub sigma_mn: f64,
    /// s² = Var(ñ_i m_i) = σ_m²σ_n² + σ_mn².
    pub product_variance: f64,
}

/// What `exp=partial` gives: for each n_obs the mean squared error over repeats of the rebuilt
/// growth rate against the full network's, with the prediction, and every repeat's error.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartialResult {
    /// The numbers of observed neurons n_obs (the `observed` key).
    pub observed: Vec<usize>,
    /// Mean over repeats of e² with e = (λ̂_obs − λ̂_full)/λ, λ = 1/τ_z (module doc).
    pub squared_error: Vec<f64>,
    /// Standard error of that mean: the s.d. of e² over repeats / √repeats (0 for one repeat).
    pub squared_error_sem: Vec<f64>,
    /// E[e²] = (τ_z/τ)²(s²/n_obs)(1 − n_obs/N): the 1/n_obs law with the finite-population
    /// correction.
    pub predicted: Vec<f64>,
    /// The 1/n_obs law alone, (τ_z/τ)² s²/n_obs (sampling with replacement, or N → ∞).
    pub predicted_sparse: Vec<f64>,
    /// e of each repeat (rows) at each n_obs (columns), signed.
    pub errors: Vec<Vec<f64>>,
    /// λ̂_full of each repeat, 1/s.
    pub full_growth_rate: Vec<f64>,
    /// The target growth rate λ = 1/τ_z, 1/s.
    pub target: f64,
    /// The statistics the designs were drawn with.
    pub design: PartialDesign,
}

/// The signed errors e of one design at each n_obs (ascending), and its λ̂_full. One running
/// sum in neuron order gives every Ĉ_obs and, at i = N, Ĉ_full: at n_obs = N both are the same
/// sum divided by the same N, so e is exactly 0.
fn errors_of(m: &[f64], nt: &[f64], observed: &[usize], tau: f64, target: f64) -> (Vec<f64>, f64) {
    let neurons = m.len();
    let mut prefix = Vec::with_capacity(observed.len());
    let mut next = observed.iter().peekable();
    let mut sum = 0.0;
    for (i, (a, b)) in m.iter().zip(nt).enumerate() {
        sum += b * a;
        while next.peek().is_some_and(|&&n| n == i + 1) {
            prefix.push(sum);
            next.next();
        }
    }
    let rate = |s: f64, n: usize| (s / n as f64 - 1.0) / tau;
    let full = rate(sum, neurons);
    let errors = prefix.iter().zip(observed).map(|(&s, &n)| (rate(s, n) - full) / target).collect();
    (errors, full)
}

fn run(p: &PartialParams, ctx: &RunCtx) -> Result<Output<PartialResult>, RunError> {
    let design = Bistable { tau: p.tau, tau_latent: p.tau_latent, rho: p.rho, phi: Phi::Tanh };
    let stats = design.stats();
    let target = design.target_growth_rate();
    let seed_of = |r: usize| if r == 0 { p.seed } else { derive_seed(p.seed, r as u64) };
    // Repeat 0 keeps its draws: it is the network of the result (exp=timescale's for this seed).
    let (first, network) = ctx.stage(0.0, 0.1, || {
        let (m, nt) = design.sample_with(&stats, p.neurons, &mut Rng::new(seed_of(0), stream::DESIGN));
        let first = errors_of(&m, &nt, &p.observed, p.tau, target);
        (first, design.network_from(m, &nt, p.tau / 10.0))
    })?;
    let rest: Vec<usize> = (1..p.repeats).collect();
    let others = ctx.stage(0.1, 1.0, || {
        let mut out = Vec::with_capacity(rest.len());
        // Blocks of 4 repeats: parallel natively, a progress report and a cancellation check
        // between blocks.
        for part in rest.chunks(4) {
            if crate::progress::cancelled() {
                break;
            }
            crate::progress::report(out.len() as f64 / rest.len() as f64);
            out.extend(crate::parallel::map(part, |&r| {
                let (m, nt) = design.sample_with(&stats, p.neurons, &mut Rng::new(seed_of(r), stream::DESIGN));
                errors_of(&m, &nt, &p.observed, p.tau, target)
            }));
        }
        out
    })?;
    let (errors, full_growth_rate): (Vec<Vec<f64>>, Vec<f64>) = std::iter::once(first).chain(others).unzip();
    let reps = errors.len() as f64;
    let s2 = stats.sigma_m * stats.sigma_m * stats.sigma_n * stats.sigma_n + stats.sigma_mn * stats.sigma_mn;
    let gain = (p.tau_latent / p.tau) * (p.tau_latent / p.tau);
    let mut squared_error = vec![];
    let mut squared_error_sem = vec![];
    for j in 0..p.observed.len() {
        let mean = errors.iter().map(|e| e[j] * e[j]).sum::<f64>() / reps;
        let var =
            errors.iter().map(|e| (e[j] * e[j] - mean) * (e[j] * e[j] - mean)).sum::<f64>() / (reps - 1.0).max(1.0);
        squared_error.push(mean);
        squared_error_sem.push(if errors.len() > 1 { libm::sqrt(var / reps) } else { 0.0 });
    }
    let big_n = p.neurons as f64;
    let predicted_sparse: Vec<f64> = p.observed.iter().map(|&n| gain * s2 / n as f64).collect();
    let predicted = p.observed.iter().zip(&predicted_sparse).map(|(&n, &sp)| sp * (1.0 - n as f64 / big_n)).collect();
    let result = PartialResult {
        observed: p.observed.clone(),
        squared_error,
        squared_error_sem,
        predicted,
        predicted_sparse,
        errors,
        full_growth_rate,
        target,
        design: PartialDesign {
            sigma_m: stats.sigma_m,
            sigma_n: stats.sigma_n,
            sigma_mn: stats.sigma_mn,
            product_variance: s2,
        },
    };
    Ok(Output { result, network })
}

/// The designed 1-D bistable LPU rebuilt from partial observations.
pub struct Partial;

impl Experiment for Partial {
    fn memory(p: &PartialParams, _ctx: &RunCtx) -> Footprint {
        let values = 3.0 * p.observed.len() as f64 * p.repeats as f64;
        Footprint::new(f64s(5.0 * p.neurons as f64) + document(values), &["neurons", "repeats"])
    }
    const NAME: &'static str = "partial";
    const TITLE: &'static str = "Partial observation";
    const EXAMPLE: &'static str = "exp=partial&neurons=20000&observed=10,100,1000,20000&repeats=8";
    type Params = PartialParams;
    type Result = PartialResult;

    fn check(p: &PartialParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &PartialParams, ctx: &RunCtx) -> Result<Output<PartialResult>, RunError> {
        run(p, ctx)
    }
    fn cost(p: &PartialParams) -> f64 {
        p.neurons as f64 * p.repeats as f64
    }
    fn validate(p: &PartialParams, r: &PartialResult) -> Result<(), String> {
        use super::shape::{ensure, rows};
        let k = p.observed.len();
        ensure(r.observed == p.observed, "the observed list")?;
        ensure(
            [&r.squared_error, &r.squared_error_sem, &r.predicted, &r.predicted_sparse].iter().all(|v| v.len() == k),
            "the error curves",
        )?;
        ensure(r.full_growth_rate.len() == p.repeats, "the full growth rates")?;
        rows(&r.errors, p.repeats, k, "the errors of the repeats")
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("error", "Squared error of the rebuilt growth rate against n_obs", 0.62, true),
            PlotSpec::new("repeats", "Rebuilt growth rate of each repeat against n_obs", 0.75, false),
            PlotSpec::new("full", "Full networks' growth rates against the target", 0.75, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "partial",
            label: "Partial observation",
            plots: &["error", "repeats", "full"],
            main: &["neurons", "observed", "repeats", "tau_latent", "seed"],
            embed_plot: "error",
            preset: "",
        }]
    }
    fn summary(p: &PartialParams, r: &PartialResult) -> String {
        let k = r.observed.len();
        let ratio: Vec<String> = (0..k)
            .filter(|&j| r.predicted[j] > 0.0)
            .map(|j| format!("{}: {:.2}", r.observed[j], r.squared_error[j] / r.predicted[j]))
            .collect();
        let exact = r.observed.last() == Some(&p.neurons);
        let first = 0;
        format!(
            "N = {} neurons, τ_z/τ = {}, {} repeats. Rebuilt from n_obs = {} neurons the growth rate is off by {:.1}% (r.m.s., in units of 1/τ_z; predicted {:.1}%){}. Measured over predicted squared error, per n_obs: {}. The predicted squared error is (τ_z/τ)²·(σ_m²σ_n² + σ_mn²)/n_obs·(1 − n_obs/N), s² = {:.3}: the 1/n_obs law while n_obs ≪ N, falling faster as n_obs → N.",
            p.neurons,
            super::significant(p.tau_latent / p.tau, 3),
            p.repeats,
            r.observed[first],
            libm::sqrt(r.squared_error[first]) * 100.0,
            libm::sqrt(r.predicted[first]) * 100.0,
            if exact { "; observing all N gives exactly zero error" } else { "" },
            if ratio.is_empty() { "none".into() } else { ratio.join(", ") },
            r.design.product_variance,
        )
    }
    fn csv(_p: &PartialParams, r: &PartialResult) -> Csv {
        let n: Vec<f64> = r.observed.iter().map(|&n| n as f64).collect();
        Csv::with_rows(n.len())
            .column("observed", &n)
            .column("mean_square", &r.squared_error)
            .column("mean_square_sem", &r.squared_error_sem)
            .column("predicted", &r.predicted)
            .column("predicted_sparse", &r.predicted_sparse)
    }
}
