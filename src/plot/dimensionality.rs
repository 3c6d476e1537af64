//! Plots of `exp=dimensionality` (LCF Fig. 2F–G, S3A–B): linear dimensionality against N with
//! the latent dimension d for reference, the PC spectrum with each PC's largest correlation
//! with the latent sphere, and the Spearman correlation of distances against the weight scale.

use super::*;
use crate::experiments::dimensionality::{Dimensionality, DimensionalityParams, DimensionalityResult};
use crate::params::Choice;

impl Figures for Dimensionality {
    fn render(
        name: &str,
        p: &DimensionalityParams,
        r: &DimensionalityResult,
        opts: &PlotOptions,
    ) -> DrawResult<Figure> {
        match name {
            "dimension" => dimension(p, r, opts),
            "spectrum" => spectrum(p, r, opts),
            "distances" => distances(p, r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// Log range padded by a factor `pad` around the positive values, or `fallback`.
fn log_span(values: impl Iterator<Item = f64>, pad: f64, fallback: (f64, f64)) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return fallback;
    }
    (lo / pad, hi * pad)
}

/// Tick labels of a log axis: whole numbers as integers, others with two significant digits.
fn log_label(v: &f64) -> String {
    if *v >= 1.0 && (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else if *v >= 0.01 {
        format!("{}", (v * 100.0).round() / 100.0)
    } else {
        format!("{v:.0e}")
    }
}

/// Linear dimensionality against N (log–log), with d (a flat manifold) and N (the most
/// possible) for reference (Fig. 2F, S3A).
fn dimension(p: &DimensionalityParams, r: &DimensionalityResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let mut pts: Vec<(f64, f64)> =
        r.neurons.iter().zip(&r.dimension).map(|(&n, &d)| (n as f64, (d as f64).max(1.0))).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    if pts.is_empty() {
        return Err("no network sizes".into());
    }
    let d = p.latent as f64;
    let (nlo, nhi) = log_span(pts.iter().map(|p| p.0), 1.3, (1.0, 10.0));
    let (_, yhi) = log_span(pts.iter().map(|p| p.1).chain([d, nhi.min(p.samples as f64)]), 1.5, (1.0, 10.0));
    let title = format!(
        "Linear dimensionality ({} % variance), d = {}, {}, s = {}",
        crate::experiments::significant(p.fraction * 100.0, 3),
        p.latent,
        p.nonlinearity.name(),
        p.scale
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(50)
            .build_cartesian_2d((nlo..nhi).log_scale(), (0.8f64..yhi).log_scale())
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .x_desc("neurons N")
            .y_desc("PCs for the variance")
            .x_label_formatter(&log_label)
            .y_label_formatter(&log_label)
            .draw()
            .map_err(err)?;
        let cap = p.samples.saturating_sub(1) as f64;
        let ceiling: Vec<(f64, f64)> = (0..=60)
            .map(|i| nlo * (nhi / nlo).powf(i as f64 / 60.0))
            .map(|n| (n, n.min(cap)))
            .filter(|q| q.1 <= yhi)
            .collect();
        chart
            .draw_series(DashedLineSeries::new(ceiling, 4, 4, MUTED.stroke_width(1)))
            .map_err(err)?
            .label("min(N, samples − 1): the most possible")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED));
        chart
            .draw_series(DashedLineSeries::new([(nlo, d), (nhi, d)], 8, 5, PALETTE[1].stroke_width(2)))
            .map_err(err)?
            .label(format!("latent d = {} (a flat manifold)", p.latent))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        chart
            .draw_series(LineSeries::new(pts.clone(), PALETTE[0].stroke_width(2)))
            .map_err(err)?
            .label(format!("φ = {}", p.nonlinearity.name()))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
        chart.draw_series(pts.iter().map(|&q| Circle::new(q, 4, PALETTE[0].filled()))).map_err(err)?;
        legend_at(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok((None, vec![]))
    })
}

/// The share of the variance of each PC (log–log against its index), coloured by its largest
/// |correlation| with a latent coordinate, above that correlation itself with the threshold
/// (Fig. 2G).
fn spectrum(p: &DimensionalityParams, r: &DimensionalityResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let total: f64 = r.variance.iter().sum();
    if r.variance.is_empty() || total <= 0.0 {
        return Err("the spectrum has no variance".into());
    }
    let share: Vec<f64> = r.variance.iter().map(|v| v / total).collect();
    let k = share.len() as f64;
    // Shares below 10⁻⁶ of the total are rounding and sampling dust (the last PCs of a sample
    // as large as N): the axis stops there and leaves them out.
    let floor = 1e-6;
    let (ylo, _) = log_span(share.iter().copied().filter(|v| *v >= floor), 1.5, (floor, 1.0));
    let xs = (0.8f64, k * 1.25);
    let big = r.neurons.iter().position(|&n| n == r.spectrum_neurons).unwrap_or(0);
    let barely = r.barely_fraction.get(big).copied().unwrap_or(f64::NAN);
    let title = format!(
        "PC spectrum at N = {}: {:.1} % of the variance in PCs with max |corr| with z < {}",
        r.spectrum_neurons,
        barely * 100.0,
        p.threshold
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (top, bottom) = body.split_vertically((body.dim_in_pixel().1 as f64 * 0.62) as u32);
        let mut chart = ChartBuilder::on(&top)
            .margin(8)
            .x_label_area_size(6)
            .y_label_area_size(60)
            .build_cartesian_2d((xs.0..xs.1).log_scale(), (ylo..1.5f64).log_scale())
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .y_desc("share of variance (≥ 1e-6)")
            .x_label_formatter(&|_| String::new())
            .y_label_formatter(&log_label)
            .draw()
            .map_err(err)?;
        let colour = |c: f64| viridis(c.clamp(0.0, 1.0));
        for (i, (&v, &c)) in share.iter().zip(&r.max_correlation).enumerate() {
            if v < floor {
                continue;
            }
            let at = ((i + 1) as f64, v);
            if c >= p.threshold {
                chart.draw_series(std::iter::once(Circle::new(at, 4, colour(c).filled()))).map_err(err)?;
            } else {
                chart.draw_series(std::iter::once(Circle::new(at, 3, colour(c).stroke_width(1)))).map_err(err)?;
            }
        }
        // Legend: the two marker kinds, and the colour scale in five steps.
        let (c_hi, c_lo) = (colour(0.9), colour(0.05));
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(err)?
            .label(format!("correlated PC (max |corr| ≥ {})", p.threshold))
            .legend(move |(x, y)| Circle::new((x + 7, y), 4, c_hi.filled()));
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(err)?
            .label("barely correlated PC (hollow)")
            .legend(move |(x, y)| Circle::new((x + 7, y), 3, c_lo.stroke_width(1)));
        for step in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let c = colour(step);
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(err)?
                .label(format!("colour: max |corr| = {step}"))
                .legend(move |(x, y)| Rectangle::new([(x + 2, y - 4), (x + 12, y + 4)], c.filled()));
        }
        legend(&mut chart)?;

        let mut lower = ChartBuilder::on(&bottom)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(60)
            .build_cartesian_2d((xs.0..xs.1).log_scale(), 0f64..1.05f64)
            .map_err(err)?;
        house_style(&mut lower.configure_mesh(), 11)
            .x_desc("principal component (by variance)")
            .y_desc("max |corr| with z")
            .x_label_formatter(&log_label)
            .y_labels(3)
            .draw()
            .map_err(err)?;
        lower
            .draw_series(DashedLineSeries::new([(xs.0, p.threshold), (xs.1, p.threshold)], 6, 4, MUTED.stroke_width(1)))
            .map_err(err)?;
        lower
            .draw_series(r.max_correlation.iter().enumerate().map(|(i, &c)| {
                let style = if c >= p.threshold { colour(c).filled() } else { colour(c).stroke_width(1) };
                Circle::new(((i + 1) as f64, c), 3, style)
            }))
            .map_err(err)?;
        Ok((None, vec![]))
    })
}

/// Spearman correlation of latent against embedded pairwise distances at each weight scale
/// (Fig. S3B), the query's own scale marked.
fn distances(p: &DimensionalityParams, r: &DimensionalityResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let mut pts: Vec<(f64, f64)> =
        r.scales.iter().zip(&r.spearman).filter(|(_, c)| c.is_finite()).map(|(&s, &c)| (s, c)).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    if pts.is_empty() {
        return Err("no distance correlations".into());
    }
    let (slo, shi) = log_span(pts.iter().map(|q| q.0).chain([p.scale]), 1.6, (0.1, 10.0));
    let ylo = pts.iter().map(|q| q.1).fold(1.0f64, f64::min).min(0.9) - 0.05;
    let title =
        format!("Distances kept in order at N = {} ({}, {} pairs)", r.spectrum_neurons, p.nonlinearity.name(), p.pairs);
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(50)
            .build_cartesian_2d((slo..shi).log_scale(), ylo.max(-1.05)..1.02f64)
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .x_desc("weight s.d. s")
            .y_desc("Spearman ρ (latent vs embedded distance)")
            .x_label_formatter(&log_label)
            .draw()
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                [(p.scale, ylo.max(-1.05)), (p.scale, 1.02)],
                5,
                4,
                MUTED.stroke_width(1),
            ))
            .map_err(err)?
            .label(format!("this query's s = {}", p.scale))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED));
        chart
            .draw_series(LineSeries::new(pts.clone(), PALETTE[0].stroke_width(2)))
            .map_err(err)?
            .label("Spearman ρ")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
        chart.draw_series(pts.iter().map(|&q| Circle::new(q, 4, PALETTE[0].filled()))).map_err(err)?;
        legend_at(&mut chart, SeriesLabelPosition::LowerLeft)?;
        Ok((None, vec![]))
    })
}
