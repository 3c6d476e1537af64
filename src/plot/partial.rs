//! Plots of `exp=partial` (LCF Fig. A1–A2): the squared error of the rebuilt growth rate
//! against n_obs on log–log axes with its prediction, each repeat's signed error in the
//! predicted funnel, and the full networks' own growth rates against the target.

use super::*;
use crate::experiments::partial::{Partial, PartialParams, PartialResult};

impl Figures for Partial {
    fn render(name: &str, p: &PartialParams, r: &PartialResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "error" => error(p, r, opts),
            "repeats" => repeats(p, r, opts),
            "full" => full(p, r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// (τ_z/τ)² s²: the squared error of one observed neuron in the sparse limit.
fn unit(p: &PartialParams, r: &PartialResult) -> f64 {
    let g = p.tau_latent / p.tau;
    g * g * r.design.product_variance
}

/// Powers of ten as 1e2, 1e-3.
fn pow10(v: &f64) -> String {
    format!("{v:.0e}")
}

/// Log–log squared error against n_obs (Fig. A2 right): every repeat's e² (faint), their mean
/// ± s.e.m., the finite-population prediction and the 1/n_obs law. Zeros (n_obs = N) cannot
/// sit on a log axis: they are marked ▲ on the bottom edge.
fn error(p: &PartialParams, r: &PartialResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let n_big = p.neurons as f64;
    let obs: Vec<f64> = r.observed.iter().map(|&n| n as f64).collect();
    if obs.is_empty() {
        return Err("result has no observed sizes".into());
    }
    let unit = unit(p, r);
    let positive = r
        .errors
        .iter()
        .flat_map(|e| e.iter().map(|v| v * v))
        .chain(r.squared_error.iter().copied())
        .chain(r.predicted.iter().copied())
        .filter(|v| *v > 0.0 && v.is_finite());
    let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if hi > 0.0 { (lo / 3.0, hi * 3.0) } else { (1e-6, 1.0) };
    let (lo, hi) = (lo.max(hi * 1e-12), hi);
    let (x0, x1) = (obs[0].min(n_big) / 1.5, n_big * 1.5);
    let title = format!("Squared error of λ̂_obs against λ̂_full, N = {}, τ_z/τ = {}", p.neurons, p.tau_latent / p.tau);
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d((x0..x1).log_scale(), (lo..hi).log_scale())
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .x_desc("observed neurons n_obs")
            .y_desc("((λ̂_obs − λ̂_full) / λ)²")
            .x_label_formatter(&pow10)
            .y_label_formatter(&pow10)
            .draw()
            .map_err(err)?;
        // The laws on a dense grid up to just below N (where the prediction falls to 0).
        let grid: Vec<f64> = crate::numerics::grid::geomspace(x0.max(0.5), n_big, 200);
        let law: Vec<(f64, f64)> =
            grid.iter().map(|&n| (n, unit / n * (1.0 - n / n_big))).filter(|&(_, v)| v >= lo).collect();
        chart
            .draw_series(DashedLineSeries::new(
                grid.iter().map(|&n| (n, (unit / n).clamp(lo, hi))),
                7,
                5,
                MUTED.stroke_width(2),
            ))
            .map_err(err)?
            .label("1/n_obs law: (τ_z/τ)² s²/n_obs")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(law, PALETTE[1].stroke_width(2)))
            .map_err(err)?
            .label("predicted: × (1 − n_obs/N)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        let dots = r
            .errors
            .iter()
            .flat_map(|e| obs.iter().zip(e).map(|(&n, &v)| (n, v * v)))
            .filter(|&(_, v)| v > 0.0 && v >= lo);
        let faint = if r.errors.len() > 100 { 0.12 } else { 0.3 };
        chart
            .draw_series(dots.map(|c| Circle::new(c, 2, PALETTE[0].mix(faint).filled())))
            .map_err(err)?
            .label("each repeat")
            .legend(move |(x, y)| Circle::new((x + 7, y), 3, PALETTE[0].mix(0.5).filled()));
        for ((&n, &m), &sem) in obs.iter().zip(&r.squared_error).zip(&r.squared_error_sem) {
            if m > 0.0 && sem > 0.0 {
                let (a, b) = ((m - sem).max(lo), (m + sem).min(hi));
                chart.draw_series(std::iter::once(PathElement::new(vec![(n, a), (n, b)], INK))).map_err(err)?;
            }
        }
        chart
            .draw_series(
                obs.iter()
                    .zip(&r.squared_error)
                    .filter(|(_, &m)| m > 0.0)
                    .map(|(&n, &m)| Circle::new((n, m), 5, INK.filled())),
            )
            .map_err(err)?
            .label(format!("mean of {} repeats ± s.e.m.", r.errors.len()))
            .legend(|(x, y)| Circle::new((x + 7, y), 4, INK.filled()));
        let zeros: Vec<f64> = obs.iter().zip(&r.squared_error).filter(|(_, &m)| m == 0.0).map(|(&n, _)| n).collect();
        if !zeros.is_empty() {
            chart
                .draw_series(zeros.iter().map(|&n| TriangleMarker::new((n, lo), 7, PALETTE[2].filled())))
                .map_err(err)?
                .label("exactly 0 (n_obs = N), off the log axis")
                .legend(|(x, y)| TriangleMarker::new((x + 7, y), 5, PALETTE[2].filled()));
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

/// Each repeat's signed error e = (λ̂_obs − λ̂_full)/λ against n_obs (Fig. A1's spread), inside
/// the predicted ±1 and ±2 s.d. funnel that closes at n_obs = N.
fn repeats(p: &PartialParams, r: &PartialResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let n_big = p.neurons as f64;
    let obs: Vec<f64> = r.observed.iter().map(|&n| n as f64).collect();
    if obs.is_empty() {
        return Err("result has no observed sizes".into());
    }
    let unit = unit(p, r);
    let sd = |n: f64| libm::sqrt(unit / n * (1.0 - n / n_big).max(0.0));
    let (x0, x1) = (obs[0].min(n_big) / 1.5, n_big * 1.5);
    let extreme = r.errors.iter().flatten().fold(0.0f64, |a, v| a.max(v.abs()));
    let y_hi = (1.15 * extreme).max(2.2 * sd(obs[obs.len() / 2].max(1.0))).max(1e-9);
    let grid = crate::numerics::grid::geomspace(x0.max(0.5), n_big, 200);
    svg(opts, |root| {
        let body = titled(root, "Rebuilt growth rate of each design against n_obs")?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d((x0..x1).log_scale(), -y_hi..y_hi)
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .x_desc("observed neurons n_obs")
            .y_desc("(λ̂_obs − λ̂_full) / λ")
            .x_label_formatter(&pow10)
            .draw()
            .map_err(err)?;
        for (k, shade) in [(2.0, 0.18), (1.0, 0.32)] {
            let mut poly: Vec<(f64, f64)> = grid.iter().map(|&n| (n, (k * sd(n)).min(y_hi))).collect();
            poly.extend(grid.iter().rev().map(|&n| (n, -(k * sd(n)).min(y_hi))));
            let s =
                chart.draw_series(std::iter::once(Polygon::new(poly, PALETTE[5].mix(shade).filled()))).map_err(err)?;
            let label = if k == 1.0 { "±1 s.d. (predicted)" } else { "±2 s.d." };
            s.label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], PALETTE[5].mix(shade).filled()));
        }
        chart.draw_series(std::iter::once(PathElement::new(vec![(x0, 0.0), (x1, 0.0)], INK))).map_err(err)?;
        let shown = r.errors.len().min(40);
        for (i, e) in r.errors.iter().take(shown).enumerate() {
            let c = PALETTE[i % 5].mix(0.75);
            chart
                .draw_series(LineSeries::new(obs.iter().copied().zip(e.iter().copied()), c.stroke_width(1)))
                .map_err(err)?;
            chart.draw_series(obs.iter().zip(e).map(|(&n, &v)| Circle::new((n, v), 2, c.filled()))).map_err(err)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(x0, 0.0), (x0, 0.0)], PALETTE[0])))
            .map_err(err)?
            .label(if shown < r.errors.len() {
                format!("first {shown} of {} designs", r.errors.len())
            } else {
                format!("{shown} designs")
            })
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

/// The full networks' own growth rates (λ̂_full − λ)/λ, one point per design, inside the
/// predicted spread (τ_z/τ)·√(s²/N) over designs (A9): what observing every neuron recovers.
fn full(p: &PartialParams, r: &PartialResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let rel: Vec<f64> = r.full_growth_rate.iter().map(|&g| (g - r.target) / r.target).collect();
    if rel.is_empty() {
        return Err("result has no repeats".into());
    }
    let sd = libm::sqrt(unit(p, r) / p.neurons as f64);
    let extreme = rel.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let y_hi = (1.15 * extreme).max(2.4 * sd).max(1e-9);
    let count = rel.len() as f64;
    svg(opts, |root| {
        let body = titled(root, &format!("Full networks (N = {}) against the target 1/τ_z", p.neurons))?;
        let (mut chart, _frame) =
            axes(&body, (-0.5, count - 0.5), (-y_hi, y_hi), "design (repeat)", "(λ̂_full − λ) / λ")?;
        for (k, shade) in [(2.0, 0.18), (1.0, 0.32)] {
            let (a, b) = ((k * sd).min(y_hi), -(k * sd).min(y_hi));
            let s = chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(-0.5, a), (count - 0.5, b)],
                    PALETTE[5].mix(shade).filled(),
                )))
                .map_err(err)?;
            let label = if k == 1.0 { "±1 s.d. over designs (predicted)" } else { "±2 s.d." };
            s.label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], PALETTE[5].mix(shade).filled()));
        }
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(-0.5, 0.0), (count - 0.5, 0.0)], INK)))
            .map_err(err)?;
        chart
            .draw_series(rel.iter().enumerate().map(|(i, &v)| Circle::new((i as f64, v), 4, PALETTE[0].filled())))
            .map_err(err)?
            .label("each design's λ̂_full")
            .legend(|(x, y)| Circle::new((x + 7, y), 4, PALETTE[0].filled()));
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}
