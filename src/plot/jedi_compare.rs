//! Plots of `exp=jedi_compare`: each of JEDI's plots for the rank-R fit beside the full one,
//! the two robustness curves together, and the two fits' summary numbers side by side.

use super::jedi::{eigenvalues, embedding, generalisation, loss, r2, robustness_of, waiting};
use super::*;
use crate::experiments::jedi::JediParams;
use crate::experiments::jedi_compare::{full_of, CompareResult, JediCompare};

impl Figures for JediCompare {
    fn render(name: &str, p: &JediParams, r: &CompareResult, opts: &PlotOptions) -> DrawResult<Figure> {
        let (low, full) = (&r.low_rank, &r.full);
        match name {
            "embedding_low" => embedding(low, opts),
            "embedding_full" => embedding(full, opts),
            "generalisation_low" => generalisation(low, opts),
            "generalisation_full" => generalisation(full, opts),
            "robustness" => robustness_of(&[(&format!("JEDI (rank {})", p.rank), low), ("JEDI-full", full)], opts),
            "accuracy" => accuracy(p, r, opts),
            "eigenvalues_low" => eigenvalues(p, low, opts),
            "eigenvalues_full" => eigenvalues(&full_of(p), full, opts),
            "r2_low" => r2(low, opts),
            "r2_full" => r2(full, opts),
            "loss_low" => loss(low, opts),
            "loss_full" => loss(full, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// Mean held-out R², naive Bayes accuracy and held-out R² with noise of 1 embedding s.d., as
/// bars for both fits.
fn accuracy(p: &JediParams, r: &CompareResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (low, full) = (&r.low_rank, &r.full);
    if !low.finished || !full.finished || low.r2_test.is_empty() {
        return waiting(opts, "Both fits' numbers: after the fits, with held-out trials");
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let numbers = |r: &crate::experiments::jedi::JediResult| -> [f64; 3] {
        [
            mean(&r.r2_test),
            r.classification_accuracy.unwrap_or(f64::NAN),
            r.robustness.r2.get(3).copied().unwrap_or(f64::NAN),
        ]
    };
    let bars = [numbers(low), numbers(full)];
    let lo = bars.iter().flatten().copied().filter(|v| v.is_finite()).fold(0.0f64, f64::min).max(-1.0);
    let labels = [format!("JEDI (rank {})", p.rank), "JEDI-full".to_string()];
    svg(opts, |root| {
        let body = titled(root, "Held-out R², naive Bayes accuracy and R² under noise")?;
        let (mut chart, _) =
            axes(&body, (-0.5, 2.5), (lo, 1.0), "0: held-out R², 1: accuracy, 2: R² at noise 1 s.d.", "")?;
        for (m, values) in bars.iter().enumerate() {
            let col = PALETTE[m];
            let x0 = |i: usize| i as f64 - 0.35 + m as f64 * 0.35;
            chart
                .draw_series(
                    values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_finite())
                        .map(|(i, v)| Rectangle::new([(x0(i), 0.0), (x0(i) + 0.3, v.max(lo))], col.mix(0.85).filled())),
                )
                .map_err(err)?
                .label(labels[m].clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 10, y + 4)], col.filled()));
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}
