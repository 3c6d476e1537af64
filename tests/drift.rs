//! Representational drift against independent truths: the projections (orthogonal to / inside
//! span{n^(k)} to 1e-9, same s.d.), the sigmoid fit on a known curve, and the paper's ordering
//! of tolerable drift (LCF Fig. 4D, I, J).
use lpu::drift::{self, DriftKind};
use lpu::rng::Rng;
use serde_json::Value;

#[test]
fn projections_are_orthogonal_or_tangential_and_keep_the_sd() {
    let net = lpu::experiments::drift::network(3, 120, 2000, 4);
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
                    let inside: f64 = basis.iter().map(|q| col.iter().zip(q).map(|(a, b)| a * b).sum::<f64>().powi(2)).sum::<f64>().sqrt();
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
    let acc: Vec<f64> = sigmas.iter().map(|s| chance + (1.0 - chance) / (1.0 + (2.5 * (s.ln() - truth.ln())).exp())).collect();
    let fit = drift::fit_sigmoid(&sigmas, &acc, chance);
    assert!((fit.midpoint / truth - 1.0).abs() < 1e-4, "{fit:?}");
    assert!((fit.slope - 2.5).abs() < 1e-3);
    assert!(fit.censored.is_none());
    let flat = drift::fit_sigmoid(&sigmas, &vec![1.0; 15], chance);
    assert_eq!(flat.censored, Some("above"));
}

fn sweep(query: &str) -> Value {
    serde_json::from_str::<Value>(&lpu::run_query(query).unwrap().json).unwrap()["result"].clone()
}

#[test]
fn one_drift_run_keeps_or_breaks_the_attractors() {
    let run = |kind: &str, seed: u64| -> Value { serde_json::from_str::<Value>(&lpu::run_query(&format!("exp=drift&kind={kind}&sigma=1&neurons=1000&seed={seed}")).unwrap().json).unwrap()["result"].clone() };
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
        assert!(t["accuracy_after"].as_f64().unwrap() < 0.8, "seed {seed}: tangential drift σ = 1 breaks the flip-flop");
        assert!((t["delta_tangential_fraction"].as_f64().unwrap() - 1.0).abs() < 1e-9);
        lost += (stable(&t["after"]) < 4) as usize;
    }
    // Fig. 4G–H: tangential drift removes attractors (in 5 of these 6 networks; in the sixth
    // they survive but move, and accuracy still collapses).
    assert!(lost >= 5, "attractors lost in {lost} of 6");
}

#[test]
fn tangential_drift_is_tolerated_least_at_every_size() {
    let r = sweep("exp=drift_sweep&bits=3&neurons=100,1000&sigma_min=0.03&sigma_max=10&points=10&runs=2&steps=600&after=1200&score=600&seed=3");
    for t in r["tolerable_drift"].as_array().unwrap() {
        let (ra, o, g) = (t["random"].as_f64().unwrap(), t["orthogonal"].as_f64().unwrap(), t["tangential"].as_f64().unwrap());
        assert!(o > 2.0 * g && ra > 1.5 * g, "N = {}: orthogonal {o}, random {ra} ≫ tangential {g}", t["neurons"]);
        assert!(g < 0.7, "tangential drift tolerance stays small: {g}");
    }
    // The sweep's curves start at 1 and fall towards chance (2^-3) for tangential drift.
    let tang = &r["sizes"][1]["tangential"]["accuracy"];
    assert_eq!(tang[0], 1.0);
    assert!(tang[9].as_f64().unwrap() < 0.3);
}

#[test]
fn a_sweep_split_by_size_and_kind_merges_into_the_whole() {
    let base = "exp=drift_sweep&bits=2&sigma_min=0.1&sigma_max=5&points=4&runs=2&steps=200&after=400&score=200&seed=5";
    let whole: Value = serde_json::from_str(&lpu::run_query(&format!("{base}&neurons=60,200")).unwrap().json).unwrap();
    let mut parts = vec![];
    for n in [200, 60] {
        for k in [2, 0, 1] {
            parts.push(serde_json::from_str::<Value>(&lpu::run_query(&format!("{base}&neurons={n}&kinds={k}")).unwrap().json).unwrap());
        }
    }
    let merged: Value = serde_json::from_str(&lpu::experiments::merge_sweep(&format!("{base}&neurons=60,200"), &parts).unwrap()).unwrap();
    assert_eq!(merged, whole);
}
