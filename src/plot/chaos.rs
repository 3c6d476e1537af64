//! Plots of `exp=chaos` (LCF Fig. S3F–G): λ_max, the activity's variance and its linear
//! dimensionality against g, and the dimensionality against N.

use super::charts;
use super::*;
use crate::experiments::chaos::{Chaos, ChaosParams, ChaosResult};

impl Figures for Chaos {
    fn render(name: &str, p: &ChaosParams, r: &ChaosResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "lambda" => against_g(p, r, opts, Series::Lambda),
            "variance" => against_g(p, r, opts, Series::Variance),
            "dimension" => against_g(p, r, opts, Series::Dimension),
            "sizes" => sizes(p, r, opts),
            "exponents" => charts::lyapunov_spectrum(
                &format!("Lyapunov spectrum at g = {}, N = {}", p.g_spectrum, p.neurons),
                p.neurons,
                &r.exponents,
                &[],
                r.kaplan_yorke,
                opts,
            ),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Series {
    Lambda,
    Variance,
    Dimension,
}

fn against_g(p: &ChaosParams, r: &ChaosResult, opts: &PlotOptions, which: Series) -> DrawResult<Figure> {
    if r.g.len() < 2 {
        return Err("the sweep has fewer than two g values".into());
    }
    let values: Vec<f64> = match which {
        Series::Lambda => r.lambda_max.clone(),
        Series::Variance => r.variance.clone(),
        Series::Dimension => r.dimension.iter().map(|&d| d as f64).collect(),
    };
    let (label, colour, title) = match which {
        Series::Lambda => ("λ_max (1/s)", PALETTE[0], format!("λ_max against g, N = {}", p.neurons)),
        Series::Variance => ("temporal variance", PALETTE[2], format!("Variance of the activity, N = {}", p.neurons)),
        Series::Dimension => ("PCs for 99 % variance", PALETTE[4], format!("Linear dimensionality, N = {}", p.neurons)),
    };
    let x = (r.g[0], r.g[r.g.len() - 1]);
    let mut y = span(values.iter().copied().chain([0.0]), (-1.0, 1.0));
    if which != Series::Lambda {
        y.0 = 0.0;
    }
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, x, y, "gain g", label)?;
        if which == Series::Lambda {
            chart.draw_series(std::iter::once(PathElement::new(vec![(x.0, 0.0), (x.1, 0.0)], MUTED))).map_err(err)?;
        }
        if (x.0..=x.1).contains(&1.0) {
            chart
                .draw_series(DashedLineSeries::new([(1.0, y.0), (1.0, y.1)], 6, 4, MUTED.stroke_width(1)))
                .map_err(err)?
                .label("g = 1 (N → ∞ transition)")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED.stroke_width(1)));
        }
        let pts: Vec<(f64, f64)> = r.g.iter().copied().zip(values.iter().copied()).collect();
        chart.draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2))).map_err(err)?;
        chart
            .draw_series(pts.iter().map(|&q| Circle::new(q, 4, colour.filled())))
            .map_err(err)?
            .label(p.source_label())
            .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
        if which == Series::Lambda {
            if let Some(gc) = r.critical_g {
                chart
                    .draw_series(std::iter::once(Circle::new((gc, 0.0), 7, PALETTE[1].stroke_width(2))))
                    .map_err(err)?
                    .label(format!("crossing at g ≈ {gc:.2}"))
                    .legend(|(x, y)| Circle::new((x + 7, y), 5, PALETTE[1].stroke_width(2)));
            }
        }
        if which == Series::Lambda {
            let at = p.g_spectrum;
            if (x.0..=x.1).contains(&at) {
                chart
                    .draw_series(DashedLineSeries::new([(at, y.0), (at, y.1)], 3, 3, PALETTE[3].stroke_width(2)))
                    .map_err(err)?
                    .label(format!("spectrum shown: g = {at}"))
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[3].stroke_width(2)));
            }
        }
        legend_at(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(((which == Series::Lambda).then_some(frame), vec![]))
    })
}

fn sizes(p: &ChaosParams, r: &ChaosResult, opts: &PlotOptions) -> DrawResult<Figure> {
    if r.sizes.is_empty() {
        return Err("the sweep has no sizes".into());
    }
    let xs: Vec<f64> = r.sizes.iter().map(|&n| n as f64).collect();
    let ys: Vec<f64> = r.size_dimension.iter().map(|&d| d as f64).collect();
    let x = span(xs.iter().copied().chain([0.0]), (0.0, 100.0));
    let y = (0.0, span(ys.iter().copied(), (0.0, 10.0)).1.max(1.0));
    svg(opts, |root| {
        let body = titled(root, &format!("Linear dimensionality against N at g = {}", p.g_size))?;
        let (mut chart, _) = axes(&body, (0.0, x.1), y, "neurons N", "PCs for 99 % variance")?;
        let pts: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
        chart.draw_series(LineSeries::new(pts.iter().copied(), PALETTE[4].stroke_width(2))).map_err(err)?;
        chart
            .draw_series(pts.iter().map(|&q| Circle::new(q, 4, PALETTE[4].filled())))
            .map_err(err)?
            .label(p.source_label())
            .legend(|(x, y)| Circle::new((x + 7, y), 4, PALETTE[4].filled()));
        legend_at(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok((None, vec![]))
    })
}
