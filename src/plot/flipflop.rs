//! Plots of `exp=flipflop`: inputs with latent trajectories and targets, the phase portrait,
//! the activity heatmap and tuning curves (LCF Fig. 1C–F, Eq. 5).

use super::charts::{self, Portrait, Trial};
use super::*;
use crate::experiments::flipflop::{Flipflop, FlipflopParams, FlipflopResult};

impl Figures for Flipflop {
    fn render(name: &str, p: &FlipflopParams, r: &FlipflopResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "trajectory" => trajectory(r, opts),
            "portrait" => portrait(p, r, opts),
            "activity" => activity(r, opts),
            "tuning" => tuning(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// The trial: one panel per bit, titled with its state accuracy.
fn trajectory(r: &FlipflopResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let what =
        if r.output.is_some() { "Inputs, latent z, outputs and targets" } else { "Inputs, latent z and targets" };
    let title = match (r.noisy_accuracy, r.trial_accuracy.len()) {
        (Some(a), 0) => format!("{what} — accuracy {:.3} (noise-free), {a:.3} (shown, with noise)", r.accuracy),
        (None, 0) => format!("{what} — state accuracy {:.3}", r.accuracy),
        // A batch: the accuracies are the trials' together, the trial shown is the first.
        (Some(a), n) => format!(
            "Trial 1 of {n} — accuracy {:.3}, {a:.3} with noise (trial 1: {:.3})",
            r.accuracy, r.trial_accuracy[0]
        ),
        (None, n) => format!("Trial 1 of {n} — accuracy {:.3} (trial 1: {:.3})", r.accuracy, r.trial_accuracy[0]),
    };
    let trial = Trial {
        time: &r.time,
        inputs: &r.inputs,
        targets: &r.targets,
        latent: &r.latent,
        observed: r.observed_latent.as_deref(),
        output: r.output.as_deref(),
    };
    charts::trajectory(&trial, &title, None, opts)
}

/// The portrait with the trial's trajectory and the launched one.
fn portrait(p: &FlipflopParams, r: &FlipflopResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let portrait = Portrait {
        flow: r.flow.as_ref(),
        fixed_points: &r.fixed_points,
        latent: &r.latent,
        launched: r.launched.as_deref(),
        input_on: p.input.iter().any(|&u| u != 0.0),
    };
    charts::portrait(&portrait, "Phase portrait", opts)
}

/// The rates of the recorded neurons as a heatmap over time, with a colour bar.
fn activity(r: &FlipflopResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (time, rates) = (&r.activity.time, &r.activity.rates);
    if rates.is_empty() || time.is_empty() {
        return svg(opts, |root| {
            let body = titled(root, "Activity: no neurons recorded (record = 0)")?;
            axes(&body, (0.0, 1.0), (0.0, 1.0), "time (s)", "neuron")?;
            Ok((None, vec![]))
        });
    }
    let (rows, cols) = (rates.len(), time.len());
    let step = if cols > 1 { time[1] - time[0] } else { time[0] };
    let x = (time[0] - step, time[cols - 1]);
    let cursor = opts.upto.and_then(|u| r.time.get(u).copied());
    svg(opts, |root| {
        let body = titled(root, &format!("Activity of the first {rows} neurons (rates r_i)"))?;
        let (main, side) = body.split_horizontally(body.dim_in_pixel().0.saturating_sub(80));
        let (mut chart, frame) = axes(&main, x, (-0.5, rows as f64 - 0.5), "time (s)", "neuron")?;
        layer_anchor(&main, 0)?;
        let mut heat = Layer::new(&frame);
        heat.image(
            rows,
            cols,
            |r, c| diverging(rates[rows - 1 - r][c]),
            frame.pixels[0],
            frame.pixels[1],
            frame.pixels[2] - frame.pixels[0],
            frame.pixels[3] - frame.pixels[1],
        );
        if let Some(tc) = cursor {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(tc, -0.5), (tc, rows as f64 - 0.5)],
                    INK.stroke_width(1),
                )))
                .map_err(err)?;
        }
        // Colour bar.
        let bar_chart = ChartBuilder::on(&side)
            .margin_top(8)
            .margin_bottom(40)
            .margin_right(40)
            .y_label_area_size(0)
            .x_label_area_size(0)
            .build_cartesian_2d(0.0..1.0, -1.0..1.0)
            .map_err(err)?;
        let bar_frame = Frame::new(bar_chart.plotting_area().get_pixel_range(), (0.0, 1.0), (-1.0, 1.0));
        layer_anchor(&side, 1)?;
        let mut bar = Layer::new(&bar_frame);
        bar.image(
            64,
            1,
            |r, _| diverging(1.0 - 2.0 * (r as f64 + 0.5) / 64.0),
            bar_frame.pixels[0],
            bar_frame.pixels[1],
            bar_frame.pixels[2] - bar_frame.pixels[0],
            bar_frame.pixels[3] - bar_frame.pixels[1],
        );
        // Text positions are relative to the side area.
        let (ox, oy) = side.get_base_pixel();
        let style = (FONT, 11).into_font().color(&INK);
        let right = bar_frame.pixels[2] as i32 + 4 - ox;
        let (top, bottom) = (bar_frame.pixels[1] as i32 - oy, bar_frame.pixels[3] as i32 - oy);
        side.draw(&Text::new("+1", (right, top), style.clone())).map_err(err)?;
        side.draw(&Text::new("0", (right, (top + bottom) / 2 - 5), style.clone())).map_err(err)?;
        side.draw(&Text::new("−1", (right, bottom - 10), style.clone())).map_err(err)?;
        side.draw(&Text::new("rate", (bar_frame.pixels[0] as i32 - ox, bottom + 6), style)).map_err(err)?;
        Ok((None, vec![heat, bar]))
    })
}

/// Each chosen neuron's rate against each latent, the others held at 0: one colour per neuron,
/// solid against z1 and dashed (longer dashes for later latents) against the rest.
fn tuning(r: &FlipflopResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let curves = &r.tuning;
    svg(opts, |root| {
        let title = if curves.is_empty() {
            "Tuning curves: choose neurons with the tuning key"
        } else {
            "Tuning curves r_i(z) = φ(m_i·z + B_i u + b_i), other latents at 0"
        };
        let body = titled(root, title)?;
        let mut chart = charts::tuning_axes(&body, curves.iter(), curves.iter())?;
        let neurons: Vec<usize> = {
            let mut v: Vec<usize> = curves.iter().map(|c| c.neuron).collect();
            v.dedup();
            v
        };
        for c in curves {
            let d = c.dimension;
            let colour = PALETTE[neurons.iter().position(|&n| n == c.neuron).unwrap_or(0) % PALETTE.len()];
            let dash = (d != 0).then_some((4 + 2 * d as u32, 5));
            charts::tuning_line(&mut chart, c, colour, dash, format!("neuron {} vs z{}", c.neuron, d + 1))?;
        }
        if !curves.is_empty() {
            legend(&mut chart)?;
        }
        Ok((None, vec![]))
    })
}
