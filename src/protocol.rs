//! The page ↔ worker protocol: typed messages with one error path. The worker's wasm
//! deserialises a [`Request`] (serde-wasm-bindgen), calls [`handle`] and posts back
//! [`Reply`]s; the page turns `Failed` into one rejected Promise. Handling is plain Rust, so
//! it is tested natively.

use crate::experiments::{RunCtx, RunError};
use crate::network::Network;
use serde::{Deserialize, Serialize};

/// What the page asks a worker to do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// Run a query (the canonical query the page's core produced) to its result document.
    Run {
        /// The share-link query.
        query: String,
    },
    /// The live update of a dragged slider (e.g. flow and fixed points).
    Live {
        /// The share-link query.
        query: String,
    },
    /// The network file of the run of `query` (the last run of this worker).
    NetworkFile {
        /// The canonical query of the result whose network is wanted.
        query: String,
    },
    /// Load a network file for the runs with `source=network` that follow; answers its hash
    /// and a one-line description, or the file's first problem.
    LoadNetwork {
        /// The file's text.
        text: String,
    },
    /// Use the network of the last run (a trained one) as the network for `source=network`;
    /// answers as `LoadNetwork` does.
    UseLastNetwork {
        /// The canonical query of the result whose network is wanted.
        query: String,
    },
    /// A file the run of `query` gives beside its document (a JEDI fit's model file), as
    /// base64 text; the run must be this worker's (its state is kept here).
    File {
        /// The canonical query of the result.
        query: String,
        /// Which file: one of the experiment's `FILES` kinds.
        what: String,
    },
    /// Load a recording file for the runs with `dataset=file` that follow; answers its hash and
    /// a one-line description, or the file's first problem (the recording loaded before stays).
    LoadRecording {
        /// The file's name (for messages).
        name: String,
        /// The file's bytes, base64.
        data: String,
        /// The labels file's name and bytes (base64), if any.
        labels: Option<(String, String)>,
    },
    /// Load a JEDI model file as the finished fit of its query; answers its hash, a description
    /// and the link that shows it (`open`), or the file's first problem.
    LoadModel {
        /// The file's text.
        text: String,
    },
    /// Panic on purpose (the page's test hook for the error path).
    Panic,
}

/// A message from the worker to the page about request `id`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The fraction of the request done.
    Progress {
        /// The request.
        id: u32,
        /// In [0, 1].
        value: f64,
    },
    /// A result document shown before the run ends (a training run's pictures so far).
    Partial {
        /// The request.
        id: u32,
        /// The document so far.
        text: String,
    },
    /// The request's answer (a result document, a live update or a network file, as JSON).
    Done {
        /// The request.
        id: u32,
        /// The answer.
        text: String,
    },
    /// The request failed; the page rejects its Promise with `error.message`.
    Failed {
        /// The request.
        id: u32,
        /// What went wrong.
        error: WireError,
    },
}

/// Why a request failed: the one error shape that crosses the boundary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WireError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// One line for the user.
    pub message: String,
    /// The worker is unusable and must be replaced (a panic, a failed start).
    pub fatal: bool,
}

/// The kinds of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A parameter is wrong (the message names it and its range).
    Param,
    /// The page cancelled the request.
    Cancelled,
    /// The run could not be done.
    Failed,
    /// The core panicked.
    Panic,
    /// The message was not a request.
    Protocol,
}

impl WireError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        WireError { kind, message: message.into(), fatal: matches!(kind, ErrorKind::Panic) }
    }
    /// A panic of the core: the worker must be replaced.
    pub fn panic(message: impl Into<String>) -> Self {
        WireError::new(ErrorKind::Panic, message)
    }
    /// A message that is not a request.
    pub fn protocol(message: impl Into<String>) -> Self {
        WireError::new(ErrorKind::Protocol, message)
    }
}

impl From<RunError> for WireError {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Cancelled => WireError::new(ErrorKind::Cancelled, "cancelled"),
            RunError::Failed(m) => WireError::new(ErrorKind::Failed, m),
            RunError::Param(e) => WireError::new(ErrorKind::Param, e.to_string()),
        }
    }
}

/// What a worker keeps between requests.
#[derive(Default)]
pub struct WorkerState {
    /// The last run's canonical query and network.
    network: Option<(String, Network)>,
    /// The network file loaded by the page (its hash and network), for `source=network`.
    uploaded: Option<(String, Network)>,
    /// The recording file loaded by the page, for `dataset=file`.
    recording: Option<crate::jedi::uploaded::Uploaded>,
}

/// Answers one request. Progress goes to `progress`, documents shown before the end to
/// `partial`; `cancelled` is asked between chunks of work and stops the run cleanly (the
/// worker stays usable, and keeps a training run's state so the same query resumes it).
pub fn handle(
    state: &mut WorkerState,
    request: Request,
    progress: impl FnMut(f64) + 'static,
    cancelled: impl Fn() -> bool + 'static,
    partial: impl FnMut(String) + 'static,
) -> Result<String, WireError> {
    let params =
        |query: &str| crate::registry::parse_strict(query).map_err(|e| WireError::new(ErrorKind::Param, e.to_string()));
    match request {
        Request::Run { query } => {
            let p = params(&query)?;
            let ctx = state.ctx();
            let outcome = crate::progress::with_publisher(partial, || {
                crate::progress::with_hooks(progress, cancelled, || p.run(&ctx))
            });
            // A worker lives on between runs: what the run's buffers kept for reuse would add to
            // the next run's peak, which its memory limit does not count.
            crate::scratch::release();
            let outcome = outcome?;
            state.network = Some((p.query(), outcome.network));
            Ok(outcome.json)
        }
        Request::Live { query } => {
            let p = params(&query)?;
            p.live(&state.ctx())
                .ok_or_else(|| WireError::new(ErrorKind::Failed, format!("exp={} has no live update", p.experiment())))
        }
        Request::File { query, what } => {
            use base64::Engine;
            let p = params(&query)?;
            match p.files(&state.ctx()).into_iter().find(|(k, _)| *k == what) {
                Some((_, bytes)) => Ok(base64::engine::general_purpose::STANDARD.encode(bytes)),
                None => Err(WireError::new(
                    ErrorKind::Failed,
                    format!("this worker holds no {what} file of the result shown: press Run, then export"),
                )),
            }
        }
        Request::NetworkFile { query } => match &state.network {
            Some((q, net)) if *q == query => Ok(crate::netfile::to_json(net)),
            _ => Err(WireError::new(
                ErrorKind::Failed,
                "this worker does not hold the network of the result shown (it ran on the worker pool, or a \
                 later run replaced it): press Run, then export",
            )),
        },
        Request::LoadNetwork { text } => {
            let net = crate::netfile::from_json(&text).map_err(|e| WireError::new(ErrorKind::Failed, e))?;
            Ok(state.load(crate::netfile::hash(&text), net))
        }
        Request::UseLastNetwork { query } => match &state.network {
            Some((q, net)) if *q == query => {
                let net = net.clone();
                let text = crate::netfile::to_json(&net);
                Ok(state.load(crate::netfile::hash(&text), net))
            }
            _ => Err(WireError::new(
                ErrorKind::Failed,
                "this worker does not hold the network of the result shown: press Run, then send it",
            )),
        },
        Request::LoadRecording { name, data, labels } => {
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD;
            let failed = |m: String| WireError::new(ErrorKind::Failed, m);
            let bytes = b64.decode(data).map_err(|e| failed(format!("{name}: not base64: {e}")))?;
            let labels = match labels {
                Some((lname, text)) => {
                    let b = b64.decode(text).map_err(|e| failed(format!("{lname}: not base64: {e}")))?;
                    Some((lname, b))
                }
                None => None,
            };
            let up =
                crate::jedi::uploaded::read(&name, &bytes, labels.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())))
                    .map_err(failed)?;
            let text = serde_json::json!({
                "hash": up.hash,
                "description": crate::jedi::uploaded::describe(&up.recording),
                // The keys the file fixes: its labels' time step.
                "sets": up.dt.map(|d| serde_json::json!({ "dt": crate::params::ParamType::render(&d) })).unwrap_or_default(),
            })
            .to_string();
            state.recording = Some(up);
            Ok(text)
        }
        Request::LoadModel { text } => {
            let r = crate::experiments::jedi::restore(&text).map_err(|e| WireError::new(ErrorKind::Failed, e))?;
            Ok(serde_json::json!({
                "hash": crate::netfile::hash(&text),
                "description": r.description,
                "open": r.link,
            })
            .to_string())
        }
        Request::Panic => panic!("deliberate panic requested by the page's test hook"),
    }
}

impl WorkerState {
    /// The run context with the files the page loaded.
    fn ctx(&self) -> RunCtx<'_> {
        let mut ctx = RunCtx::default();
        if let Some((_, n)) = &self.uploaded {
            ctx = ctx.with_network(n);
        }
        if let Some(r) = &self.recording {
            ctx = ctx.with_recording(r);
        }
        ctx
    }

    /// Keeps `net` for `source=network`; the answer (JSON) is its hash and a description.
    fn load(&mut self, hash: String, net: Network) -> String {
        let text = serde_json::json!({
            "hash": hash,
            "description": crate::netfile::describe(&net),
        })
        .to_string();
        self.uploaded = Some((hash, net));
        text
    }
}
