//! Plots of `exp=timescale` (LCF Fig. 1G–I): the finite-N flow beside the mean field, the
//! growth rate against its target across N, latent trajectories of several networks beside
//! the mean field (Fig. 1H–I), the N each τ_z needs, and the (m_i, ñ_i) cloud.

use super::*;
use crate::analysis::fixed_points::Kind;
use crate::experiments::timescale::{Timescale, TimescaleParams, TimescaleResult, MAX_TRAJECTORY_WORK, PAPER_NEURONS};

impl Figures for Timescale {
    fn render(name: &str, p: &TimescaleParams, r: &TimescaleResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "flow" => flow(p, r, opts),
            "trajectories" => trajectories(p, r, opts),
            "growth" => growth(p, r, opts),
            "needed" => needed(p, r, opts),
            "cloud" => cloud(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// The network's flow dz/dt against z beside the mean field's, with both sets of fixed points.
fn flow(p: &TimescaleParams, r: &TimescaleResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (z, f, mf) = (&r.z, &r.flow, &r.mean_field);
    if z.len() < 2 {
        return Err("result has no flow curve".into());
    }
    let y = span(f.iter().chain(mf.iter()).copied(), (-1.0, 1.0));
    let (n, tau_z) = (p.neurons, p.tau_latent);
    svg(opts, |root| {
        let body = titled(root, &format!("Latent flow, N = {n}, target τ_z = {tau_z} s"))?;
        let (mut chart, frame) = axes(&body, (z[0], z[z.len() - 1]), y, "z (latent)", "dz/dt (1/s)")?;
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(z[0], 0.0), (z[z.len() - 1], 0.0)], MUTED)))
            .map_err(err)?;
        chart
            .draw_series(DashedLineSeries::new(
                z.iter().copied().zip(mf.iter().copied()),
                8,
                5,
                PALETTE[1].stroke_width(2),
            ))
            .map_err(err)?
            .label("mean field (N → ∞)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[1].stroke_width(2)));
        chart
            .draw_series(LineSeries::new(z.iter().copied().zip(f.iter().copied()), PALETTE[0].stroke_width(2)))
            .map_err(err)?
            .label(format!("network, N = {n}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
        let mf_series = chart
            .draw_series(
                r.mean_field_fixed_points.iter().map(|&x| Circle::new((x, 0.0), 9, PALETTE[1].stroke_width(2))),
            )
            .map_err(err)?;
        mf_series
            .label("mean-field fixed point")
            .legend(|(x, y)| Circle::new((x + 7, y), 5, PALETTE[1].stroke_width(2)));
        let mut labelled = [false; 3];
        for fp in &r.fixed_points {
            let x = fp.z.first().copied().unwrap_or(f64::NAN);
            let stable = fp.kind == Kind::Stable;
            let c = kind_colour(fp.kind);
            let s = if stable {
                chart.draw_series(std::iter::once(Circle::new((x, 0.0), 5, c.filled())))
            } else {
                chart.draw_series(std::iter::once(Circle::new((x, 0.0), 5, c.stroke_width(2))))
            }
            .map_err(err)?;
            let slot = if stable { 0 } else { 2 };
            if !labelled[slot] {
                labelled[slot] = true;
                if stable {
                    s.label("stable (network)").legend(move |(x, y)| Circle::new((x + 7, y), 5, c.filled()));
                } else {
                    s.label("unstable (network)").legend(move |(x, y)| Circle::new((x + 7, y), 5, c.stroke_width(2)));
                }
            }
        }
        legend(&mut chart)?;
        Ok((Some(frame), vec![]))
    })
}

/// The normalised growth-rate error of this network against the predicted spread over seeds,
/// (τ_z/τ)·√((σ_m²σ_n² + σ_mn²)/N), across N = 10²…10⁶ (LCF Fig. 1H–I, A9–A10).
fn growth(p: &TimescaleParams, r: &TimescaleResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let g = &r.growth_rate;
    let (estimate, target, error, sd) = (g.estimate, g.target, g.normalised_error, g.predicted_sd);
    let n = p.neurons as f64;
    let sd_at = |m: f64| sd * (n / m).sqrt();
    let y_hi = (2.4 * sd_at(1e4)).max(error.abs() * 1.3).max(0.05);
    let ns: Vec<f64> = (0..=80).map(|i| 10f64.powf(2.0 + 4.0 * i as f64 / 80.0)).collect();
    let title = format!("Growth rate at the origin: λ̂ = {estimate:.3} 1/s, target 1/τ_z = {target:.3} 1/s");
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d((1e2f64..1e6f64).log_scale(), -y_hi..y_hi)
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .x_desc("neurons N")
            .y_desc("(λ̂ − λ) / λ")
            .x_label_formatter(&|v| format!("{:.0e}", v))
            .draw()
            .map_err(err)?;
        for (k, shade) in [(2.0, 0.18), (1.0, 0.32)] {
            let mut poly: Vec<(f64, f64)> = ns.iter().map(|&m| (m, (k * sd_at(m)).min(y_hi))).collect();
            poly.extend(ns.iter().rev().map(|&m| (m, -(k * sd_at(m)).min(y_hi))));
            let s =
                chart.draw_series(std::iter::once(Polygon::new(poly, PALETTE[5].mix(shade).filled()))).map_err(err)?;
            let label = if k == 1.0 { "±1 s.d. over seeds (predicted)" } else { "±2 s.d." };
            s.label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], PALETTE[5].mix(shade).filled()));
        }
        chart.draw_series(std::iter::once(PathElement::new(vec![(1e2, 0.0), (1e6, 0.0)], INK))).map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new((n, error.clamp(-y_hi, y_hi)), 6, PALETTE[1].filled())))
            .map_err(err)?
            .label(format!("this network: {:+.1}%", error * 100.0))
            .legend(|(x, y)| Circle::new((x + 7, y), 5, PALETTE[1].filled()));
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

/// The (m_i, ñ_i) pairs of the first neurons as one scatter layer.
fn cloud(r: &TimescaleResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (m, nt) = (&r.cloud.m, &r.cloud.n_tilde);
    let x = span(m.iter().copied(), (-3.0, 3.0));
    let y = span(nt.iter().copied(), (-3.0, 3.0));
    svg(opts, |root| {
        let body = titled(root, &format!("Connectivity of {} neurons: (m_i, ñ_i)", m.len().min(nt.len())))?;
        let (_chart, frame) = axes(&body, x, y, "m_i (embedding)", "ñ_i = N n_i (encoding)")?;
        layer_anchor(&body, 0)?;
        let mut layer = Layer::new(&frame);
        let pts: Vec<(f64, f64)> = m.iter().zip(nt).map(|(&a, &b)| (frame.px(a), frame.py(b))).collect();
        let opacity = if pts.len() > 5000 { 0.25 } else { 0.55 };
        layer.dots(&pts, PALETTE[0], 2.5, opacity);
        Ok((None, vec![layer]))
    })
}

/// The latent trajectories of the networks (thin, one colour each) and of the mean field
/// (dashed) from the same start (LCF Fig. 1H–I).
fn trajectories(p: &TimescaleParams, r: &TimescaleResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let t = &r.trajectories;
    let title = format!(
        "Latent trajectories from z(0) = {}: N = {}, τ = {} s, target τ_z = {} s",
        p.start, p.neurons, p.tau, p.tau_latent
    );
    if t.mean_field.len() < 2 || t.time.len() < 2 {
        return svg(opts, |root| {
            let body = titled(root, &title)?;
            body.draw(&Text::new("no trajectories (trajectories = 0)", (20, 30), (FONT, 13).into_font().color(&MUTED)))
                .map_err(err)?;
            Ok((None, vec![]))
        });
    }
    let steps = (p.duration / p.dt).round();
    let skipped = (t.networks.len() < p.trajectories).then(|| {
        format!(
            "{} of {} networks: N × steps = {:.1e} per network; the budget is {:.0e} neuron-steps (raise dt towards τ or shorten the duration)",
            t.networks.len(),
            p.trajectories,
            p.neurons as f64 * steps,
            MAX_TRAJECTORY_WORK
        )
    });
    let x = (0.0, t.time[t.time.len() - 1]);
    let y = span(t.networks.iter().flatten().chain(t.mean_field.iter()).copied(), (-1.2, 1.2));
    let y = (y.0.min(-0.05), y.1.max(0.05));
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, x, y, "time (s)", "z (latent)")?;
        for level in [-1.0, 0.0, 1.0] {
            if level >= y.0 && level <= y.1 {
                chart
                    .draw_series(std::iter::once(PathElement::new(vec![(x.0, level), (x.1, level)], MUTED.mix(0.6))))
                    .map_err(err)?;
            }
        }
        for (j, path) in t.networks.iter().enumerate() {
            let c = PALETTE[j % 8];
            let who = if j == 0 { format!("this network (seed {})", t.seeds[0]) } else { format!("network {}", j + 1) };
            let label = format!("{who}: λ̂ off by {:+.0}%", t.normalised_error[j] * 100.0);
            let s = chart
                .draw_series(LineSeries::new(t.time.iter().copied().zip(path.iter().copied()), c.stroke_width(2)))
                .map_err(err)?;
            if j < 6 {
                s.label(label).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(2)));
            }
        }
        chart
            .draw_series(LineSeries::new(
                t.time.iter().copied().zip(t.mean_field.iter().copied()),
                INK.mix(0.85).stroke_width(4),
            ))
            .map_err(err)?
            .label("mean field (N → ∞)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK.mix(0.85).stroke_width(4)));
        legend_at(&mut chart, SeriesLabelPosition::LowerRight)?;
        if let Some(note) = &skipped {
            body.draw(&Text::new(note.as_str(), (70, 12), (FONT, 12).into_font().color(&SADDLE))).map_err(err)?;
        }
        Ok((Some(frame), vec![]))
    })
}

/// The neurons each τ_z needs for the chosen error s.d. (A9–A10), log–log over 10 ms…1 s, with
/// this network and the paper's 10⁶.
fn needed(p: &TimescaleParams, r: &TimescaleResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let d = &r.needed;
    if d.tau_latent.len() < 2 {
        return Err("result has no τ_z grid".into());
    }
    let (x0, x1) = (d.tau_latent[0], d.tau_latent[d.tau_latent.len() - 1]);
    let ys = d.neurons.iter().copied().chain([PAPER_NEURONS, p.neurons as f64, d.this_network]);
    let (lo, hi) = ys.fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = (lo / 3.0, hi * 3.0);
    let title = format!("N for a growth-rate error s.d. of {}% (τ = {} s, ρ = {})", d.error * 100.0, p.tau, p.rho);
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(8)
            .x_label_area_size(34)
            .y_label_area_size(56)
            .build_cartesian_2d((x0..x1).log_scale(), (lo..hi).log_scale())
            .map_err(err)?;
        house_style(&mut chart.configure_mesh(), 11)
            .x_desc("latent time scale τ_z (s)")
            .y_desc("neurons N needed")
            .x_label_formatter(&|v| format!("{v}"))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0, PAPER_NEURONS), (x1, PAPER_NEURONS)],
                MUTED.stroke_width(2),
            )))
            .map_err(err)?
            .label("10⁶: the paper's 'enough for second-long τ_z'")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                d.tau_latent.iter().copied().zip(d.neurons.iter().copied()),
                PALETTE[0].stroke_width(2),
            ))
            .map_err(err)?
            .label(format!("needed: ((τ_z + τ)/τ)²(1/ρ² + 1)/{}²", d.error))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
        if d.longest_at_paper_neurons > x0 && d.longest_at_paper_neurons < x1 {
            let t = d.longest_at_paper_neurons;
            chart
                .draw_series(std::iter::once(Circle::new((t, PAPER_NEURONS), 5, MUTED.filled())))
                .map_err(err)?
                .label(format!("10⁶ neurons reach τ_z = {} ms", crate::experiments::significant(t * 1000.0, 3)))
                .legend(|(x, y)| Circle::new((x + 7, y), 4, MUTED.filled()));
        }
        chart
            .draw_series(std::iter::once(Circle::new((p.tau_latent, p.neurons as f64), 6, PALETTE[1].filled())))
            .map_err(err)?
            .label(format!("this network: N = {}, s.d. {:.0}%", p.neurons, r.growth_rate.predicted_sd * 100.0))
            .legend(|(x, y)| Circle::new((x + 7, y), 5, PALETTE[1].filled()));
        legend_at(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok((None, vec![]))
    })
}
