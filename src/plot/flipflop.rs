//! Plots of `exp=flipflop`: inputs with latent trajectories and targets, the phase portrait,
//! the activity heatmap and tuning curves (LCF Fig. 1C–F, Eq. 5).

use super::*;

fn upto(opts: &PlotOptions, len: usize) -> usize {
    opts.upto.map_or(len, |u| (u + 1).min(len))
}

pub fn trajectory(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    trajectory_with(result, opts, None, None)
}

/// The trajectory plot with an optional title and a marked time (e.g. the moment of a drift).
pub fn trajectory_with(
    result: &Value,
    opts: &PlotOptions,
    title: Option<String>,
    marker: Option<(f64, &str)>,
) -> DrawResult<Figure> {
    let time = vector(field(result, "time")?);
    let inputs = matrix(field(result, "inputs")?);
    let targets = matrix(field(result, "targets")?);
    let latent = matrix(field(result, "latent")?);
    let observed = result.get("observed_latent").map(matrix).unwrap_or_default();
    let k = latent.first().map_or(0, Vec::len);
    if k == 0 || time.len() != latent.len() {
        return Err("result has no latent trajectory".into());
    }
    let t_end = *time.last().unwrap_or(&1.0);
    let shown = upto(opts, time.len());
    let accuracy = result.get("accuracy").and_then(Value::as_f64).unwrap_or(f64::NAN);
    let noisy = result.get("noisy_accuracy").and_then(Value::as_f64);
    let title = title.unwrap_or_else(|| match noisy {
        Some(a) => {
            format!("Inputs, latent z and targets — accuracy {accuracy:.3} (noise-free), {a:.3} (shown, with noise)")
        }
        None => format!("Inputs, latent z and targets — state accuracy {accuracy:.3}"),
    });
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let panels = body.split_evenly((k, 1));
        let y_hi = latent.iter().chain(observed.iter()).flat_map(|r| r.iter()).fold(1.3f64, |m, v| {
            if v.is_finite() {
                m.max(v.abs() * 1.1)
            } else {
                m
            }
        });
        for (d, panel) in panels.iter().enumerate() {
            let last = d + 1 == k;
            let (mut chart, _) = axes(
                panel,
                (0.0, t_end),
                (-y_hi, y_hi),
                if last { "time (s)" } else { "" },
                &format!("z{} (latent)", d + 1),
            )?;
            // Input pulses as bars: contiguous runs of one value.
            let mut bars = vec![];
            let mut t = 0;
            while t < inputs.len() {
                let v = inputs[t].get(d).copied().unwrap_or(0.0);
                let start = t;
                while t < inputs.len() && inputs[t].get(d).copied().unwrap_or(0.0) == v {
                    t += 1;
                }
                if v != 0.0 {
                    let t0 = if start == 0 { 0.0 } else { time[start - 1] };
                    bars.push(Rectangle::new(
                        [(t0, 0.0), (time[t - 1], v.clamp(-1.0, 1.0))],
                        RGBColor(190, 190, 190).mix(0.8).filled(),
                    ));
                }
            }
            let bar_series = chart.draw_series(bars).map_err(err)?;
            if d == 0 {
                bar_series
                    .label("input pulse")
                    .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], RGBColor(190, 190, 190).filled()));
            }
            let idx = super::thin(shown, 1500);
            let target = chart
                .draw_series(LineSeries::new(
                    idx.iter().map(|&i| (time[i], targets.get(i).and_then(|r| r.get(d)).copied().unwrap_or(0.0))),
                    INK.stroke_width(1),
                ))
                .map_err(err)?;
            if d == 0 {
                target.label("target").legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK));
            }
            let colour = PALETTE[d % PALETTE.len()];
            let z = chart
                .draw_series(LineSeries::new(idx.iter().map(|&i| (time[i], latent[i][d])), colour.stroke_width(2)))
                .map_err(err)?;
            if d == 0 {
                z.label("latent z = Nᵀr")
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            }
            if !observed.is_empty() {
                let o = chart
                    .draw_series(LineSeries::new(
                        idx.iter().filter(|&&i| i < observed.len()).map(|&i| (time[i], observed[i][d])),
                        PALETTE[4].stroke_width(1),
                    ))
                    .map_err(err)?;
                if d == 0 {
                    o.label("ẑ from observed neurons")
                        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[4]));
                }
            }
            if let Some((tm, label)) = marker {
                let m = chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(tm, -y_hi), (tm, y_hi)],
                        UNSTABLE.stroke_width(2),
                    )))
                    .map_err(err)?;
                if d == 0 {
                    let label = label.to_string();
                    m.label(label)
                        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], UNSTABLE.stroke_width(2)));
                }
            }
            if shown < time.len() {
                let tc = time[shown - 1];
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(tc, -y_hi), (tc, y_hi)],
                        MUTED.stroke_width(1),
                    )))
                    .map_err(err)?;
            }
            if d == 0 {
                legend(&mut chart)?;
            }
        }
        Ok((None, vec![]))
    })
}

struct Point {
    z: Vec<f64>,
    kind: String,
}

fn fixed_points(result: &Value) -> Vec<Point> {
    result
        .get("fixed_points")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| Point {
                    z: p.get("z").map(vector).unwrap_or_default(),
                    kind: p.get("kind").and_then(Value::as_str).unwrap_or("unstable").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn draw_fixed_point(
    chart: &mut Chart,
    x: f64,
    y: f64,
    kind: &str,
    faded: bool,
    labelled: &mut [bool; 3],
) -> DrawResult<()> {
    let c = kind_colour(kind);
    let colour = if faded { c.mix(0.3) } else { c.mix(1.0) };
    let slot = match kind {
        "stable" => 0,
        "saddle" => 1,
        _ => 2,
    };
    let series = match kind {
        "stable" => chart.draw_series(std::iter::once(Circle::new((x, y), 6, colour.filled()))),
        "saddle" => chart.draw_series(std::iter::once(TriangleMarker::new((x, y), 7, colour.filled()))),
        _ => chart.draw_series(std::iter::once(Circle::new((x, y), 6, colour.stroke_width(2)))),
    }
    .map_err(err)?;
    if !faded && !labelled[slot] {
        labelled[slot] = true;
        match kind {
            "stable" => series.label("stable").legend(move |(x, y)| Circle::new((x + 7, y), 5, c.filled())),
            "saddle" => series.label("saddle").legend(move |(x, y)| TriangleMarker::new((x + 7, y), 6, c.filled())),
            _ => series.label("unstable").legend(move |(x, y)| Circle::new((x + 7, y), 5, c.stroke_width(2))),
        };
    }
    Ok(())
}

pub fn portrait(result: &Value, params: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let flow = field(result, "flow")?;
    let axis = vector(field(flow, "axis")?);
    let velocity = matrix(field(flow, "velocity")?);
    let speed = vector(field(flow, "speed")?);
    let held = flow.get("held").map(vector).unwrap_or_default();
    let latent = result.get("latent").map(matrix).unwrap_or_default();
    let launched = result.get("launched").map(matrix).unwrap_or_default();
    let points = fixed_points(result);
    let input = params
        .get("input")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(num).filter(|v| *v != 0.0).count())
        .unwrap_or(0);
    let k = velocity.first().map_or(0, Vec::len).max(1) + held.len();
    if axis.len() < 2 {
        return Err("flow grid is empty".into());
    }
    let extent = (axis[0], axis[axis.len() - 1]);
    let shown = upto(opts, latent.len());
    if k == 1 {
        let f: Vec<f64> = velocity.iter().map(|v| v.first().copied().unwrap_or(f64::NAN)).collect();
        let y = span(f.iter().copied(), (-1.0, 1.0));
        return svg(opts, |root| {
            let body = titled(root, "Latent flow dz/dt against z (1 bit)")?;
            let (mut chart, frame) = axes(&body, extent, y, "z (latent)", "dz/dt (1/s)")?;
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(extent.0, 0.0), (extent.1, 0.0)], MUTED)))
                .map_err(err)?;
            chart
                .draw_series(LineSeries::new(axis.iter().zip(&f).map(|(&a, &b)| (a, b)), PALETTE[0].stroke_width(2)))
                .map_err(err)?
                .label("flow F(z)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
            let mut labelled = [false; 3];
            for p in &points {
                draw_fixed_point(&mut chart, p.z[0], 0.0, &p.kind, false, &mut labelled)?;
            }
            if shown > 0 && shown <= latent.len() {
                let z = latent[shown - 1][0];
                chart.draw_series(std::iter::once(Circle::new((z, 0.0), 4, INK.filled()))).map_err(err)?;
            }
            legend(&mut chart)?;
            Ok((Some(frame), vec![]))
        });
    }
    let slice = if held.is_empty() { String::new() } else { format!(", slice z3…z{k} = {}", held[0]) };
    let max_speed = speed.iter().copied().filter(|v| v.is_finite()).fold(0.0f64, f64::max);
    let title = format!(
        "Phase portrait (z1, z2){slice}{} — arrow colour: speed, dark 0 → yellow {max_speed:.0}/s",
        if input > 0 { ", constant input on" } else { "" }
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, extent, extent, "z1 (latent)", "z2 (latent)")?;
        super::layer_anchor(&body, 0)?;
        // Quiver: unit arrows coloured by speed, one path per colour bin.
        let n = axis.len();
        let cell_px =
            ((frame.px(axis[1]) - frame.px(axis[0])).abs()).min((frame.py(axis[1]) - frame.py(axis[0])).abs());
        let length = 0.8 * cell_px;
        const BINS: usize = 8;
        let mut bins: Vec<Vec<[f64; 4]>> = vec![vec![]; BINS];
        for row in 0..n {
            for col in 0..n {
                let i = row * n + col;
                let (Some(v), Some(&s)) = (velocity.get(i), speed.get(i)) else { continue };
                let (dx, dy) =
                    (v[0] * (frame.pixels[2] - frame.pixels[0]), -v[1] * (frame.pixels[3] - frame.pixels[1]));
                let norm = (dx * dx + dy * dy).sqrt();
                if !(norm > 0.0) {
                    continue;
                }
                let (ux, uy) = (dx / norm, dy / norm);
                let (cx, cy) = (frame.px(axis[col]), frame.py(axis[row]));
                let (x0, y0, x1, y1) =
                    (cx - ux * length / 2.0, cy - uy * length / 2.0, cx + ux * length / 2.0, cy + uy * length / 2.0);
                let head = length * 0.35;
                let (c, sn) = (0.906f64, 0.423f64); // cos, sin of 25°
                let left = (x1 - head * (ux * c - uy * sn), y1 - head * (uy * c + ux * sn));
                let right = (x1 - head * (ux * c + uy * sn), y1 - head * (uy * c - ux * sn));
                let t = if max_speed > 0.0 { (s / max_speed).sqrt() } else { 0.0 };
                let b = ((t * BINS as f64) as usize).min(BINS - 1);
                bins[b].extend_from_slice(&[[x0, y0, x1, y1], [x1, y1, left.0, left.1], [x1, y1, right.0, right.1]]);
            }
        }
        let mut layer = Layer::new(&frame);
        for (b, segs) in bins.iter().enumerate() {
            layer.segments(segs, viridis((b as f64 + 0.5) / BINS as f64 * 0.92), 1.3);
        }
        // Trajectory of the trial, up to the time cursor.
        if shown > 1 {
            let idx = super::thin(shown, 2000);
            chart
                .draw_series(LineSeries::new(
                    idx.iter().map(|&i| (latent[i][0], latent[i][1])),
                    INK.mix(0.75).stroke_width(1),
                ))
                .map_err(err)?
                .label("trial trajectory")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK));
            let last = &latent[shown - 1];
            chart.draw_series(std::iter::once(Circle::new((last[0], last[1]), 4, INK.filled()))).map_err(err)?;
        }
        if launched.len() > 1 {
            let idx = super::thin(launched.len(), 2000);
            let colour = PALETTE[3];
            chart
                .draw_series(LineSeries::new(
                    idx.iter().map(|&i| (launched[i][0], launched[i][1])),
                    colour.stroke_width(2),
                ))
                .map_err(err)?
                .label("launched (click)")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            chart
                .draw_series(std::iter::once(Cross::new((launched[0][0], launched[0][1]), 5, colour.stroke_width(2))))
                .map_err(err)?;
        }
        let mut labelled = [false; 3];
        for p in &points {
            if p.z.len() < 2 {
                continue;
            }
            let off_slice = p.z.iter().skip(2).zip(&held).any(|(a, b)| (a - b).abs() > 0.25);
            draw_fixed_point(&mut chart, p.z[0], p.z[1], &p.kind, off_slice, &mut labelled)?;
        }
        legend(&mut chart)?;
        Ok((Some(frame), vec![layer]))
    })
}

pub fn activity(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let act = field(result, "activity")?;
    let time = vector(field(act, "time")?);
    let rates = matrix(field(act, "rates")?);
    let neurons = act.get("neurons").map(vector).unwrap_or_default();
    let full_time = result.get("time").map(vector).unwrap_or_default();
    if rates.is_empty() || time.is_empty() {
        return svg(opts, |root| {
            let body = titled(root, "Activity: no neurons recorded (record = 0)")?;
            axes(&body, (0.0, 1.0), (0.0, 1.0), "time (s)", "neuron")?;
            Ok((None, vec![]))
        });
    }
    let (rows, cols) = (rates.len(), time.len());
    let step = if cols > 1 { time[1] - time[0] } else { time[0] };
    let x = (time[0] - step, time[cols - 1]);
    let cursor = opts.upto.and_then(|u| full_time.get(u).copied());
    svg(opts, |root| {
        let body = titled(root, &format!("Activity of the first {rows} neurons (rates r_i)"))?;
        let (main, side) = body.split_horizontally(body.dim_in_pixel().0.saturating_sub(80));
        let (mut chart, frame) = axes(&main, x, (-0.5, rows as f64 - 0.5), "time (s)", "neuron")?;
        super::layer_anchor(&main, 0)?;
        let mut heat = Layer::new(&frame);
        heat.image(
            rows,
            cols,
            |r, c| diverging(rates[rows - 1 - r][c]),
            frame.pixels[0],
            frame.pixels[1],
            frame.pixels[2] - frame.pixels[0],
            frame.pixels[3] - frame.pixels[1],
        );
        if let Some(tc) = cursor {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(tc, -0.5), (tc, rows as f64 - 0.5)],
                    INK.stroke_width(1),
                )))
                .map_err(err)?;
        }
        let _ = neurons;
        // Colour bar.
        let bar_chart = ChartBuilder::on(&side)
            .margin_top(8)
            .margin_bottom(40)
            .margin_right(40)
            .y_label_area_size(0)
            .x_label_area_size(0)
            .build_cartesian_2d(0.0..1.0, -1.0..1.0)
            .map_err(err)?;
        let bar_frame = Frame::new(bar_chart.plotting_area().get_pixel_range(), (0.0, 1.0), (-1.0, 1.0));
        super::layer_anchor(&side, 1)?;
        let mut bar = Layer::new(&bar_frame);
        bar.image(
            64,
            1,
            |r, _| diverging(1.0 - 2.0 * (r as f64 + 0.5) / 64.0),
            bar_frame.pixels[0],
            bar_frame.pixels[1],
            bar_frame.pixels[2] - bar_frame.pixels[0],
            bar_frame.pixels[3] - bar_frame.pixels[1],
        );
        // Text positions are relative to the side area.
        let (ox, oy) = side.get_base_pixel();
        let style = (FONT, 11).into_font().color(&INK);
        let right = bar_frame.pixels[2] as i32 + 4 - ox;
        let (top, bottom) = (bar_frame.pixels[1] as i32 - oy, bar_frame.pixels[3] as i32 - oy);
        side.draw(&Text::new("+1", (right, top), style.clone())).map_err(err)?;
        side.draw(&Text::new("0", (right, (top + bottom) / 2 - 5), style.clone())).map_err(err)?;
        side.draw(&Text::new("−1", (right, bottom - 10), style.clone())).map_err(err)?;
        side.draw(&Text::new("rate", (bar_frame.pixels[0] as i32 - ox, bottom + 6), style)).map_err(err)?;
        Ok((None, vec![heat, bar]))
    })
}

pub fn tuning(result: &Value, opts: &PlotOptions) -> DrawResult<Figure> {
    let curves = field(result, "tuning")?.as_array().cloned().unwrap_or_default();
    tuning_curves(&curves, opts, None)
}

pub fn tuning_curves(curves: &[Value], opts: &PlotOptions, title: Option<&str>) -> DrawResult<Figure> {
    let all: Vec<&Value> = curves.iter().collect();
    let x = span(all.iter().flat_map(|c| c.get("z").map(vector).unwrap_or_default()), (-1.5, 1.5));
    let y = span(all.iter().flat_map(|c| c.get("rate").map(vector).unwrap_or_default()), (-1.0, 1.0));
    let y = (y.0.min(-1.05), y.1.max(1.05));
    svg(opts, |root| {
        let title = title.unwrap_or(if curves.is_empty() {
            "Tuning curves: choose neurons with the tuning key"
        } else {
            "Tuning curves r_i(z) = φ(m_i·z + B_i u + b_i), other latents at 0"
        });
        let body = titled(root, title)?;
        let (mut chart, _) = axes(&body, (x.0, x.1), y, "latent value z_d", "rate r_i")?;
        let neurons: Vec<usize> = {
            let mut v: Vec<usize> =
                curves.iter().filter_map(|c| c.get("neuron").and_then(Value::as_u64)).map(|v| v as usize).collect();
            v.dedup();
            v
        };
        for c in curves {
            let z = c.get("z").map(vector).unwrap_or_default();
            let r = c.get("rate").map(vector).unwrap_or_default();
            let neuron = c.get("neuron").and_then(Value::as_u64).unwrap_or(0) as usize;
            let d = c.get("dimension").and_then(Value::as_u64).unwrap_or(0) as usize;
            let colour = PALETTE[neurons.iter().position(|&n| n == neuron).unwrap_or(0) % PALETTE.len()];
            let pts: Vec<(f64, f64)> = z.iter().copied().zip(r.iter().copied()).collect();
            let label = format!("neuron {neuron} vs z{}", d + 1);
            if d == 0 {
                chart
                    .draw_series(LineSeries::new(pts, colour.stroke_width(2)))
                    .map_err(err)?
                    .label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            } else {
                chart
                    .draw_series(DashedLineSeries::new(pts, 4 + 2 * d as u32, 4, colour.stroke_width(2).into()))
                    .map_err(err)?
                    .label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 5, y)], colour.stroke_width(2)));
            }
        }
        if !curves.is_empty() {
            legend(&mut chart)?;
        }
        Ok((None, vec![]))
    })
}
