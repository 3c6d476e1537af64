//! Experiments: each is a type implementing [`Experiment`], a pure function of its parameters
//! (seed included) registered by one line in [`crate::registry`]. Everything the CLI, the
//! worker and the page know about an experiment — parameters, views, plots, CSV, summary,
//! split and merge for the worker pool, the live portrait — comes from its implementation.

pub mod chaos;
pub mod dimensionality;
pub mod drift;
pub mod drift_runs;
pub mod drift_sweep;
pub mod fixed_points;
pub mod flipflop;
pub mod jedi;
pub mod jedi_compare;
pub mod jedi_runs;
pub mod lyapunov;
pub mod partial;
pub mod perturb;
pub mod sequence_sweep;
pub mod spectrum;
pub mod timescale;
pub mod train;

use crate::network::Network;
use crate::params::{ParamError, ParamSet, ParamSpec};
use crate::simulate::{Compute, Cpu};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt;

/// Where a view's network comes from: built from the view's own keys, or given from outside
/// (a file loaded in the page, `lpu run --network-in`, or a trained network sent to the view).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetworkSource {
    /// Designed from the view's keys.
    Designed,
    /// The network given from outside ([`RunCtx::network`]).
    Network,
    /// The network `exp=train` trains from the link's `train.*` keys: the registry trains it
    /// (or takes it from [`crate::train::store`]) and gives it to the run as from outside.
    Trained,
}

impl NetworkSource {
    /// Whether the run takes its network from [`RunCtx::network`] (a file, or one trained
    /// for the link).
    pub fn outside(self) -> bool {
        self != NetworkSource::Designed
    }
}

impl crate::params::Choice for NetworkSource {
    const ALL: &'static [Self] = &[NetworkSource::Designed, NetworkSource::Network, NetworkSource::Trained];
    const NAMES: &'static [&'static str] = &["designed", "network", "trained"];
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Marks `keys` as applying only to a designed network (`source=designed`): a network from
/// outside has its own sizes and time constants, so the page hides their controls then.
pub fn designed_only(specs: &mut [ParamSpec], keys: &[&str]) {
    for s in specs.iter_mut().filter(|s| keys.contains(&s.key)) {
        s.shown_if = Some(crate::params::ShownIf { key: "source", value: "designed", not: false });
    }
}

/// Where a spectral view's network comes from: a member of one of the families of
/// [`crate::ensembles`] built from the view's keys, or a network given from outside (as
/// [`NetworkSource::Network`] and [`NetworkSource::Trained`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FamilySource {
    /// W_ij ~ N(0, g²/N), zero diagonal ([`crate::ensembles::Source::Random`]).
    Random,
    /// A rank-K M Nᵀ with designed outliers plus the random part ([`crate::ensembles::Source::LowrankRandom`]).
    LowrankRandom,
    /// The rank-K truncated SVD of the random W ([`crate::ensembles::Source::Lowrank`]).
    Lowrank,
    /// The designed K-bit flip-flop, plus the random part when g > 0 ([`crate::ensembles::Source::Flipflop`]).
    Flipflop,
    /// The network given to the run from outside ([`RunCtx::network`]).
    Network,
    /// The network trained from the link's `train.*` keys, given as from outside.
    Trained,
}

impl FamilySource {
    /// The family, or `None` for a network given from outside.
    pub fn family(self) -> Option<crate::ensembles::Source> {
        use crate::ensembles::Source;
        match self {
            FamilySource::Random => Some(Source::Random),
            FamilySource::LowrankRandom => Some(Source::LowrankRandom),
            FamilySource::Lowrank => Some(Source::Lowrank),
            FamilySource::Flipflop => Some(Source::Flipflop),
            FamilySource::Network | FamilySource::Trained => None,
        }
    }

    /// Whether the run takes its network from [`RunCtx::network`].
    pub fn outside(self) -> bool {
        self.family().is_none()
    }
}

impl crate::params::Choice for FamilySource {
    const ALL: &'static [Self] = &[
        FamilySource::Random,
        FamilySource::LowrankRandom,
        FamilySource::Lowrank,
        FamilySource::Flipflop,
        FamilySource::Network,
        FamilySource::Trained,
    ];
    const NAMES: &'static [&'static str] = &["random", "lowrank_random", "lowrank", "flipflop", "network", "trained"];
    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// The version of the share-link query grammar (`v=1`).
pub const QUERY_VERSION: &str = "1";

/// One plot of an experiment, as the page lays it out.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PlotSpec {
    /// The name used in links (`plot=`) and by `render`.
    pub name: &'static str,
    /// The caption above the plot.
    pub title: &'static str,
    /// Height over width.
    pub aspect: f64,
    /// Spans the whole plot grid.
    pub wide: bool,
    /// A click inside its frame means something ([`Experiment::click`]).
    pub clickable: bool,
    /// Drawn up to the player's time cursor.
    pub timed: bool,
    /// Redrawn by a live update (a dragged slider, [`Experiment::live`]).
    pub live: bool,
    /// A line under the plot telling what a click does ("" for none).
    pub hint: &'static str,
}

impl PlotSpec {
    /// A plot with no click and no time cursor.
    pub const fn new(name: &'static str, title: &'static str, aspect: f64, wide: bool) -> Self {
        PlotSpec { name, title, aspect, wide, clickable: false, timed: false, live: false, hint: "" }
    }
    /// Marks the plot clickable; `hint` tells the user what a click does.
    pub const fn clickable(mut self, hint: &'static str) -> Self {
        self.clickable = true;
        self.hint = hint;
        self
    }
    /// Marks the plot as redrawn by the experiment's live update.
    pub const fn live(mut self) -> Self {
        self.live = true;
        self
    }
    /// Marks the plot as following the player's time cursor.
    pub const fn timed(mut self) -> Self {
        self.timed = true;
        self
    }
}

/// A view of the page: some plots of one experiment and the controls shown first.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct ViewSpec {
    /// The name used in links (`view=`); unique over all experiments.
    pub name: &'static str,
    /// The label of its tab.
    pub label: &'static str,
    /// Its plots, by name, in page order.
    pub plots: &'static [&'static str],
    /// Keys whose controls come first; the rest go under "More parameters".
    pub main: &'static [&'static str],
    /// The plot an embed snippet shows by default.
    pub embed_plot: &'static str,
    /// Keys (query text) the view's tab opens with, beside the experiment's defaults: a heavy
    /// comparison opens at a size that answers in a minute ("" for none).
    pub preset: &'static str,
}

/// A table of the result's main series: a header row and rows of numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Csv {
    /// Column names.
    pub header: Vec<String>,
    /// One row per time or grid point; NaN is written as an empty cell.
    pub rows: Vec<Vec<f64>>,
}

impl Csv {
    /// A table of `rows` rows and no columns yet.
    pub fn with_rows(rows: usize) -> Self {
        Csv { header: vec![], rows: vec![vec![]; rows] }
    }
    /// Adds a column; rows past the end of `values` get NaN (an empty cell).
    pub fn column(mut self, name: impl Into<String>, values: &[f64]) -> Self {
        self.header.push(name.into());
        for (i, row) in self.rows.iter_mut().enumerate() {
            row.push(values.get(i).copied().unwrap_or(f64::NAN));
        }
        self
    }
    /// Adds `width` columns named `{prefix}{d}{suffix}` (d from 1) from the rows of `m`.
    pub fn columns(mut self, prefix: &str, suffix: &str, m: &[Vec<f64>], width: usize) -> Self {
        for d in 0..width {
            let values: Vec<f64> = m.iter().map(|r| r.get(d).copied().unwrap_or(f64::NAN)).collect();
            self = self.column(format!("{prefix}{}{suffix}", d + 1), &values);
        }
        self
    }
}

impl fmt::Display for Csv {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        writeln!(f, "{}", self.header.join(","))?;
        for row in &self.rows {
            let cells: Vec<String> =
                row.iter().map(|v| if v.is_nan() { String::new() } else { v.to_string() }).collect();
            writeln!(f, "{}", cells.join(","))?;
        }
        Ok(())
    }
}

/// The player's time axis, for experiments whose result is a trial in time.
#[derive(Clone, Debug, Serialize)]
pub struct Timeline {
    /// Time of each row, s.
    pub time: Vec<f64>,
    /// Rows one press of *Step* advances (one task bin).
    pub step: usize,
}

/// Why a run produced no result.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// The run context's cancellation token fired; nothing half-done is returned.
    Cancelled,
    /// The parameters passed their checks but the run could not be done.
    Failed(String),
    /// A key's value turned out not to fit only during the run (a fixed point's index beyond
    /// those found): the error names the key, as a check would.
    Param(ParamError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            RunError::Cancelled => write!(f, "cancelled"),
            RunError::Failed(m) => write!(f, "{m}"),
            RunError::Param(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// What a run gives: the typed result and the network it ran (for the network file).
pub struct Output<R> {
    /// The result document's `result` member.
    pub result: R,
    /// The network the result belongs to.
    pub network: Network,
}

/// How a run is carried out: the compute backend, progress reports and cancellation.
///
/// Progress and cancellation reach the simulator through [`crate::progress`], which this
/// context installs for the duration of the run, so that numerical code needs no callbacks.
pub struct RunCtx<'a> {
    backend: &'a dyn Compute,
    network: Option<&'a Network>,
    recording: Option<&'a crate::jedi::uploaded::Uploaded>,
}

impl Default for RunCtx<'_> {
    fn default() -> Self {
        RunCtx { backend: &Cpu, network: None, recording: None }
    }
}

impl<'a> RunCtx<'a> {
    /// A context running on `backend`.
    pub fn with_backend(backend: &'a dyn Compute) -> Self {
        RunCtx { backend, network: None, recording: None }
    }

    /// This context (its network and recording) on another backend.
    pub fn on_backend<'b>(&self, backend: &'b dyn Compute) -> RunCtx<'b>
    where
        'a: 'b,
    {
        RunCtx { backend, network: self.network, recording: self.recording }
    }

    /// This context with a network given from outside (a file read by `lpu run --network-in`,
    /// or uploaded to the page) for experiments run with `source=network`.
    pub fn with_network(mut self, network: &'a Network) -> Self {
        self.network = Some(network);
        self
    }

    /// The network given from outside, or the error `source=network` gets without one.
    pub fn network(&self) -> Result<&'a Network, RunError> {
        self.network.ok_or_else(|| {
            RunError::Param(ParamError::new(
                "source",
                "source=network needs a network file: pass --network-in FILE to lpu run, or load one in the page",
            ))
        })
    }

    /// This context with a recording file given from outside (`data=FILE` to `lpu run`, or one
    /// loaded in the page) for experiments run on `dataset=file`.
    pub fn with_recording(mut self, recording: &'a crate::jedi::uploaded::Uploaded) -> Self {
        self.recording = Some(recording);
        self
    }

    /// The recording given from outside, or the error `dataset=file` gets without one.
    pub fn recording(&self) -> Result<&'a crate::jedi::uploaded::Uploaded, RunError> {
        self.recording.ok_or_else(|| {
            RunError::Param(ParamError::new(
                "dataset",
                "dataset=file needs a recording: give data=FILE to lpu run, or load one in the page",
            ))
        })
    }

    /// The compute backend simulations run on.
    pub fn backend(&self) -> &'a dyn Compute {
        self.backend
    }

    /// Runs `f` as the stage [start, end] of the run's progress, then checks cancellation.
    pub fn stage<R>(&self, start: f64, end: f64, f: impl FnOnce() -> R) -> Result<R, RunError> {
        let out = crate::progress::stage(start, end, f);
        self.checkpoint()?;
        Ok(out)
    }

    /// Shows `result` before the run ends (a training run's pictures so far), when the caller
    /// listens ([`crate::progress::with_publisher`]); costs nothing otherwise.
    pub fn publish<R: Serialize>(&self, result: &R) {
        if crate::progress::publishing() {
            if let Ok(v) = serde_json::to_value(result) {
                crate::progress::publish(v);
            }
        }
    }

    /// Whether publishing a result would reach anyone (so it is worth computing).
    pub fn publishing(&self) -> bool {
        crate::progress::publishing()
    }

    /// `Err(Cancelled)` once the run's cancellation token has fired.
    pub fn checkpoint(&self) -> Result<(), RunError> {
        if crate::progress::cancelled() {
            Err(RunError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// An experiment of the explorer. Implement it in `src/experiments/<name>.rs`, draw its plots
/// in `src/plot/<name>.rs` ([`crate::plot::Figures`]), and add one line to
/// [`crate::registry`].
pub trait Experiment: Sized + 'static {
    /// The `exp=` value.
    const NAME: &'static str;
    /// A few words for humans.
    const TITLE: &'static str;
    /// A share-link query of this experiment that runs in well under a second (tests walk the
    /// registry with it; the CLI help shows it).
    const EXAMPLE: &'static str;
    /// The parameters, declared with [`params!`](crate::params!).
    type Params: ParamSet;
    /// The result document's `result` member.
    type Result: Serialize + DeserializeOwned + Send + 'static;

    /// Keys of this view that must equal a key of `exp=train` when the view runs on a trained
    /// network (`source=trained`), as (own key, `exp=train` key): the page copies them when it
    /// sends a trained network to the view.
    const FOLLOWS_TRAINING: &'static [(&'static str, &'static str)] = &[];
    /// Whether its simulations go through [`RunCtx::backend`]: the registry then gives it the
    /// `backend` key ([`crate::backend::BackendParams`]) and its documents say what ran.
    const SIMULATES: bool = false;
    /// The parameter specs the CLI and the page show; override to add a widget.
    fn specs() -> Vec<ParamSpec> {
        Self::Params::specs()
    }
    /// Limits across keys; the error names the key that is reset to its default.
    fn check(_p: &Self::Params) -> Result<(), ParamError> {
        Ok(())
    }
    /// Limits that depend on the `backend` key (for an experiment that [`SIMULATES`](Self::SIMULATES)):
    /// a GPU takes larger networks and batches than the CPU. `auto` may run on the CPU, so it
    /// keeps the CPU's limits; the error says that `backend=gpu` lifts them.
    fn check_on(_p: &Self::Params, _backend: crate::backend::Backend) -> Result<(), ParamError> {
        Ok(())
    }
    /// Runs the experiment.
    fn run(p: &Self::Params, ctx: &RunCtx) -> Result<Output<Self::Result>, RunError>;
    /// Checks that a result read from a document fits its parameters (array lengths and
    /// widths), so that drawing and tabulating it cannot index out of bounds.
    fn validate(_p: &Self::Params, _r: &Self::Result) -> Result<(), String> {
        Ok(())
    }
    /// Every plot `render` draws, in page order.
    fn plots() -> &'static [PlotSpec];
    /// The page's views of this experiment (the first is its home view).
    fn views() -> &'static [ViewSpec];
    /// One paragraph on the result for the page.
    fn summary(p: &Self::Params, r: &Self::Result) -> String;
    /// The result's main series.
    fn csv(p: &Self::Params, r: &Self::Result) -> Csv;
    /// The player's time axis, when the result is a trial in time.
    fn timeline(_p: &Self::Params, _r: &Self::Result) -> Option<Timeline> {
        None
    }
    /// A click at data point (x, y) of a clickable plot: the key and query text to set.
    fn click(_p: &Self::Params, _plot: &str, _x: f64, _y: f64) -> Option<(&'static str, String)> {
        None
    }
    /// The relative cost of a run (e.g. neuron-steps), for the worker pool's progress and the
    /// order it starts parts in.
    fn cost(_p: &Self::Params) -> f64 {
        1.0
    }
    /// The memory a run holds at its peak in one worker, its document included, and the keys
    /// that lower it: a query over [`crate::memory::limit`] is refused before it runs. `ctx`
    /// carries the network or recording given from outside when the run has one (the link
    /// alone is checked with an empty context, the run again with its own).
    /// `tests/memory.rs` checks each estimate against the peak a counting allocator measures.
    fn memory(p: &Self::Params, ctx: &RunCtx) -> crate::memory::Footprint;
    /// Independent parts the worker pool may run instead of the whole (none: run it whole).
    fn split(_p: &Self::Params) -> Vec<Self::Params> {
        vec![]
    }
    /// Joins the results of `split`'s parts, in order, into the whole run's result.
    fn merge(_p: &Self::Params, _parts: Vec<Self::Result>) -> Result<Self::Result, String> {
        Err(format!("exp={} is not split into parts", Self::NAME))
    }
    /// The files [`Experiment::files`] can give, as (kind, label, file extension): the page's
    /// Export offers one button each.
    const FILES: &'static [(&'static str, &'static str, &'static str)] = &[];
    /// Files a run writes beside its document, as (kind, bytes): `lpu run --<kind>-out FILE`
    /// writes each (a JEDI fit's `model`, its recording's `data` and `data-labels`). Called
    /// after `run`, so a kind may come from the state the run kept.
    fn files(_p: &Self::Params, _ctx: &RunCtx) -> Vec<(&'static str, Vec<u8>)> {
        vec![]
    }
    /// The fast partial result a dragged slider redraws (JSON), for experiments with one.
    fn live(_p: &Self::Params, _ctx: &RunCtx) -> Option<String> {
        None
    }
    /// Puts a `live` update (JSON) into a result.
    fn apply_live(_r: &mut Self::Result, _live: &str) -> Result<(), String> {
        Err(format!("exp={} has no live update", Self::NAME))
    }
}

/// Shape checks for [`Experiment::validate`].
pub(crate) mod shape {
    use crate::analysis::fixed_points::FixedPoint;
    use crate::analysis::flow::FlowGrid;
    use crate::analysis::tuning::TuningCurve;

    /// `Err` naming `what` unless `ok`.
    pub fn ensure(ok: bool, what: &str) -> Result<(), String> {
        if ok {
            Ok(())
        } else {
            Err(format!("the result does not fit its parameters: {what}"))
        }
    }
    /// `len` rows of `width` values each.
    pub fn rows(m: &[Vec<f64>], len: usize, width: usize, what: &str) -> Result<(), String> {
        ensure(m.len() == len && m.iter().all(|r| r.len() == width), what)
    }
    /// Fixed points, a flow grid and a launched trajectory of a K-dimensional latent space.
    pub fn portrait(
        k: usize,
        fps: &[FixedPoint],
        flow: Option<&FlowGrid>,
        launched: Option<&[Vec<f64>]>,
    ) -> Result<(), String> {
        ensure(fps.iter().all(|f| f.z.len() == k), "fixed points of another dimension")?;
        if let Some(l) = launched {
            ensure(l.iter().all(|z| z.len() == k), "a launched trajectory of another dimension")?;
        }
        if let Some(f) = flow {
            let points = if k == 1 { f.axis.len() } else { f.axis.len() * f.axis.len() };
            ensure(
                f.held.len() == k.saturating_sub(2)
                    && f.velocity.len() == points
                    && f.speed.len() == points
                    && f.velocity.iter().all(|v| v.len() == k.min(2)),
                "a flow grid of another shape",
            )?;
        }
        Ok(())
    }
    /// A trial: inputs, targets, latent (and the observed latent) with one row of `k` per time.
    pub fn trial(time: usize, k: usize, series: [&[Vec<f64>]; 3], observed: Option<&[Vec<f64>]>) -> Result<(), String> {
        for (m, what) in series.iter().zip(["inputs", "targets", "latent"]) {
            rows(m, time, k, what)?;
        }
        observed.map_or(Ok(()), |o| rows(o, time, k, "observed latent"))
    }
    /// Tuning curves with as many rates as latent values.
    pub fn tuning(curves: &[TuningCurve], k: usize) -> Result<(), String> {
        ensure(curves.iter().all(|c| c.z.len() == c.rate.len() && c.dimension < k.max(1)), "tuning curves")
    }
}

/// Rows of width `width` from a flat row-major vector.
pub(crate) fn rows(v: &[f64], width: usize) -> Vec<Vec<f64>> {
    v.chunks(width.max(1)).map(|c| c.to_vec()).collect()
}

/// `v` with `digits` significant digits, written as JavaScript's `toPrecision` writes it (the
/// page's summaries were first written in JavaScript; the wording stays).
pub(crate) fn significant(v: f64, digits: usize) -> String {
    if !v.is_finite() || v == 0.0 {
        return if v == 0.0 { format!("{:.*}", digits.saturating_sub(1), 0.0) } else { v.to_string() };
    }
    let mut e = v.abs().log10().floor() as i32;
    // Rounding to `digits` may carry into the next power of ten (9.996 → 10.0).
    let scale = 10f64.powi(digits as i32 - 1 - e);
    if ((v.abs() * scale).round() / scale).log10().floor() as i32 > e {
        e += 1;
    }
    if e < -6 || e >= digits as i32 {
        let m = format!("{:.*e}", digits - 1, v);
        let (mant, exp) = m.split_once('e').unwrap_or((&m, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        format!("{mant}e{}{}", if exp < 0 { "-" } else { "+" }, exp.abs())
    } else {
        format!("{:.*}", (digits as i32 - 1 - e).max(0) as usize, v)
    }
}
