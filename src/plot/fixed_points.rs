//! Plots of `exp=fixed_points`: the fixed points on a plane (the latent (z1, z2) plane with the
//! flow, or the first two principal components of the full state with the trajectories) and
//! the eigenvalues of the Jacobian at every fixed point, coloured by the point's kind.

use super::charts::{self, Portrait};
use super::*;
use crate::experiments::fixed_points::{latent_points, FixedPoints, FixedPointsParams, FixedPointsResult, Space};

impl Figures for FixedPoints {
    fn render(name: &str, _p: &FixedPointsParams, r: &FixedPointsResult, opts: &PlotOptions) -> DrawResult<Figure> {
        match (name, r.space) {
            ("plane", Space::Latent) => portrait(r, opts),
            ("plane", Space::Full) => principal_plane(r, opts),
            ("eigenvalues", _) => eigenvalues(r, opts),
            _ => Err(unknown::<Self>(name)),
        }
    }
}

/// The latent portrait: the flow and the fixed points by kind.
fn portrait(r: &FixedPointsResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let points = latent_points(r);
    let portrait = Portrait {
        flow: r.flow.as_ref(),
        fixed_points: &points,
        latent: &[],
        launched: None,
        input_on: r.input.iter().any(|&u| u != 0.0),
    };
    charts::portrait(&portrait, "Fixed points and latent flow", opts)
}

/// The fixed points by kind and the trajectories (thin lines from a cross) on PC1 and PC2.
fn principal_plane(r: &FixedPointsResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let plane = r.plane.as_ref().ok_or("result has no \"plane\"")?;
    let all = || plane.fixed_points.iter().chain(plane.trajectories.iter().flatten());
    let x = span(all().map(|p| p[0]), (-1.0, 1.0));
    let y = span(all().map(|p| p[1]), (-1.0, 1.0));
    let share = |c: usize| plane.explained.get(c).copied().unwrap_or(0.0) * 100.0;
    let title = format!(
        "{} fixed points and {} trajectories on the full state's PC1 ({:.0}%) and PC2 ({:.0}%)",
        r.fixed_points.len(),
        plane.trajectories.len(),
        share(0),
        share(1)
    );
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, _) = axes(&body, x, y, "PC1", "PC2")?;
        for (i, t) in plane.trajectories.iter().enumerate() {
            let line = chart
                .draw_series(LineSeries::new(t.iter().map(|p| (p[0], p[1])), MUTED.mix(0.8).stroke_width(1)))
                .map_err(err)?;
            if i == 0 {
                line.label("trajectories (× start)")
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED.stroke_width(1)));
            }
            if let Some(first) = t.first() {
                chart
                    .draw_series(std::iter::once(Cross::new((first[0], first[1]), 4, MUTED.stroke_width(1))))
                    .map_err(err)?;
            }
        }
        let mut labelled = [false; 3];
        for (fp, xy) in r.fixed_points.iter().zip(&plane.fixed_points) {
            charts::draw_fixed_point(&mut chart, xy[0], xy[1], fp.kind, false, &mut labelled)?;
        }
        legend(&mut chart)?;
        Ok((None, vec![]))
    })
}

/// Every fixed point's eigenvalues in its kind's colour, with the line Re λ = 0. Points of
/// different kinds often share eigenvalues (a saddle's stable direction is an attractor's), so
/// the kinds are drawn stable, saddle, unstable with ever smaller marks on top of each other:
/// the fixed points' own markers (●, ▲ and a wide ○) up to [`MARKERS`] eigenvalues, nested
/// squares beyond.
fn eigenvalues(r: &FixedPointsResult, opts: &PlotOptions) -> DrawResult<Figure> {
    let values = || r.fixed_points.iter().flat_map(|f| f.eigenvalues.iter());
    let x = span(values().map(|e| e[0]).chain([0.0]), (-1.0, 1.0));
    let top = values().map(|e| e[1].abs()).fold(0.0f64, f64::max);
    let half = if top > 0.0 { top * 1.1 } else { (x.1 - x.0) / 4.0 };
    let y = (-half, half);
    let markers = values().count() <= MARKERS;
    let jacobian = match r.space {
        Space::Latent => "latent Jacobian J_z",
        Space::Full => "full Jacobian",
    };
    let title = format!("Eigenvalues of the {jacobian} at each of {} fixed points (1/s)", r.fixed_points.len());
    svg(opts, |root| {
        let body = titled(root, &title)?;
        let (mut chart, frame) = axes(&body, x, y, "Re λ (1/s)", "Im λ (1/s)")?;
        layer_anchor(&body, 0)?;
        chart
            .draw_series(DashedLineSeries::new([(0.0, y.0), (0.0, y.1)], 6, 4, MUTED.stroke_width(1)))
            .map_err(err)?
            .label("Re λ = 0")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], MUTED.stroke_width(1)));
        let mut layer = Layer::new(&frame);
        for (kind, name, square) in
            [(Kind::Stable, "stable", 6.0), (Kind::Saddle, "saddle", 4.0), (Kind::Unstable, "unstable", 2.0)]
        {
            let of_kind: Vec<&[[f64; 2]]> =
                r.fixed_points.iter().filter(|f| f.kind == kind).map(|f| f.eigenvalues.as_slice()).collect();
            if of_kind.is_empty() {
                continue;
            }
            let points = of_kind.iter().flat_map(|e| e.iter()).map(|e| (e[0], e[1]));
            let c = kind_colour(kind);
            let label = format!("{name} ({} point{})", of_kind.len(), if of_kind.len() == 1 { "" } else { "s" });
            if markers {
                let series = match kind {
                    Kind::Stable => chart.draw_series(points.map(|p| Circle::new(p, 6, c.filled()))),
                    Kind::Saddle => chart.draw_series(points.map(|p| TriangleMarker::new(p, 5, c.filled()))),
                    Kind::Unstable => chart.draw_series(points.map(|p| Circle::new(p, 9, c.stroke_width(2)))),
                }
                .map_err(err)?
                .label(label);
                match kind {
                    Kind::Stable => series.legend(move |(x, y)| Circle::new((x + 7, y), 5, c.filled())),
                    Kind::Saddle => series.legend(move |(x, y)| TriangleMarker::new((x + 7, y), 6, c.filled())),
                    Kind::Unstable => series.legend(move |(x, y)| Circle::new((x + 7, y), 5, c.stroke_width(2))),
                };
            } else {
                let pts: Vec<(f64, f64)> = points.map(|(a, b)| (frame.px(a), frame.py(b))).collect();
                layer.dots(&pts, c, square, 0.8);
                chart
                    .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                    .map_err(err)?
                    .label(label)
                    .legend(move |(x, y)| Rectangle::new([(x + 3, y - 4), (x + 11, y + 4)], c.filled()));
            }
        }
        legend(&mut chart)?;
        Ok((None, vec![layer]))
    })
}

/// Most eigenvalues drawn as markers; more are drawn as a dense layer of squares.
const MARKERS: usize = 400;
