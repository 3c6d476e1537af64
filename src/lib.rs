//! LPU Explorer core: latent processing units in leaky firing-rate RNNs.
//!
//! A plain library (no web dependency) for x86_64 and wasm32: models ([`network`],
//! [`simulate`]), the flip-flop [`task`], designed LPUs ([`design`], [`meanfield`]),
//! [`analysis`], and [`experiments`] addressed by share-link queries.

pub mod params;

pub mod analysis;
pub mod dense;
pub mod design;
pub mod drift;
pub mod experiments;
pub mod meanfield;
pub mod netfile;
pub mod network;
pub mod nonlinearity;
pub mod parallel;
#[cfg(feature = "plot")]
pub mod plot;
pub mod progress;
pub mod rng;
pub mod simulate;
pub mod task;

pub use experiments::{parse_lenient, parse_strict, Outcome, Params};

/// Runs a share-link query (strict): the result JSON, or the first parameter error.
pub fn run_query(query: &str) -> Result<Outcome, params::ParamError> {
    Ok(parse_strict(query)?.run())
}
