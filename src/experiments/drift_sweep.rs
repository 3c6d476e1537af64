//! `exp=drift_sweep`: state accuracy against drift strength σ (log grid) for the three kinds
//! of drift over a list of N, read from all neurons and from the first n_obs, with a sigmoid
//! fit between 1 and chance per curve whose midpoint σ* is the tolerable drift
//! (LCF Fig. 4D, I, J). Cells (N, kind, σ, run) are independent and run in parallel; each run's
//! pre-drift segment is shared by all its cells.

use super::drift::{network, segment, trial, window_accuracy};
use crate::drift::{self, DriftKind, SigmoidFit};
use crate::params::{list, range, ParamError, MAX_SAFE_INTEGER};
use crate::rng::{derive_seed, stream, Rng};
use serde::Serialize;

/// Most neuron-steps one sweep may take.
pub const MAX_WORK: f64 = 4e10;

crate::params! {
    pub struct DriftSweepParams {
        bits: usize = 3, range(1.0, 8.0), "flip-flop bits K (LCF Fig. 4D: 3)";
        neurons: Vec<usize> = vec![100, 1000, 10000], list(10.0, 300_000.0, 8), "network sizes N (each resampled from the same designed network)";
        base: usize = 100, range(4.0, 10_000.0), "neurons of the designed network (our default 100)";
        sigma_min: f64 = 0.01, range(1e-6, 100.0), "smallest drift strength σ";
        sigma_max: f64 = 10.0, range(1e-6, 100.0), "largest drift strength σ";
        points: usize = 12, range(2.0, 64.0), "σ values, log-spaced";
        kinds: Vec<usize> = vec![0, 1, 2], list(0.0, 2.0, 3), "kinds of drift swept: 0 random, 1 orthogonal, 2 tangential (the page splits a sweep by N and kind across its workers)";
        runs: usize = 3, range(1.0, 16.0), "runs per cell (different trials, initial rates, drifts and noise), averaged";
        steps: usize = 500, range(10.0, 100_000.0), "steps before the drift";
        after: usize = 1500, range(10.0, 100_000.0), "steps after the drift";
        score: usize = 1000, range(10.0, 100_000.0), "accuracy is scored on the last `score` steps after the drift";
        noise: f64 = 0.05, range(0.0, 10.0), "σ of the current noise (our default 0.05)";
        observed: usize = 100, range(1.0, 300_000.0), "the second readout uses the first n_obs neurons (LCF: 100)";
        pulse_prob: f64 = 0.05, range(0.0, 1.0), "probability of a pulse per channel per 10 ms bin";
        seed: u64 = 1, range(0.0, MAX_SAFE_INTEGER), "random seed";
    }
}

pub fn check(p: &DriftSweepParams) -> Result<(), ParamError> {
    if p.neurons.is_empty() {
        return Err(ParamError::new("neurons", "must list at least one network size"));
    }
    if p.sigma_min >= p.sigma_max {
        return Err(ParamError::new("sigma_max", format!("must be larger than sigma_min = {}", p.sigma_min)));
    }
    if p.base < 2 * p.bits {
        return Err(ParamError::new("base", format!("must be at least 2 × bits = {}", 2 * p.bits)));
    }
    let mut seen = [false; 3];
    for &k in &p.kinds {
        if std::mem::replace(&mut seen[k], true) {
            return Err(ParamError::new("kinds", format!("lists kind {k} twice")));
        }
    }
    if p.kinds.is_empty() {
        return Err(ParamError::new("kinds", "must list at least one kind (0 random, 1 orthogonal, 2 tangential)"));
    }
    if p.score > p.after {
        return Err(ParamError::new("score", format!("must be at most after = {}", p.after)));
    }
    let work: f64 = p
        .neurons
        .iter()
        .map(|&n| n as f64 * p.runs as f64 * (p.steps as f64 + p.kinds.len() as f64 * p.points as f64 * p.after as f64))
        .sum();
    if work > MAX_WORK {
        return Err(ParamError::new("neurons", format!("the sweep would take {work:.1e} neuron-steps; at most {MAX_WORK:.0e} (fewer or smaller N, points, runs or steps)")));
    }
    Ok(())
}

impl DriftSweepParams {
    pub fn sigmas(&self) -> Vec<f64> {
        // libm, not std: the same bits natively and in wasm.
        let (a, b) = (libm::log(self.sigma_min), libm::log(self.sigma_max));
        (0..self.points).map(|i| libm::exp(a + (b - a) * i as f64 / (self.points - 1) as f64)).collect()
    }
}

#[derive(Serialize)]
pub struct Curve {
    /// Mean accuracy over runs at each σ, from all neurons and from the first n_obs.
    pub accuracy: Vec<f64>,
    pub accuracy_observed: Vec<f64>,
    pub fit: SigmoidFit,
    pub fit_observed: SigmoidFit,
}

#[derive(Serialize)]
pub struct SizeResult {
    pub neurons: usize,
    /// Null for a kind that was not swept.
    pub random: Option<Curve>,
    pub orthogonal: Option<Curve>,
    pub tangential: Option<Curve>,
}

#[derive(Serialize)]
pub struct Tolerable {
    pub neurons: usize,
    pub random: Option<f64>,
    pub orthogonal: Option<f64>,
    pub tangential: Option<f64>,
}

#[derive(Serialize)]
pub struct DriftSweepResult {
    pub sigma: Vec<f64>,
    pub chance: f64,
    pub sizes: Vec<SizeResult>,
    /// σ* per N and kind, from all neurons.
    pub tolerable_drift: Vec<Tolerable>,
    /// σ* per N and kind, from the first n_obs neurons.
    pub tolerable_drift_observed: Vec<Tolerable>,
}

/// Combines sweeps of the same parameters split by N and kind (the page's worker pool) into
/// the result the whole sweep gives: sizes in the order of `p.neurons`, every kind filled.
pub fn merge(p: &DriftSweepParams, parts: &[serde_json::Value]) -> Result<serde_json::Value, String> {
    use serde_json::{json, Value};
    let mut sizes = vec![];
    let mut tol = vec![];
    let mut tol_obs = vec![];
    for &n in &p.neurons {
        let mut size = json!({ "neurons": n, "random": null, "orthogonal": null, "tangential": null });
        let mut t = json!({ "neurons": n, "random": null, "orthogonal": null, "tangential": null });
        let mut to = t.clone();
        for part in parts {
            let r = &part["result"];
            let Some(list) = r["sizes"].as_array() else { return Err("a part is not a drift_sweep result".into()) };
            for (i, s) in list.iter().enumerate().filter(|(_, s)| s["neurons"] == json!(n)) {
                for kind in DriftKind::NAMES {
                    if !s[kind].is_null() {
                        size[kind] = s[kind].clone();
                        t[kind] = r["tolerable_drift"][i][kind].clone();
                        to[kind] = r["tolerable_drift_observed"][i][kind].clone();
                    }
                }
            }
        }
        sizes.push(size);
        tol.push(t);
        tol_obs.push(to);
    }
    let first = parts.first().ok_or("no parts")?;
    Ok(
        json!({ "sigma": first["result"]["sigma"], "chance": first["result"]["chance"], "sizes": Value::Array(sizes), "tolerable_drift": tol, "tolerable_drift_observed": tol_obs }),
    )
}

/// Accuracy (all, observed) of one cell: network size index, kind, σ index, run.
/// What every cell of a sweep reads: per size and run the network and its rates at the drift,
/// per run its trial, and the σ grid.
struct Shared {
    nets: Vec<Vec<crate::network::Network>>,
    starts: Vec<Vec<Vec<f64>>>,
    trials: Vec<crate::task::Trial>,
    sigmas: Vec<f64>,
}

fn cell(p: &DriftSweepParams, sh: &Shared, c: &(usize, usize, usize, usize)) -> (f64, f64) {
    let (ni, ki, si, run) = *c;
    let net = &sh.nets[ni][run];
    let kind = DriftKind::ALL[ki];
    let sigma = sh.sigmas[si];
    // The same ΔM draw for every σ and kind of a run (common random numbers): curves are smooth.
    let mut rng = Rng::new(derive_seed(p.seed, run as u64), stream::DRIFT);
    let delta = drift::delta(net, kind, sigma, &mut rng);
    let drifted = drift::apply(net, &delta);
    let t = &sh.trials[run];
    let observed = p.observed.min(net.neurons);
    let out = segment(
        &drifted,
        &sh.starts[ni][run],
        t,
        p.steps,
        p.after,
        p.noise,
        derive_seed(p.seed, 1000 + run as u64),
        if observed < net.neurons { observed } else { 0 },
    );
    let k = p.bits;
    let all = window_accuracy(&out.latent[k..], k, t, p.steps, p.after, p.score);
    let obs = if observed < net.neurons {
        window_accuracy(&out.observed_latent[k..], k, t, p.steps, p.after, p.score)
    } else {
        all
    };
    (all, obs)
}

pub fn run(p: &DriftSweepParams) -> (DriftSweepResult, crate::network::Network) {
    let k = p.bits;
    // One designed network per run (its own design seed), resampled to each N: a sweep then
    // averages over designs, not only over trials, so one design's quirks do not set σ*.
    let nets: Vec<Vec<_>> = p
        .neurons
        .iter()
        .map(|&n| (0..p.runs).map(|r| network(k, p.base, n, derive_seed(p.seed, 2000 + r as u64))).collect())
        .collect();
    // Pre-drift segment per (N, run): the rates at the moment of the drift.
    let trials: Vec<_> = (0..p.runs).map(|run| trial(k, p.steps + p.after, p.pulse_prob, p.seed, run as u64)).collect();
    let pre: Vec<(usize, usize)> = (0..nets.len()).flat_map(|ni| (0..p.runs).map(move |r| (ni, r))).collect();
    let finals = crate::progress::stage(0.0, 0.1, || {
        crate::parallel::map(&pre, |&(ni, run)| {
            let net = &nets[ni][run];
            let mut initial = vec![0.0; net.neurons];
            Rng::new(derive_seed(p.seed, run as u64), stream::INITIAL_RATES).fill_normal(&mut initial, 0.0, 0.1);
            segment(net, &initial, &trials[run], 0, p.steps, p.noise, derive_seed(p.seed, 500 + run as u64), 0)
                .final_rates
        })
    });
    let mut starts: Vec<Vec<Vec<f64>>> = vec![vec![]; nets.len()];
    for ((ni, _), f) in pre.iter().zip(finals) {
        starts[*ni].push(f);
    }
    let shared = Shared { nets, starts, trials, sigmas: p.sigmas() };
    let sizes_n = p.neurons.len();
    let cells: Vec<(usize, usize, usize, usize)> = (0..sizes_n)
        .flat_map(|ni| {
            p.kinds
                .iter()
                .flat_map(move |&ki| (0..p.points).flat_map(move |si| (0..p.runs).map(move |r| (ni, ki, si, r))))
        })
        .collect();
    // Cells in blocks so that progress is reported between blocks.
    let mut acc = Vec::with_capacity(cells.len());
    let blocks = cells.chunks(cells.len().div_ceil(50).max(1)).collect::<Vec<_>>();
    crate::progress::stage(0.1, 1.0, || {
        for (b, block) in blocks.iter().enumerate() {
            crate::progress::report(b as f64 / blocks.len() as f64);
            acc.extend(crate::parallel::map(block, |c| cell(p, &shared, c)));
        }
    });
    let sigma = shared.sigmas.clone();
    let chance = (0..k).fold(1.0, |a: f64, _| a * 0.5);
    let nk = p.kinds.len();
    let slot = |ki: usize| p.kinds.iter().position(|&k| k == ki);
    let idx = |ni: usize, ki: usize, si: usize, r: usize| ((ni * nk + slot(ki).unwrap()) * p.points + si) * p.runs + r;
    let curve = |ni: usize, ki: usize| -> Curve {
        let mean = |which: usize| -> Vec<f64> {
            (0..p.points)
                .map(|si| {
                    (0..p.runs)
                        .map(|r| if which == 0 { acc[idx(ni, ki, si, r)].0 } else { acc[idx(ni, ki, si, r)].1 })
                        .sum::<f64>()
                        / p.runs as f64
                })
                .collect()
        };
        let (a, o) = (mean(0), mean(1));
        Curve {
            fit: drift::fit_sigmoid(&sigma, &a, chance),
            fit_observed: drift::fit_sigmoid(&sigma, &o, chance),
            accuracy: a,
            accuracy_observed: o,
        }
    };
    let swept = |ni: usize, ki: usize| slot(ki).map(|_| curve(ni, ki));
    let sizes: Vec<SizeResult> = (0..sizes_n)
        .map(|ni| SizeResult {
            neurons: p.neurons[ni],
            random: swept(ni, 0),
            orthogonal: swept(ni, 1),
            tangential: swept(ni, 2),
        })
        .collect();
    let tol = |obs: bool| -> Vec<Tolerable> {
        sizes
            .iter()
            .map(|s| {
                let m =
                    |c: &Option<Curve>| c.as_ref().map(|c| if obs { c.fit_observed.midpoint } else { c.fit.midpoint });
                Tolerable {
                    neurons: s.neurons,
                    random: m(&s.random),
                    orthogonal: m(&s.orthogonal),
                    tangential: m(&s.tangential),
                }
            })
            .collect()
    };
    let result =
        DriftSweepResult { tolerable_drift: tol(false), tolerable_drift_observed: tol(true), sigma, chance, sizes };
    let last = shared.nets.into_iter().last().and_then(|v| v.into_iter().next()).expect("at least one size");
    (result, last)
}
