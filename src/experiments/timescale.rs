//! `exp=timescale`: the designed 1-D bistable LPU with latent time scale τ_z (LCF Fig. 1G–I,
//! Supplementary A1): the finite-N flow beside the mean-field flow, fixed points, and the
//! growth rate at the origin against its target 1/τ_z.

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::{classify, roots_from_samples, FixedPoint};
use crate::analysis::flow::Lpu;
use crate::design::Bistable;
use crate::meanfield;
use crate::nonlinearity::Phi;
use crate::params::{range, ParamError, MAX_SAFE_INTEGER};
use serde::{Deserialize, Serialize};

crate::params! {
    /// The query keys of `exp=timescale`, with their ranges and defaults.
    pub struct TimescaleParams {
        neurons: usize = 1000, range(10.0, 1_000_000.0), "neurons N", "", network, "neurons N";
        tau: f64 = 0.001, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s (LCF Fig. 1H–I: 1 ms)";
        tau_latent: f64 = 0.1, range(1e-4, 100.0), "latent τ_z", "s", network, "target latent time scale τ_z in s (σ_mn = 1 + τ/τ_z)";
        rho: f64 = 0.9, range(0.05, 1.0), "ρ (m, ñ correlation)", "", network, "correlation of (m, ñ) (our default 0.9)";
        points: usize = 201, range(11.0, 2001.0), "flow points", "", display, "points of the flow curve";
        extent: f64 = 1.5, range(0.1, 10.0), "latent window ±", "latent units", display, "half-width of the latent window";
        cloud: usize = 2000, range(0.0, 100_000.0), "cloud points", "", display, "(m_i, ñ_i) pairs returned for the scatter (the first neurons)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed of the design";
    }
}

fn check(p: &TimescaleParams) -> Result<(), ParamError> {
    if 1.0 + p.tau / p.tau_latent <= 1.0 {
        return Err(ParamError::new(
            "tau_latent",
            format!("is too large for tau = {} s: 1 + τ/τ_z rounds to 1", p.tau),
        ));
    }
    Ok(())
}

/// The growth rate of the latent at the origin, measured on the network and set by design
/// (the "growth" plot).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GrowthRate {
    /// λ̂ = J_z(0), the network's growth rate at the origin, 1/s.
    pub estimate: f64,
    /// λ = 1/τ_z, 1/s.
    pub target: f64,
    /// (λ̂ − λ)/λ.
    pub normalised_error: f64,
    /// Predicted s.d. of the normalised error over seeds: (τ_z/τ)·√((σ_m²σ_n² + σ_mn²)/N).
    pub predicted_sd: f64,
}

/// The distribution the pairs (m_i, ñ_i) were drawn from, after rescaling the mean-field
/// attractors to ±1.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Design {
    /// S.d. of the embedding weights m_i.
    pub sigma_m: f64,
    /// S.d. of the unnormalised encoding weights ñ_i.
    pub sigma_n: f64,
    /// Covariance of (m_i, ñ_i): 1 + τ/τ_z, which sets the growth rate at the origin.
    pub sigma_mn: f64,
    /// Correlation of (m_i, ñ_i), the `rho` parameter.
    pub rho: f64,
}

/// The connectivity of the first `cloud` neurons, for the scatter plot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cloud {
    /// Embedding weights m_i.
    pub m: Vec<f64>,
    /// ñ_i = N n_i.
    pub n_tilde: Vec<f64>,
}

/// What `exp=timescale` gives: the flow of the finite-N network beside its mean field on a
/// latent grid, their fixed points, the growth rate at the origin and the design.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TimescaleResult {
    /// The latent grid: `points` values evenly spaced over ±`extent`, latent units.
    pub z: Vec<f64>,
    /// dz/dt of the finite-N network, 1/s.
    pub flow: Vec<f64>,
    /// dz/dt of the mean field (N → ∞), 1/s.
    pub mean_field: Vec<f64>,
    /// Fixed points of the network's flow (sign changes on the grid, refined by bisection),
    /// classified stable or unstable.
    pub fixed_points: Vec<FixedPoint>,
    /// Latent values where the mean-field flow vanishes (found the same way), latent units.
    pub mean_field_fixed_points: Vec<f64>,
    /// Growth rate at the origin against its target 1/τ_z.
    pub growth_rate: GrowthRate,
    /// The statistics (m, ñ) were drawn with.
    pub design: Design,
    /// (m_i, ñ_i) of the first neurons.
    pub cloud: Cloud,
}

fn run(p: &TimescaleParams, ctx: &RunCtx) -> Result<Output<TimescaleResult>, RunError> {
    let design = Bistable { tau: p.tau, tau_latent: p.tau_latent, rho: p.rho, phi: Phi::Tanh };
    let stats = design.stats();
    let net = ctx.stage(0.0, 0.3, || design.network(p.neurons, p.tau / 10.0, p.seed))?;
    let lpu = Lpu::new(&net);
    let z = crate::numerics::grid::linspace(-p.extent, p.extent, p.points);
    let scaled = ctx.stage(0.3, 0.95, || {
        let mut out = Vec::with_capacity(z.len());
        for (i, part) in z.chunks(z.len().div_ceil(20)).enumerate() {
            if crate::progress::cancelled() {
                break;
            }
            crate::progress::report(i as f64 / 20.0);
            out.extend(crate::parallel::map(part, |&x| lpu.scaled_flow(&[x], &[])[0]));
        }
        out
    })?;
    let mf_scaled: Vec<f64> =
        z.iter().map(|&x| meanfield::scaled_flow(Phi::Tanh, stats.sigma_m, stats.sigma_mn, x)).collect();
    let roots = roots_from_samples(|x| lpu.scaled_flow(&[x], &[])[0], &z, &scaled);
    let mf_roots =
        roots_from_samples(|x| meanfield::scaled_flow(Phi::Tanh, stats.sigma_m, stats.sigma_mn, x), &z, &mf_scaled);
    let estimate = lpu.jacobian(&[0.0], &[])[0];
    let target = design.target_growth_rate();
    let shown = p.cloud.min(p.neurons);
    let result = TimescaleResult {
        flow: scaled.iter().map(|v| v / p.tau).collect(),
        mean_field: mf_scaled.iter().map(|v| v / p.tau).collect(),
        z,
        fixed_points: roots.iter().map(|r| classify(&lpu, r, &[])).collect(),
        mean_field_fixed_points: mf_roots.into_iter().map(|r| r[0]).collect(),
        growth_rate: GrowthRate {
            estimate,
            target,
            normalised_error: (estimate - target) / target,
            predicted_sd: design.predicted_error(p.neurons),
        },
        design: Design { sigma_m: stats.sigma_m, sigma_n: stats.sigma_n, sigma_mn: stats.sigma_mn, rho: p.rho },
        cloud: Cloud {
            m: net.embedding[..shown].to_vec(),
            n_tilde: net.encoding[..shown].iter().map(|x| x * p.neurons as f64).collect(),
        },
    };
    Ok(Output { result, network: net })
}

/// The designed 1-D bistable LPU with a chosen latent time scale.
pub struct Timescale;

impl Experiment for Timescale {
    const NAME: &'static str = "timescale";
    const TITLE: &'static str = "Time-scale LPU";
    const EXAMPLE: &'static str = "exp=timescale&neurons=400&points=51";
    type Params = TimescaleParams;
    type Result = TimescaleResult;

    fn check(p: &TimescaleParams) -> Result<(), ParamError> {
        check(p)
    }
    fn run(p: &TimescaleParams, ctx: &RunCtx) -> Result<Output<TimescaleResult>, RunError> {
        run(p, ctx)
    }
    fn validate(_p: &TimescaleParams, r: &TimescaleResult) -> Result<(), String> {
        use super::shape::{ensure, portrait};
        ensure(r.z.len() >= 2 && r.flow.len() == r.z.len() && r.mean_field.len() == r.z.len(), "the flow curves")?;
        ensure(r.cloud.m.len() == r.cloud.n_tilde.len(), "the connectivity cloud")?;
        portrait(1, &r.fixed_points, None, None)
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("flow", "Latent flow: network beside mean field", 0.62, true),
            PlotSpec::new("growth", "Growth rate against its target", 0.75, false),
            PlotSpec::new("cloud", "Connectivity cloud (m_i, ñ_i)", 0.9, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "timescale",
            label: "Time-scale LPU",
            plots: &["flow", "growth", "cloud"],
            main: &["neurons", "tau_latent", "tau", "rho", "seed"],
            embed_plot: "flow",
        }]
    }
    fn summary(_p: &TimescaleParams, r: &TimescaleResult) -> String {
        let g = &r.growth_rate;
        format!(
            "Growth rate at the origin λ̂ = {:.3} 1/s against the target 1/τ_z = {:.3} 1/s: error {:.1}% (predicted s.d. over seeds {:.1}%). {} fixed points in the network, {} in the mean field.",
            g.estimate,
            g.target,
            g.normalised_error * 100.0,
            g.predicted_sd * 100.0,
            r.fixed_points.len(),
            r.mean_field_fixed_points.len()
        )
    }
    fn csv(_p: &TimescaleParams, r: &TimescaleResult) -> Csv {
        Csv::with_rows(r.z.len())
            .column("z", &r.z)
            .column("flow_per_s", &r.flow)
            .column("mean_field_per_s", &r.mean_field)
    }
}
