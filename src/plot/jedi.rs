//! Plots of `exp=jedi`: loss, the context embedding, R² per trial, a held-out trial's fit, the
//! generalisation matrix, robustness, eigenvalues, fixed points on the recording's principal
//! components, and λ_max per condition (JEDI Fig. 2–6).

use super::*;
use crate::experiments::jedi::{Jedi, JediParams, JediResult};

impl Figures for Jedi {
    fn render(name: &str, p: &JediParams, r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "loss" => loss(r, opts),
            "embedding" => embedding(r, opts),
            "probe" => probe(r, opts),
            "r2" => r2(r, opts),
            "example" => example(r, opts),
            "generalisation" => generalisation(r, opts),
            "robustness" => robustness(r, opts),
            "eigenvalues" => eigenvalues(p, r, opts),
            "fixed_points" => fixed_points(r, opts),
            "lyapunov" => lyapunov(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

fn colour(c: usize) -> RGBColor {
    PALETTE[c % PALETTE.len()]
}

/// A blank chart saying why there is nothing to draw yet.
pub(super) fn waiting(opts: &PlotOptions, title: &str) -> DrawResult<Figure> {
    svg(opts, |root| {
        let body = titled(root, title)?;
        axes(&body, (0.0, 1.0), (0.0, 1.0), "", "")?;
        Ok((None, vec![]))
    })
}

/// One legend entry per condition (dots).
fn condition_legend<'a, 'b: 'a>(chart: &mut Chart<'a, 'b>, names: &[String]) -> DrawResult<()> {
    for (c, name) in names.iter().enumerate() {
        let col = colour(c);
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| Circle::new((x + 7, y), 4, col.filled()));
    }
    legend(chart)
}

pub(super) fn loss(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let logs: Vec<f64> = r.loss.iter().map(|l| libm::log10(l.max(1e-300))).collect();
    let y = span(logs.iter().copied(), (-3.0, 0.0));
    let title = if r.finished {
        format!("Loss (MSE of the rates) — {} epochs", r.epochs_done)
    } else {
        format!("Loss (MSE of the rates) — epoch {} of {}", r.epochs_done, r.epochs_total)
    };
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, _) = axes(&body, (0.0, r.epochs_total.max(1) as f64), y, "epoch", "log₁₀ loss")?;
        let idx = thin(logs.len(), 1500);
        chart
            .draw_series(LineSeries::new(idx.iter().map(|&e| (e as f64 + 1.0, logs[e])), PALETTE[0].stroke_width(2)))
            .map_err(err)?;
        Ok((None, vec![]))
    })
}

pub(super) fn embedding(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    if r.embedding.is_empty() {
        return waiting(opts, "Contexts: none yet");
    }
    let shown: Vec<usize> = (0..r.embedding.len()).filter(|&k| r.finished || !r.held_out[k]).collect();
    let point = r.probe.as_ref().map(|p| p.point);
    let x = span(shown.iter().map(|&k| r.embedding[k][0]).chain(point.map(|p| p[0])), (-1.0, 1.0));
    let y = span(shown.iter().map(|&k| r.embedding[k][1]).chain(point.map(|p| p[1])), (-1.0, 1.0));
    let title = if r.finished {
        "Contexts (PCA): dots training, rings held out (inferred)".to_string()
    } else {
        format!("Training contexts (PCA), epoch {}", r.epochs_done)
    };
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, x, y, "context PC 1", "context PC 2")?;
        for &k in &shown {
            let c = colour(r.trial_condition[k]);
            let p = (r.embedding[k][0], r.embedding[k][1]);
            if r.held_out[k] {
                chart.draw_series(std::iter::once(Circle::new(p, 6, c.stroke_width(2)))).map_err(err)?;
            } else {
                chart.draw_series(std::iter::once(Circle::new(p, 4, c.mix(0.8).filled()))).map_err(err)?;
            }
        }
        if let Some(p) = point {
            chart.draw_series(std::iter::once(Cross::new((p[0], p[1]), 9, INK.stroke_width(3)))).map_err(err)?;
        }
        condition_legend(&mut chart, &r.conditions)?;
        Ok((Some(frame), vec![]))
    })
}

/// The probe's network: its trajectory from the example trial's first sample beside the
/// recorded trial, and its fixed points, on the recording's principal components.
fn probe(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let Some(p) = r.probe.as_ref().filter(|_| r.finished) else {
        return waiting(opts, "Click or drag on the context plane to analyse the network of that point");
    };
    let recorded =
        r.trajectories.iter().find(|t| t.trial == r.example.trial).map(|t| t.recorded.as_slice()).unwrap_or(&[]);
    let pts = p.trajectory.iter().chain(recorded).chain(p.fixed_points.iter().map(|f| &f.pc));
    let x = span(pts.clone().map(|q| q[0]), (-1.0, 1.0));
    let y = span(pts.map(|q| q[1]), (-1.0, 1.0));
    let stable = p.fixed_points.iter().filter(|f| f.kind == Kind::Stable).count();
    let title = format!(
        "Point ({}, {}): λ_max {} 1/s, {} fixed points ({stable} stable)",
        crate::experiments::significant(p.point[0], 3),
        crate::experiments::significant(p.point[1], 3),
        crate::experiments::significant(p.lambda_max, 3),
        p.fixed_points.len()
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, _) = axes(&body, x, y, "PC 1 of the recording", "PC 2")?;
        chart
            .draw_series(LineSeries::new(recorded.iter().map(|q| (q[0], q[1])), MUTED.stroke_width(1)))
            .map_err(err)?
            .label(format!("recorded trial {}", r.example.trial))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED.stroke_width(1)));
        chart
            .draw_series(LineSeries::new(p.trajectory.iter().map(|q| (q[0], q[1])), INK.stroke_width(2)))
            .map_err(err)?
            .label("this point's network, same start")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK.stroke_width(2)));
        for f in &p.fixed_points {
            let c = kind_colour(f.kind);
            chart.draw_series(std::iter::once(TriangleMarker::new((f.pc[0], f.pc[1]), 8, c.filled()))).map_err(err)?;
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

pub(super) fn r2(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    if !r.finished {
        return waiting(opts, "R² per trial: after the fit");
    }
    let (mut train, mut test) = (r.r2_train.iter(), r.r2_test.iter());
    let mut points = vec![];
    for k in 0..r.trial_condition.len() {
        let v = if r.held_out[k] { test.next() } else { train.next() };
        if let Some(&v) = v {
            points.push((r.trial_condition[k], r.held_out[k], v));
        }
    }
    let lo = points.iter().map(|p| p.2).fold(0.0f64, f64::min).max(-1.0);
    let classes = r.conditions.len().max(1);
    svg(opts, |root| {
        let body = titled(root, "R² per trial: dots training, rings held out")?;
        let (mut chart, _) = axes(&body, (-0.5, classes as f64 - 0.5), (lo, 1.0), "condition", "R²")?;
        for (i, &(c, held, v)) in points.iter().enumerate() {
            // A small fixed offset per trial spreads the dots of one condition.
            let x = c as f64 + if held { 0.2 } else { -0.2 } + ((i * 7919) % 11) as f64 / 11.0 * 0.2 - 0.1;
            let p = (x, v.max(lo));
            if held {
                chart.draw_series(std::iter::once(Circle::new(p, 5, colour(c).stroke_width(2)))).map_err(err)?;
            } else {
                chart.draw_series(std::iter::once(Circle::new(p, 3, colour(c).mix(0.8).filled()))).map_err(err)?;
            }
        }
        condition_legend(&mut chart, &r.conditions)?;
        Ok((None, vec![]))
    })
}

fn example(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let e = &r.example;
    if !r.finished || e.time.is_empty() {
        return waiting(opts, "A held-out trial: after the fit");
    }
    let t1 = *e.time.last().unwrap_or(&1.0);
    let rows = e.neurons.len().max(1) as f64;
    let title = format!(
        "Trial {} ({}), R² {:.3}: recorded (thin) and generated (thick)",
        e.trial,
        r.conditions.get(r.trial_condition.get(e.trial).copied().unwrap_or(0)).map_or("", |s| s.as_str()),
        e.r2
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, _) =
            axes(&body, (0.0, t1.max(1e-9)), (-1.2, 2.4 * rows - 1.2), "time (s)", "rate (offset per neuron)")?;
        for (j, (rec, gen)) in e.recorded.iter().zip(&e.generated).enumerate() {
            let off = 2.4 * j as f64;
            let c = colour(j);
            chart
                .draw_series(LineSeries::new(
                    e.time.iter().zip(rec).map(|(t, v)| (*t, v + off)),
                    c.mix(0.6).stroke_width(1),
                ))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(e.time.iter().zip(gen).map(|(t, v)| (*t, v + off)), c.stroke_width(3)))
                .map_err(err)?
                .label(format!("neuron {}", e.neurons[j]))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(3)));
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

pub(super) fn generalisation(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let g = &r.generalisation;
    if !r.finished || g.is_empty() {
        return waiting(opts, "Generalisation: after the fit, with held-out trials");
    }
    let k = g.len() as f64;
    let names: Vec<String> = r.conditions.iter().enumerate().map(|(i, n)| format!("{i} {n}")).collect();
    let title = "Held-out R² of B (columns) generated by A's mean context (rows)";
    let x_desc = format!("held-out condition B: {}", names.join(", "));
    svg(opts, |root| {
        let body = titled(root, title)?;
        let (mut chart, _) = axes(&body, (-0.5, k - 0.5), (-0.5, k - 0.5), &x_desc, "context of A")?;
        for (a, row) in g.iter().enumerate() {
            for (b, v) in row.iter().enumerate() {
                let y = a as f64;
                let fill = match v {
                    Some(v) => viridis(v.clamp(0.0, 1.0)),
                    None => MUTED,
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(b as f64 - 0.5, y - 0.5), (b as f64 + 0.5, y + 0.5)],
                        fill.filled(),
                    )))
                    .map_err(err)?;
                let text = v.map_or("–".to_string(), |v| format!("{:.2}", v.max(-9.99)));
                let ink = if v.is_some_and(|v| v > 0.6) { INK } else { WHITE };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (b as f64 - 0.2, y + 0.1),
                        (FONT, 11).into_font().color(&ink),
                    )))
                    .map_err(err)?;
            }
        }
        Ok((None, vec![]))
    })
}

fn robustness(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    robustness_of(&[("", r)], opts)
}

/// Held-out R² against the noise on the contexts, one curve per (label, result).
pub(super) fn robustness_of(series: &[(&str, &JediResult)], opts: &PlotOptions) -> DrawResult<Figure> {
    if series.iter().any(|(_, r)| !r.finished || r.robustness.levels.is_empty()) {
        return waiting(opts, "Robustness: after the fit, with held-out trials");
    }
    let all = || series.iter().flat_map(|(_, r)| r.robustness.r2.iter().copied());
    let lo = all().fold(0.0f64, f64::min).max(-2.0);
    let x1 = series.iter().filter_map(|(_, r)| r.robustness.levels.last().copied()).fold(1e-9, f64::max);
    svg(opts, |root| {
        let body = titled(root, "Held-out R² with Gaussian noise on the contexts")?;
        let (mut chart, _) = axes(&body, (0.0, x1), (lo, 1.0), "noise s.d. (× condition's embedding s.d.)", "mean R²")?;
        for (i, (label, r)) in series.iter().enumerate() {
            let rb = &r.robustness;
            let col = PALETTE[i % PALETTE.len()];
            let line = chart
                .draw_series(LineSeries::new(
                    rb.levels.iter().zip(&rb.r2).map(|(a, b)| (*a, b.max(lo))),
                    col.stroke_width(2),
                ))
                .map_err(err)?;
            if !label.is_empty() {
                line.label(label.to_string())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], col.stroke_width(2)));
            }
            chart
                .draw_series(rb.levels.iter().zip(&rb.r2).map(|(a, b)| Circle::new((*a, b.max(lo)), 4, col.filled())))
                .map_err(err)?;
        }
        if series.iter().any(|(l, _)| !l.is_empty()) {
            legend(&mut chart)?;
        }
        Ok((None, vec![]))
    })
}

pub(super) fn eigenvalues(p: &JediParams, r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    if !r.finished || r.eigenvalues.is_empty() {
        return waiting(opts, "Eigenvalues: after the fit");
    }
    let all = r.eigenvalues.iter().flatten().chain(r.probe.iter().flat_map(|p| &p.eigenvalues));
    let reach = all.clone().fold(1.0f64, |m, e| m.max(e[0].abs()).max(e[1].abs())) * 1.1;
    let title = if p.rank == 0 {
        "Eigenvalues of each trial's W (JEDI-full), coloured by condition".to_string()
    } else {
        format!("The {} non-zero eigenvalues of each trial's W, coloured by condition", p.rank)
    };
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let aspect = opts.height as f64 / opts.width as f64;
        let (mut chart, frame) =
            axes(&body, (-reach / aspect.min(1.0), reach / aspect.min(1.0)), (-reach, reach), "Re λ", "Im λ")?;
        layer_anchor(&body, 0)?;
        let ring: Vec<(f64, f64)> = (0..=180)
            .map(|i| {
                let a = i as f64 / 180.0 * std::f64::consts::TAU;
                (a.cos(), a.sin())
            })
            .collect();
        chart.draw_series(std::iter::once(PathElement::new(ring, MUTED.stroke_width(1)))).map_err(err)?;
        // One layer (one anchor) holds every condition's dots, in condition order.
        let mut layer = Layer::new(&frame);
        for c in 0..r.conditions.len() {
            let pts: Vec<(f64, f64)> = r
                .eigenvalues
                .iter()
                .enumerate()
                .filter(|(k, _)| r.trial_condition[*k] == c)
                .flat_map(|(_, ev)| ev.iter().map(|e| (frame.px(e[0]), frame.py(e[1]))))
                .collect();
            layer.dots(&pts, colour(c), 4.5, 0.8);
        }
        if let Some(p) = &r.probe {
            chart
                .draw_series(p.eigenvalues.iter().map(|e| Circle::new((e[0], e[1]), 6, INK.stroke_width(2))))
                .map_err(err)?
                .label("the chosen point's network")
                .legend(|(x, y)| Circle::new((x + 7, y), 5, INK.stroke_width(2)));
        }
        condition_legend(&mut chart, &r.conditions)?;
        Ok((None, vec![layer]))
    })
}

fn fixed_points(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    if !r.finished || r.trajectories.is_empty() {
        return waiting(opts, "Fixed points: after the fit");
    }
    let pts = r
        .trajectories
        .iter()
        .flat_map(|t| t.recorded.iter().chain(&t.generated))
        .chain(r.fixed_points.iter().map(|f| &f.pc));
    let x = span(pts.clone().map(|p| p[0]), (-1.0, 1.0));
    let y = span(pts.map(|p| p[1]), (-1.0, 1.0));
    svg(opts, |root| {
        let body = titled(root, "Recorded (thin) and generated (thick) trials; fixed points (filled: stable)")?;
        let (mut chart, _) = axes(&body, x, y, "PC 1 of the recording", "PC 2")?;
        for t in &r.trajectories {
            let c = colour(t.condition);
            chart
                .draw_series(LineSeries::new(t.recorded.iter().map(|p| (p[0], p[1])), c.mix(0.5).stroke_width(1)))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(t.generated.iter().map(|p| (p[0], p[1])), c.stroke_width(2)))
                .map_err(err)?;
        }
        for f in &r.fixed_points {
            let c = colour(f.condition);
            let style = if f.kind == Kind::Stable { c.filled() } else { c.stroke_width(2) };
            chart.draw_series(std::iter::once(TriangleMarker::new((f.pc[0], f.pc[1]), 7, style))).map_err(err)?;
        }
        condition_legend(&mut chart, &r.conditions)?;
        Ok((None, vec![]))
    })
}

fn lyapunov(r: &JediResult, opts: &PlotOptions) -> DrawResult<Figure> {
    if !r.finished || r.lyapunov.is_empty() {
        return waiting(opts, "λ_max: after the fit");
    }
    let y = span(r.lyapunov.iter().map(|g| g.lambda_max).chain([0.0]), (-1.0, 1.0));
    let classes = r.conditions.len().max(1) as f64;
    let phases = r.phases.len().max(1);
    svg(opts, |root| {
        let body = titled(root, "λ_max of each condition's network (mean context), QR method")?;
        let (mut chart, _) = axes(&body, (-0.5, classes - 0.5), y, "condition", "λ_max (1/s)")?;
        chart
            .draw_series(DashedLineSeries::new([(-0.5, 0.0), (classes - 0.5, 0.0)], 6, 4, MUTED.stroke_width(1)))
            .map_err(err)?;
        for g in &r.lyapunov {
            let x = g.condition as f64 + (g.phase as f64 - (phases - 1) as f64 / 2.0) * 0.25;
            let col = PALETTE[g.phase % PALETTE.len()];
            chart.draw_series(std::iter::once(Circle::new((x, g.lambda_max), 5, col.filled()))).map_err(err)?;
        }
        for (ph, name) in r.phases.iter().enumerate() {
            let col = PALETTE[ph % PALETTE.len()];
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| Circle::new((x + 7, y), 4, col.filled()));
        }
        if !r.phases.is_empty() {
            legend(&mut chart)?;
        }
        Ok((None, vec![]))
    })
}
