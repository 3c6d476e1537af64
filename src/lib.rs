#![warn(missing_docs)]
//! LPU Explorer core: latent processing units in leaky firing-rate RNNs.
//!
//! A plain library (no web dependency) for x86_64 and wasm32. Layers, lowest first (a module
//! never imports one above it; see `ARCHITECTURE.md`): the floor ([`rng`], [`progress`],
//! [`parallel`]), [`numerics`], [`params`](mod@params) and [`link`] (the share-link grammar), the model
//! ([`network`], [`nonlinearity`], [`dense`], [`netfile`], and [`lowrank`]: THE column layout
//! and drive kernel), compute ([`simulate`], [`gradient`], [`backend`] and, with the `gpu` feature, `gpu`), [`design`], [`meanfield`], [`task`], [`drift`],
//! [`analysis`], [`experiments`], [`plot`], [`registry`] and [`protocol`] on top.

pub mod params;

pub mod analysis;
pub mod backend;
pub mod dense;
pub mod design;
pub mod drift;
pub mod ensembles;
pub mod experiments;
#[cfg(feature = "gpu")]
pub mod gpu;
pub mod gradient;
pub mod jedi;
pub mod link;
pub mod lowrank;
pub mod meanfield;
pub mod memory;
pub mod netfile;
pub mod network;
pub mod nonlinearity;
pub mod npy;
pub mod numerics;
pub mod parallel;
#[cfg(feature = "plot")]
pub mod plot;
pub mod progress;
#[cfg(feature = "compute")]
pub mod protocol;
pub mod registry;
pub mod rng;
pub mod scratch;
pub mod shard;
pub mod simd;
pub mod simulate;
pub mod task;
pub mod train;

#[cfg(feature = "compute")]
pub use registry::run_query;
pub use registry::{parse_lenient, parse_strict, Outcome};
