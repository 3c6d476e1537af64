//! Plots of the robustness experiments: `exp=drift` (LCF Fig. 4B–H), `exp=drift_sweep`
//! (Fig. 4D, I, J) and `exp=perturb` (Fig. 3B–C).

use super::*;
use serde_json::json;

const KINDS: [(&str, RGBColor); 3] = [("random", PALETTE[0]), ("orthogonal", PALETTE[2]), ("tangential", PALETTE[1])];

pub fn drift_trajectory(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let time = vector(field(result, "time")?);
    let at = result.get("drift_index").and_then(Value::as_u64).unwrap_or(0) as usize;
    let tm = time.get(at).copied().unwrap_or(0.0);
    let before = result.get("accuracy_before").map(num).unwrap_or(f64::NAN);
    let after = result.get("accuracy_after").map(num).unwrap_or(f64::NAN);
    let title = format!("Latent z and targets — accuracy {before:.3} before the drift, {after:.3} after");
    super::flipflop::trajectory_with(result, opts, Some(title), Some((tm, "drift")))
}

/// The portrait before or after the drift, with that segment's trajectory.
pub fn drift_portrait(result: &Value, params: &Value, opts: &PlotOptions, after: bool) -> DrawResult<Figure> {
    let part = field(result, if after { "after" } else { "before" })?;
    let latent = result.get("latent").and_then(Value::as_array).cloned().unwrap_or_default();
    let at = result.get("drift_index").and_then(Value::as_u64).unwrap_or(0) as usize + 1;
    let segment: Vec<Value> =
        if after { latent.iter().skip(at).cloned().collect() } else { latent.iter().take(at).cloned().collect() };
    let doc = json!({ "flow": part["flow"], "fixed_points": part["fixed_points"], "latent": segment });
    let mut fig = super::flipflop::portrait(&doc, params, opts)?;
    let label = if after { "After the drift: " } else { "Before the drift: " };
    fig.svg = fig.svg.replacen("Phase portrait", &format!("{label}phase portrait"), 1);
    Ok(fig)
}

/// One neuron's tuning curves against each latent, before (solid) and after (dashed) the drift.
pub fn drift_tuning(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let before = field(result, "tuning_before")?.as_array().cloned().unwrap_or_default();
    let after = field(result, "tuning_after")?.as_array().cloned().unwrap_or_default();
    let keep = result.get("fraction_keeping_coding").map(num).unwrap_or(f64::NAN);
    let neuron = before.first().and_then(|c| c.get("neuron")).and_then(Value::as_u64).unwrap_or(0);
    let all: Vec<f64> =
        before.iter().chain(&after).flat_map(|c| c.get("rate").map(vector).unwrap_or_default()).collect();
    let y = span(all.into_iter(), (-1.0, 1.0));
    let x = span(before.iter().flat_map(|c| c.get("z").map(vector).unwrap_or_default()), (-1.5, 1.5));
    svg(opts, |root| {
        let body = titled(
            root,
            &format!(
                "Neuron {neuron}: tuning before (solid) and after (dashed); {:.0}% of neurons keep their coding",
                keep * 100.0
            ),
        )?;
        let (mut chart, _) = axes(&body, x, (y.0.min(-1.05), y.1.max(1.05)), "latent value z_d", "rate r_i")?;
        for (set, dashed) in [(&before, false), (&after, true)] {
            for c in set.iter() {
                let d = c.get("dimension").and_then(Value::as_u64).unwrap_or(0) as usize;
                let colour = PALETTE[d % PALETTE.len()];
                let pts: Vec<(f64, f64)> = c
                    .get("z")
                    .map(vector)
                    .unwrap_or_default()
                    .into_iter()
                    .zip(c.get("rate").map(vector).unwrap_or_default())
                    .collect();
                let label = format!("against z{} {}", d + 1, if dashed { "after" } else { "before" });
                if dashed {
                    chart
                        .draw_series(DashedLineSeries::new(pts, 6, 4, colour.stroke_width(2).into()))
                        .map_err(err)?
                        .label(label)
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 6, y)], colour.stroke_width(2)));
                } else {
                    chart
                        .draw_series(LineSeries::new(pts, colour.stroke_width(2)))
                        .map_err(err)?
                        .label(label)
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
                }
            }
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

fn sigmoid(s: f64, fit: &Value, chance: f64) -> f64 {
    let mid = fit.get("midpoint").map(num).unwrap_or(f64::NAN);
    let slope = fit.get("slope").map(num).unwrap_or(1.0);
    chance + (1.0 - chance) / (1.0 + libm::exp(slope * (libm::log(s) - libm::log(mid))))
}

/// Accuracy against σ per kind with the fitted sigmoids, one panel per N (Fig. 4D, I).
pub fn sweep_accuracy(result: &Value, opts: &PlotOptions, observed: bool) -> DrawResult<Figure> {
    let sigma = vector(field(result, "sigma")?);
    let chance = result.get("chance").map(num).unwrap_or(0.0);
    let sizes = field(result, "sizes")?.as_array().cloned().unwrap_or_default();
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
        for (i, (panel, size)) in panels.iter().zip(&sizes).enumerate() {
            let n = size.get("neurons").and_then(Value::as_u64).unwrap_or(0);
            let mut chart = ChartBuilder::on(panel)
                .margin(6)
                .caption(format!("N = {n}"), (FONT, 12).into_font().color(&INK))
                .x_label_area_size(34)
                .y_label_area_size(if i == 0 { 46 } else { 30 })
                .build_cartesian_2d((lo..hi).log_scale(), -0.02f64..1.05f64)
                .map_err(err)?;
            super::house_style(&mut chart.configure_mesh(), 10)
                .x_desc("drift σ")
                .y_desc(if i == 0 { "state accuracy" } else { "" })
                .x_labels(4)
                .x_label_formatter(&|v| format!("{v:.2}"))
                .draw()
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(lo, chance), (hi, chance)], MUTED.stroke_width(1))))
                .map_err(err)?;
            for (kind, colour) in KINDS {
                let curve = &size[kind];
                if curve.is_null() {
                    continue;
                }
                let acc = vector(&curve[if observed { "accuracy_observed" } else { "accuracy" }]);
                let fit = &curve[if observed { "fit_observed" } else { "fit" }];
                chart
                    .draw_series(sigma.iter().zip(&acc).map(|(&s, &a)| Circle::new((s, a), 3, colour.filled())))
                    .map_err(err)?
                    .label(kind)
                    .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
                chart
                    .draw_series(LineSeries::new(
                        fine.iter().map(|&s| (s, sigmoid(s, fit, chance))),
                        colour.stroke_width(2),
                    ))
                    .map_err(err)?;
                let mid = fit.get("midpoint").map(num).unwrap_or(f64::NAN);
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
pub fn sweep_tolerable(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let all = field(result, "tolerable_drift")?.as_array().cloned().unwrap_or_default();
    let obs = result.get("tolerable_drift_observed").and_then(Value::as_array).cloned().unwrap_or_default();
    let ns: Vec<f64> = all.iter().filter_map(|t| t.get("neurons").and_then(Value::as_f64)).collect();
    let values: Vec<f64> = all
        .iter()
        .chain(&obs)
        .flat_map(|t| KINDS.iter().map(move |k| t.get(k.0).map(num).unwrap_or(f64::NAN)))
        .filter(|v| v.is_finite() && *v > 0.0)
        .collect();
    let (nlo, nhi) =
        (ns.iter().cloned().fold(f64::INFINITY, f64::min) / 1.5, ns.iter().cloned().fold(0.0, f64::max) * 1.5);
    let (vlo, vhi) =
        (values.iter().cloned().fold(f64::INFINITY, f64::min) / 1.5, values.iter().cloned().fold(0.0, f64::max) * 1.5);
    if ns.is_empty() || !(vlo > 0.0) {
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
        super::house_style(&mut chart.configure_mesh(), 11)
            .x_desc("neurons N")
            .y_desc("σ* (tolerable drift)")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| format!("{v:.2}"))
            .draw()
            .map_err(err)?;
        for (kind, colour) in KINDS {
            let pts: Vec<(f64, f64)> =
                all.iter().filter_map(|t| Some((t.get("neurons")?.as_f64()?, t.get(kind)?.as_f64()?))).collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)))
                .map_err(err)?
                .label(kind)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 4, colour.filled()))).map_err(err)?;
            let opts_pts: Vec<(f64, f64)> =
                obs.iter().filter_map(|t| Some((t.get("neurons")?.as_f64()?, t.get(kind)?.as_f64()?))).collect();
            chart.draw_series(DashedLineSeries::new(opts_pts, 6, 4, colour.stroke_width(1).into())).map_err(err)?;
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

/// The connectivity matrix with its coding and redundant blocks (Fig. 3B).
pub fn connectivity(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let w = matrix(field(result, "connectivity")?);
    let split = result.get("redundant_from").and_then(Value::as_u64).unwrap_or(0) as f64;
    let n = w.len();
    if n == 0 {
        return Err("no connectivity".into());
    }
    let scale = w.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    svg(opts, |root| {
        let body = titled(root, &format!("Connectivity W (colour ±{scale:.3}); coding neurons first, then redundant"))?;
        let (mut chart, frame) = axes(
            &body,
            (0.0, n as f64),
            (0.0, n as f64),
            "presynaptic neuron j (shown subset)",
            "postsynaptic neuron i",
        )?;
        super::layer_anchor(&body, 0)?;
        let mut layer = Layer::new(&frame);
        layer.image(
            n,
            n,
            |r, c| diverging(w[r][c] / scale),
            frame.pixels[0],
            frame.pixels[1],
            frame.pixels[2] - frame.pixels[0],
            frame.pixels[3] - frame.pixels[1],
        );
        if split > 0.0 && (split as usize) < n {
            let y = n as f64 - split;
            chart
                .draw_series([
                    PathElement::new(vec![(split, 0.0), (split, n as f64)], INK.stroke_width(1)),
                    PathElement::new(vec![(0.0, y), (n as f64, y)], INK.stroke_width(1)),
                ])
                .map_err(err)?;
        }
        Ok((None, vec![layer]))
    })
}

/// The stimulus and the state read from coding and from redundant neurons (Fig. 3C).
pub fn stimulation(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let time = vector(field(result, "time")?);
    let stim = vector(field(result, "stimulus")?);
    let coding = matrix(field(result, "latent_coding")?);
    let redundant = result.get("latent_redundant").map(matrix).unwrap_or_default();
    let target = result.get("target").map(matrix).unwrap_or_default();
    let amp = stim.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    let y = span(coding.iter().chain(redundant.iter()).flatten().copied(), (-1.5, 1.5));
    let y = (y.0.min(-1.3), y.1.max(1.3));
    let switched = result.get("switched").and_then(Value::as_bool).unwrap_or(false);
    svg(opts, |root| {
        let body = titled(
            root,
            &format!(
                "Stimulation: state read from coding neurons (solid) and from redundant neurons (dashed) — {}",
                if switched { "switched" } else { "not switched" }
            ),
        )?;
        let panels = body.split_evenly((2, 1));
        for (d, panel) in panels.iter().enumerate() {
            let (mut chart, _) = axes(
                panel,
                (0.0, *time.last().unwrap_or(&1.0)),
                y,
                if d == 1 { "time (s)" } else { "" },
                &format!("z{} (latent)", d + 1),
            )?;
            // The stimulus acts along sign(m^(1)): drawn on the z1 panel only.
            let bars: Vec<_> = time
                .iter()
                .zip(&stim)
                .filter(|(_, s)| **s != 0.0 && d == 0)
                .map(|(&t, &s)| {
                    Rectangle::new([(t - 0.0005, 0.0), (t + 0.0005, s / amp)], RGBColor(190, 190, 190).filled())
                })
                .collect();
            let b = chart.draw_series(bars).map_err(err)?;
            if d == 0 {
                b.label("stimulus (scaled)")
                    .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], RGBColor(190, 190, 190).filled()));
            }
            let idx = super::thin(time.len(), 1500);
            if !target.is_empty() {
                let tg = chart
                    .draw_series(LineSeries::new(idx.iter().map(|&i| (time[i], target[i][d])), INK.stroke_width(1)))
                    .map_err(err)?;
                if d == 0 {
                    tg.label("target").legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK));
                }
            }
            let colour = PALETTE[d];
            let c = chart
                .draw_series(LineSeries::new(idx.iter().map(|&i| (time[i], coding[i][d])), colour.stroke_width(2)))
                .map_err(err)?;
            if d == 0 {
                c.label("coding readout (encoding weights)")
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            }
            if !redundant.is_empty() {
                let r = chart
                    .draw_series(DashedLineSeries::new(
                        idx.iter().map(|&i| (time[i], redundant[i][d])),
                        6,
                        4,
                        PALETTE[4].stroke_width(2).into(),
                    ))
                    .map_err(err)?;
                if d == 0 {
                    r.label("redundant readout (fitted)")
                        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 6, y)], PALETTE[4].stroke_width(2)));
                }
            }
            if d == 0 {
                legend(&mut chart)?;
            }
        }
        Ok((None, vec![]))
    })
}
