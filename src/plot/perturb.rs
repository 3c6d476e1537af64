//! Plots of `exp=perturb` (LCF Fig. 3B–C): the state read from coding and from redundant
//! neurons around the stimulus, and the connectivity matrix.

use super::*;
use crate::experiments::perturb::{Perturb, PerturbParams, PerturbResult};

impl Figures for Perturb {
    fn render(name: &str, _p: &PerturbParams, r: &PerturbResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "stimulation" => stimulation(r, opts),
            "connectivity" => connectivity(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// The stimulus and the state read from coding and from redundant neurons (Fig. 3C).
fn stimulation(r: &PerturbResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (time, stim, coding, target) = (&r.time, &r.stimulus, &r.latent_coding, &r.target);
    let redundant = r.latent_redundant.as_deref().unwrap_or_default();
    let amp = stim.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    let y = span(coding.iter().chain(redundant.iter()).flatten().copied(), (-1.5, 1.5));
    let y = (y.0.min(-1.3), y.1.max(1.3));
    let switched = r.switched;
    // One bar per step: a given network's Δt is its own.
    let half = if time.len() > 1 { (time[1] - time[0]) / 2.0 } else { 0.0005 };
    svg(opts, |root| {
        let body = titled(
            root,
            &format!(
                "Stimulation: state read from coding neurons (solid) and from redundant neurons (dashed) — {}",
                if switched { "switched" } else { "not switched" }
            ),
        )?;
        let panels = body.split_evenly((2, 1));
        for (d, panel) in panels.iter().enumerate() {
            let (mut chart, _) = axes(
                panel,
                (0.0, *time.last().unwrap_or(&1.0)),
                y,
                if d == 1 { "time (s)" } else { "" },
                &if r.read_out { format!("output {} (readout)", d + 1) } else { format!("z{} (latent)", d + 1) },
            )?;
            // The stimulus acts along sign(m^(1)) (a given network: sign(B^(1))): drawn on the
            // z1 panel only.
            let bars: Vec<_> = time
                .iter()
                .zip(stim)
                .filter(|(_, s)| **s != 0.0 && d == 0)
                .map(|(&t, &s)| {
                    Rectangle::new([(t - half, 0.0), (t + half, s / amp)], RGBColor(190, 190, 190).filled())
                })
                .collect();
            let b = chart.draw_series(bars).map_err(err)?;
            if d == 0 {
                b.label("stimulus (scaled)")
                    .legend(|(x, y)| Rectangle::new([(x, y - 4), (x + 14, y + 4)], RGBColor(190, 190, 190).filled()));
            }
            let idx = thin(time.len(), 1500);
            if !target.is_empty() {
                let tg = chart
                    .draw_series(LineSeries::new(idx.iter().map(|&i| (time[i], target[i][d])), INK.stroke_width(1)))
                    .map_err(err)?;
                if d == 0 {
                    tg.label("target").legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK));
                }
            }
            let colour = PALETTE[d];
            let c = chart
                .draw_series(LineSeries::new(idx.iter().map(|&i| (time[i], coding[i][d])), colour.stroke_width(2)))
                .map_err(err)?;
            if d == 0 {
                c.label(if r.read_out {
                    "coding readout (the network's readout)"
                } else {
                    "coding readout (encoding weights)"
                })
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            }
            if !redundant.is_empty() {
                let r = chart
                    .draw_series(DashedLineSeries::new(
                        idx.iter().map(|&i| (time[i], redundant[i][d])),
                        6,
                        4,
                        PALETTE[4].stroke_width(2),
                    ))
                    .map_err(err)?;
                if d == 0 {
                    r.label("redundant readout (fitted)")
                        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 6, y)], PALETTE[4].stroke_width(2)));
                }
            }
            if d == 0 {
                legend(&mut chart)?;
            }
        }
        Ok((None, vec![]))
    })
}

/// The connectivity matrix with its coding and redundant blocks (Fig. 3B).
fn connectivity(r: &PerturbResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let w = &r.connectivity;
    let split = r.redundant_from as f64;
    let n = w.len();
    if n == 0 {
        return Err("no connectivity".into());
    }
    let scale = w.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    svg(opts, |root| {
        let body = titled(root, &format!("Connectivity W (colour ±{scale:.3}); coding neurons first, then redundant"))?;
        let (mut chart, frame) = axes(
            &body,
            (0.0, n as f64),
            (0.0, n as f64),
            "presynaptic neuron j (shown subset)",
            "postsynaptic neuron i",
        )?;
        layer_anchor(&body, 0)?;
        let mut layer = Layer::new(&frame);
        layer.image(
            n,
            n,
            |r, c| diverging(w[r][c] / scale),
            frame.pixels[0],
            frame.pixels[1],
            frame.pixels[2] - frame.pixels[0],
            frame.pixels[3] - frame.pixels[1],
        );
        if split > 0.0 && (split as usize) < n {
            let y = n as f64 - split;
            chart
                .draw_series([
                    PathElement::new(vec![(split, 0.0), (split, n as f64)], INK.stroke_width(1)),
                    PathElement::new(vec![(0.0, y), (n as f64, y)], INK.stroke_width(1)),
                ])
                .map_err(err)?;
        }
        Ok((None, vec![layer]))
    })
}
