//! Plots of `exp=spectrum`: the eigenvalues in the complex plane with the circular law's disk,
//! the predicted outliers and, for a Jacobian, the line Re = −1/τ; and the distribution of
//! distances from the disk's centre against the circular law's 2ρ/R².

use super::*;
use crate::experiments::spectrum::{Matrix, Spectrum, SpectrumParams, SpectrumResult};

impl Figures for Spectrum {
    fn render(name: &str, p: &SpectrumParams, r: &SpectrumResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "eigenvalues" => plane(p, r, opts),
            "moduli" => moduli(p, r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// Eigenvalues as dots, the bulk's circle, the predicted outliers as rings.
fn plane(p: &SpectrumParams, r: &SpectrumResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (c, rad) = (r.bulk.centre, r.bulk.radius);
    let xs = r.eigenvalues.iter().chain(&r.outliers).map(|e| e[0]).chain([c - rad, c + rad]);
    let ys = r.eigenvalues.iter().chain(&r.outliers).map(|e| e[1].abs()).chain([rad]);
    let (x0, x1) = span(xs, (-1.0, 1.0));
    let h = span(ys, (0.0, 1.0)).1.max(1e-9);
    // Equal scales on both axes, so the disk is a circle: widen the shorter range.
    let aspect = opts.height as f64 / opts.width as f64;
    let (half_w, half_h) = (((x1 - x0) / 2.0).max(h / aspect), h.max((x1 - x0) / 2.0 * aspect));
    let mid = (x0 + x1) / 2.0;
    let (x, y) = ((mid - half_w, mid + half_w), (-half_h, half_h));
    let jac = p.matrix == Matrix::Jacobian;
    let title = if jac {
        format!("Eigenvalues of the Jacobian J_r (1/s), N = {}", r.eigenvalues.len())
    } else if p.source.outside() {
        format!("Eigenvalues of the given network's W, N = {}", r.eigenvalues.len())
    } else {
        format!("Eigenvalues of W, N = {}, g = {}", r.eigenvalues.len(), crate::experiments::significant(r.radius, 3))
    };
    let unit = if jac { " (1/s)" } else { "" };
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, x, y, &format!("Re λ{unit}"), &format!("Im λ{unit}"))?;
        layer_anchor(&body, 0)?;
        let ring: Vec<(f64, f64)> = (0..=180)
            .map(|i| {
                let a = i as f64 / 180.0 * std::f64::consts::TAU;
                (c + rad * a.cos(), rad * a.sin())
            })
            .collect();
        // Without a random part there is no disk to draw (nor to name in the legend).
        if rad > 0.0 {
            chart
                .draw_series(std::iter::once(PathElement::new(ring, PALETTE[1].stroke_width(2))))
                .map_err(err)?
                .label(format!("circular law: radius {}", crate::experiments::significant(rad, 3)))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        }
        if jac {
            // −1/τ, with the network's own τ for one from outside.
            let leak = r.bulk.centre;
            chart
                .draw_series(DashedLineSeries::new([(leak, y.0), (leak, y.1)], 6, 4, MUTED.stroke_width(1)))
                .map_err(err)?
                .label("Re λ = −1/τ")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED.stroke_width(1)));
        }
        chart
            .draw_series(r.outliers.iter().map(|o| Circle::new((o[0], o[1]), 8, PALETTE[3].stroke_width(2))))
            .map_err(err)?
            .label(if jac { "eig J_z (latent Jacobian)" } else { "eig NᵀM (predicted outliers)" })
            .legend(|(x, y)| Circle::new((x + 7, y), 5, PALETTE[3].stroke_width(2)));
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(err)?
            .label(format!("{} eigenvalues", r.eigenvalues.len()))
            .legend(|(x, y)| Circle::new((x + 7, y), 3, PALETTE[0].filled()));
        legend(&mut chart)?;
        let mut layer = Layer::new(&frame);
        let pts: Vec<(f64, f64)> = r.eigenvalues.iter().map(|e| (frame.px(e[0]), frame.py(e[1]))).collect();
        layer.dots(&pts, PALETTE[0], 2.6, 0.75);
        Ok((None, vec![layer]))
    })
}

/// A histogram of |λ − centre|/R against the uniform disk's density 2ρ (ρ = |λ − centre|/R).
fn moduli(p: &SpectrumParams, r: &SpectrumResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (c, rad) = (r.bulk.centre, r.bulk.radius);
    if rad <= 0.0 || r.eigenvalues.is_empty() {
        let title = if p.source.outside() {
            "No dense part: no circular law to compare with"
        } else {
            "No random part (g = 0): no circular law to compare with"
        };
        return svg(opts, |root| {
            let body = titled(root, title)?;
            axes(&body, (0.0, 1.5), (0.0, 2.5), "|λ − centre| / R", "density")?;
            Ok((None, vec![]))
        });
    }
    let bins = 30usize;
    let top = 1.5;
    let width = top / bins as f64;
    let mut counts = vec![0usize; bins];
    let mut beyond = 0;
    for e in &r.eigenvalues {
        let rho = (e[0] - c).hypot(e[1]) / rad;
        if rho < top {
            counts[(rho / width) as usize] += 1;
        } else {
            beyond += 1;
        }
    }
    let total = r.eigenvalues.len() as f64;
    let density: Vec<f64> = counts.iter().map(|&k| k as f64 / total / width).collect();
    let y_hi = density.iter().copied().fold(2.2, f64::max) * 1.1;
    svg(opts, |root| {
        let body = titled(root, &format!("|λ − centre| / R: {beyond} eigenvalues beyond 1.5 R"))?;
        let (mut chart, _) = axes(&body, (0.0, top), (0.0, y_hi), "ρ = |λ − centre| / R", "density")?;
        chart
            .draw_series(density.iter().enumerate().map(|(i, &d)| {
                Rectangle::new([(i as f64 * width, 0.0), ((i + 1) as f64 * width, d)], PALETTE[0].mix(0.55).filled())
            }))
            .map_err(err)?
            .label("eigenvalues")
            .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], PALETTE[0].mix(0.55).filled()));
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 2.0), (1.0, 0.0), (top, 0.0)], PALETTE[1].stroke_width(2)))
            .map_err(err)?
            .label("circular law: 2ρ on [0, 1]")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}
