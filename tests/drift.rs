//! Representational drift against independent truths: the projections (orthogonal to / inside
//! span{n^(k)} to 1e-9, same s.d.), the sigmoid fit on a known curve, and the paper's ordering
//! of tolerable drift (LCF Fig. 4D, I, J).
use lpu::drift::{self, DriftKind};
use lpu::rng::Rng;
use serde_json::Value;

#[test]
fn projections_are_orthogonal_or_tangential_and_keep_the_sd() {
    let net = lpu::experiments::drift_runs::network(3, 120, 2000, 4);
    let basis = drift::encoding_basis(&net);
    assert_eq!(basis.len(), 3);
    let (n, k) = (net.neurons, net.rank);
    for kind in DriftKind::ALL {
        let sigma = 0.7;
        let d = drift::delta(&net, kind, sigma, &mut Rng::new(9, 7));
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / d.len() as f64).sqrt();
        // The random draw's own s.d. is σ up to sampling error; projections are rescaled to it.
        let raw = drift::delta(&net, DriftKind::Random, sigma, &mut Rng::new(9, 7));
        let rm = raw.iter().sum::<f64>() / raw.len() as f64;
        let raw_sd = (raw.iter().map(|x| (x - rm).powi(2)).sum::<f64>() / raw.len() as f64).sqrt();
        assert!((sd - raw_sd).abs() < 1e-12 * raw_sd.max(1.0), "{kind:?}: sd {sd} vs {raw_sd}");
        assert!((raw_sd - sigma).abs() < 0.02, "{raw_sd}");
        for c in 0..k {
            let col: Vec<f64> = (0..n).map(|i| d[i * k + c]).collect();
            let norm = col.iter().map(|x| x * x).sum::<f64>().sqrt();
            // Independent check with the raw encoding columns (not the basis).
            let along: Vec<f64> = (0..k)
                .map(|e| {
                    let ncol: Vec<f64> = (0..n).map(|i| net.n(i, e)).collect();
                    let nn = ncol.iter().map(|x| x * x).sum::<f64>().sqrt();
                    col.iter().zip(&ncol).map(|(a, b)| a * b).sum::<f64>() / (norm * nn)
                })
                .collect();
            match kind {
                DriftKind::Orthogonal => assert!(along.iter().all(|c| c.abs() < 1e-9), "{along:?}"),
                DriftKind::Tangential => {
                    // Inside the span: the residual after projecting on the span is ~0.
                    let inside: f64 = basis
                        .iter()
                        .map(|q| col.iter().zip(q).map(|(a, b)| a * b).sum::<f64>().powi(2))
                        .sum::<f64>()
                        .sqrt();
                    assert!((inside - norm).abs() < 1e-9 * norm, "{inside} vs {norm}");
                }
                DriftKind::Random => assert!(along.iter().all(|c| c.abs() < 0.15)),
            }
        }
    }
    // Drift moves embeddings only.
    let d = drift::delta(&net, DriftKind::Random, 0.3, &mut Rng::new(1, 7));
    let after = drift::apply(&net, &d);
    assert_eq!(after.encoding, net.encoding);
    assert_eq!(after.input, net.input);
}

#[test]
fn sigmoid_fit_recovers_a_known_midpoint() {
    let sigmas: Vec<f64> = (0..15).map(|i| 10f64.powf(-2.0 + 3.0 * i as f64 / 14.0)).collect();
    let chance = 0.25;
    let truth = 0.37f64;
    let acc: Vec<f64> =
        sigmas.iter().map(|s| chance + (1.0 - chance) / (1.0 + (2.5 * (s.ln() - truth.ln())).exp())).collect();
    let fit = drift::fit_sigmoid(&sigmas, &acc, chance);
    assert!((fit.midpoint / truth - 1.0).abs() < 1e-4, "{fit:?}");
    assert!((fit.slope - 2.5).abs() < 1e-3);
    assert!(fit.censored.is_none());
    let flat = drift::fit_sigmoid(&sigmas, &[1.0; 15], chance);
    assert_eq!(flat.censored, Some(lpu::drift::Censored::Above));
}

fn sweep(query: &str) -> Value {
    serde_json::from_str::<Value>(&lpu::run_query(query).unwrap().json).unwrap()["result"].clone()
}

#[test]
fn one_drift_run_keeps_or_breaks_the_attractors() {
    let run = |kind: &str, seed: u64| -> Value {
        serde_json::from_str::<Value>(
            &lpu::run_query(&format!("exp=drift&kind={kind}&sigma=1&neurons=1000&seed={seed}")).unwrap().json,
        )
        .unwrap()["result"]
            .clone()
    };
    let stable = |p: &Value| p["fixed_points"].as_array().unwrap().iter().filter(|f| f["kind"] == "stable").count();
    let mut lost = 0;
    for seed in 1..=6 {
        let o = run("orthogonal", seed);
        assert_eq!(o["accuracy_before"], 1.0);
        assert_eq!(o["accuracy_after"], 1.0, "seed {seed}: orthogonal drift σ = 1 keeps the flip-flop");
        assert_eq!(stable(&o["before"]), 4);
        assert_eq!(stable(&o["after"]), 4, "seed {seed}: orthogonal drift keeps four attractors (Fig. 4E–F)");
        assert!(o["delta_tangential_fraction"].as_f64().unwrap() < 1e-9);
        let t = run("tangential", seed);
        assert!(
            t["accuracy_after"].as_f64().unwrap() < 0.8,
            "seed {seed}: tangential drift σ = 1 breaks the flip-flop"
        );
        assert!((t["delta_tangential_fraction"].as_f64().unwrap() - 1.0).abs() < 1e-9);
        lost += (stable(&t["after"]) < 4) as usize;
    }
    // Fig. 4G–H: tangential drift removes attractors (in 5 of these 6 networks; in the sixth
    // they survive but move, and accuracy still collapses).
    assert!(lost >= 5, "attractors lost in {lost} of 6");
}

/// The page's worker pool runs a sweep as one part per (N, kind, run); merged in that order,
/// the parts give the whole sweep's bytes (each run's accuracies averaged in run order).
#[test]
fn a_sweep_split_by_size_kind_and_run_merges_into_the_whole() {
    let base = "exp=drift_sweep&bits=2&sigma_min=0.1&sigma_max=5&points=4&runs=2&steps=200&after=400&score=200&seed=5";
    let q = format!("{base}&neurons=60,200&kinds=2,0");
    let whole: Value = serde_json::from_str(&lpu::run_query(&q).unwrap().json).unwrap();
    let split = lpu::parse_strict(&q).unwrap().split();
    assert_eq!(split.len(), 2 * 2 * 2, "one part per size, kind and run");
    let queries: Vec<String> = split.iter().map(|p| p.query()).collect();
    assert!(queries[1].contains("neurons=60") && queries[1].contains("kinds=2") && queries[1].contains("first_run=1"));
    let parts: Vec<Value> =
        queries.iter().map(|part| serde_json::from_str(&lpu::run_query(part).unwrap().json).unwrap()).collect();
    let merged: Value = serde_json::from_str(&lpu::parse_strict(&q).unwrap().merge(&parts).unwrap()).unwrap();
    assert_eq!(merged, whole);
    // In any order (the pool finishes parts so), and a missing or repeated run is named.
    let reversed: Vec<Value> = parts.iter().rev().cloned().collect();
    assert_eq!(
        serde_json::from_str::<Value>(&lpu::parse_strict(&q).unwrap().merge(&reversed).unwrap()).unwrap(),
        whole
    );
    let e = lpu::parse_strict(&q).unwrap().merge(&parts[..7]).unwrap_err();
    assert!(e.contains("no part holds run 1 of N = 200, drift kind 0"), "{e}");
    let mut twice = parts.clone();
    twice.push(parts[0].clone());
    let e = lpu::parse_strict(&q).unwrap().merge(&twice).unwrap_err();
    assert!(e.contains("run 0 of N = 60, drift kind 2 is given twice"), "{e}");
}

/// LCF Fig. 4D, J: at N = 1000 orthogonal drift is tolerated most and tangential least;
/// random-drift tolerance grows with N (its tangential part shrinks like √(K/N)) while
/// tangential drift stays intolerable. Two seeds, each averaging three designed networks.
#[test]
fn tolerable_drift_ordering_and_growth_with_n() {
    for seed in [1, 2] {
        let r = sweep(&format!("exp=drift_sweep&bits=3&neurons=1000,30000&sigma_min=0.1&sigma_max=30&points=10&runs=3&steps=500&after=1500&score=800&seed={seed}"));
        let t = r["tolerable_drift"].as_array().unwrap();
        let get = |i: usize, k: &str| t[i][k].as_f64().unwrap();
        let (r1, o1, g1) = (get(0, "random"), get(0, "orthogonal"), get(0, "tangential"));
        assert!(o1 > r1 && r1 > g1, "seed {seed}, N = 1000: orthogonal {o1} > random {r1} > tangential {g1}");
        let (r30, g30) = (get(1, "random"), get(1, "tangential"));
        assert!(r30 > 2.0 * r1, "seed {seed}: random-drift tolerance grows with N: {r1} → {r30}");
        assert!(
            g1 < 1.0 && g30 < 1.0 && g30 < r30 / 5.0,
            "seed {seed}: tangential drift stays intolerable: {g1} → {g30}"
        );
    }
}
