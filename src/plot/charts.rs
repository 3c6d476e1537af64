//! Chart pieces more than one experiment draws, from plain typed data: a trial's latent
//! trajectories with inputs and targets (flip-flop, drift), the phase portrait with its fixed
//! points (flip-flop, drift before and after), tuning curves (flip-flop, drift) and a Lyapunov
//! spectrum (Lyapunov, chaos).

use super::*;
use crate::analysis::fixed_points::{FixedPoint, Kind};
use crate::analysis::flow::FlowGrid;
use crate::analysis::tuning::TuningCurve;

/// Rows of a trajectory of `len` rows drawn up to the time cursor (all without one).
pub(super) fn upto(opts: &PlotOptions, len: usize) -> usize {
    opts.upto.map_or(len, |u| (u + 1).min(len))
}

/// One trial in time: T rows of each series, one column per latent dimension.
pub(super) struct Trial<'a> {
    /// Time of each row, s.
    pub time: &'a [f64],
    /// T × I input pulses.
    pub inputs: &'a [Vec<f64>],
    /// T × K targets.
    pub targets: &'a [Vec<f64>],
    /// T × K latent z.
    pub latent: &'a [Vec<f64>],
    /// T × K latent read from the observed neurons, when not all are observed.
    pub observed: Option<&'a [Vec<f64>]>,
    /// T × K outputs R r of a network with a readout, which the accuracy scores.
    pub output: Option<&'a [Vec<f64>]>,
}

/// One panel per latent dimension: input pulses as bars, the target, the latent z (and ẑ from
/// the observed neurons), an optional marked time (e.g. the moment of a drift) and the cursor.
pub(super) fn trajectory(
    trial: &Trial,
    title: &str,
    marker: Option<(f64, &str)>,
    opts: &PlotOptions,
) -> DrawResult<Figure> {
    let Trial { time, inputs, targets, latent, observed, output } = *trial;
    let observed = observed.unwrap_or_default();
    let output = output.unwrap_or_default();
    let k = latent.first().map_or(0, Vec::len);
    if k == 0 || time.len() != latent.len() {
        return Err("result has no latent trajectory".into());
    }
    let t_end = *time.last().unwrap_or(&1.0);
    let shown = upto(opts, time.len());
    svg(opts, |root| {
        let body = titled(root, title)?;
        let panels = body.split_evenly((k, 1));
        let y_hi =
            latent.iter().chain(observed.iter()).chain(output.iter()).flat_map(|r| r.iter()).fold(1.3f64, |m, v| {
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
            let idx = thin(shown, 1500);
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
            if !output.is_empty() {
                let colour = PALETTE[5];
                let o = chart
                    .draw_series(DashedLineSeries::new(
                        idx.iter().filter(|&&i| i < output.len()).map(|&i| (time[i], output[i][d])),
                        5,
                        3,
                        colour.stroke_width(2),
                    ))
                    .map_err(err)?;
                if d == 0 {
                    o.label("output R r (readout)")
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
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

/// What a phase portrait shows: the flow, the fixed points and the trajectories in it.
pub(super) struct Portrait<'a> {
    /// The flow line (K = 1) or plane (K ≥ 2); the plot is an error without it.
    pub flow: Option<&'a FlowGrid>,
    /// Fixed points of the flow; in a plane slice those off the slice are faded.
    pub fixed_points: &'a [FixedPoint],
    /// The trial's latent trajectory (rows of z), drawn up to the time cursor.
    pub latent: &'a [Vec<f64>],
    /// A trajectory launched from a clicked point (rows of z).
    pub launched: Option<&'a [Vec<f64>]>,
    /// A constant input is on (said in the title).
    pub input_on: bool,
}

/// The phase portrait: for K = 1 the flow line dz/dt against z, for K ≥ 2 a quiver of the
/// (z1, z2) plane coloured by speed. `heading` opens the title of the plane portrait.
pub(super) fn portrait(p: &Portrait, heading: &str, opts: &PlotOptions) -> DrawResult<Figure> {
    let flow = p.flow.ok_or("result has no \"flow\"")?;
    let (axis, velocity, speed, held) = (&flow.axis, &flow.velocity, &flow.speed, &flow.held);
    let (latent, points) = (p.latent, p.fixed_points);
    let launched = p.launched.unwrap_or_default();
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
            for fp in points {
                draw_fixed_point(&mut chart, fp.z[0], 0.0, fp.kind, false, &mut labelled)?;
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
        "{heading} (z1, z2){slice}{} — arrow colour: speed, dark 0 → yellow {max_speed:.0}/s",
        if p.input_on { ", constant input on" } else { "" }
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, extent, extent, "z1 (latent)", "z2 (latent)")?;
        layer_anchor(&body, 0)?;
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
                // A zero (or NaN) velocity has no direction to draw.
                if norm.is_nan() || norm <= 0.0 {
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
            let idx = thin(shown, 2000);
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
            let idx = thin(launched.len(), 2000);
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
        for fp in points {
            if fp.z.len() < 2 {
                continue;
            }
            let off_slice = fp.z.iter().skip(2).zip(held).any(|(a, b)| (a - b).abs() > 0.25);
            draw_fixed_point(&mut chart, fp.z[0], fp.z[1], fp.kind, off_slice, &mut labelled)?;
        }
        legend(&mut chart)?;
        Ok((Some(frame), vec![layer]))
    })
}

/// One fixed point marker (filled circle, triangle, ring by kind); faded when off the shown
/// slice. The first unfaded marker of each kind gets a legend entry.
pub(super) fn draw_fixed_point(
    chart: &mut Chart,
    x: f64,
    y: f64,
    kind: Kind,
    faded: bool,
    labelled: &mut [bool; 3],
) -> DrawResult<()> {
    let c = kind_colour(kind);
    let colour = if faded { c.mix(0.3) } else { c.mix(1.0) };
    let slot = match kind {
        Kind::Stable => 0,
        Kind::Saddle => 1,
        Kind::Unstable => 2,
    };
    let series = match kind {
        Kind::Stable => chart.draw_series(std::iter::once(Circle::new((x, y), 6, colour.filled()))),
        Kind::Saddle => chart.draw_series(std::iter::once(TriangleMarker::new((x, y), 7, colour.filled()))),
        Kind::Unstable => chart.draw_series(std::iter::once(Circle::new((x, y), 6, colour.stroke_width(2)))),
    }
    .map_err(err)?;
    if !faded && !labelled[slot] {
        labelled[slot] = true;
        match kind {
            Kind::Stable => series.label("stable").legend(move |(x, y)| Circle::new((x + 7, y), 5, c.filled())),
            Kind::Saddle => series.label("saddle").legend(move |(x, y)| TriangleMarker::new((x + 7, y), 6, c.filled())),
            Kind::Unstable => {
                series.label("unstable").legend(move |(x, y)| Circle::new((x + 7, y), 5, c.stroke_width(2)))
            }
        };
    }
    Ok(())
}

/// Axes for tuning curves: z over the curves `x_from`, rates over `y_from`, always showing
/// the whole rate range ±1 of a tanh unit.
pub(super) fn tuning_axes<'a, 'b, 'c>(
    area: &'a Area<'b>,
    x_from: impl Iterator<Item = &'c TuningCurve>,
    y_from: impl Iterator<Item = &'c TuningCurve>,
) -> DrawResult<Chart<'a, 'b>> {
    let x = span(x_from.flat_map(|c| c.z.iter().copied()), (-1.5, 1.5));
    let y = span(y_from.flat_map(|c| c.rate.iter().copied()), (-1.0, 1.0));
    let (chart, _) = axes(area, x, (y.0.min(-1.05), y.1.max(1.05)), "latent value z_d", "rate r_i")?;
    Ok(chart)
}

/// One tuning curve with its legend entry: solid, or dashed as (dash length, key length) px.
pub(super) fn tuning_line(
    chart: &mut Chart,
    c: &TuningCurve,
    colour: RGBColor,
    dash: Option<(u32, i32)>,
    label: String,
) -> DrawResult<()> {
    let pts: Vec<(f64, f64)> = c.z.iter().copied().zip(c.rate.iter().copied()).collect();
    match dash {
        None => chart
            .draw_series(LineSeries::new(pts, colour.stroke_width(2)))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2))),
        Some((size, key)) => chart
            .draw_series(DashedLineSeries::new(pts, size, 4, colour.stroke_width(2)))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + key, y)], colour.stroke_width(2))),
    };
    Ok(())
}

/// Lyapunov exponents λ_i against i/N, with those of the linearisation at r = 0 (dashed) when
/// given.
pub(super) fn lyapunov_spectrum(
    title: &str,
    neurons: usize,
    exponents: &[f64],
    origin: &[f64],
    kaplan_yorke: f64,
    opts: &PlotOptions,
) -> DrawResult<Figure> {
    let n = neurons.max(1) as f64;
    let at = |v: &[f64]| -> Vec<(f64, f64)> { v.iter().enumerate().map(|(i, &l)| ((i + 1) as f64 / n, l)).collect() };
    let (pts, base) = (at(exponents), at(origin));
    let x_hi = (exponents.len().max(1) as f64 / n) * 1.05;
    let y = span(exponents.iter().chain(origin).copied().chain([0.0]), (-1.0, 1.0));
    svg(opts, |root| {
        let body = titled(root, title)?;
        let (mut chart, _) = axes(&body, (0.0, x_hi), y, "i / N", "λ_i (1/s)")?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (x_hi, 0.0)], MUTED))).map_err(err)?;
        if !base.is_empty() {
            chart
                .draw_series(DashedLineSeries::new(base.iter().copied(), 6, 4, PALETTE[1].stroke_width(2)))
                .map_err(err)?
                .label("linearisation at r = 0")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        }
        chart.draw_series(LineSeries::new(pts.iter().copied(), PALETTE[0].stroke_width(2))).map_err(err)?;
        chart
            .draw_series(pts.iter().map(|&q| Circle::new(q, 3, PALETTE[0].filled())))
            .map_err(err)?
            .label(format!("QR method (Kaplan–Yorke dim. {kaplan_yorke:.2})"))
            .legend(|(x, y)| Circle::new((x + 7, y), 3, PALETTE[0].filled()));
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}
