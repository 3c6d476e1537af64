//! `exp=jedi`: JEDI (SCIENCE §8) on a teacher dataset or a recording file: the fit, every
//! analysis of JEDI Fig. 2–6 and the embedding explorer ([`super::jedi_runs`] holds what the
//! comparison shares with it).

pub use super::jedi_runs::*;
use super::jedi_runs::{all_contexts, key_in, probe_of};
use super::{Csv, Experiment, Output, PlotSpec, RunCtx, RunError, ViewSpec};
use crate::analysis::fixed_points::Kind;
use crate::jedi::file;
use crate::jedi::fit;
use crate::memory::Footprint;
use crate::params::ParamError;
use crate::train::store;

/// JEDI on a teacher dataset or a recording file.
pub struct Jedi;

impl Experiment for Jedi {
    fn memory(p: &JediParams, ctx: &RunCtx) -> Footprint {
        super::jedi_runs::memory(p, ctx)
    }
    const NAME: &'static str = "jedi";
    const TITLE: &'static str = "JEDI: infer per-trial networks";
    const EXAMPLE: &'static str = "exp=jedi&neurons=8&repeats=2&duration=0.1&epochs=2&hidden=4&context=2&refine=2";
    type Params = JediParams;
    type Result = JediResult;
    const FILES: &'static [(&'static str, &'static str, &'static str)] = &[
        ("model", "Model file", "json"),
        ("data", "Recording (.npy)", "npy"),
        ("data-labels", "Recording labels", "json"),
    ];

    fn check(p: &JediParams) -> Result<(), ParamError> {
        check(p)
    }
    fn specs() -> Vec<crate::params::ParamSpec> {
        specs()
    }
    fn run(p: &JediParams, ctx: &RunCtx) -> Result<Output<JediResult>, RunError> {
        fit_and_analyse(p, ctx, true)
    }
    fn files(p: &JediParams, ctx: &RunCtx) -> Vec<(&'static str, Vec<u8>)> {
        let kept = kept_files(p, ctx);
        // A teacher's recording is a function of the keys; a file's is the one the run kept.
        let rec = match (&kept, p.dataset) {
            (Some((_, rec)), _) => Some(rec.clone()),
            (None, DataSource::File) => None,
            (None, _) => Some(recording_of(p)),
        };
        let mut out = vec![];
        if let Some(rec) = rec {
            out.push(("data", crate::npy::write_f32(&[rec.trials, rec.steps, rec.neurons], &rec.data)));
            out.push(("data-labels", file::labels_json(&rec).into_bytes()));
        }
        if let Some((m, _)) = kept {
            out.push(("model", m.into_bytes()));
        }
        out
    }
    fn click(_p: &JediParams, plot: &str, x: f64, y: f64) -> Option<(&'static str, String)> {
        (plot == "embedding").then(|| ("probe", format!("{},{}", super::significant(x, 4), super::significant(y, 4))))
    }
    fn live(p: &JediParams, ctx: &RunCtx) -> Option<String> {
        let key = key_in(p, ctx);
        let st: JediState = store::take(&key)?;
        let probe = (|| {
            let rec = st.recording.as_ref()?;
            st.inferred.as_ref()?;
            let (train, test) = fit::split(rec, p.test_fraction, p.seed);
            let contexts = all_contexts(&st, rec, &train, &test);
            let trial = test.first().or(train.first()).copied()?;
            probe_of(p, rec, &st, &contexts, trial)
        })();
        store::keep(key, st);
        probe.map(|pr| serde_json::to_string(&pr).expect("a probe serialises"))
    }
    fn apply_live(r: &mut JediResult, live: &str) -> Result<(), String> {
        let probe: Probe = serde_json::from_str(live).map_err(|e| format!("not a probe: {e}"))?;
        if !probe.trajectory.is_empty() && probe.trajectory.len() != r.example.time.len() {
            return Err("the probe is for another trial length".into());
        }
        r.probe = Some(probe);
        Ok(())
    }
    fn validate(p: &JediParams, r: &JediResult) -> Result<(), String> {
        validate(p, r)
    }
    fn plots() -> &'static [PlotSpec] {
        const PLOTS: &[PlotSpec] = &[
            PlotSpec::new("loss", "Loss per epoch", 0.6, false),
            PlotSpec::new("embedding", "Contexts on their first two principal components", 1.0, false)
                .clickable("Click or drag: the network of that point of the context plane (its eigenvalues, fixed points, trajectory and λ_max)")
                .live(),
            PlotSpec::new("probe", "The network of the chosen point: trajectory and fixed points", 1.0, false).live(),
            PlotSpec::new("r2", "R² per trial, training and held out", 0.6, false),
            PlotSpec::new("example", "A held-out trial: recorded and generated rates", 0.6, false),
            PlotSpec::new("generalisation", "Cross-condition generalisation (JEDI Fig. 2E)", 1.0, false),
            PlotSpec::new("robustness", "Robustness of the contexts to noise (JEDI Fig. 3)", 0.6, false),
            PlotSpec::new("eigenvalues", "Eigenvalues of each trial's generated W (JEDI Fig. 4)", 1.0, false).live(),
            PlotSpec::new("fixed_points", "Fixed points and trajectories on the recording's PCs", 1.0, false),
            PlotSpec::new("lyapunov", "λ_max of each condition's network (JEDI Fig. 6J)", 0.6, false),
        ];
        PLOTS
    }
    fn views() -> &'static [ViewSpec] {
        &[ViewSpec {
            name: "jedi",
            label: "JEDI",
            plots: &[
                "loss",
                "embedding",
                "probe",
                "r2",
                "example",
                "generalisation",
                "robustness",
                "eigenvalues",
                "fixed_points",
                "lyapunov",
            ],
            main: &[
                "dataset", "bin", "smooth", "zscore", "rank", "neurons", "repeats", "epochs", "lr", "context", "seed",
            ],
            embed_plot: "embedding",
            preset: "",
        }]
    }
    fn cost(p: &JediParams) -> f64 {
        cost(p)
    }
    fn summary(p: &JediParams, r: &JediResult) -> String {
        let kind = if p.rank == 0 { "JEDI-full".to_string() } else { format!("JEDI (rank {})", p.rank) };
        let loss = r.loss.last().map_or("–".to_string(), |l| super::significant(*l, 3));
        if !r.finished {
            return format!(
                "Fitting {kind} to the {} dataset: epoch {} of {}, loss {loss}.",
                data_name(p),
                r.epochs_done,
                r.epochs_total
            );
        }
        let mean = |v: &[f64]| if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 };
        let acc = r.classification_accuracy.map_or("–".to_string(), |a| format!("{a:.2}"));
        let stable = r.fixed_points.iter().filter(|f| f.kind == Kind::Stable).count();
        format!(
            "{kind} on {} ({} trials, N = {}): loss {loss} after {} epochs. Mean R² {:.3} on training trials, {:.3} on held-out trials (contexts inferred). Naive Bayes classifies held-out conditions from their contexts with accuracy {acc}. {} fixed points ({stable} stable) over {} condition networks.",
            data_name(p),
            r.trial_condition.len(),
            r.neurons,
            r.epochs_done,
            mean(&r.r2_train),
            mean(&r.r2_test),
            r.fixed_points.len(),
            r.conditions.len()
        )
    }
    fn csv(_p: &JediParams, r: &JediResult) -> Csv {
        let t = r.trial_condition.len();
        let trial: Vec<f64> = (0..t).map(|k| k as f64).collect();
        let cond: Vec<f64> = r.trial_condition.iter().map(|&c| c as f64).collect();
        let held: Vec<f64> = r.held_out.iter().map(|&h| if h { 1.0 } else { 0.0 }).collect();
        let (mut a, mut b) = (r.r2_train.iter(), r.r2_test.iter());
        let r2: Vec<f64> =
            r.held_out.iter().map(|&h| if h { b.next() } else { a.next() }.copied().unwrap_or(f64::NAN)).collect();
        let pc1: Vec<f64> = r.embedding.iter().map(|e| e[0]).collect();
        let pc2: Vec<f64> = r.embedding.iter().map(|e| e[1]).collect();
        let top = |f: fn(&[f64; 2]) -> f64| -> Vec<f64> {
            r.eigenvalues.iter().map(|ev| ev.iter().map(f).fold(f64::NAN, f64::max)).collect()
        };
        Csv::with_rows(t)
            .column("trial", &trial)
            .column("condition", &cond)
            .column("held_out", &held)
            .column("r2", &r2)
            .column("context_pc1", &pc1)
            .column("context_pc2", &pc2)
            .column("max_re_eigenvalue", &top(|e| e[0]))
            .column("max_abs_im_eigenvalue", &top(|e| e[1].abs()))
    }
}
