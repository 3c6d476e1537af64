//! Experiments: each is a pure function of its parameters (seed included), registered under
//! the `exp` key of the share-link query.

pub mod flipflop;
pub mod timescale;

use crate::network::Network;
use crate::params::{split_query, ParamError};
use serde::Serialize;

pub const QUERY_VERSION: &str = "1";
pub const EXPERIMENTS: [&str; 2] = ["flipflop", "timescale"];

pub enum Params {
    Flipflop(flipflop::FlipflopParams),
    Timescale(timescale::TimescaleParams),
}

pub struct Outcome {
    /// The whole result document (format `lpu-result`), serialised compactly.
    pub json: String,
    pub network: Network,
}

#[derive(Serialize)]
struct Envelope<'a, P: Serialize, R: Serialize> {
    format: &'static str,
    version: u32,
    experiment: &'static str,
    query: String,
    params: &'a P,
    result: R,
}

macro_rules! dispatch {
    ($p:expr, $e:ident => $body:expr) => {
        match $p {
            Params::Flipflop($e) => $body,
            Params::Timescale($e) => $body,
        }
    };
}

impl Params {
    pub fn experiment(&self) -> &'static str {
        match self {
            Params::Flipflop(_) => "flipflop",
            Params::Timescale(_) => "timescale",
        }
    }

    /// The canonical share-link query: every key, in declaration order.
    pub fn query(&self) -> String {
        let pairs = dispatch!(self, p => p.pairs());
        let mut q = format!("v={QUERY_VERSION}&exp={}", self.experiment());
        for (k, v) in pairs {
            q.push('&');
            q.push_str(k);
            q.push('=');
            q.push_str(&crate::params::encode(&v));
        }
        q
    }

    pub fn run(&self) -> Outcome {
        let query = self.query();
        match self {
            Params::Flipflop(p) => {
                let (result, network) = flipflop::run(p);
                Outcome { json: envelope("flipflop", query, p, result), network }
            }
            Params::Timescale(p) => {
                let (result, network) = timescale::run(p);
                Outcome { json: envelope("timescale", query, p, result), network }
            }
        }
    }
}

fn envelope<P: Serialize, R: Serialize>(experiment: &'static str, query: String, params: &P, result: R) -> String {
    serde_json::to_string(&Envelope { format: "lpu-result", version: 1, experiment, query, params, result }).expect("result serialises")
}

/// Parses a query leniently: every problem is reported and the offending key keeps its
/// default, the rest applies. `None` only when the experiment itself is missing or unknown.
pub fn parse_lenient(query: &str) -> (Option<Params>, Vec<ParamError>) {
    let pairs = match split_query(query) {
        Ok(p) => p,
        Err(e) => return (None, vec![e]),
    };
    let mut errors = vec![];
    let exp = pairs.iter().find(|(k, _)| k == "exp").map(|(_, v)| v.as_str());
    let mut params = match exp {
        Some("flipflop") => Params::Flipflop(Default::default()),
        Some("timescale") => Params::Timescale(Default::default()),
        Some(other) => return (None, vec![ParamError::new("exp", format!("must be one of {}, got \"{other}\"", EXPERIMENTS.join(", ")))]),
        None => return (None, vec![ParamError::new("exp", format!("is required: one of {}", EXPERIMENTS.join(", ")))]),
    };
    for (key, value) in &pairs {
        match key.as_str() {
            "exp" => {}
            "v" => {
                if value != QUERY_VERSION {
                    errors.push(ParamError::new("v", format!("must be {QUERY_VERSION} (the query version), got \"{value}\"")));
                }
            }
            _ => {
                let known = dispatch!(&mut params, p => p.set(key, value));
                match known {
                    Ok(true) => {}
                    Ok(false) => {
                        let keys = specs(params.experiment()).iter().map(|s| s.key).collect::<Vec<_>>().join(", ");
                        errors.push(ParamError::new(key, format!("unknown key for exp={}; allowed keys: v, exp, {keys}", params.experiment())));
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    // Cross-parameter limits: reset the named key and check again.
    for _ in 0..32 {
        let check = match &params {
            Params::Flipflop(p) => flipflop::check(p),
            Params::Timescale(p) => timescale::check(p),
        };
        match check {
            Ok(()) => break,
            Err(e) => {
                dispatch!(&mut params, p => p.reset(&e.key));
                errors.push(e);
            }
        }
    }
    (Some(params), errors)
}

/// Strict parsing for the CLI: the first problem is an error.
pub fn parse_strict(query: &str) -> Result<Params, ParamError> {
    let (params, errors) = parse_lenient(query);
    match (params, errors.into_iter().next()) {
        (_, Some(e)) => Err(e),
        (Some(p), None) => Ok(p),
        (None, None) => Err(ParamError::new("exp", "is required")),
    }
}

pub fn specs(experiment: &str) -> Vec<crate::params::ParamSpec> {
    match experiment {
        "flipflop" => flipflop::FlipflopParams::specs(),
        "timescale" => timescale::TimescaleParams::specs(),
        _ => vec![],
    }
}
