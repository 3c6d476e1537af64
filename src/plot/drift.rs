//! Plots of `exp=drift` (LCF Fig. 4B–H): the trial across the drift, the portrait before and
//! after it, and one neuron's tuning curves before and after.

use super::charts::{self, Portrait, Trial};
use super::*;
use crate::experiments::drift::{Drift, DriftParams, DriftResult};

impl Figures for Drift {
    fn render(name: &str, _p: &DriftParams, r: &DriftResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match name {
            "trajectory" => trajectory(r, opts),
            "portrait_before" => portrait(r, opts, false),
            "portrait_after" => portrait(r, opts, true),
            "tuning" => tuning(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// The flip-flop trajectory plot with the moment of the drift marked.
fn trajectory(r: &DriftResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let tm = r.time.get(r.drift_index).copied().unwrap_or(0.0);
    let title = format!(
        "Latent z and targets — accuracy {:.3} before the drift, {:.3} after",
        r.accuracy_before, r.accuracy_after
    );
    let trial = Trial {
        time: &r.time,
        inputs: &r.inputs,
        targets: &r.targets,
        latent: &r.latent,
        observed: r.observed_latent.as_deref(),
        output: None,
    };
    charts::trajectory(&trial, &title, Some((tm, "drift")), opts)
}

/// The portrait before or after the drift, with that segment's trajectory.
fn portrait(r: &DriftResult, opts: &PlotOptions, after: bool) -> DrawResult<Figure> {
    let part = if after { &r.after } else { &r.before };
    let at = (r.drift_index + 1).min(r.latent.len());
    let segment = if after { &r.latent[at..] } else { &r.latent[..at] };
    let portrait = Portrait {
        flow: part.flow.as_ref(),
        fixed_points: &part.fixed_points,
        latent: segment,
        launched: None,
        input_on: false,
    };
    let heading = if after { "After the drift: phase portrait" } else { "Before the drift: phase portrait" };
    charts::portrait(&portrait, heading, opts)
}

/// One neuron's tuning curves against each latent, before (solid) and after (dashed) the drift.
fn tuning(r: &DriftResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let (before, after) = (&r.tuning_before, &r.tuning_after);
    let neuron = before.first().map_or(0, |c| c.neuron);
    let title = format!(
        "Neuron {neuron}: tuning before (solid) and after (dashed); {:.0}% of neurons keep their coding",
        r.fraction_keeping_coding * 100.0
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let mut chart = charts::tuning_axes(&body, before.iter(), before.iter().chain(after))?;
        for (set, dashed) in [(before, false), (after, true)] {
            for c in set {
                let d = c.dimension;
                let label = format!("against z{} {}", d + 1, if dashed { "after" } else { "before" });
                charts::tuning_line(&mut chart, c, PALETTE[d % PALETTE.len()], dashed.then_some((6, 6)), label)?;
            }
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}
