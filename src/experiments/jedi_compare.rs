//! `exp=jedi_compare`: JEDI (rank R) and JEDI-full (a full W) fitted side by side on the same
//! recording, held-out split and seed (JEDI Fig. 2–3 and S5: the low-rank constraint gives the
//! embeddings that generalise and resist noise). Each fit is `exp=jedi`'s, kept under its own
//! fit key, so opening either in the JEDI view afterwards needs no fitting, and the other way
//! round.

use super::jedi_runs::{self as jedi, JediParams, JediResult};
use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::memory::Footprint;
use crate::params::ParamError;
use serde::{Deserialize, Serialize};

/// Both fits' results.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CompareResult {
    /// JEDI: W of rank `rank`.
    pub low_rank: JediResult,
    /// JEDI-full: a full W.
    pub full: JediResult,
}

/// The JEDI-full twin of `p`: the same keys with `rank=0`.
pub fn full_of(p: &JediParams) -> JediParams {
    JediParams { rank: 0, ..p.clone() }
}

/// JEDI and JEDI-full on the same data.
pub struct JediCompare;

impl Experiment for JediCompare {
    fn memory(p: &JediParams, ctx: &RunCtx) -> Footprint {
        super::jedi_runs::memory_compare(p, ctx)
    }
    const NAME: &'static str = "jedi_compare";
    const TITLE: &'static str = "JEDI and JEDI-full side by side";
    const EXAMPLE: &'static str =
        "exp=jedi_compare&neurons=8&repeats=2&duration=0.1&epochs=2&hidden=4&context=2&refine=2&rank=2";
    type Params = JediParams;
    type Result = CompareResult;

    fn check(p: &JediParams) -> Result<(), ParamError> {
        if p.rank == 0 {
            return Err(ParamError::new(
                "rank",
                "must be at least 1 here: the comparison fits rank R (JEDI) beside a full W (JEDI-full)",
            ));
        }
        jedi::check(p)?;
        // The full model's limits bind first (N² outputs): say which model hit them.
        jedi::check(&full_of(p)).map_err(|e| ParamError::new(&e.key, format!("for JEDI-full, {}", e.message)))
    }
    fn specs() -> Vec<crate::params::ParamSpec> {
        // The probe point belongs to the JEDI view's explorer.
        jedi::specs().into_iter().filter(|s| s.key != "probe").collect()
    }
    fn run(p: &JediParams, ctx: &RunCtx) -> Result<Output<CompareResult>, RunError> {
        let full = full_of(p);
        // Each fit's share of the progress bar follows its cost.
        let (a, b) = (jedi::cost(p), jedi::cost(&full));
        let split = a / (a + b).max(f64::MIN_POSITIVE);
        let low = crate::progress::stage(0.0, split, || jedi::fit_and_analyse(p, ctx, false))?;
        ctx.checkpoint()?;
        let fit = crate::progress::stage(split, 1.0, || jedi::fit_and_analyse(&full, ctx, false))?;
        Ok(Output { result: CompareResult { low_rank: low.result, full: fit.result }, network: low.network })
    }
    fn validate(p: &JediParams, r: &CompareResult) -> Result<(), String> {
        jedi::validate(p, &r.low_rank)?;
        jedi::validate(&full_of(p), &r.full)?;
        super::shape::ensure(r.low_rank.trial_condition == r.full.trial_condition, "the two fits' trials")?;
        super::shape::ensure(r.low_rank.held_out == r.full.held_out, "the two fits' held-out trials")
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("embedding_low", "JEDI (rank R): contexts on their first two PCs", 1.0, false),
            PlotSpec::new("embedding_full", "JEDI-full: contexts on their first two PCs", 1.0, false),
            PlotSpec::new("generalisation_low", "JEDI (rank R): cross-condition generalisation", 1.0, false),
            PlotSpec::new("generalisation_full", "JEDI-full: cross-condition generalisation", 1.0, false),
            PlotSpec::new("robustness", "Robustness of both embeddings to noise (JEDI Fig. 3)", 0.6, false),
            PlotSpec::new("accuracy", "Held-out R² and classification, both models", 0.6, false),
            PlotSpec::new("eigenvalues_low", "JEDI (rank R): eigenvalues of each trial's W", 1.0, false),
            PlotSpec::new("eigenvalues_full", "JEDI-full: eigenvalues of each trial's W", 1.0, false),
            PlotSpec::new("r2_low", "JEDI (rank R): R² per trial", 0.6, false),
            PlotSpec::new("r2_full", "JEDI-full: R² per trial", 0.6, false),
            PlotSpec::new("loss_low", "JEDI (rank R): loss per epoch", 0.6, false),
            PlotSpec::new("loss_full", "JEDI-full: loss per epoch", 0.6, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "jedi_compare",
            label: "JEDI vs full",
            plots: &[
                "embedding_low",
                "embedding_full",
                "generalisation_low",
                "generalisation_full",
                "robustness",
                "accuracy",
                "eigenvalues_low",
                "eigenvalues_full",
                "r2_low",
                "r2_full",
                "loss_low",
                "loss_full",
            ],
            main: &["dataset", "bin", "smooth", "zscore", "rank", "neurons", "repeats", "epochs", "seed"],
            embed_plot: "robustness",
            preset: "neurons=50&repeats=8&epochs=1000",
        }]
    }
    fn cost(p: &JediParams) -> f64 {
        jedi::cost(p) + jedi::cost(&full_of(p))
    }
    fn summary(p: &JediParams, r: &CompareResult) -> String {
        let mean = |v: &[f64]| if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 };
        let acc = |r: &JediResult| r.classification_accuracy.map_or("–".to_string(), |a| format!("{a:.2}"));
        let noisy = |r: &JediResult| r.robustness.r2.get(3).map_or("–".to_string(), |v| format!("{v:.2}"));
        format!(
            "Held-out R²: JEDI (rank {}) {:.3}, JEDI-full {:.3}. Naive Bayes accuracy from the held-out contexts: {} and {}. With noise of 1 s.d. on the contexts, held-out R² {} and {}.",
            p.rank,
            mean(&r.low_rank.r2_test),
            mean(&r.full.r2_test),
            acc(&r.low_rank),
            acc(&r.full),
            noisy(&r.low_rank),
            noisy(&r.full)
        )
    }
    fn csv(_p: &JediParams, r: &CompareResult) -> Csv {
        let r2 = |r: &JediResult| -> Vec<f64> {
            let (mut a, mut b) = (r.r2_train.iter(), r.r2_test.iter());
            r.held_out.iter().map(|&h| if h { b.next() } else { a.next() }.copied().unwrap_or(f64::NAN)).collect()
        };
        let pc = |r: &JediResult, i: usize| -> Vec<f64> { r.embedding.iter().map(|e| e[i]).collect() };
        let t = r.low_rank.trial_condition.len();
        let trial: Vec<f64> = (0..t).map(|k| k as f64).collect();
        let cond: Vec<f64> = r.low_rank.trial_condition.iter().map(|&c| c as f64).collect();
        let held: Vec<f64> = r.low_rank.held_out.iter().map(|&h| if h { 1.0 } else { 0.0 }).collect();
        Csv::with_rows(t)
            .column("trial", &trial)
            .column("condition", &cond)
            .column("held_out", &held)
            .column("r2_low_rank", &r2(&r.low_rank))
            .column("r2_full", &r2(&r.full))
            .column("context_pc1_low_rank", &pc(&r.low_rank, 0))
            .column("context_pc2_low_rank", &pc(&r.low_rank, 1))
            .column("context_pc1_full", &pc(&r.full, 0))
            .column("context_pc2_full", &pc(&r.full, 1))
    }
}
