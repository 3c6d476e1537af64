//! Experiments: each is a pure function of its parameters (seed included), registered under
//! the `exp` key of the share-link query.

pub mod drift;
pub mod drift_sweep;
pub mod flipflop;
pub mod perturb;
pub mod timescale;

use crate::network::Network;
use crate::params::{split_query, ParamError};
use serde::Serialize;

pub const QUERY_VERSION: &str = "1";
/// Views of the explorer page; `view` picks one, and each runs one experiment.
pub const VIEWS: [(&str, &str); 6] = [
    ("flipflop", "flipflop"),
    ("timescale", "timescale"),
    ("tuning", "flipflop"),
    ("drift", "drift"),
    ("sweep", "drift_sweep"),
    ("perturb", "perturb"),
];
/// Keys of the page's view state. They travel in the same share link, so the core accepts and
/// checks them, but they change no number: `lpu run` ignores them.
pub const VIEW_KEYS: [&str; 4] = ["view", "embed", "hide", "plot"];

/// The page's view state carried in a share link.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ViewOptions {
    pub view: Option<String>,
    pub embed: bool,
    /// Controls (parameter keys) or panels hidden for a lesson.
    pub hide: Vec<String>,
    /// In embed mode, the one plot shown.
    pub plot: Option<String>,
}

fn identifier(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl ViewOptions {
    fn set(&mut self, key: &str, value: &str) -> Result<(), ParamError> {
        match key {
            "view" => {
                let names: Vec<&str> = VIEWS.iter().map(|v| v.0).collect();
                if !names.contains(&value) {
                    return Err(ParamError::new(
                        "view",
                        format!("must be one of {}, got \"{value}\"", names.join(", ")),
                    ));
                }
                self.view = Some(value.to_string());
            }
            "embed" => {
                self.embed = match value {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    _ => return Err(ParamError::new("embed", format!("must be 0 or 1, got \"{value}\""))),
                }
            }
            "hide" => {
                let items: Vec<&str> = value.split(',').filter(|s| !s.is_empty()).collect();
                if items.len() > 64 || !items.iter().all(|s| identifier(s)) {
                    return Err(ParamError::new(
                        "hide",
                        "must be up to 64 comma-separated names of controls or panels (a–z, 0–9, _)",
                    ));
                }
                self.hide = items.into_iter().map(String::from).collect();
            }
            "plot" => {
                if !identifier(value) {
                    return Err(ParamError::new("plot", format!("must be a plot name (a–z, 0–9, _), got \"{value}\"")));
                }
                self.plot = Some(value.to_string());
            }
            _ => unreachable!("only VIEW_KEYS reach here"),
        }
        Ok(())
    }

    /// The view keys for a share link (only those that differ from the default).
    pub fn query(&self) -> String {
        let mut q = vec![];
        if let Some(v) = &self.view {
            q.push(format!("view={v}"));
        }
        if self.embed {
            q.push("embed=1".into());
        }
        if !self.hide.is_empty() {
            q.push(format!("hide={}", self.hide.join(",")));
        }
        if let Some(p) = &self.plot {
            q.push(format!("plot={p}"));
        }
        q.join("&")
    }
}

/// Everything a share link says: the experiment's parameters and the page's view state.
pub struct Link {
    pub params: Option<Params>,
    pub view: ViewOptions,
    pub errors: Vec<ParamError>,
}
pub const EXPERIMENTS: [&str; 5] = ["flipflop", "timescale", "drift", "drift_sweep", "perturb"];

pub enum Params {
    Flipflop(flipflop::FlipflopParams),
    Timescale(timescale::TimescaleParams),
    Drift(drift::DriftParams),
    DriftSweep(drift_sweep::DriftSweepParams),
    Perturb(perturb::PerturbParams),
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
            Params::Drift($e) => $body,
            Params::DriftSweep($e) => $body,
            Params::Perturb($e) => $body,
        }
    };
}

impl Params {
    pub fn experiment(&self) -> &'static str {
        match self {
            Params::Flipflop(_) => "flipflop",
            Params::Timescale(_) => "timescale",
            Params::Drift(_) => "drift",
            Params::DriftSweep(_) => "drift_sweep",
            Params::Perturb(_) => "perturb",
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

    /// JSON of every key's current value, as the query renders it (for the page's controls).
    pub fn values(&self) -> serde_json::Map<String, serde_json::Value> {
        dispatch!(self, p => p.pairs())
            .into_iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v)))
            .collect()
    }

    /// The fast partial result a dragged slider redraws, for experiments that have one.
    pub fn portrait(&self) -> Option<String> {
        match self {
            Params::Flipflop(p) => Some(serde_json::to_string(&flipflop::portrait(p)).expect("portrait serialises")),
            _ => None,
        }
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
            Params::Drift(p) => {
                let (result, network) = drift::run(p);
                Outcome { json: envelope("drift", query, p, result), network }
            }
            Params::DriftSweep(p) => {
                let (result, network) = drift_sweep::run(p);
                Outcome { json: envelope("drift_sweep", query, p, result), network }
            }
            Params::Perturb(p) => {
                let (result, network) = perturb::run(p);
                Outcome { json: envelope("perturb", query, p, result), network }
            }
        }
    }
}

fn envelope<P: Serialize, R: Serialize>(experiment: &'static str, query: String, params: &P, result: R) -> String {
    serde_json::to_string(&Envelope { format: "lpu-result", version: 1, experiment, query, params, result })
        .expect("result serialises")
}

/// Parses a query leniently: every problem is reported and the offending key keeps its
/// default, the rest applies. `None` only when the experiment itself is missing or unknown.
pub fn parse_lenient(query: &str) -> (Option<Params>, Vec<ParamError>) {
    let link = parse_link(query, None);
    (link.params, link.errors)
}

/// Parses a whole share link leniently. Without an `exp` key the experiment comes from the
/// view, else from `default_experiment` (the page opens on the flip-flop); `None` keeps
/// `exp` required, as for the CLI.
pub fn parse_link(query: &str, default_experiment: Option<&str>) -> Link {
    let mut view = ViewOptions::default();
    let mut errors = vec![];
    let mut pairs = match split_query(query) {
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            vec![]
        }
    };
    pairs.retain(|(k, v)| {
        if VIEW_KEYS.contains(&k.as_str()) {
            if let Err(e) = view.set(k, v) {
                errors.push(e);
            }
            false
        } else {
            true
        }
    });
    if default_experiment.is_some() && !pairs.iter().any(|(k, _)| k == "exp") {
        let from_view = view.view.as_deref().and_then(|v| VIEWS.iter().find(|x| x.0 == v)).map(|x| x.1);
        pairs.push(("exp".into(), from_view.or(default_experiment).unwrap_or("flipflop").into()));
    }
    let (params, mut more) = parse_params(pairs);
    errors.append(&mut more);
    Link { params, view, errors }
}

fn parse_params(pairs: Vec<(String, String)>) -> (Option<Params>, Vec<ParamError>) {
    let mut errors = vec![];
    let exp = pairs.iter().find(|(k, _)| k == "exp").map(|(_, v)| v.as_str());
    let mut params = match exp {
        Some("flipflop") => Params::Flipflop(Default::default()),
        Some("timescale") => Params::Timescale(Default::default()),
        Some("drift") => Params::Drift(Default::default()),
        Some("drift_sweep") => Params::DriftSweep(Default::default()),
        Some("perturb") => Params::Perturb(Default::default()),
        Some(other) => {
            return (
                None,
                vec![ParamError::new("exp", format!("must be one of {}, got \"{other}\"", EXPERIMENTS.join(", ")))],
            )
        }
        None => return (None, vec![ParamError::new("exp", format!("is required: one of {}", EXPERIMENTS.join(", ")))]),
    };
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
            _ => {
                let known = dispatch!(&mut params, p => p.set(key, value));
                match known {
                    Ok(true) => {}
                    Ok(false) => {
                        let keys = specs(params.experiment()).iter().map(|s| s.key).collect::<Vec<_>>().join(", ");
                        errors.push(ParamError::new(
                            key,
                            format!("unknown key for exp={}; allowed keys: v, exp, {keys}", params.experiment()),
                        ));
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
            Params::Drift(p) => drift::check(p),
            Params::DriftSweep(p) => drift_sweep::check(p),
            Params::Perturb(p) => perturb::check(p),
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
        "drift" => drift::DriftParams::specs(),
        "drift_sweep" => drift_sweep::DriftSweepParams::specs(),
        "perturb" => perturb::PerturbParams::specs(),
        _ => vec![],
    }
}

/// The result document of a drift sweep computed in parts (by N and kind, one part per web
/// worker): the same document `run` gives for `query`.
pub fn merge_sweep(query: &str, parts: &[serde_json::Value]) -> Result<String, String> {
    let p = match parse_strict(query).map_err(|e| e.to_string())? {
        Params::DriftSweep(p) => p,
        other => return Err(format!("exp={} is not a sweep", other.experiment())),
    };
    let result = drift_sweep::merge(&p, parts)?;
    let params = Params::DriftSweep(p.clone());
    Ok(envelope("drift_sweep", params.query(), &p, result))
}

/// The main series of a result document as CSV (one row per time or grid point).
pub fn csv(doc: &serde_json::Value) -> String {
    use serde_json::Value;
    let r = &doc["result"];
    let vec = |v: &Value| {
        v.as_array().map(|a| a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect::<Vec<_>>()).unwrap_or_default()
    };
    let mat = |v: &Value| v.as_array().map(|a| a.iter().map(vec).collect::<Vec<_>>()).unwrap_or_default();
    let mut out = String::new();
    match doc["experiment"].as_str() {
        Some("flipflop") => {
            let (time, inputs, targets, latent) =
                (vec(&r["time"]), mat(&r["inputs"]), mat(&r["targets"]), mat(&r["latent"]));
            let k = latent.first().map_or(0, Vec::len);
            let mut head = vec!["time_s".to_string()];
            for prefix in ["input", "target", "z"] {
                head.extend((1..=k).map(|d| format!("{prefix}{d}")));
            }
            out.push_str(&head.join(","));
            out.push('\n');
            for (i, t) in time.iter().enumerate() {
                let mut row = vec![t.to_string()];
                for m in [&inputs, &targets, &latent] {
                    row.extend(
                        (0..k).map(|d| m.get(i).and_then(|r| r.get(d)).map_or(String::new(), |v| v.to_string())),
                    );
                }
                out.push_str(&row.join(","));
                out.push('\n');
            }
        }
        Some("timescale") => {
            out.push_str("z,flow_per_s,mean_field_per_s\n");
            let (z, f, m) = (vec(&r["z"]), vec(&r["flow"]), vec(&r["mean_field"]));
            for i in 0..z.len() {
                out.push_str(&format!(
                    "{},{},{}\n",
                    z[i],
                    f.get(i).unwrap_or(&f64::NAN),
                    m.get(i).unwrap_or(&f64::NAN)
                ));
            }
        }
        _ => out.push_str("error: not an lpu-result document\n"),
    }
    out
}
