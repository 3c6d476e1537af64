//! Plots of `exp=train`: the loss of each stage, the latent portrait of the rank-K network,
//! a fresh test trial, and the encoding–embedding weight scatter of LCF Fig. S1C.

use super::charts::{self, Portrait};
use super::*;
use crate::experiments::train::{Train, TrainParams, TrainResult};

impl Figures for Train {
    fn render(name: &str, p: &TrainParams, r: &TrainResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "loss" => loss(r, opts),
            "portrait" => portrait(p, r, opts),
            "trial" => trial(r, opts),
            "weights" => weights(p, r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// log₁₀ of each stage's loss against the epoch, the stages one after the other.
fn loss(r: &TrainResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let total = r.epochs_total.max(1) as f64;
    let logs: Vec<Vec<f64>> =
        r.loss.iter().map(|c| c.loss.iter().map(|l| libm::log10(l.max(1e-300))).collect()).collect();
    let y = span(logs.iter().flatten().copied(), (-3.0, 0.0));
    svg(opts, |root| {
        let title = if r.finished {
            format!("Loss per epoch — {} epochs", r.epochs_done)
        } else {
            format!("Loss per epoch — epoch {} of {}", r.epochs_done, r.epochs_total)
        };
        let body = titled(root, &title)?;
        let (mut chart, _) = axes(&body, (0.0, total), y, "epoch", "log₁₀ loss")?;
        let mut start = 0.0;
        for (i, (c, l)) in r.loss.iter().zip(&logs).enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let idx = thin(l.len(), 1500);
            let label = match c.stage.as_str() {
                "task" => "task (MSE of the readout)".to_string(),
                "fit" => "fit to the full-rank rates (logistic, KL)".to_string(),
                other => other.to_string(),
            };
            chart
                .draw_series(LineSeries::new(
                    idx.iter().map(|&e| (start + e as f64 + 1.0, l[e])),
                    colour.stroke_width(2),
                ))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
            start += c.loss.len() as f64;
        }
        if !r.loss.is_empty() {
            legend(&mut chart)?;
        }
        Ok((None, vec![]))
    })
}

fn portrait(p: &TrainParams, r: &TrainResult, opts: &PlotOptions) -> DrawResult<Figure> {
    if r.flow.is_none() {
        return svg(opts, |root| {
            let body = titled(root, &format!("Full-rank stage: the rank-{} network is fit next", p.rank))?;
            axes(&body, (-1.0, 1.0), (-1.0, 1.0), "z1 (latent)", "z2 (latent)")?;
            Ok((None, vec![]))
        });
    }
    let portrait = Portrait {
        flow: r.flow.as_ref(),
        fixed_points: &r.fixed_points,
        latent: &r.latent,
        launched: None,
        input_on: false,
    };
    charts::portrait(&portrait, &format!("Rank-{} network, epoch {}", p.rank, r.epochs_done), opts)
}

/// One panel per output: its target and the network's output y = R r over a fresh test
/// trial; a last panel with the input channels.
fn trial(r: &TrainResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let outputs = r.output.first().map_or(0, Vec::len);
    if outputs == 0 || r.time.is_empty() {
        return Err("the network has no readout yet".into());
    }
    let inputs = r.inputs.first().map_or(0, Vec::len);
    let x = (0.0, r.time[r.time.len() - 1]);
    let idx = thin(r.time.len(), 1500);
    svg(opts, |root| {
        let body = titled(root, &format!("A fresh test trial — accuracy over the test trials {:.3}", r.accuracy))?;
        let panels = body.split_evenly((outputs + 1, 1));
        for (o, area) in panels.iter().enumerate() {
            let last = o == outputs;
            let series = |col: &dyn Fn(&Vec<f64>) -> f64| {
                idx.iter().map(|&i| (r.time[i], col(&r.inputs[i]))).collect::<Vec<_>>()
            };
            let values: Vec<f64> = if last {
                r.inputs.iter().flatten().copied().collect()
            } else {
                r.output.iter().map(|y| y[o]).chain(r.targets.iter().map(|t| t[o])).collect()
            };
            let y = span(values.into_iter().chain([-1.0, 1.0]), (-1.2, 1.2));
            let label = if last { "inputs".to_string() } else { format!("output {}", o + 1) };
            let (mut chart, _) = axes(area, x, y, if last { "time (s)" } else { "" }, &label)?;
            if last {
                for c in 0..inputs {
                    let colour = PALETTE[(c + 2) % PALETTE.len()];
                    chart
                        .draw_series(LineSeries::new(series(&|u: &Vec<f64>| u[c]), colour.stroke_width(2)))
                        .map_err(err)?
                        .label(format!("input {}", c + 1))
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], colour.stroke_width(2)));
                }
            } else {
                chart
                    .draw_series(LineSeries::new(
                        idx.iter().map(|&i| (r.time[i], r.targets[i][o])),
                        INK.stroke_width(1),
                    ))
                    .map_err(err)?
                    .label("target")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], INK));
                chart
                    .draw_series(LineSeries::new(
                        idx.iter().map(|&i| (r.time[i], r.output[i][o])),
                        PALETTE[0].stroke_width(2),
                    ))
                    .map_err(err)?
                    .label("output y = R r")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], PALETTE[0].stroke_width(2)));
            }
            if o == 0 || last {
                legend(&mut chart)?;
            }
        }
        Ok((None, vec![]))
    })
}

/// Each neuron's encoding weight n_i^(k) (times N) against its embedding weight m_i^(k), one
/// colour per latent dimension k, with the correlation of each.
fn weights(p: &TrainParams, r: &TrainResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let w = &r.weights;
    let k = w.embedding.first().map_or(0, Vec::len);
    let x = span(w.embedding.iter().flatten().copied(), (-1.0, 1.0));
    let y = span(w.encoding.iter().flatten().copied(), (-1.0, 1.0));
    svg(opts, |root| {
        let title = if k == 0 {
            format!("Full-rank stage: the rank-{} network's weights come next", p.rank)
        } else {
            format!("Encoding against embedding, N = {} neurons", p.neurons)
        };
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, x, y, "embedding weight m_i", "encoding weight N·n_i")?;
        layer_anchor(&body, 0)?;
        let mut layer = Layer::new(&frame);
        for d in 0..k {
            let pts: Vec<(f64, f64)> = w.embedding.iter().zip(&w.encoding).map(|(m, n)| (m[d], n[d])).collect();
            let colour = PALETTE[d % PALETTE.len()];
            let pixels: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (frame.px(x), frame.py(y))).collect();
            layer.dots(&pixels, colour, 3.0, 0.7);
            let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
            let ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
            let rho = crate::numerics::rank_correlation::pearson(&xs, &ys);
            chart
                .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                .map_err(err)?
                .label(format!("latent {}: correlation {:.2}", d + 1, rho))
                .legend(move |(x, y)| Circle::new((x + 7, y), 4, colour.filled()));
        }
        if k > 0 {
            legend(&mut chart)?;
        }
        Ok((None, vec![layer]))
    })
}
