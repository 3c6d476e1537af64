//! LPU Explorer core: latent processing units in leaky firing-rate RNNs.
//!
//! A plain library (no web dependency) for x86_64 and wasm32. Layers, lowest first (a module
//! never imports one above it; see ARCHITECTURE.md): the floor ([`rng`], [`progress`],
//! [`parallel`]), [`params`] and [`link`] (the share-link grammar), the model ([`network`],
//! [`nonlinearity`], [`dense`], [`netfile`]), compute ([`lowrank`], the column layout and
//! kernel, under [`simulate`]), [`design`], [`meanfield`], [`task`], [`drift`], [`analysis`],
//! [`experiments`], [`plot`], and the [`registry`] on top.

pub mod params;

pub mod analysis;
pub mod dense;
pub mod design;
pub mod drift;
pub mod experiments;
pub mod link;
pub mod lowrank;
pub mod meanfield;
pub mod netfile;
pub mod network;
pub mod nonlinearity;
pub mod parallel;
#[cfg(feature = "plot")]
pub mod plot;
pub mod progress;
pub mod registry;
pub mod rng;
pub mod simulate;
pub mod task;

pub use registry::{parse_lenient, parse_strict, run_query, Outcome};
