//! `exp=spectrum`: all eigenvalues of a network's weights, or of its Jacobian at a fixed point
//! of the latent dynamics, in the complex plane (SCIENCE §2, §7): the circular law's disk for
//! the random part and the outliers a low-rank part adds (the eigenvalues of NᵀM).

use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::{self, FixedPoint, SearchOptions};
use crate::analysis::flow::Lpu;
use crate::ensembles::{overlap_matrix, Ensemble, Source};
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

crate::params! {
    /// The query keys of `exp=spectrum`, with their ranges and defaults.
    pub struct SpectrumParams {
        source: Source = Source::LowrankRandom, range(0.0, 0.0), "network", "", network, "random (W_ij ~ N(0, g²/N)), lowrank_random (rank-K M Nᵀ plus the random part), lowrank (rank-K truncated SVD of the random W, LCF M87) or flipflop (the designed K-bit network, plus the random part when g > 0)";
        neurons: usize = 200, range(2.0, 2000.0), "neurons N", "", network, "neurons N (at most 2000: the dense eigenproblem is O(N³))";
        g: f64 = 1.0, range(0.0, 10.0), "gain g", "", network, "gain of the random part: its entries have s.d. g/√N, so its eigenvalues fill the disk of radius g";
        rank: usize = 2, range(1.0, 20.0), "rank K", "", network, "rank K of the low-rank part (lowrank_random, lowrank)";
        outlier: f64 = 2.0, range(-10.0, 10.0), "largest outlier", "", network, "lowrank_random: ñ^(k) = λ_k m^(k) + ξ^(k) with λ_k = outlier·(K − k)/K, so E[NᵀM] = diag(λ) (our design)";
        bits: usize = 2, range(1.0, 6.0), "bits K", "", network, "bits of the flip-flop (flipflop)";
        matrix: Matrix = Matrix::Weights, range(0.0, 0.0), "matrix", "", analysis, "weights (W) or jacobian (J_r at a fixed point of the latent dynamics, in 1/s)";
        fixed_point: usize = 0, range(0.0, 1000.0), "fixed point", "", analysis, "jacobian: which latent fixed point (0 = the first listed; the origin for random and lowrank)";
        tau: f64 = 0.01, range(1e-4, 1.0), "τ", "s", network, "neuron time constant τ in s (sets the Jacobian's units)";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "seed", "", simulation, "random seed of the weights";
    }
}

impl SpectrumParams {
    fn ensemble(&self) -> Ensemble {
        Ensemble {
            source: self.source,
            neurons: self.neurons,
            g: self.g,
            rank: self.rank,
            bits: self.bits,
            outlier: self.outlier,
            tau: self.tau,
            dt: self.tau / 10.0,
            seed: self.seed,
        }
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
    /// The circular law's radius for the random part of W: g.
    pub radius: f64,
    /// Where the circular law puts the bulk of the chosen matrix: the disk of radius g for W;
    /// for J_r the disk of radius g·√⟨φ′²⟩/τ about −1/τ (a random matrix with rows scaled by
    /// φ′ has radius g times their root mean square).
    pub bulk: Circle,
    /// The eigenvalues [re, im] the low-rank part adds: of the K × K matrix NᵀM for W, of the
    /// latent Jacobian J_z at the fixed point for J_r (1/s). Empty for `random`.
    pub outliers: Vec<[f64; 2]>,
    /// The fraction of eigenvalues inside the bulk circle enlarged by 5 %.
    pub inside: f64,
    /// The latent fixed points found (jacobian only, sources with a latent flow).
    pub fixed_points: Vec<FixedPoint>,
    /// The latent fixed point whose rates r* = φ(M z*) the Jacobian is taken at (jacobian only).
    pub at: Option<Vec<f64>>,
}

fn check(p: &SpectrumParams) -> Result<(), ParamError> {
    p.ensemble().check()?;
    Ok(())
}

/// The spectrum of `p`'s network.
pub fn spectrum(p: &SpectrumParams, ctx: &RunCtx) -> Result<Output<SpectrumResult>, RunError> {
    let ens = p.ensemble();
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
            let z = if p.source.has_latent() {
                fixed = ctx.stage(0.15, 0.3, || {
                    let opts = SearchOptions { extent: 2.0, ..SearchOptions::default() };
                    fixed_points::find(&lpu, &[], &opts)
                })?;
                let chosen = fixed.get(p.fixed_point).ok_or_else(|| {
                    RunError::Param(ParamError::new(
                        "fixed_point",
                        format!(
                            "must be an index in 0..={} (the latent flow has {} fixed points), got {}",
                            fixed.len().saturating_sub(1),
                            fixed.len(),
                            p.fixed_point
                        ),
                    ))
                })?;
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
    let result = SpectrumResult { eigenvalues, radius: p.g, bulk, outliers, inside, fixed_points: fixed, at };
    Ok(Output { result, network: net })
}

/// The eigenvalues of a network in the complex plane.
pub struct Spectrum;

impl Experiment for Spectrum {
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
        ensure(r.eigenvalues.len() == p.neurons, "the number of eigenvalues")?;
        let k = p.ensemble().rank();
        portrait(k, &r.fixed_points, None, None)?;
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
        }]
    }
    fn summary(p: &SpectrumParams, r: &SpectrumResult) -> String {
        let what = match p.matrix {
            Matrix::Weights => "W".to_string(),
            Matrix::Jacobian => format!(
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
    fn live(p: &SpectrumParams) -> Option<String> {
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
