//! Plots of `exp=lyapunov`: the spectrum λ_i against i/N beside the linearisation at r = 0, and
//! the running λ_max of the QR method and of two nearby trajectories.

use super::charts;
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
    let title = format!("Lyapunov spectrum, N = {}, g = {}", p.neurons, p.g);
    charts::lyapunov_spectrum(&title, p.neurons, &r.exponents, &r.origin, r.kaplan_yorke, opts)
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
