//! `exp=timescale`: the designed 1-D bistable LPU with latent time scale τ_z (LCF Fig. 1G–I,
//! Supplementary A1): the finite-N flow beside the mean-field flow, fixed points, and the
//! growth rate at the origin against its target 1/τ_z; latent trajectories of several
//! networks (seeds) beside the mean field's from the same start (Fig. 1H–I), and the N each
//! τ_z needs for a chosen error by the A9–A10 law.

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::{classify, roots_from_samples, FixedPoint};
use crate::analysis::flow::Lpu;
use crate::design::Bistable;
use crate::meanfield;
use crate::memory::{document, f64s, Footprint};
use crate::nonlinearity::Phi;
use crate::params::{range, ParamError, MAX_SAFE_INTEGER};
use crate::rng::derive_seed;
use serde::{Deserialize, Serialize};

/// Most neuron-steps the latent trajectories may take: neurons × trajectories × steps (about
/// a second natively, a few in the browser).
pub const MAX_TRAJECTORY_WORK: f64 = 1e9;
/// Most Euler steps of a trajectory (the mean field costs 601 quadrature nodes a step).
pub const MAX_STEPS: f64 = 200_000.0;
/// Points kept of each trajectory.
const RECORDED: usize = 1000;
/// Quadrature nodes of the mean-field drive along a trajectory.
const MF_NODES: usize = 601;
/// The neurons the paper says suffice for second-long time scales (LCF Fig. 1I).
pub const PAPER_NEURONS: f64 = 1e6;

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
        trajectories: usize = 5, range(0.0, 20.0), "networks", "", simulation, "networks whose latent trajectory is drawn: this one and those of seeds derived from (seed, j) (LCF Fig. 1H–I)";
        start: f64 = 0.05, range(-10.0, 10.0), "start z(0)", "latent units", simulation, "latent value every trajectory starts from";
        duration: f64 = 0.5, range(0.001, 100.0), "duration", "s", simulation, "simulated time of the trajectories";
        dt: f64 = 0.0001, range(1e-6, 0.1), "Δt", "s", simulation, "Euler step of the network and its latent trajectories (at most τ; our default 0.1 ms = τ/10)";
        error: f64 = 0.1, range(0.001, 10.0), "chosen error", "", analysis, "s.d. of the normalised growth-rate error (λ̂ − λ)/λ for the plot of the N each τ_z needs";
    }
}

fn check(p: &TimescaleParams) -> Result<(), ParamError> {
    if 1.0 + p.tau / p.tau_latent <= 1.0 {
        return Err(ParamError::new(
            "tau_latent",
            format!("is too large for tau = {} s: 1 + τ/τ_z rounds to 1", p.tau),
        ));
    }
    if p.dt > p.tau {
        return Err(ParamError::new("dt", format!("must be at most tau = {} s", p.tau)));
    }
    let steps = (p.duration / p.dt).round();
    if steps > MAX_STEPS {
        return Err(ParamError::new(
            "duration",
            format!(
                "is {steps:.0} steps of dt = {} s; at most {MAX_STEPS:.0} (a shorter duration or a longer dt)",
                p.dt
            ),
        ));
    }
    Ok(())
}

/// The networks whose trajectories are drawn: `trajectories`, fewer where neurons × networks ×
/// steps would pass [`MAX_TRAJECTORY_WORK`] (none when one network would), so that the flow
/// and growth rate of N = 10⁶ still run with the default duration.
pub fn drawn(p: &TimescaleParams) -> usize {
    let per_network = p.neurons as f64 * (p.duration / p.dt).round();
    p.trajectories.min((MAX_TRAJECTORY_WORK / per_network).floor() as usize)
}

/// The s.d. of the normalised growth-rate error (λ̂ − λ)/λ over designs of N neurons (A9),
/// written from the design parameters: σ_m σ_n = σ_mn/ρ whatever the rescaling, so
/// (τ_z/τ)·√((σ_m²σ_n² + σ_mn²)/N) = ((τ_z + τ)/τ)·√((1/ρ² + 1)/N).
pub fn error_sd(tau: f64, tau_latent: f64, rho: f64, neurons: f64) -> f64 {
    (tau_latent + tau) / tau * libm::sqrt((1.0 / (rho * rho) + 1.0) / neurons)
}

/// The neurons a design needs for its growth-rate error to have s.d. `error` (A9–A10):
/// ((τ_z + τ)/τ)²(1/ρ² + 1)/error².
pub fn neurons_needed(tau: f64, tau_latent: f64, rho: f64, error: f64) -> f64 {
    let g = (tau_latent + tau) / tau;
    g * g * (1.0 / (rho * rho) + 1.0) / (error * error)
}

/// The longest τ_z that `neurons` neurons give with error s.d. `error`: the inverse of
/// [`neurons_needed`], τ·(error·√(N/(1/ρ² + 1)) − 1) (≤ 0: none).
pub fn longest_tau_latent(tau: f64, rho: f64, error: f64, neurons: f64) -> f64 {
    tau * (error * libm::sqrt(neurons / (1.0 / (rho * rho) + 1.0)) - 1.0)
}

/// Latent trajectories of several networks of the design beside the mean field's, from the
/// same start (the "trajectories" plot; LCF Fig. 1H–I). Each follows the network's exactly
/// closed latent dynamics z[t+1] = (1 − α) z[t] + α Σ_i n_i φ(m_i z[t]), α = Δt/τ (SCIENCE §1),
/// the mean field the same map with ⟨ñ φ(m z)⟩.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Trajectories {
    /// Times of the recorded points, s (at most 1001, every `stride` steps).
    pub time: Vec<f64>,
    /// Euler steps between recorded points.
    pub stride: usize,
    /// The mean field's latent at those times.
    pub mean_field: Vec<f64>,
    /// Each network's latent at those times (network 0 is this result's network).
    pub networks: Vec<Vec<f64>>,
    /// The seed of each network.
    pub seeds: Vec<u64>,
    /// (λ̂ − λ)/λ of each network.
    pub normalised_error: Vec<f64>,
    /// max over the recorded times of |z − z_mean-field| of each network, latent units.
    pub deviation: Vec<f64>,
}

/// The N each τ_z needs for the chosen error by the A9–A10 law (the "needed" plot).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Needed {
    /// The chosen s.d. of the normalised growth-rate error.
    pub error: f64,
    /// τ_z, s: 41 values log-spaced over 10 ms…1 s (widened to include this τ_z).
    pub tau_latent: Vec<f64>,
    /// Neurons needed at each τ_z.
    pub neurons: Vec<f64>,
    /// Neurons needed at this network's τ_z.
    pub this_network: f64,
    /// The longest τ_z that 10⁶ neurons give at the chosen error, s (≤ 0: none).
    pub longest_at_paper_neurons: f64,
    /// The s.d. of the normalised error with 10⁶ neurons at τ_z = 0.1 s and 1 s.
    pub paper_sd: [f64; 2],
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
    /// Latent trajectories of `trajectories` networks and of the mean field.
    pub trajectories: Trajectories,
    /// The N each τ_z needs for the chosen error.
    pub needed: Needed,
}

/// The latent of `lpu` from `z0` for `steps` Euler steps of α, every `stride`-th kept;
/// `None` once the run is cancelled.
fn latent_path(drive: impl Fn(f64) -> f64, z0: f64, alpha: f64, steps: usize, stride: usize) -> Option<Vec<f64>> {
    let mut z = z0;
    let mut out = Vec::with_capacity(steps / stride + 1);
    out.push(z);
    for t in 1..=steps {
        z = (1.0 - alpha) * z + alpha * drive(z);
        if t % stride == 0 {
            out.push(z);
        }
        if t % 512 == 0 && crate::progress::cancelled() {
            return None;
        }
    }
    Some(out)
}

fn trajectories(
    p: &TimescaleParams,
    design: &Bistable,
    stats: &crate::design::BistableStats,
    net: &crate::network::Network,
) -> Trajectories {
    let steps = (p.duration / p.dt).round() as usize;
    let stride = steps.div_ceil(RECORDED).max(1);
    let alpha = p.dt / p.tau;
    let time: Vec<f64> = (0..=steps / stride).map(|i| (i * stride) as f64 * p.dt).collect();
    if p.trajectories == 0 {
        return Trajectories {
            time,
            stride,
            mean_field: vec![],
            networks: vec![],
            seeds: vec![],
            normalised_error: vec![],
            deviation: vec![],
        };
    }
    let mf = latent_path(
        |z| meanfield::drive_with(Phi::Tanh, stats.sigma_m, stats.sigma_mn, z, MF_NODES),
        p.start,
        alpha,
        steps,
        stride,
    )
    .unwrap_or_default();
    let seeds: Vec<u64> =
        (0..p.trajectories).map(|j| if j == 0 { p.seed } else { derive_seed(p.seed, j as u64) }).collect();
    let target = design.target_growth_rate();
    let seeds = &seeds[..drawn(p)];
    let mut runs = Vec::with_capacity(seeds.len());
    for (j, &seed) in seeds.iter().enumerate() {
        if crate::progress::cancelled() {
            break;
        }
        crate::progress::report(j as f64 / seeds.len() as f64);
        let own;
        let network = if j == 0 {
            net
        } else {
            own = design.network(p.neurons, p.dt, seed);
            &own
        };
        let lpu = Lpu::new(network);
        let rate = lpu.jacobian(&[0.0], &[])[0];
        let path = latent_path(|z| lpu.drive(&[z], &[])[0], p.start, alpha, steps, stride).unwrap_or_default();
        runs.push(((rate - target) / target, path));
    }
    let (normalised_error, networks): (Vec<f64>, Vec<Vec<f64>>) = runs.into_iter().unzip();
    let deviation =
        networks.iter().map(|path| path.iter().zip(&mf).fold(0.0f64, |a, (z, m)| a.max((z - m).abs()))).collect();
    Trajectories { time, stride, mean_field: mf, networks, seeds: seeds.to_vec(), normalised_error, deviation }
}

fn needed(p: &TimescaleParams) -> Needed {
    let grid = crate::numerics::grid::geomspace(p.tau_latent.min(0.01), p.tau_latent.max(1.0), 41);
    Needed {
        error: p.error,
        neurons: grid.iter().map(|&t| neurons_needed(p.tau, t, p.rho, p.error)).collect(),
        tau_latent: grid,
        this_network: neurons_needed(p.tau, p.tau_latent, p.rho, p.error),
        longest_at_paper_neurons: longest_tau_latent(p.tau, p.rho, p.error, PAPER_NEURONS),
        paper_sd: [0.1, 1.0].map(|t| error_sd(p.tau, t, p.rho, PAPER_NEURONS)),
    }
}

fn run(p: &TimescaleParams, ctx: &RunCtx) -> Result<Output<TimescaleResult>, RunError> {
    let design = Bistable { tau: p.tau, tau_latent: p.tau_latent, rho: p.rho, phi: Phi::Tanh };
    let stats = design.stats();
    let net = ctx.stage(0.0, 0.05, || design.network(p.neurons, p.dt, p.seed))?;
    let lpu = Lpu::new(&net);
    let z = crate::numerics::grid::linspace(-p.extent, p.extent, p.points);
    let scaled = ctx.stage(0.05, 0.3, || {
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
    let paths = ctx.stage(0.3, 1.0, || trajectories(p, &design, &stats, &net))?;
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
        trajectories: paths,
        needed: needed(p),
    };
    Ok(Output { result, network: net })
}

/// The designed 1-D bistable LPU with a chosen latent time scale.
pub struct Timescale;

impl Experiment for Timescale {
    fn memory(p: &TimescaleParams, _ctx: &RunCtx) -> Footprint {
        let n = p.neurons as f64;
        let values = 4.0 * p.points as f64 + 2.0 * (p.cloud as f64).min(n) + 4.0 * p.trajectories as f64 * 1001.0;
        Footprint::new(f64s(10.0 * n) + document(values), &["neurons", "cloud"])
    }
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
    fn validate(p: &TimescaleParams, r: &TimescaleResult) -> Result<(), String> {
        use super::shape::{ensure, portrait};
        ensure(r.z.len() >= 2 && r.flow.len() == r.z.len() && r.mean_field.len() == r.z.len(), "the flow curves")?;
        ensure(r.cloud.m.len() == r.cloud.n_tilde.len(), "the connectivity cloud")?;
        let t = &r.trajectories;
        let k = drawn(p);
        ensure(
            t.networks.len() == k
                && [t.seeds.len(), t.normalised_error.len(), t.deviation.len()].iter().all(|&l| l == k)
                && (p.trajectories == 0 || t.mean_field.len() == t.time.len())
                && t.networks.iter().all(|z| z.len() == t.time.len()),
            "the latent trajectories",
        )?;
        ensure(r.needed.neurons.len() == r.needed.tau_latent.len(), "the neurons needed")?;
        portrait(1, &r.fixed_points, None, None)
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("flow", "Latent flow: network beside mean field", 0.62, true),
            PlotSpec::new("trajectories", "Latent trajectories of several networks beside the mean field", 0.5, true),
            PlotSpec::new("growth", "Growth rate against its target", 0.75, false),
            PlotSpec::new("needed", "Neurons each τ_z needs for the chosen error", 0.75, false),
            PlotSpec::new("cloud", "Connectivity cloud (m_i, ñ_i)", 0.9, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "timescale",
            label: "Time-scale LPU",
            plots: &["flow", "trajectories", "growth", "needed", "cloud"],
            main: &["neurons", "tau_latent", "tau", "rho", "seed", "trajectories", "duration", "error"],
            embed_plot: "flow",
            preset: "",
        }]
    }
    fn summary(p: &TimescaleParams, r: &TimescaleResult) -> String {
        let g = &r.growth_rate;
        let d = &r.needed;
        let longest = if d.longest_at_paper_neurons > 0.0 {
            format!("τ_z up to {} ms", super::significant(d.longest_at_paper_neurons * 1000.0, 3))
        } else {
            "no τ_z".into()
        };
        let dev = &r.trajectories.deviation;
        let paths = if dev.len() < p.trajectories {
            format!(
                " {} of {} networks' trajectories drawn: each costs N × steps neuron-steps and the budget is {MAX_TRAJECTORY_WORK:.0e} (raise dt towards τ or shorten the duration).",
                dev.len(),
                p.trajectories
            )
        } else if dev.is_empty() {
            String::new()
        } else {
            format!(
                " {} networks' latent trajectories from z(0) = {} stray up to {} from the mean field's (largest over {} s).",
                dev.len(),
                p.start,
                super::significant(dev.iter().fold(0.0f64, |a, &v| a.max(v)), 2),
                p.duration
            )
        };
        format!(
            "Growth rate at the origin λ̂ = {:.3} 1/s against the target 1/τ_z = {:.3} 1/s: error {:.1}% (predicted s.d. over seeds {:.1}%). {} fixed points in the network, {} in the mean field.{paths} By the A9–A10 law an error s.d. of {}% at τ_z = {} s needs N ≈ {}; 10⁶ neurons of τ = {} s give it for {longest}. At N = 10⁶ the s.d. is {:.0}% at τ_z = 0.1 s and {:.0}% at τ_z = 1 s: the paper's \"about 10⁶ neurons suffice for second-long time scales\" holds only up to τ_z ≈ {} s even at a 100% s.d.; τ_z = 1 s within 10% needs N ≈ {}.",
            g.estimate,
            g.target,
            g.normalised_error * 100.0,
            g.predicted_sd * 100.0,
            r.fixed_points.len(),
            r.mean_field_fixed_points.len(),
            super::significant(d.error * 100.0, 3),
            p.tau_latent,
            super::significant(d.this_network, 2),
            p.tau,
            d.paper_sd[0] * 100.0,
            d.paper_sd[1] * 100.0,
            super::significant(longest_tau_latent(p.tau, p.rho, 1.0, PAPER_NEURONS), 2),
            super::significant(neurons_needed(p.tau, 1.0, p.rho, 0.1), 2),
        )
    }
    fn csv(_p: &TimescaleParams, r: &TimescaleResult) -> Csv {
        Csv::with_rows(r.z.len())
            .column("z", &r.z)
            .column("flow_per_s", &r.flow)
            .column("mean_field_per_s", &r.mean_field)
    }
}
