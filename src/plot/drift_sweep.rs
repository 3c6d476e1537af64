//! Plots of `exp=drift_sweep` (LCF Fig. 4D, I, J): state accuracy against drift strength σ
//! with the fitted sigmoids per N, and the tolerable drift σ* against N.

use super::*;
use crate::drift::SigmoidFit;
use crate::experiments::drift_sweep::{Curve, DriftSweep, DriftSweepParams, DriftSweepResult, SizeResult, Tolerable};

impl Figures for DriftSweep {
    fn render(name: &str, _p: &DriftSweepParams, r: &DriftSweepResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "accuracy" => accuracy(r, opts, false),
            "accuracy_observed" => accuracy(r, opts, true),
            "tolerable" => tolerable(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// The kinds of drift in the order of [`curves`] and [`sigma_stars`], with their colours.
const KINDS: [(&str, RGBColor); 3] = [("random", PALETTE[0]), ("orthogonal", PALETTE[2]), ("tangential", PALETTE[1])];

/// One size's curves in [`KINDS`] order (None for a kind not swept).
fn curves(s: &SizeResult) -> [Option<&Curve>; 3] {
    [s.random.as_ref(), s.orthogonal.as_ref(), s.tangential.as_ref()]
}

/// One size's σ* in [`KINDS`] order; a kind not swept, or with no finite σ*, has none.
fn sigma_stars(t: &Tolerable) -> [Option<f64>; 3] {
    [t.random, t.orthogonal, t.tangential].map(|v| v.filter(|v| v.is_finite()))
}

/// The fitted accuracy at σ = `s`: chance + (1 − chance) / (1 + exp(slope·(ln s − ln σ*))).
fn sigmoid(s: f64, fit: &SigmoidFit, chance: f64) -> f64 {
    crate::numerics::sigmoid::logistic_step(libm::log(s), libm::log(fit.midpoint), fit.slope, 1.0, chance)
}

/// Accuracy against σ per kind with the fitted sigmoids, one panel per N (Fig. 4D, I).
fn accuracy(r: &DriftSweepResult, opts: &PlotOptions, observed: bool) -> DrawResult<Figure> {
    let (sigma, chance, sizes) = (&r.sigma, r.chance, &r.sizes);
    if sigma.len() < 2 || sizes.is_empty() {
        return Err("the sweep has no curves".into());
    }
    let (lo, hi) = (sigma[0], sigma[sigma.len() - 1]);
    let fine: Vec<f64> = (0..=120).map(|i| (lo.ln() + (hi.ln() - lo.ln()) * i as f64 / 120.0).exp()).collect();
    let title = if observed {
        "State accuracy against drift strength σ — read from the first n_obs neurons"
    } else {
        "State accuracy against drift strength σ — read from all neurons"
    };
    svg(opts, |root| {
        let body = titled(root, title)?;
        let panels = body.split_evenly((1, sizes.len()));
        for (i, (panel, size)) in panels.iter().zip(sizes).enumerate() {
            let n = size.neurons;
            let mut chart = ChartBuilder::on(panel)
                .margin(6)
                .caption(format!("N = {n}"), (FONT, 12).into_font().color(&INK))
                .x_label_area_size(34)
                .y_label_area_size(if i == 0 { 46 } else { 30 })
                .build_cartesian_2d((lo..hi).log_scale(), -0.02f64..1.05f64)
                .map_err(err)?;
            house_style(&mut chart.configure_mesh(), 10)
                .x_desc("drift σ")
                .y_desc(if i == 0 { "state accuracy" } else { "" })
                .x_labels(4)
                .x_label_formatter(&|v| format!("{v:.2}"))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(lo, chance), (hi, chance)], MUTED.stroke_width(1))))
                .map_err(err)?;
            for ((kind, colour), curve) in KINDS.into_iter().zip(curves(size)) {
                let Some(curve) = curve else { continue };
                let (acc, fit) = if observed {
                    (&curve.accuracy_observed, &curve.fit_observed)
                } else {
                    (&curve.accuracy, &curve.fit)
                };
                chart
                    .draw_series(sigma.iter().zip(acc).map(|(&s, &a)| Circle::new((s, a), 3, colour.filled())))
                    .map_err(err)?
                    .label(kind)
                    .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
                chart
                    .draw_series(LineSeries::new(
                        fine.iter().map(|&s| (s, sigmoid(s, fit, chance))),
                        colour.stroke_width(2),
                    ))
                    .map_err(err)?;
                let mid = fit.midpoint;
                if mid >= lo && mid <= hi {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(mid, -0.02), (mid, 0.5 * (1.0 + chance))],
                            colour.mix(0.6).stroke_width(1),
                        )))
                        .map_err(err)?;
                }
            }
            if i + 1 == sizes.len() {
                legend(&mut chart)?;
            }
        }
        Ok((None, vec![]))
    })
}

/// Tolerable drift σ* against N per kind (Fig. 4J): solid from all neurons, dashed from n_obs.
fn tolerable(r: &DriftSweepResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (all, obs) = (&r.tolerable_drift, &r.tolerable_drift_observed);
    let ns: Vec<f64> = all.iter().map(|t| t.neurons as f64).collect();
    let values: Vec<f64> = all.iter().chain(obs).flat_map(sigma_stars).flatten().filter(|v| *v > 0.0).collect();
    let (nlo, nhi) =
        (ns.iter().cloned().fold(f64::INFINITY, f64::min) / 1.5, ns.iter().cloned().fold(0.0, f64::max) * 1.5);
    let (vlo, vhi) =
        (values.iter().cloned().fold(f64::INFINITY, f64::min) / 1.5, values.iter().cloned().fold(0.0, f64::max) * 1.5);
    if ns.is_empty() || values.is_empty() {
        return Err("no tolerable drift to plot".into());
    }
    svg(opts, |root| {
        let body = titled(root, "Tolerable drift σ* against N (solid: all neurons; dashed: first n_obs)")?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d((nlo..nhi).log_scale(), (vlo..vhi).log_scale())
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .x_desc("neurons N")
            .y_desc("σ* (tolerable drift)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.2}"))
            .draw()
            .map_err(err)?;
        for (i, (kind, colour)) in KINDS.into_iter().enumerate() {
            let points = |set: &[Tolerable]| -> Vec<(f64, f64)> {
                set.iter().filter_map(|t| Some((t.neurons as f64, sigma_stars(t)[i]?))).collect()
            };
            let pts = points(all);
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                .map_err(err)?
                .label(kind)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour.filled()))).map_err(err)?;
            chart.draw_series(DashedLineSeries::new(points(obs), 6, 4, colour.stroke_width(1))).map_err(err)?;
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}
