//! The drift views with a network from outside (`source=network`), against independent
//! routes: the designed base network written to a file by `exp=flipflop` and read back gives
//! the designed run's numbers; a readout equal to Nᵀ scores what the latent scores; a designed
//! network grown from 100 to 1000 neurons keeps its four attractors at (±1, ±1) (the design's
//! normalisation) and its accuracy; a trained network holds the bits exp=train measured; a
//! network with Δt = 2 ms gets 10 ms pulses of 5 steps; networks that do not fit name their
//! key; a sweep split into parts merges into the whole.
use lpu::design::FlipFlop;
use lpu::experiments::RunCtx;
use lpu::netfile;
use lpu::network::{Model, Network};
use lpu::rng::derive_seed;
use serde_json::Value;
use std::process::Command;

fn lpu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lpu")).args(args).output().expect("lpu runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn result_of(json: &str) -> Value {
    serde_json::from_str::<Value>(json).unwrap()["result"].clone()
}

/// Runs `query` with `net` given from outside; the result, or the error's key and message.
fn with(query: &str, net: &Network) -> Result<Value, (String, String)> {
    lpu::registry::run_query_with(query, &RunCtx::default().with_network(net))
        .map(|o| result_of(&o.json))
        .map_err(|e| (e.key.clone(), e.to_string()))
}

fn designed(query: &str) -> Value {
    result_of(&lpu::run_query(query).unwrap().json)
}

/// `net` with the readout R = Nᵀ: its outputs are the latent z, summed in another order.
fn reading_its_latent(mut net: Network) -> Network {
    let (n, k) = (net.neurons, net.rank);
    net.readout = Some((0..k).flat_map(|c| (0..n).map(move |i| (i, c))).map(|(i, c)| net.n(i, c)).collect());
    net
}

/// The stable fixed points of a portrait, as latent vectors.
fn stable(portrait: &Value) -> Vec<Vec<f64>> {
    portrait["fixed_points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "stable")
        .map(|f| f["z"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect())
        .collect()
}

#[test]
fn the_designed_base_network_written_by_flipflop_gives_the_designed_drift_run() {
    // Second route: exp=flipflop's design with the drift views' standard keys is the base
    // network; it goes through a file and lpu's --network-in, not through drift_runs.
    let file = std::env::temp_dir().join(format!("lpu-drift-network-{}-base.json", std::process::id()));
    let file = file.to_str().unwrap();
    let (code, _, err) = lpu(&["run", "exp=flipflop&bits=2&neurons=100&steps=10&seed=3", "--network-out", file]);
    assert_eq!(code, 0, "{err}");
    let keys = "bits=2&neurons=400&steps=400&after=400&score=300&observed=60&sigma=0.8&kind=random&seed=3";
    let (code, given, err) = lpu(&["run", &format!("exp=drift&source=network&{keys}"), "--network-in", file]);
    assert_eq!(code, 0, "{err}");
    let (given, designed) = (result_of(&given), designed(&format!("exp=drift&{keys}")));
    // Same network, same resampling, same trial, noise and drift: the same numbers.
    for key in [
        "accuracy_before",
        "accuracy_after",
        "observed_accuracy_before",
        "observed_accuracy_after",
        "time",
        "drift_index",
        "inputs",
        "targets",
        "latent",
        "observed_latent",
        "fraction_keeping_coding",
        "delta_sd",
        "delta_tangential_fraction",
    ] {
        assert_eq!(given[key], designed[key], "{key}");
    }
    assert!(designed["accuracy_before"].as_f64().unwrap() > 0.9);
    // Only the latent window differs (fitted to the trajectory): the same attractors.
    for portrait in ["before", "after"] {
        let (a, b) = (stable(&given[portrait]), stable(&designed[portrait]));
        assert_eq!(a.len(), b.len(), "{portrait}: {a:?} vs {b:?}");
        for z in &a {
            assert!(b.iter().any(|w| z.iter().zip(w).all(|(x, y)| (x - y).abs() < 1e-6)), "{portrait}: {z:?}");
        }
    }
    let _ = std::fs::remove_file(file);
}

#[test]
fn a_one_run_sweep_of_the_designed_network_from_a_file_has_the_designed_bytes() {
    // The designed sweep of one run designs with seed derive_seed(seed, 2000) and resamples
    // each N with it; a file of that design gives the same sweep, byte for byte.
    let net = FlipFlop::standard(2, 100).network(derive_seed(5, 2000));
    let net = netfile::from_json(&netfile::to_json(&net)).unwrap();
    let keys = "bits=2&neurons=80,300&points=4&runs=1&steps=300&after=400&score=300&observed=50&seed=5";
    let given = with(&format!("exp=drift_sweep&source=network&{keys}"), &net).unwrap();
    let designed = designed(&format!("exp=drift_sweep&{keys}"));
    assert_eq!(given.to_string(), designed.to_string());
}

#[test]
fn a_readout_equal_to_the_encoding_scores_what_the_latent_scores() {
    // The readout path steps the simulator to each bin end and applies R to every rate; with
    // R = Nᵀ it reads the latent, so every accuracy equals the latent path's (no readout).
    let base = FlipFlop::standard(2, 100).network(7);
    let keys = "bits=2&neurons=300&steps=400&after=400&score=300&observed=40&sigma=1.5&kind=orthogonal&seed=7";
    let plain = with(&format!("exp=drift&source=network&{keys}"), &base).unwrap();
    let read = with(&format!("exp=drift&source=network&{keys}"), &reading_its_latent(base)).unwrap();
    for key in ["accuracy_before", "accuracy_after", "observed_accuracy_before", "observed_accuracy_after"] {
        assert_eq!(read[key], plain[key], "{key}");
    }
    // Stepping to the bin ends gives the one-shot simulation's bits.
    assert_eq!(read["latent"], plain["latent"]);
    assert_eq!(read["observed_latent"], plain["observed_latent"]);
    // And likewise in the sweep, for every cell.
    let base = FlipFlop::standard(2, 100).network(7);
    let q = "exp=drift_sweep&source=network&bits=2&neurons=100,200&points=3&runs=2&steps=300&after=400&score=300&observed=50";
    assert_eq!(with(q, &reading_its_latent(base.clone())).unwrap(), with(q, &base).unwrap());
}

#[test]
fn the_readout_rows_at_bin_ends_are_the_latent_of_the_same_steps() {
    // Row for row: R r with R = Nᵀ at each scored bin end equals the simulator's own latent
    // (and the first-n_obs readout its observed latent) of that step, to rounding.
    use lpu::experiments::drift_runs::{segment, trial, Segment};
    let net = reading_its_latent(drift_runs_network());
    let t = trial(2, 600, 10, 0.1, 3, 0);
    let initial = vec![0.05; net.neurons];
    let s = Segment { window: 200..600, noise: 0.05, seed: 11, observed: 70 };
    let got = segment(&lpu::simulate::Cpu, &net, &initial, &t, s);
    let (outputs, observed) = (got.outputs.as_ref().unwrap(), got.observed_outputs.as_ref().unwrap());
    let scored: Vec<usize> = t.scored.iter().filter(|&&s| (200..600).contains(&s)).map(|s| s - 200).collect();
    assert!(scored.len() > 20);
    for r in scored {
        for c in 0..2 {
            let (z, zo) = (got.out.latent[(r + 1) * 2 + c], got.out.observed_latent[(r + 1) * 2 + c]);
            assert!((outputs[r * 2 + c] - z).abs() < 1e-12 * z.abs().max(1.0), "row {r}");
            assert!((observed[r * 2 + c] - zo).abs() < 1e-12 * zo.abs().max(1.0), "row {r}");
        }
    }
}

fn drift_runs_network() -> Network {
    lpu::experiments::drift_runs::network(2, 100, 300, 8)
}

#[test]
fn a_designed_network_grown_from_100_to_1000_neurons_keeps_its_lpu() {
    // The design puts each population's attractors at exactly ±1 (SCIENCE §3); resampling
    // keeps the flow in expectation, so the grown network's four attractors stay near (±1, ±1)
    // and it still holds its bits.
    for seed in [1, 2, 3] {
        let net = FlipFlop::standard(2, 100).network(seed);
        let q =
            format!("exp=drift&source=network&bits=2&neurons=1000&sigma=0&steps=1000&after=1000&score=800&seed={seed}");
        let r = with(&q, &net).unwrap();
        assert!(r["accuracy_before"].as_f64().unwrap() >= 0.9, "seed {seed}: {}", r["accuracy_before"]);
        assert!(r["accuracy_after"].as_f64().unwrap() >= 0.9, "seed {seed}: {}", r["accuracy_after"]);
        let attractors = stable(&r["before"]);
        assert_eq!(attractors.len(), 4, "seed {seed}: {attractors:?}");
        for z in attractors {
            assert!(z.iter().all(|x| (x.abs() - 1.0).abs() < 0.1), "seed {seed}: {z:?}");
        }
    }
}

#[test]
fn a_trained_network_at_its_own_size_holds_its_bits_through_its_readout() {
    // exp=train's own test trials are the truth (accuracy ≥ 0.99 there); at its own N the
    // network is used as it is (Δt = 2 ms, 5-step bins, scored by its readout) and must hold
    // its two bits here too, with one attractor per memory.
    let out = lpu::run_query("exp=train&paradigm=direct&bits=2&rank=2&epochs=300&lr=0.01").unwrap();
    let trained: Value = result_of(&out.json);
    assert!(trained["accuracy"].as_f64().unwrap() >= 0.99, "{}", trained["accuracy"]);
    let net = out.network;
    assert!(net.readout.is_some() && net.dt == 0.002 && net.neurons == 100);
    let r = with("exp=drift&source=network&bits=2&neurons=100&sigma=0", &net).unwrap();
    assert!(r["accuracy_before"].as_f64().unwrap() >= 0.9, "{}", r["accuracy_before"]);
    assert!(r["accuracy_after"].as_f64().unwrap() >= 0.9, "{}", r["accuracy_after"]);
    assert_eq!(stable(&r["before"]).len(), 4, "{}", r["before"]["fixed_points"]);
}

#[test]
fn a_network_with_a_2_ms_step_gets_10_ms_bins_of_5_steps() {
    let net = FlipFlop { dt: 0.002, ..FlipFlop::standard(2, 200) }.network(4);
    let q = "exp=drift&source=network&bits=2&neurons=200&steps=500&after=500&score=400&sigma=0&pulse_prob=0.2";
    let r = with(q, &net).unwrap();
    let time: Vec<f64> = r["time"].as_array().unwrap().iter().map(|t| t.as_f64().unwrap()).collect();
    assert_eq!(time.len(), 1000);
    assert!((time[0] - 0.002).abs() < 1e-15 && (time[999] - 2.0).abs() < 1e-12);
    // A pulse is held for its whole bin: rows change only at multiples of 5 steps.
    let inputs = r["inputs"].as_array().unwrap();
    let changes: Vec<usize> = (1..inputs.len()).filter(|&t| inputs[t] != inputs[t - 1]).collect();
    assert!(!changes.is_empty() && changes.iter().all(|t| t % 5 == 0), "{changes:?}");
    assert!(changes.iter().any(|t| t % 10 == 5), "bins of 10 steps would never change at 5 mod 10");
    assert!(r["accuracy_before"].as_f64().unwrap() > 0.9);
}

#[test]
fn networks_that_do_not_fit_name_their_key() {
    let good = FlipFlop::standard(2, 100).network(1);
    let q = "exp=drift&source=network&bits=2&neurons=200&steps=100&after=100&score=50";
    let sweep = "exp=drift_sweep&source=network&bits=2&neurons=100&points=2&runs=1&steps=100&after=100&score=50";
    let rank3 = FlipFlop::standard(3, 99).network(1);
    let mut current = good.clone();
    current.model = Model::Current;
    let mut mixed = good.clone();
    mixed.random = Some(vec![0.0; 100 * 100]);
    let dense = Network {
        rank: 0,
        inputs: 0,
        embedding: vec![],
        encoding: vec![],
        input: vec![],
        random: Some(vec![0.01; 100 * 100]),
        ..good.clone()
    };
    let mut three_outputs = good.clone();
    three_outputs.readout = Some(vec![0.1; 300]);
    let cases: [(&Network, &str, &str); 5] = [
        (&rank3, "bits", "must equal the given network's rank (3) and inputs (3)"),
        (&current, "source", "current-form"),
        (&mixed, "source", "dense part"),
        (&dense, "source", "no low-rank part (rank 0)"),
        (&three_outputs, "bits", "readout outputs (3)"),
    ];
    for (net, key, words) in cases {
        for query in [q, sweep] {
            let (k, message) = with(query, net).unwrap_err();
            assert_eq!(k, key, "{query}: {message}");
            assert!(message.starts_with(&format!("{key}: ")) && message.contains(words), "{message}");
        }
    }
    // Without a network, source=network says where to give one.
    let e = lpu::run_query(q).err().unwrap();
    assert!(e.key == "source" && e.to_string().contains("--network-in"), "{e}");
    // A given network brings its own N: `base` (below 2 × bits) does not apply to it.
    let small_base = "exp=drift&source=network&bits=3&base=4&neurons=200&steps=100&after=100&score=50";
    assert!(with(small_base, &rank3).is_ok());
    assert_eq!(lpu::parse_strict("exp=drift&base=4&bits=3").err().unwrap().key, "base");
}

#[test]
fn a_sweep_of_a_given_network_split_into_parts_merges_into_the_whole() {
    // A readout and Δt = 2 ms: the readout path and 5-step bins in every part.
    let net = reading_its_latent(FlipFlop { dt: 0.002, ..FlipFlop::standard(2, 100) }.network(9));
    let ctx = RunCtx::default().with_network(&net);
    let q = "exp=drift_sweep&source=network&bits=2&neurons=60,150&kinds=0,2&points=4&runs=2&steps=300&after=400&score=300&observed=40";
    let whole = lpu::parse_strict(q).unwrap();
    let parts = whole.split();
    assert_eq!(parts.len(), 8, "one part per size, kind and run");
    assert!(parts.iter().all(|p| p.query().contains("&source=network&")), "parts carry the source");
    let docs: Vec<Value> = parts.iter().map(|p| serde_json::from_str(&p.run(&ctx).unwrap().json).unwrap()).collect();
    assert_eq!(whole.merge(&docs).unwrap(), whole.run(&ctx).unwrap().json);
}
