//! The registry of experiments — one line each in [`REGISTRY`] — and what everyone above it
//! (the CLI, the worker, the page) does with a share link: parse it, run it, read a result
//! document back and draw, tabulate or summarise it, without naming any experiment.

use crate::backend::{BackendParams, Report};
use crate::experiments::train::{TrainParams, UNTRAINED_KEYS};
use crate::experiments::{
    self, chaos::Chaos, dimensionality::Dimensionality, drift::Drift, drift_sweep::DriftSweep,
    fixed_points::FixedPoints, flipflop::Flipflop, jedi::Jedi, jedi_compare::JediCompare, lyapunov::Lyapunov,
    partial::Partial, perturb::Perturb, sequence_sweep::SequenceSweep, spectrum::Spectrum, timescale::Timescale,
    train::Train, Csv, Experiment, PlotSpec, Timeline, ViewSpec, QUERY_VERSION,
};
use crate::link::{ViewOptions, VIEW_KEYS};
use crate::network::Network;
use crate::params::{split_query, ParamError, ParamSet, ParamSpec, ShownIf};
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// Every experiment, in the order the page shows their views. Adding one is one line here.
pub static REGISTRY: &[&dyn Entry] = &[
    &Registered::<Flipflop>::NEW,
    &Registered::<Timescale>::NEW,
    &Registered::<Partial>::NEW,
    &Registered::<Drift>::NEW,
    &Registered::<DriftSweep>::NEW,
    &Registered::<Perturb>::NEW,
    &Registered::<Spectrum>::NEW,
    &Registered::<Lyapunov>::NEW,
    &Registered::<Chaos>::NEW,
    &Registered::<Dimensionality>::NEW,
    &Registered::<Train>::NEW,
    &Registered::<SequenceSweep>::NEW,
    &Registered::<FixedPoints>::NEW,
    &Registered::<Jedi>::NEW,
    &Registered::<JediCompare>::NEW,
];

/// The experiment registered as `name`.
pub fn find(name: &str) -> Option<&'static dyn Entry> {
    REGISTRY.iter().copied().find(|e| e.name() == name)
}

/// The names of all experiments.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|e| e.name()).collect()
}

/// Every view of every experiment, with the experiment it shows.
pub fn views() -> Vec<(&'static ViewSpec, &'static str)> {
    REGISTRY.iter().flat_map(|e| e.views().iter().map(move |v| (v, e.name()))).collect()
}

#[cfg(feature = "plot")]
/// What a registered experiment implements: [`Experiment`], and its plots.
pub trait Registrable: Experiment + crate::plot::Figures {}
#[cfg(feature = "plot")]
impl<E: Experiment + crate::plot::Figures> Registrable for E {}
#[cfg(not(feature = "plot"))]
/// What a registered experiment implements: [`Experiment`] (plots need the `plot` feature).
pub trait Registrable: Experiment {}
#[cfg(not(feature = "plot"))]
impl<E: Experiment> Registrable for E {}

/// An experiment seen without its types: the registry's view of an [`Experiment`].
pub trait Entry: Sync {
    /// The `exp=` value.
    fn name(&self) -> &'static str;
    /// A few words for humans.
    fn title(&self) -> &'static str;
    /// A query that runs in well under a second.
    fn example(&self) -> &'static str;
    /// Its parameters.
    fn specs(&self) -> Vec<ParamSpec>;
    /// Its plots.
    fn plots(&self) -> &'static [PlotSpec];
    /// The files a run can give beside its document: (kind, label, extension).
    fn file_kinds(&self) -> &'static [(&'static str, &'static str, &'static str)];
    /// Its views on the page.
    fn views(&self) -> &'static [ViewSpec];
    /// Its default parameters.
    fn defaults(&self) -> Box<dyn Params>;
    /// View keys that follow a training key with `source=trained`, as (own key, `train.` key).
    fn follows(&self) -> Vec<(&'static str, &'static str)>;
    /// Reads a result document of this experiment: its params come from its query, its
    /// result is deserialised once into the typed result.
    fn document(&self, doc: &serde_json::Value) -> Result<Box<dyn Document>, String>;
}

/// One experiment's parameters, typed inside.
pub trait Params: Send {
    /// The experiment.
    fn entry(&self) -> &'static dyn Entry;
    /// Sets one key; `Ok(false)` when it is not a key of this experiment.
    fn set(&mut self, key: &str, text: &str) -> Result<bool, ParamError>;
    /// Puts one key back to its default.
    fn reset(&mut self, key: &str);
    /// Limits across keys.
    fn check(&self) -> Result<(), ParamError>;
    /// Every key with its value as query text, in declaration order.
    fn pairs(&self) -> Vec<(&'static str, String)>;
    /// Runs the experiment.
    #[cfg(feature = "compute")]
    fn run(&self, ctx: &crate::experiments::RunCtx) -> Result<Outcome, crate::experiments::RunError>;
    /// The live update a dragged slider asks for (JSON), if the experiment has one, on the
    /// network `ctx` gives from outside (or the kept one `source=trained` names).
    #[cfg(feature = "compute")]
    fn live(&self, ctx: &crate::experiments::RunCtx) -> Option<String>;
    /// The relative cost of the run, for a worker pool's progress and ordering.
    fn cost(&self) -> f64;
    /// The memory the run holds at its peak ([`Experiment::memory`]), a training it runs first
    /// included.
    fn memory(&self, ctx: &crate::experiments::RunCtx) -> crate::memory::Footprint;
    /// Files the run writes beside its document, as (kind, bytes) ([`Experiment::files`]).
    fn files(&self, ctx: &crate::experiments::RunCtx) -> Vec<(&'static str, Vec<u8>)>;
    /// The parts a worker pool runs instead of the whole (empty: run it whole).
    fn split(&self) -> Vec<Box<dyn Params>>;
    /// The whole document from the result documents of `split`'s parts.
    fn merge(&self, parts: &[serde_json::Value]) -> Result<String, String>;
    /// The typed parameters inside, for `into_typed`.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;

    /// The experiment's name.
    fn experiment(&self) -> &'static str {
        self.entry().name()
    }
    /// The canonical share-link query: every key, in declaration order.
    fn query(&self) -> String {
        let mut q = format!("v={QUERY_VERSION}&exp={}", self.experiment());
        for (k, v) in self.pairs() {
            q.push('&');
            q.push_str(k);
            q.push('=');
            q.push_str(&crate::params::encode(&v));
        }
        q
    }
    /// Every key's value as the query writes it (for the page's controls).
    fn values(&self) -> serde_json::Map<String, serde_json::Value> {
        self.pairs().into_iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v))).collect()
    }
}

/// A result document (`lpu-result`) with its typed params and result.
pub trait Document: Send {
    /// The experiment.
    fn entry(&self) -> &'static dyn Entry;
    /// The canonical query that produced it.
    fn query(&self) -> String;
    /// The document as JSON: `{"format":"lpu-result","version":1,"experiment",…,"query","params","result"}`.
    fn to_json(&self) -> String;
    /// One paragraph on the result (with a sentence on the backend when the GPU ran, or was
    /// asked for and could not).
    fn summary(&self) -> String;
    /// What ran the simulations, for experiments that simulate.
    fn backend(&self) -> Option<&Report>;
    /// The main series.
    fn csv(&self) -> Csv;
    /// The player's time axis, if any.
    fn timeline(&self) -> Option<Timeline>;
    /// What a click at data point (x, y) of `plot` sets: key and query text.
    fn click(&self, plot: &str, x: f64, y: f64) -> Option<(&'static str, String)>;
    /// Puts a live update into the result.
    fn apply_live(&mut self, live: &str) -> Result<(), String>;
    /// Draws one plot.
    #[cfg(feature = "plot")]
    fn render(&self, plot: &str, opts: &crate::plot::PlotOptions) -> crate::plot::DrawResult<crate::plot::Figure>;
}

/// What a run gives: the result document and the network it ran.
pub struct Outcome {
    /// The whole result document (format `lpu-result`), serialised compactly.
    pub json: String,
    /// The network the result belongs to (for the network file).
    pub network: Network,
    /// The same document, typed.
    pub document: Box<dyn Document>,
}

/// An [`Experiment`] in the registry.
pub struct Registered<E>(PhantomData<fn() -> E>);

impl<E> Registered<E> {
    /// The registry entry of `E`.
    pub const NEW: Self = Registered(PhantomData);
}

/// An experiment's parameters, and the training keys (`train.*`) it runs on when its
/// `source` is `trained`.
struct TypedParams<E: Experiment> {
    params: E::Params,
    trained: TrainParams,
    /// The `backend` key, for experiments that simulate ([`Experiment::SIMULATES`]).
    backend: BackendParams,
}

impl<E: Experiment> Clone for TypedParams<E> {
    fn clone(&self) -> Self {
        TypedParams { params: self.params.clone(), trained: self.trained.clone(), backend: self.backend.clone() }
    }
}

impl<E: Experiment> TypedParams<E> {
    fn new(params: E::Params) -> Self {
        TypedParams { params, trained: TrainParams::default(), backend: BackendParams::default() }
    }
    /// Whether the run trains its network from the `train.*` keys (its `source` could only
    /// take the value `trained` if it offers it).
    fn uses_trained(&self) -> bool {
        self.params.pairs().iter().any(|(k, v)| *k == TRAINED_SOURCE.0 && v == TRAINED_SOURCE.1)
    }
    /// The training parameters, when the run uses them.
    fn training(&self) -> Option<&TrainParams> {
        self.uses_trained().then_some(&self.trained)
    }
}

/// The key that picks the compute backend ([`BackendParams`]).
const BACKEND_KEY: &str = "backend";

/// The query key and value by which a view asks for a network trained from the link's
/// training keys (see [`crate::experiments::NetworkSource::Trained`]).
pub const TRAINED_SOURCE: (&str, &str) = ("source", "trained");
/// The prefix of those training keys: `train.bits=2` is `exp=train`'s `bits`.
pub const TRAINED_PREFIX: &str = "train.";

/// Whether `E` takes a trained network: its `source` key offers `trained`.
fn accepts_trained<E: Experiment>() -> bool {
    E::specs().iter().any(|s| s.key == TRAINED_SOURCE.0 && s.options.contains(&TRAINED_SOURCE.1))
}

/// The training keys a view with `source=trained` takes, each as (`train.` key, `exp=train`
/// key): those that fix the trained weights.
fn trained_keys() -> &'static [(&'static str, &'static str)] {
    static KEYS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        TrainParams::specs()
            .into_iter()
            .filter(|s| !UNTRAINED_KEYS.contains(&s.key))
            // Leaked once per key for the process: the keys are few and live as long as it.
            .map(|s| (&*Box::leak(format!("{TRAINED_PREFIX}{}", s.key).into_boxed_str()), s.key))
            .collect()
    })
}

/// The specs of the training keys, as a view with `source=trained` shows them.
fn trained_specs() -> Vec<ParamSpec> {
    let own = TrainParams::specs();
    trained_keys()
        .iter()
        .filter_map(|&(key, inner)| {
            let mut s = own.iter().find(|s| s.key == inner)?.clone();
            s.key = key;
            s.group = "training";
            s.shown_if = Some(ShownIf { key: TRAINED_SOURCE.0, value: TRAINED_SOURCE.1, not: false });
            Some(s)
        })
        .collect()
}

/// A training key's error, named by its `train.` key.
fn trained_error(e: ParamError) -> ParamError {
    ParamError { key: format!("{TRAINED_PREFIX}{}", e.key), ..e }
}

struct TypedDocument<E: Experiment> {
    params: TypedParams<E>,
    result: E::Result,
    /// What ran the simulations (experiments that simulate).
    backend: Option<Report>,
}

#[derive(Serialize)]
struct Envelope<'a, P: Serialize, R: Serialize> {
    format: &'static str,
    version: u32,
    experiment: &'static str,
    query: String,
    params: &'a P,
    /// The training keys of a run with `source=trained`.
    #[serde(skip_serializing_if = "Option::is_none")]
    training: Option<&'a TrainParams>,
    /// What ran the simulations: `{"ran": "cpu" | "gpu", "adapter"?, "note"?}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    backend: Option<&'a Report>,
    result: &'a R,
}

fn entry_of<E: Registrable>() -> &'static dyn Entry {
    find(E::NAME).expect("every Registrable experiment is in REGISTRY")
}

impl<E: Registrable> Entry for Registered<E> {
    fn name(&self) -> &'static str {
        E::NAME
    }
    fn title(&self) -> &'static str {
        E::TITLE
    }
    fn example(&self) -> &'static str {
        E::EXAMPLE
    }
    fn specs(&self) -> Vec<ParamSpec> {
        let mut specs = E::specs();
        if E::SIMULATES {
            specs.extend(BackendParams::specs());
        }
        if accepts_trained::<E>() {
            specs.extend(trained_specs());
        }
        specs
    }
    fn file_kinds(&self) -> &'static [(&'static str, &'static str, &'static str)] {
        E::FILES
    }
    fn plots(&self) -> &'static [PlotSpec] {
        E::plots()
    }
    fn views(&self) -> &'static [ViewSpec] {
        E::views()
    }
    fn defaults(&self) -> Box<dyn Params> {
        Box::new(TypedParams::<E>::new(E::Params::default()))
    }
    fn follows(&self) -> Vec<(&'static str, &'static str)> {
        E::FOLLOWS_TRAINING
            .iter()
            .filter_map(|&(own, inner)| trained_keys().iter().find(|(_, i)| *i == inner).map(|&(key, _)| (own, key)))
            .collect()
    }
    fn document(&self, doc: &serde_json::Value) -> Result<Box<dyn Document>, String> {
        let query = doc.get("query").and_then(|q| q.as_str()).ok_or("the document has no \"query\"")?;
        let params = match parse_strict(query)
            .map_err(|e| format!("the document's query: {e}"))?
            .into_any()
            .downcast::<TypedParams<E>>()
        {
            Ok(p) => *p,
            Err(_) => return Err(format!("the document's query is not exp={}", E::NAME)),
        };
        let result = E::Result::deserialize(doc.get("result").ok_or("the document has no \"result\"")?)
            .map_err(|e| format!("the result is not a {} result: {e}", E::NAME))?;
        E::validate(&params.params, &result)?;
        let backend = match doc.get("backend") {
            Some(b) => Some(Report::deserialize(b).map_err(|e| format!("the document's \"backend\": {e}"))?),
            None => None,
        };
        Ok(Box::new(TypedDocument::<E> { params, result, backend }))
    }
}

impl<E: Registrable> TypedDocument<E> {
    fn envelope(&self) -> String {
        serde_json::to_string(&Envelope {
            format: "lpu-result",
            version: 1,
            experiment: E::NAME,
            query: Document::query(self),
            params: &self.params.params,
            training: self.params.training(),
            backend: self.backend.as_ref(),
            result: &self.result,
        })
        .expect("result serialises")
    }
}

impl<E: Registrable> Params for TypedParams<E> {
    fn entry(&self) -> &'static dyn Entry {
        entry_of::<E>()
    }
    fn set(&mut self, key: &str, text: &str) -> Result<bool, ParamError> {
        if BACKEND_KEY == key {
            return if E::SIMULATES { self.backend.set(key, text) } else { Ok(false) };
        }
        if let Some(&(_, inner)) = trained_keys().iter().find(|(k, _)| *k == key) {
            if !accepts_trained::<E>() {
                return Ok(false);
            }
            return self.trained.set(inner, text).map_err(trained_error);
        }
        self.params.set(key, text)
    }
    fn reset(&mut self, key: &str) {
        if BACKEND_KEY == key {
            return self.backend.reset(key);
        }
        match trained_keys().iter().find(|(k, _)| *k == key) {
            Some(&(_, inner)) => self.trained.reset(inner),
            None => self.params.reset(key),
        }
    }
    fn check(&self) -> Result<(), ParamError> {
        E::check(&self.params)?;
        if E::SIMULATES {
            E::check_on(&self.params, self.backend.backend)?;
        }
        if self.uses_trained() {
            // A view's network trains on the CPU (its `backend` is the view's simulations').
            Train::check(&self.trained).map_err(trained_error)?;
            crate::experiments::train::check_cpu(&self.trained).map_err(trained_error)?;
        } else if self.trained != TrainParams::default() {
            let given = self.trained.pairs().into_iter().zip(TrainParams::default().pairs()).find(|(a, b)| a != b);
            if let Some(((key, _), _)) = given {
                return Err(trained_error(ParamError::new(
                    key,
                    format!("applies only with {}={}", TRAINED_SOURCE.0, TRAINED_SOURCE.1),
                )));
            }
        }
        // The training runs first; a refusal names the keys of whichever part is larger.
        let empty = crate::experiments::RunCtx::default();
        let (own, limit) = (E::memory(&self.params, &empty), crate::memory::limit());
        match self.uses_trained().then(|| Train::memory(&self.trained, &empty)) {
            Some(training) if training.bytes > own.bytes => crate::memory::check(training, limit)
                .map_err(|(key, message)| trained_error(ParamError::new(key, message))),
            _ => crate::memory::check(own, limit).map_err(|(key, message)| ParamError::new(key, message)),
        }
    }
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = self.params.pairs();
        if self.backend != BackendParams::default() {
            pairs.extend(self.backend.pairs());
        }
        if self.uses_trained() {
            let trained = self.trained.pairs();
            for &(key, inner) in trained_keys() {
                if let Some((_, v)) = trained.iter().find(|(k, _)| *k == inner) {
                    pairs.push((key, v.clone()));
                }
            }
        }
        pairs
    }
    #[cfg(feature = "compute")]
    fn run(&self, ctx: &crate::experiments::RunCtx) -> Result<Outcome, crate::experiments::RunError> {
        if self.uses_trained() {
            // The view's share of the progress bar; training is most of the work, or nothing
            // when the network is still in the store from an earlier run.
            let net = ctx.stage(0.0, 0.7, || crate::experiments::train::trained_network(&self.trained, ctx))??;
            let inner = crate::experiments::RunCtx::with_backend(ctx.backend()).with_network(&net);
            return crate::progress::stage(0.7, 1.0, || self.run_on(&inner));
        }
        self.run_on(ctx)
    }
    #[cfg(feature = "compute")]
    fn live(&self, ctx: &crate::experiments::RunCtx) -> Option<String> {
        if self.uses_trained() {
            // A live update never trains: it draws on the network the run before it trained.
            let net = crate::experiments::train::kept_network(&self.trained)?;
            return E::live(&self.params, &crate::experiments::RunCtx::with_backend(ctx.backend()).with_network(&net));
        }
        E::live(&self.params, ctx)
    }
    fn cost(&self) -> f64 {
        E::cost(&self.params)
    }
    fn memory(&self, ctx: &crate::experiments::RunCtx) -> crate::memory::Footprint {
        let own = E::memory(&self.params, ctx);
        if self.uses_trained() {
            // The training runs first and keeps its network; the view then runs on it.
            let training = Train::memory(&self.trained, &crate::experiments::RunCtx::default());
            return own.max(training);
        }
        own
    }
    fn files(&self, ctx: &crate::experiments::RunCtx) -> Vec<(&'static str, Vec<u8>)> {
        E::files(&self.params, ctx)
    }
    fn split(&self) -> Vec<Box<dyn Params>> {
        E::split(&self.params)
            .into_iter()
            .map(|params| {
                Box::new(TypedParams::<E> { params, trained: self.trained.clone(), backend: self.backend.clone() })
                    as Box<dyn Params>
            })
            .collect()
    }
    fn merge(&self, parts: &[serde_json::Value]) -> Result<String, String> {
        let reports: Vec<Report> =
            parts.iter().filter_map(|p| p.get("backend").and_then(|b| Report::deserialize(b).ok())).collect();
        let backend = E::SIMULATES.then(|| Report::merge(&reports));
        let results = parts
            .iter()
            .map(|part| {
                if part.get("experiment").and_then(|e| e.as_str()) != Some(E::NAME) {
                    return Err(format!("a part is not an exp={} result document", E::NAME));
                }
                E::Result::deserialize(&part["result"]).map_err(|e| format!("a part's result: {e}"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let result = E::merge(&self.params, results)?;
        Ok(TypedDocument::<E> { params: self.clone(), result, backend }.envelope())
    }
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

impl<E: Registrable> TypedParams<E> {
    /// Runs the experiment itself on `ctx` (whose network is the trained one for
    /// `source=trained`), its published results wrapped as whole documents.
    #[cfg(feature = "compute")]
    fn run_on(&self, ctx: &crate::experiments::RunCtx) -> Result<Outcome, crate::experiments::RunError> {
        // The link's `backend` over the caller's backend (the CPU, unless a test gives another).
        let chosen = crate::backend::Chosen::new(self.backend.backend, ctx.backend());
        let ctx = &ctx.on_backend(if E::SIMULATES { &chosen } else { ctx.backend() });
        // The link was checked alone; a network or recording from outside brings its own sizes.
        crate::memory::check(E::memory(&self.params, ctx), crate::memory::limit())
            .map_err(|(key, message)| crate::experiments::RunError::Param(ParamError::new(key, message)))?;
        let params = self.params.clone();
        let training = self.training().cloned();
        let query = self.query();
        let wrap = move |result: serde_json::Value| {
            serde_json::to_string(&Envelope {
                format: "lpu-result",
                version: 1,
                experiment: E::NAME,
                query: query.clone(),
                params: &params,
                training: training.as_ref(),
                backend: None,
                result: &result,
            })
            .expect("result serialises")
        };
        let out = crate::progress::with_wrapper(wrap, || E::run(&self.params, ctx))?;
        let doc = TypedDocument::<E> {
            params: self.clone(),
            result: out.result,
            backend: E::SIMULATES.then(|| chosen.report()),
        };
        Ok(Outcome { json: doc.envelope(), network: out.network, document: Box::new(doc) })
    }
}

impl<E: Registrable> Document for TypedDocument<E> {
    fn entry(&self) -> &'static dyn Entry {
        entry_of::<E>()
    }
    fn query(&self) -> String {
        self.params.query()
    }
    fn to_json(&self) -> String {
        self.envelope()
    }
    fn summary(&self) -> String {
        let own = E::summary(&self.params.params, &self.result);
        match self.backend.as_ref().and_then(Report::sentence) {
            Some(s) => format!("{own} {s}"),
            None => own,
        }
    }
    fn backend(&self) -> Option<&Report> {
        self.backend.as_ref()
    }
    fn csv(&self) -> Csv {
        E::csv(&self.params.params, &self.result)
    }
    fn timeline(&self) -> Option<Timeline> {
        E::timeline(&self.params.params, &self.result)
    }
    fn click(&self, plot: &str, x: f64, y: f64) -> Option<(&'static str, String)> {
        E::click(&self.params.params, plot, x, y)
    }
    fn apply_live(&mut self, live: &str) -> Result<(), String> {
        E::apply_live(&mut self.result, live)
    }
    #[cfg(feature = "plot")]
    fn render(&self, plot: &str, opts: &crate::plot::PlotOptions) -> crate::plot::DrawResult<crate::plot::Figure> {
        let opts = opts.clamped();
        if !E::plots().iter().any(|p| p.name == plot) {
            let names: Vec<&str> = E::plots().iter().map(|p| p.name).collect();
            return Err(format!("no plot \"{plot}\" for exp={}; plots: {}", E::NAME, names.join(", ")));
        }
        E::render(plot, &self.params.params, &self.result, &opts)
    }
}

impl dyn Params {
    /// The typed parameters, when they belong to `E`.
    pub fn into_typed<E: Registrable>(self: Box<Self>) -> Option<E::Params> {
        self.into_any().downcast::<TypedParams<E>>().ok().map(|p| p.params)
    }
}

/// Reads a result document (JSON text) into its typed form.
pub fn read_document(text: &str) -> Result<Box<dyn Document>, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("the result is not JSON: {e}"))?;
    if doc.get("format").and_then(|f| f.as_str()) != Some("lpu-result") {
        return Err("not an lpu-result document".into());
    }
    if doc.get("version").and_then(|v| v.as_u64()) != Some(1) {
        return Err("an lpu-result document of another version (this explorer reads version 1)".into());
    }
    let exp = doc.get("experiment").and_then(|e| e.as_str()).ok_or("not an lpu-result document (no \"experiment\")")?;
    find(exp).ok_or_else(|| format!("unknown experiment \"{exp}\""))?.document(&doc)
}

/// Everything a share link says: the experiment's parameters and the page's view state.
pub struct Link {
    /// The parameters (`None` when the experiment itself is missing or unknown).
    pub params: Option<Box<dyn Params>>,
    /// The page's view state.
    pub view: ViewOptions,
    /// Every problem found; each offending key keeps its default.
    pub errors: Vec<ParamError>,
}

/// Parses a query leniently: every problem is reported and the offending key keeps its
/// default, the rest applies. `None` only when the experiment itself is missing or unknown.
pub fn parse_lenient(query: &str) -> (Option<Box<dyn Params>>, Vec<ParamError>) {
    let link = parse_link(query, None);
    (link.params, link.errors)
}

/// Parses a whole share link leniently. Without an `exp` key the experiment comes from the
/// view, else from `default_experiment` (the page opens on the flip-flop); `None` keeps
/// `exp` required, as for the CLI.
pub fn parse_link(query: &str, default_experiment: Option<&str>) -> Link {
    let mut view = ViewOptions::default();
    let mut errors = vec![];
    let (mut pairs, mut bad) = split_query(query);
    errors.append(&mut bad);
    let all_views = views();
    let view_names: Vec<&str> = all_views.iter().map(|(v, _)| v.name).collect();
    pairs.retain(|(k, v)| {
        if VIEW_KEYS.contains(&k.as_str()) {
            if let Err(e) = view.set(k, v, &view_names) {
                errors.push(e);
            }
            false
        } else {
            true
        }
    });
    if let Some(default) = default_experiment {
        if !pairs.iter().any(|(k, _)| k == "exp") {
            let from_view = view.view.as_deref().and_then(|v| all_views.iter().find(|x| x.0.name == v)).map(|x| x.1);
            pairs.push(("exp".into(), from_view.unwrap_or(default).into()));
        }
    }
    let (params, mut more) = parse_params(pairs);
    errors.append(&mut more);
    Link { params, view, errors }
}

fn parse_params(pairs: Vec<(String, String)>) -> (Option<Box<dyn Params>>, Vec<ParamError>) {
    let mut errors = vec![];
    let names = names().join(", ");
    let mut params = match pairs.iter().find(|(k, _)| k == "exp").map(|(_, v)| v.as_str()) {
        Some(exp) => match find(exp) {
            Some(entry) => entry.defaults(),
            None => return (None, vec![ParamError::new("exp", format!("must be one of {names}, got \"{exp}\""))]),
        },
        None => return (None, vec![ParamError::new("exp", format!("is required: one of {names}"))]),
    };
    let mut applied: Vec<(&str, &str)> = vec![];
    for (key, value) in &pairs {
        match key.as_str() {
            "exp" => {}
            "v" => {
                if value != QUERY_VERSION {
                    errors.push(ParamError::new(
                        "v",
                        format!("must be {QUERY_VERSION} (the query version), got \"{value}\""),
                    ));
                }
            }
            _ => match params.set(key, value) {
                Ok(true) => applied.push((key, value)),
                Ok(false) => {
                    let keys = params.entry().specs().iter().map(|s| s.key).collect::<Vec<_>>().join(", ");
                    errors.push(ParamError::new(
                        key,
                        format!("unknown key for exp={}; allowed keys: v, exp, {keys}", params.experiment()),
                    ));
                }
                Err(e) => errors.push(e),
            },
        }
    }
    // Cross-parameter limits: reset the key a check names and check again. When its default
    // does not satisfy the limit either, another key of the link breaks it: put back the one
    // (the last given first) whose default clears this error, and say so. The defaults always
    // pass, so this ends.
    let mut reset: Vec<String> = vec![];
    while let Err(e) = params.check() {
        if !reset.contains(&e.key) {
            params.reset(&e.key);
            reset.push(e.key.clone());
            errors.push(e);
            continue;
        }
        let mut culprit = None;
        for &(k, v) in applied.iter().rev().filter(|(k, _)| !reset.iter().any(|r| r == k)) {
            params.reset(k);
            if params.check().err().as_ref() != Some(&e) {
                culprit = Some(k);
                break;
            }
            let _ = params.set(k, v);
        }
        match culprit {
            Some(k) => {
                reset.push(k.to_string());
                errors.push(ParamError::new(k, format!("reset to its default as well, since {e}")));
            }
            None => {
                params = params.entry().defaults();
                errors.push(ParamError::new("exp", format!("every key reset to its default, since {e}")));
                break;
            }
        }
    }
    (Some(params), errors)
}

/// Strict parsing for the CLI: the first problem is an error.
pub fn parse_strict(query: &str) -> Result<Box<dyn Params>, ParamError> {
    let (params, errors) = parse_lenient(query);
    match (params, errors.into_iter().next()) {
        (_, Some(e)) => Err(e),
        (Some(p), None) => Ok(p),
        (None, None) => Err(ParamError::new("exp", "is required")),
    }
}

/// Runs a share-link query (strict) to the end: the result document, or the first parameter
/// error.
#[cfg(feature = "compute")]
pub fn run_query(query: &str) -> Result<Outcome, ParamError> {
    run_query_with(query, &crate::experiments::RunCtx::default())
}

/// [`run_query`] in a given context (one carrying a network from outside, say): the result
/// document, or the first parameter error (a failed or cancelled run is reported on `exp`).
#[cfg(feature = "compute")]
pub fn run_query_with(query: &str, ctx: &crate::experiments::RunCtx) -> Result<Outcome, ParamError> {
    let params = parse_strict(query)?;
    params.run(ctx).map_err(|e| match e {
        crate::experiments::RunError::Param(e) => e,
        e => ParamError::new("exp", format!("the run stopped: {e}")),
    })
}

/// The catalogue the page builds itself from: experiments with their parameters and plots,
/// views, and the query version.
pub fn catalogue() -> serde_json::Value {
    let exps: Vec<serde_json::Value> = REGISTRY
        .iter()
        .map(|e| {
            let files: Vec<serde_json::Value> = e
                .file_kinds()
                .iter()
                .map(|(kind, label, ext)| serde_json::json!({ "kind": kind, "label": label, "ext": ext }))
                .collect();
            serde_json::json!({ "name": e.name(), "title": e.title(), "params": e.specs(), "plots": e.plots(), "follows": e.follows(), "files": files })
        })
        .collect();
    let views: Vec<serde_json::Value> = views()
        .into_iter()
        .map(|(v, exp)| {
            let mut j = serde_json::to_value(v).expect("view serialises");
            j["experiment"] = serde_json::Value::from(exp);
            j
        })
        .collect();
    // The files a person may load into the page: the key=value that asks for each, the link key
    // naming it by hash, the file names accepted (data, then labels), the largest file read, how
    // it travels to the worker (request and encoding), and whether loading one switches the view
    // to it, or the experiments whose view takes it (a model file names the link it opens). A
    // dropped file goes to the first kind shown that accepts it.
    let uploads = serde_json::json!([
        {
            "kind": "recording", "key": "dataset", "value": "file", "link": "data",
            "label": "Load recording", "empty": "No recording loaded",
            "title": "A recording: .npy (trials × time × neurons) or CSV, with an optional labels file (one label per trial per line, or the .json lpu run --data-out writes); choose both at once, or drop them onto the page",
            "extensions": [".npy", ".csv", ".tsv"], "label_extensions": [".json", ".txt"],
            "max_bytes": crate::jedi::uploaded::MAX_BYTES, "max_label_bytes": crate::jedi::uploaded::MAX_LABEL_BYTES,
            "request": "load_recording", "encoding": "base64", "switch": true,
        },
        {
            "kind": "model", "experiments": [crate::experiments::jedi::Jedi::NAME],
            "label": "Load model file", "empty": "No model file loaded",
            "title": "A JEDI model file (lpu-jedi JSON, as Export → Model file or lpu run --model-out writes it): its view opens on the fitted model without refitting",
            "extensions": [".json"], "label_extensions": [],
            "max_bytes": crate::jedi::file::MAX_BYTES, "max_label_bytes": 0,
            "request": "load_model", "encoding": "text", "switch": false,
        },
        {
            "kind": "network", "key": "source", "value": "network", "link": "network",
            "label": "Load network file", "empty": "No network file loaded",
            "title": "A network file (lpu-network JSON, version 1 or 2), or drop one onto the page",
            "extensions": [".json"], "label_extensions": [],
            "max_bytes": crate::netfile::MAX_BYTES, "max_label_bytes": 0,
            "request": "load_network", "encoding": "text", "switch": false,
        },
    ]);
    // How a query asks for a network trained from its training keys, and where those keys come
    // from (the trainer's own keys, prefixed).
    let trained = serde_json::json!({
        "key": TRAINED_SOURCE.0, "value": TRAINED_SOURCE.1, "prefix": TRAINED_PREFIX,
        "experiment": crate::experiments::train::Train::NAME,
    });
    serde_json::json!({
        "experiments": exps, "views": views, "query_version": experiments::QUERY_VERSION, "uploads": uploads,
        "trained": trained,
    })
}
