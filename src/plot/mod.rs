//! Plots of experiment results as SVG, from one drawing code for the page, its exports and
//! the CLI. plotters draws axes, labels, lines and markers; dense layers (quiver fields,
//! heatmaps, large scatters) are written straight into the SVG as one path per colour and one
//! embedded image, so a 40 × 40 quiver or a 100,000-point cloud stays a handful of elements.
//!
//! Each experiment draws its typed result and parameters in `src/plot/<experiment>.rs`
//! ([`Figures`]); chart pieces that several experiments draw are in `charts.rs`.

mod chaos;
mod charts;
mod dense;
mod dimensionality;
mod drift;
mod drift_sweep;
mod fixed_points;
mod flipflop;
mod jedi;
mod jedi_compare;
mod lyapunov;
mod partial;
mod perturb;
mod sequence_sweep;
mod spectrum;
mod timescale;
mod train;

use crate::analysis::fixed_points::Kind;
use crate::experiments::Experiment;
use plotters::prelude::*;
use serde::Serialize;

pub use dense::Layer;

/// How an experiment draws its plots: implemented in `src/plot/<experiment>.rs`.
pub trait Figures: Experiment {
    /// Draws plot `name` (one of [`Experiment::plots`]) of a typed result.
    fn render(name: &str, p: &Self::Params, r: &Self::Result, opts: &PlotOptions) -> DrawResult<Figure>;
}

/// Size and time cursor of a drawing.
#[derive(Clone, Debug)]
pub struct PlotOptions {
    /// Width in SVG pixels (clamped to 200–4000).
    pub width: u32,
    /// Height in SVG pixels (clamped to 150–4000).
    pub height: u32,
    /// Time index (row of the trajectory) up to which a running trial is drawn; all if None.
    pub upto: Option<usize>,
}

impl PlotOptions {
    /// The options with width and height clamped to what a plot can be drawn at.
    pub fn clamped(&self) -> Self {
        PlotOptions { width: self.width.clamp(200, 4000), height: self.height.clamp(150, 4000), ..self.clone() }
    }
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions { width: 640, height: 420, upto: None }
    }
}

/// Where the data sit in the picture, so a click can be turned into data coordinates.
#[derive(Clone, Debug, Serialize)]
pub struct Frame {
    /// Plot area in SVG pixels: left, top, right, bottom.
    pub pixels: [f64; 4],
    /// Data range: x min, x max, y min, y max.
    pub data: [f64; 4],
}

impl Frame {
    fn new(area: (std::ops::Range<i32>, std::ops::Range<i32>), x: (f64, f64), y: (f64, f64)) -> Self {
        Frame {
            pixels: [area.0.start as f64, area.1.start as f64, area.0.end as f64, area.1.end as f64],
            data: [x.0, x.1, y.0, y.1],
        }
    }

    /// The SVG x pixel of data x.
    pub fn px(&self, x: f64) -> f64 {
        self.pixels[0] + (x - self.data[0]) / (self.data[1] - self.data[0]) * (self.pixels[2] - self.pixels[0])
    }

    /// The SVG y pixel of data y.
    pub fn py(&self, y: f64) -> f64 {
        self.pixels[3] - (y - self.data[2]) / (self.data[3] - self.data[2]) * (self.pixels[3] - self.pixels[1])
    }
}

/// One drawn plot.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// The SVG document.
    pub svg: String,
    /// The clickable panel (the portrait), if the plot has one.
    pub frame: Option<Frame>,
}

/// A drawing, or why it could not be drawn.
pub type DrawResult<T> = Result<T, String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// The error for a plot name that `E` does not draw (the registry checks names first).
fn unknown<E: Experiment>(name: &str) -> String {
    format!("no plot \"{name}\" for exp={}", E::NAME)
}

/// A plotters chart with f64 axes on the SVG backend.
pub type Chart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;
/// A region of the SVG picture.
pub type Area<'b> = DrawingArea<SVGBackend<'b>, plotters::coord::Shift>;

/// Axes with labelled ticks and a light grid; `x_desc` empty hides the x tick labels.
fn axes<'a, 'b>(
    area: &'a Area<'b>,
    x: (f64, f64),
    y: (f64, f64),
    x_desc: &str,
    y_desc: &str,
) -> DrawResult<(Chart<'a, 'b>, Frame)> {
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(if x_desc.is_empty() { 6 } else { 34 })
        .y_label_area_size(50)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)
        .map_err(err)?;
    let mut mesh = chart.configure_mesh();
    house_style(&mut mesh, 11).y_desc(y_desc).x_labels(7).y_labels(6);
    let whole = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 && v.abs() >= 10.0 {
            format!("{v:.0}")
        } else {
            // + 0.0: a tick a rounding error below zero is 0, not "-0".
            format!("{}", (v * 1e6).round() / 1e6 + 0.0)
        }
    };
    mesh.y_label_formatter(&whole);
    if x_desc.is_empty() {
        mesh.x_label_formatter(&|_| String::new());
    } else {
        mesh.x_desc(x_desc).x_label_formatter(&whole);
    }
    mesh.draw().map_err(err)?;
    let frame = Frame::new(chart.plotting_area().get_pixel_range(), x, y);
    Ok((chart, frame))
}

/// The grid, axis and label style every chart shares (tick labels at `size`, descriptions one
/// point larger).
fn house_style<'m, 'a, 'b, X, Y, XT, YT, DB: DrawingBackend>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    size: u32,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + plotters::coord::ranged1d::ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + plotters::coord::ranged1d::ValueFormatter<YT>,
{
    mesh.bold_line_style(RGBColor(232, 232, 232))
        .light_line_style(RGBColor(247, 247, 247))
        .axis_style(MUTED)
        .label_style((FONT, size).into_font().color(&INK))
        .axis_desc_style((FONT, size + 1).into_font().color(&INK))
}

/// A caption line at the top of the picture; returns the area below it.
fn titled<'b>(root: &Area<'b>, title: &str) -> DrawResult<Area<'b>> {
    root.titled(title, (FONT, 14).into_font().color(&INK)).map_err(err)
}

fn legend<'a, 'b: 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
) -> DrawResult<()> {
    legend_at(chart, SeriesLabelPosition::UpperRight)
}

/// The legend box at `position` (for curves that rise to the upper right).
fn legend_at<'a, 'b: 'a, X: Ranged, Y: Ranged>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> DrawResult<()> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(210, 210, 210))
        .label_font((FONT, 11).into_font().color(&INK))
        .position(position)
        .draw()
        .map_err(err)
}

// ---- shared style ----

/// The font family of every label.
pub const FONT: &str = "sans-serif";
/// Text and target lines.
pub const INK: RGBColor = RGBColor(33, 37, 41);
/// Axes and secondary marks.
pub const MUTED: RGBColor = RGBColor(134, 142, 150);
/// One colour per latent dimension / neuron (colour-blind-safe, Okabe–Ito).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(120, 94, 240),
    RGBColor(0, 0, 0),
];
/// Stable fixed points.
pub const STABLE: RGBColor = RGBColor(0, 120, 60);
/// Saddles.
pub const SADDLE: RGBColor = RGBColor(230, 130, 0);
/// Unstable fixed points and event markers.
pub const UNSTABLE: RGBColor = RGBColor(200, 30, 45);

fn kind_colour(kind: Kind) -> RGBColor {
    match kind {
        Kind::Stable => STABLE,
        Kind::Saddle => SADDLE,
        Kind::Unstable => UNSTABLE,
    }
}

/// Viridis, sampled at five stops and interpolated (t in [0, 1]).
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] =
        [(68.0, 1.0, 84.0), (59.0, 82.0, 139.0), (33.0, 145.0, 140.0), (94.0, 201.0, 98.0), (253.0, 231.0, 37.0)];
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 } * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Blue (−1) – white (0) – red (+1) for rates of tanh units.
pub fn diverging(v: f64) -> RGBColor {
    let t = if v.is_finite() { v.clamp(-1.0, 1.0) } else { 0.0 };
    let (r, g, b) = if t < 0.0 { (33.0, 102.0, 172.0) } else { (178.0, 24.0, 43.0) };
    let a = t.abs();
    let mix = |c: f64| (255.0 + (c - 255.0) * a).round() as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

/// A padded range covering `values` (finite ones), or `fallback` if none.
fn span(values: impl Iterator<Item = f64>, fallback: (f64, f64)) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return fallback;
    }
    if hi - lo < 1e-12 {
        let d = lo.abs().max(1.0) * 0.1;
        return (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// Every `stride`-th index so that a line has at most `max` points (keeping the last).
fn thin(len: usize, max: usize) -> Vec<usize> {
    let stride = len.div_ceil(max.max(1)).max(1);
    let mut idx: Vec<usize> = (0..len).step_by(stride).collect();
    if len > 0 && idx.last() != Some(&(len - 1)) {
        idx.push(len - 1);
    }
    idx
}

/// Renders into an SVG string; `draw` gets the root area and returns the clickable frame and
/// the dense layers to splice in under the lines and markers.
fn svg(opts: &PlotOptions, draw: impl FnOnce(&Area) -> DrawResult<(Option<Frame>, Vec<Layer>)>) -> DrawResult<Figure> {
    let mut out = String::new();
    let (frame, layers) = {
        let root = SVGBackend::with_string(&mut out, (opts.width, opts.height)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let r = draw(&root)?;
        root.present().map_err(err)?;
        r
    };
    Ok(Figure { svg: dense::splice(out, &layers), frame })
}

/// Draws the marker that [`dense::splice`] replaces with layer `index`; call it after the
/// mesh and before the series, so that the layer lies between them.
fn layer_anchor(area: &Area, index: usize) -> DrawResult<()> {
    area.draw(&Circle::new((0, 0), 1, dense::anchor_colour(index).filled())).map_err(err)
}
