//! Plots of `exp=sequence_sweep` (LCF Fig. 2H–I, S3C–E): linear dimensionality against N per
//! rank (log N) and against rank per N, noise-free (solid) and with the state noise (dashed);
//! accuracy and test error against rank per N with the task dimensionality L marked; the
//! training loss. Points are means over runs, bars ±1 s.d.

use super::*;
use crate::experiments::sequence_sweep::{Cell, SequenceSweep, SequenceSweepParams, SequenceSweepResult, Stats};
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};

impl Figures for SequenceSweep {
    fn render(name: &str, p: &SequenceSweepParams, r: &SequenceSweepResult, opts: &PlotOptions) -> DrawResult<Figure> {
        if r.cells.is_empty() {
            return Err("the sweep has no networks".into());
        }
        match name {
            "dimension_neurons" => dimension_neurons(p, r, opts),
            "dimension_rank" => against_rank(p, r, opts, Measure::Dimension),
            "accuracy" => against_rank(p, r, opts, Measure::Accuracy),
            "error" => against_rank(p, r, opts, Measure::Error),
            "loss" => loss(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// A chart on any pair of coordinate kinds.
type AnyChart<'a, 'b, X, Y> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>;

/// A series of means with ±1 s.d. bars: (x, stats) points.
struct Series {
    points: Vec<(f64, Stats)>,
    colour: RGBColor,
    dashed: bool,
    label: Option<String>,
}

/// Draws a series: its line (solid or dashed), markers and s.d. bars with 4-pixel caps.
fn draw<'a, 'b: 'a, X, Y>(chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>, s: &Series) -> DrawResult<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let line: Vec<(f64, f64)> = s.points.iter().map(|(x, st)| (*x, st.mean)).collect();
    let style = s.colour.stroke_width(2);
    let colour = s.colour;
    for &(x, st) in &s.points {
        if st.sd > 0.0 {
            let (lo, hi) = (st.mean - st.sd, st.mean + st.sd);
            chart.draw_series(std::iter::once(PathElement::new(vec![(x, lo), (x, hi)], colour))).map_err(err)?;
            for y in [lo, hi] {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((x, y)) + PathElement::new(vec![(-4, 0), (4, 0)], colour),
                    ))
                    .map_err(err)?;
            }
        }
    }
    let drawn = if s.dashed {
        chart.draw_series(DashedLineSeries::new(line.clone(), 6, 4, style)).map_err(err)?;
        chart.draw_series(line.iter().map(|&q| Circle::new(q, 3, colour.stroke_width(2)))).map_err(err)?
    } else {
        chart.draw_series(LineSeries::new(line.clone(), style)).map_err(err)?;
        chart.draw_series(line.iter().map(|&q| Circle::new(q, 4, colour.filled()))).map_err(err)?
    };
    if let Some(label) = &s.label {
        drawn
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
    }
    Ok(())
}

/// A legend entry for the dashed (noisy) series.
fn noisy_legend<'a, 'b: 'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    noise: f64,
) -> DrawResult<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    chart
        .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
        .map_err(err)?
        .label(format!("dashed, hollow: with state noise σ = {noise}"))
        .legend(|(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (5, 0)], MUTED.stroke_width(2))
                + PathElement::new(vec![(9, 0), (14, 0)], MUTED.stroke_width(2))
        });
    Ok(())
}

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Tick labels: whole numbers only (others blank).
fn whole(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

fn plain(v: &f64) -> String {
    format!("{}", (v * 1e6).round() / 1e6)
}

/// A chart on `area` with x and y ranges of any coordinate kind and the house style.
fn chart<'a, 'b, X, Y>(
    area: &'a Area<'b>,
    x: X,
    y: Y,
    x_desc: &str,
    y_desc: &str,
    x_format: &dyn Fn(&f64) -> String,
) -> DrawResult<AnyChart<'a, 'b, X::CoordDescType, Y::CoordDescType>>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut c = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(50)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    house_style(&mut c.configure_mesh(), 11)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(x_format)
        .y_label_formatter(&plain)
        .draw()
        .map_err(err)?;
    Ok(c)
}

fn dimension_label(p: &SequenceSweepParams) -> String {
    format!("PCs for {} % variance", crate::experiments::significant(p.fraction * 100.0, 3))
}

/// The top of a dimensionality axis: the largest mean + s.d. drawn, with room for the legend.
fn dimension_top(p: &SequenceSweepParams, r: &SequenceSweepResult) -> f64 {
    r.cells
        .iter()
        .flat_map(|c| {
            let mut v = vec![c.dimension_stats];
            if p.noise > 0.0 {
                v.push(c.dimension_noisy_stats);
            }
            v
        })
        .map(|s| s.mean + s.sd)
        .fold(1.0, f64::max)
        * 1.3
}

/// Dimensionality against N (log) per rank (LCF Fig. 2H, S3E).
fn dimension_neurons(p: &SequenceSweepParams, r: &SequenceSweepResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let lo = *r.neurons.iter().min().unwrap_or(&16) as f64;
    let hi = *r.neurons.iter().max().unwrap_or(&16) as f64;
    let (xlo, xhi) = (lo / 1.4, hi * 1.4);
    let top = dimension_top(p, r);
    let title = format!("Linear dimensionality against N (L = {}, {} run(s) each)", p.length, p.runs);
    svg(opts, |root| {
        let body = titled(root, &title)?;
        // Ticks at the sizes swept (a log axis would put them at powers of ten only).
        let ticks: Vec<f64> = r.neurons.iter().map(|&n| n as f64).collect();
        let x = (xlo..xhi).log_scale().with_key_points(ticks);
        let mut c = chart(&body, x, 0f64..top, "neurons N", &dimension_label(p), &plain)?;
        for (ki, &k) in r.ranks.iter().enumerate() {
            let mut order: Vec<usize> = (0..r.neurons.len()).collect();
            order.sort_by_key(|&ni| r.neurons[ni]);
            let pick = |f: &dyn Fn(&Cell) -> Stats| -> Vec<(f64, Stats)> {
                order.iter().map(|&ni| (r.neurons[ni] as f64, f(r.cell(ni, ki)))).collect()
            };
            let clean = pick(&|c| c.dimension_stats);
            draw(
                &mut c,
                &Series { points: clean, colour: colour(ki), dashed: false, label: Some(format!("K = {k}")) },
            )?;
            if p.noise > 0.0 {
                let noisy = pick(&|c| c.dimension_noisy_stats);
                draw(&mut c, &Series { points: noisy, colour: colour(ki), dashed: true, label: None })?;
            }
        }
        if p.noise > 0.0 {
            noisy_legend(&mut c, p.noise)?;
        }
        legend_at(&mut c, SeriesLabelPosition::UpperLeft)?;
        Ok((None, vec![]))
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Measure {
    Dimension,
    Accuracy,
    Error,
}

/// A measure against rank, one line per N (LCF Fig. 2I, S3C–D); the task dimensionality L
/// marked for accuracy and error, and the error of outputs that ignore the numbers.
fn against_rank(
    p: &SequenceSweepParams,
    r: &SequenceSweepResult,
    opts: &PlotOptions,
    m: Measure,
) -> DrawResult<Figure> {
    let kmin = *r.ranks.iter().min().unwrap_or(&1) as f64;
    let kmax = *r.ranks.iter().max().unwrap_or(&1) as f64;
    let x = (kmin.min(r.task_dimension as f64) - 0.5, kmax.max(r.task_dimension as f64) + 0.5);
    let stat = |c: &Cell| match m {
        Measure::Dimension => c.dimension_stats,
        Measure::Accuracy => c.accuracy_stats,
        Measure::Error => c.error_stats,
    };
    let top = match m {
        Measure::Dimension => dimension_top(p, r),
        Measure::Accuracy => 1.05,
        Measure::Error => {
            r.cells.iter().map(|c| c.error_stats.mean + c.error_stats.sd).fold(r.baseline_error, f64::max) * 1.08
        }
    };
    let (title, y_desc) = match m {
        Measure::Dimension => (format!("Linear dimensionality against rank (L = {})", p.length), dimension_label(p)),
        Measure::Accuracy => (
            format!("Accuracy against rank (L = {}, {} fresh noise-free trials)", p.length, p.trials),
            "slots nearest the right number".to_string(),
        ),
        Measure::Error => {
            (format!("Test error against rank (L = {}, noise-free)", p.length), "mean squared error".to_string())
        }
    };
    // Lines of different N are shifted a little apart so that their bars do not overlap.
    let spread = 0.12;
    let count = r.neurons.len() as f64;
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let mut c = chart(&body, x.0..x.1, 0f64..top, "rank K", &y_desc, &whole)?;
        if m != Measure::Dimension {
            let l = r.task_dimension as f64;
            c.draw_series(DashedLineSeries::new([(l, 0.0), (l, top)], 6, 4, MUTED.stroke_width(1)))
                .map_err(err)?
                .label(format!("task dimensionality L = {}", r.task_dimension))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED));
        }
        if m == Measure::Error {
            let b = r.baseline_error;
            c.draw_series(DashedLineSeries::new([(x.0, b), (x.1, b)], 3, 3, INK.stroke_width(1)))
                .map_err(err)?
                .label(format!("numbers ignored: {}", crate::experiments::significant(b, 3)))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK));
        }
        for (ni, &n) in r.neurons.iter().enumerate() {
            let shift = if count > 1.0 { spread * (ni as f64 / (count - 1.0) - 0.5) } else { 0.0 };
            let mut order: Vec<usize> = (0..r.ranks.len()).collect();
            order.sort_by_key(|&ki| r.ranks[ki]);
            let points: Vec<(f64, Stats)> =
                order.iter().map(|&ki| (r.ranks[ki] as f64 + shift, stat(r.cell(ni, ki)))).collect();
            draw(&mut c, &Series { points, colour: colour(ni), dashed: false, label: Some(format!("N = {n}")) })?;
            if m == Measure::Dimension && p.noise > 0.0 {
                let noisy: Vec<(f64, Stats)> = order
                    .iter()
                    .map(|&ki| (r.ranks[ki] as f64 + shift, r.cell(ni, ki).dimension_noisy_stats))
                    .collect();
                draw(&mut c, &Series { points: noisy, colour: colour(ni), dashed: true, label: None })?;
            }
        }
        if m == Measure::Dimension && p.noise > 0.0 {
            noisy_legend(&mut c, p.noise)?;
        }
        let at = if m == Measure::Accuracy { SeriesLabelPosition::LowerRight } else { SeriesLabelPosition::UpperRight };
        legend_at(&mut c, at)?;
        Ok((None, vec![]))
    })
}

/// The minibatch training loss (log) against epoch: colour by rank, dash length by N.
fn loss(r: &SequenceSweepResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let last = *r.loss_epochs.last().ok_or("no loss curve")? as f64;
    let values = r.cells.iter().flat_map(|c| c.loss.iter().copied()).filter(|v| v.is_finite() && *v > 0.0);
    let (lo, hi) = values.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    if !lo.is_finite() {
        return Err("the loss curves have no positive values".into());
    }
    svg(opts, |root| {
        let body = titled(root, "Training loss (minibatch MSE, mean over runs and windows of epochs)")?;
        let (ylo, yhi) = (lo / 1.3, hi * 1.3);
        let ticks: Vec<f64> = (-6..=2)
            .flat_map(|e| [1.0, 2.0, 5.0].map(|m| m * 10f64.powi(e)))
            .filter(|t| (ylo..=yhi).contains(t))
            .collect();
        let y = (ylo..yhi).log_scale().with_key_points(ticks);
        let mut c = chart(&body, 0f64..last, y, "epoch", "loss", &plain)?;
        for (i, cell) in r.cells.iter().enumerate() {
            let (ni, ki) = (i / r.ranks.len(), i % r.ranks.len());
            let pts: Vec<(f64, f64)> = r
                .loss_epochs
                .iter()
                .zip(&cell.loss)
                .filter(|(_, v)| v.is_finite() && **v > 0.0)
                .map(|(&e, &v)| (e as f64, v))
                .collect();
            let style = colour(ki).stroke_width(2);
            let drawn = if ni == 0 {
                c.draw_series(LineSeries::new(pts, style)).map_err(err)?
            } else {
                c.draw_series(DashedLineSeries::new(pts, 2 + 3 * ni as u32, 4, style)).map_err(err)?
            };
            let label = if r.neurons.len() > 1 {
                format!("N = {}, K = {}", cell.neurons, cell.rank)
            } else {
                format!("K = {}", cell.rank)
            };
            let col = colour(ki).stroke_width(2);
            drawn.label(label).legend(move |(x, y)| {
                let gap = if ni == 0 { 0 } else { 4 };
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (7 - gap / 2, 0)], col)
                    + PathElement::new(vec![(7 + gap / 2, 0), (14, 0)], col)
            });
        }
        legend_at(&mut c, SeriesLabelPosition::UpperRight)?;
        Ok((None, vec![]))
    })
}
