//! Plots of `exp=lyapunov`: the spectrum λ_i against i/N beside the linearisation at r = 0, and
//! the running λ_max of the QR method and of two nearby trajectories.

use super::*;
use crate::experiments::lyapunov::{Lyapunov, LyapunovParams, LyapunovResult};

impl Figures for Lyapunov {
    fn render(name: &str, p: &LyapunovParams, r: &LyapunovResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "exponents" => exponents(p, r, opts),
            "convergence" => convergence(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

fn exponents(p: &LyapunovParams, r: &LyapunovResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let n = p.neurons as f64;
    let pts: Vec<(f64, f64)> = r.exponents.iter().enumerate().map(|(i, &l)| ((i + 1) as f64 / n, l)).collect();
    let origin: Vec<(f64, f64)> = r.origin.iter().enumerate().map(|(i, &l)| ((i + 1) as f64 / n, l)).collect();
    let x_hi = (r.exponents.len().max(1) as f64 / n) * 1.05;
    let y = span(r.exponents.iter().chain(&r.origin).copied().chain([0.0]), (-1.0, 1.0));
    svg(opts, |root| {
        let body = titled(root, &format!("Lyapunov spectrum, N = {}, g = {}", p.neurons, p.g))?;
        let (mut chart, _) = axes(&body, (0.0, x_hi), y, "i / N", "λ_i (1/s)")?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (x_hi, 0.0)], MUTED))).map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(origin.iter().copied(), 6, 4, PALETTE[1].stroke_width(2)))
            .map_err(err)?
            .label("linearisation at r = 0")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        chart.draw_series(LineSeries::new(pts.iter().copied(), PALETTE[0].stroke_width(2))).map_err(err)?;
        chart
            .draw_series(pts.iter().map(|&q| Circle::new(q, 3, PALETTE[0].filled())))
            .map_err(err)?
            .label(format!("QR method (Kaplan–Yorke dim. {:.2})", r.kaplan_yorke))
            .legend(|(x, y)| Circle::new((x + 7, y), 3, PALETTE[0].filled()));
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

fn convergence(r: &LyapunovResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let c = &r.convergence;
    if c.time.is_empty() {
        return Err("the run has no convergence curve".into());
    }
    // Early estimates swing widely; frame the second half's range generously.
    let late = c.time.len() / 2;
    let y = span(c.qr[late..].iter().chain(&c.brute_force[late..]).copied().chain([0.0]), (-1.0, 1.0));
    let pad = (y.1 - y.0) * 0.6;
    let y = (y.0 - pad, y.1 + pad);
    let x = (0.0, c.time[c.time.len() - 1]);
    let clip = |v: f64| v.clamp(y.0, y.1);
    svg(opts, |root| {
        let body = titled(root, "Running estimate of λ_max")?;
        let (mut chart, _) = axes(&body, x, y, "time after warm-up (s)", "λ_max (1/s)")?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(x.0, 0.0), (x.1, 0.0)], MUTED))).map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                c.time.iter().zip(&c.brute_force).map(|(&t, &v)| (t, clip(v))),
                PALETTE[1].stroke_width(2),
            ))
            .map_err(err)?
            .label(format!("two trajectories: {}", crate::experiments::significant(r.lambda_max_brute, 4)))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                c.time.iter().zip(&c.qr).map(|(&t, &v)| (t, clip(v))),
                PALETTE[0].stroke_width(2),
            ))
            .map_err(err)?
            .label(format!(
                "QR method: {}",
                crate::experiments::significant(r.exponents.first().copied().unwrap_or(f64::NAN), 4)
            ))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}
