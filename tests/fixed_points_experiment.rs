//! `exp=fixed_points` against independent truths: the designed flip-flop's 3^K latent census,
//! the fixed-point equation checked on the reported states with libm's tanh, the full-state
//! search on a lightly perturbed flip-flop against the designed kinds, the current form
//! against the rate form of the same weights, and the 3^N census of an uncoupled network given
//! as a file to `lpu run --network-in`; bad network files and oversized networks get one clear
//! line each.
mod common;
use common::positive_root;
use lpu::experiments::RunCtx;
use lpu::netfile;
use lpu::network::{Model, Network};
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn lpu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lpu")).args(args).output().expect("lpu runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A file in the temporary directory, unique to this test process and `name`.
fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lpu-fixed-points-{}-{name}", std::process::id()))
}

fn result_of(json: &str) -> Value {
    serde_json::from_str::<Value>(json).unwrap()["result"].clone()
}

fn kinds(r: &Value) -> [usize; 3] {
    let count = |k: &str| r["fixed_points"].as_array().unwrap().iter().filter(|f| f["kind"] == k).count();
    [count("stable"), count("saddle"), count("unstable")]
}

fn vector(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// ‖−r + tanh(W r + b)‖∞ with libm's tanh and W summed in plain row order.
fn rate_residual(net: &Network, r: &[f64]) -> f64 {
    let (n, w) = (net.neurons, net.dense_weights());
    (0..n)
        .map(|i| {
            let h: f64 = net.bias[i] + (0..n).map(|j| w[i * n + j] * r[j]).sum::<f64>();
            (libm::tanh(h) - r[i]).abs()
        })
        .fold(0.0, f64::max)
}

/// A network of dense weights `w` (row-major), no low-rank part, no inputs.
fn dense(n: usize, w: Vec<f64>) -> Network {
    Network {
        neurons: n,
        rank: 0,
        inputs: 0,
        tau: 0.01,
        dt: 0.001,
        phi: Phi::Tanh,
        embedding: vec![],
        encoding: vec![],
        input: vec![],
        bias: vec![0.0; n],
        random: Some(w),
        model: Model::Rate,
        readout: None,
    }
}

#[test]
fn designed_flipflop_has_the_three_to_the_k_census_in_the_latent_space() {
    let q = "exp=fixed_points&source=flipflop&bits=2&neurons=100&seed=3";
    let out = lpu::run_query(q).unwrap();
    let r = result_of(&out.json);
    assert_eq!(r["space"], "latent");
    assert_eq!(kinds(&r), [4, 4, 1], "{r}");
    let net = &out.network;
    for f in r["fixed_points"].as_array().unwrap() {
        let z = vector(&f["z"]);
        let x = vector(&f["x"]);
        assert_eq!((z.len(), x.len(), f["eigenvalues"].as_array().unwrap().len()), (2, 100, 2));
        // The designed attractors sit at z_k ∈ {−1, 0, 1}; stable ones have no zero coordinate.
        for v in &z {
            assert!([-1.0, 0.0, 1.0].iter().any(|c| (v - c).abs() < 1e-6), "z = {z:?}");
        }
        let zeros = z.iter().filter(|v| v.abs() < 1e-6).count();
        assert_eq!(f["unstable_dims"].as_u64().unwrap() as usize, zeros, "z = {z:?}");
        // The rates are a fixed point of the full network, and their encoding is z.
        assert!(rate_residual(net, &x) < 1e-9, "residual at {z:?}");
        let enc = net.encode(&x);
        assert!(enc.iter().zip(&z).all(|(a, b)| (a - b).abs() < 1e-9), "{enc:?} vs {z:?}");
    }
    assert!(out.document.summary().contains("4 stable, 4 saddle, 1 unstable"), "{}", out.document.summary());
}

#[test]
fn a_weak_random_part_keeps_the_designed_kinds_in_the_full_space() {
    // g = 0.2 perturbs the flip-flop's points a little: the same nine, each with as many
    // unstable directions as in the latent space (the origin's two of N make it a saddle).
    let q = "exp=fixed_points&source=flipflop&bits=2&neurons=80&g=0.2&seed=2";
    let out = lpu::run_query(q).unwrap();
    let r = result_of(&out.json);
    assert_eq!(r["space"], "full");
    assert!(r["fixed_points"][0]["z"].is_null());
    assert_eq!(kinds(&r), [4, 5, 0], "{r}");
    let mut dims: Vec<u64> =
        r["fixed_points"].as_array().unwrap().iter().map(|f| f["unstable_dims"].as_u64().unwrap()).collect();
    dims.sort();
    assert_eq!(dims, [0, 0, 0, 0, 1, 1, 1, 1, 2]);
    let net = &out.network;
    assert!(net.random.is_some());
    for f in r["fixed_points"].as_array().unwrap() {
        assert_eq!(f["eigenvalues"].as_array().unwrap().len(), 80);
        assert!(rate_residual(net, &vector(&f["x"])) < 1e-9);
    }
    let plane = &r["plane"];
    assert_eq!(plane["fixed_points"].as_array().unwrap().len(), 9);
    assert_eq!(plane["trajectories"].as_array().unwrap().len(), 2);
    let explained = vector(&plane["explained"]);
    assert!(explained[0] >= explained[1] && explained[0] + explained[1] <= 1.0 + 1e-12, "{explained:?}");
}

#[test]
fn current_form_finds_the_rate_forms_points_through_phi() {
    // Same weights, both forms: x* = W φ(x*) ⇔ r* = φ(W r*) with r* = φ(x*), and the Jacobians
    // −I + W diag(φ′) and −I + diag(φ′) W are similar, so the eigenvalues agree too. The rate
    // form of this rank-2 network goes through the latent finder, the current form through
    // the full-state search.
    let mut rng = Rng::new(5, 77);
    let (n, k) = (40, 2);
    let m: Vec<f64> = (0..n * k).map(|_| rng.normal()).collect();
    let enc: Vec<f64> = m.iter().map(|v| (1.8 * v + 0.4 * rng.normal()) / n as f64).collect();
    let rate = Network {
        neurons: n,
        rank: k,
        inputs: 1,
        tau: 0.01,
        dt: 0.001,
        phi: Phi::Tanh,
        embedding: m,
        encoding: enc,
        input: (0..n).map(|_| rng.normal()).collect(),
        bias: (0..n).map(|_| 0.05 * rng.normal()).collect(),
        random: None,
        model: Model::Rate,
        readout: None,
    };
    rate.validate().unwrap();
    let current = Network { model: Model::Current, ..rate.clone() };
    let q = "exp=fixed_points&source=network&input=0.2&random_starts=40";
    let run = |net: &Network| {
        let p = lpu::parse_strict(q).unwrap();
        result_of(&p.run(&RunCtx::default().with_network(net)).unwrap().json)
    };
    let (a, b) = (run(&rate), run(&current));
    assert_eq!((a["space"].as_str(), b["space"].as_str()), (Some("latent"), Some("full")));
    assert_eq!((a["form"].as_str(), b["form"].as_str()), (Some("rate"), Some("current")));
    let fa = a["fixed_points"].as_array().unwrap();
    let fb = b["fixed_points"].as_array().unwrap();
    assert!(fa.len() >= 3, "{a}");
    assert_eq!(fa.len(), fb.len());
    for f in fb {
        let r: Vec<f64> = vector(&f["x"]).iter().map(|&x| libm::tanh(x)).collect();
        let twin = fa
            .iter()
            .find(|g| vector(&g["x"]).iter().zip(&r).all(|(p, q)| (p - q).abs() < 1e-8))
            .unwrap_or_else(|| panic!("no rate-form point at φ(x) = {r:?}"));
        // As many unstable directions (the kinds may differ: all K latent directions unstable
        // is a saddle among N).
        assert_eq!(twin["unstable_dims"], f["unstable_dims"]);
        // The latent eigenvalues are the full ones that are not the leak −1/τ.
        let full: Vec<Vec<f64>> = f["eigenvalues"].as_array().unwrap().iter().map(vector).collect();
        for e in twin["eigenvalues"].as_array().unwrap().iter().map(vector) {
            assert!(full.iter().any(|g| (g[0] - e[0]).abs() < 1e-6 && (g[1] - e[1]).abs() < 1e-6), "{e:?}");
        }
    }
}

#[test]
fn an_uncoupled_network_file_gives_all_twenty_seven_points_through_the_cli() {
    let n = 3;
    let mut w = vec![0.0; n * n];
    for i in 0..n {
        w[i * n + i] = 2.0;
    }
    let path = temp("diagonal.json");
    std::fs::write(&path, netfile::to_json(&dense(n, w))).unwrap();
    let file = path.to_str().unwrap();
    let q = "exp=fixed_points&source=network&random_starts=400&extent=1";
    let (code, out, err) = lpu(&["run", q, "--network-in", file]);
    assert_eq!(code, 0, "{err}");
    let r = result_of(&out);
    assert_eq!(r["space"], "full");
    assert_eq!(kinds(&r), [8, 18, 1], "{r}");
    let root = positive_root(2.0);
    let mut patterns = vec![];
    for f in r["fixed_points"].as_array().unwrap() {
        let pattern: Vec<i32> = vector(&f["x"])
            .iter()
            .map(|&v| [-root, 0.0, root].iter().position(|c| (v - c).abs() < 1e-9).expect("a root") as i32 - 1)
            .collect();
        // Each zero coordinate is one unstable direction, growing at (w − 1)/τ = 100/s.
        let zeros = pattern.iter().filter(|&&p| p == 0).count();
        assert_eq!(f["unstable_dims"].as_u64().unwrap() as usize, zeros);
        let lead = vector(&f["eigenvalues"][0]);
        let want = if zeros > 0 { 100.0 } else { (2.0 * (1.0 - root * root) - 1.0) / 0.01 };
        assert!((lead[0] - want).abs() < 1e-6 && lead[1] == 0.0, "{lead:?} vs {want}");
        patterns.push(pattern);
    }
    patterns.sort();
    patterns.dedup();
    assert_eq!(patterns.len(), 27);
    // The CSV: one row per point, kind coded 0/1/2, then the leading eigenvalue and x.
    let (code, csv, _) = lpu(&["run", q, "--network-in", file, "--format", "csv"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "kind,unstable_dims,lead_re,lead_im,x1,x2,x3");
    assert_eq!(lines.len(), 28);
    // lpu plot takes the file too.
    let dir = temp("plots");
    let (code, listed, err) = lpu(&["plot", q, "--network-in", file, "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(listed.lines().count(), 2);
    for line in listed.lines() {
        assert!(std::fs::read_to_string(line).unwrap().starts_with("<svg"));
    }
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_file(path);
}

#[test]
fn bad_network_files_get_one_clear_line_and_a_nonzero_exit() {
    let n = 3;
    let good = netfile::to_json(&dense(n, vec![0.5; n * n]));
    let cases: Vec<(&str, String, i32, &str)> = vec![
        ("text.json", "hello".into(), 2, "not JSON: expected value at line 1 column 1"),
        ("v3.json", good.replace("\"version\":2", "\"version\":3"), 2, "version must be 1 or 2, got 3"),
        (
            "sizes.json",
            good.replace("\"bias\":[0.0,0.0,0.0]", "\"bias\":[0.0,0.0]"),
            2,
            "bias has 2 values, expected 3",
        ),
        ("rows.json", good.replacen("[0.5,0.5,0.5]", "[0.5,0.5]", 1), 2, "random row 0 must have 3 values, got 2"),
        // serde_json refuses a number beyond the largest double rather than read it as inf.
        (
            "huge.json",
            good.replacen("0.5", "1e999", 1),
            2,
            "is not a finite number (beyond the range of a 64-bit float, about ±1.8e308",
        ),
        ("nan.json", good.replacen("0.5", "NaN", 1), 2, "NaN and Infinity are not JSON numbers"),
        ("inf.json", good.replacen("0.5", "-Infinity", 1), 2, "NaN and Infinity are not JSON numbers"),
        ("format.json", good.replace("lpu-network", "lpu-result"), 2, "format must be \"lpu-network\""),
    ];
    for (name, text, want_code, want) in cases {
        assert!(text != good, "{name}: the case changes nothing");
        let path = temp(name);
        std::fs::write(&path, text).unwrap();
        let (code, out, err) = lpu(&["run", "exp=fixed_points&source=network", "--network-in", path.to_str().unwrap()]);
        let _ = std::fs::remove_file(&path);
        assert_eq!(code, want_code, "{name}: {err}");
        assert!(out.is_empty(), "{name}: printed a result");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.starts_with("error: network file ") && err.contains(want), "{name}: {err}");
        assert!(!err.contains("panicked"));
    }
    // A missing file, a directory: cannot be read (exit 1).
    for path in [temp("missing.json"), std::env::temp_dir()] {
        let (code, _, err) = lpu(&["run", "exp=fixed_points&source=network", "--network-in", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{err}");
        assert!(err.starts_with("error: cannot read network file ") && err.lines().count() == 1, "{err}");
    }
    // A file over the limit is refused by its length, before it is read (a sparse file here).
    let path = temp("large.json");
    std::fs::File::create(&path).unwrap().set_len(netfile::MAX_BYTES as u64 + 1).unwrap();
    let (code, _, err) = lpu(&["run", "exp=fixed_points&source=network", "--network-in", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("over the limit of 64 MiB"), "{err}");
    let (code, _, err) = lpu(&["run", "exp=fixed_points&source=network", "--network-in"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: --network-in needs a file name"), "{err}");
}

#[test]
fn networks_and_queries_beyond_the_limits_name_their_key() {
    // Without a file, source=network names `source`.
    let (code, _, err) = lpu(&["run", "exp=fixed_points&source=network"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: source: source=network needs a network file"), "{err}");
    // A dense network over the full-state search's N.
    let n = 301;
    let path = temp("large-dense.json");
    std::fs::write(&path, netfile::to_json(&dense(n, vec![0.0; n * n]))).unwrap();
    let file = path.to_str().unwrap();
    let (code, _, err) = lpu(&["run", "exp=fixed_points&source=network", "--network-in", file]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: source: the network (N = 301, a dense part) is too large"), "{err}");
    let _ = std::fs::remove_file(&path);
    // More inputs than the network has channels; the work budget at a network's N.
    let path = temp("small.json");
    std::fs::write(&path, netfile::to_json(&dense(3, vec![0.0; 9]))).unwrap();
    let file = path.to_str().unwrap();
    let (code, _, err) = lpu(&["run", "exp=fixed_points&source=network&input=1", "--network-in", file]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: input: has 1 values but the network has 0 input channels"), "{err}");
    let _ = std::fs::remove_file(&path);
    for (query, want) in [
        ("exp=fixed_points&source=random&neurons=400", "neurons: must be at most 300 for the full-state search"),
        (
            "exp=fixed_points&source=lowrank&rank=8&neurons=500",
            "neurons: must be at most 300 for the full-state search (rank 8",
        ),
        (
            "exp=fixed_points&source=random&neurons=300&random_starts=100",
            "random_starts: the full-state search at N = 300",
        ),
        ("exp=fixed_points&source=flipflop&input=0.5", "input: has 1 values but source=flipflop has no input channels"),
        ("exp=fixed_points&dt=0.02", "dt: must be at most tau = 0.01 s"),
        (
            "exp=fixed_points&source=spiking",
            "source: must be one of random, lowrank_random, lowrank, flipflop, network",
        ),
    ] {
        let (code, _, err) = lpu(&["run", query]);
        assert_eq!(code, 2, "{query}");
        assert_eq!(err.lines().count(), 1, "{query}: {err}");
        assert!(err.starts_with(&format!("error: {want}")), "{query}: {err}");
    }
    // The latent search takes large low-rank networks the full-state one could not.
    let out = lpu::run_query("exp=fixed_points&source=lowrank_random&neurons=1500&rank=2&outlier=3").unwrap();
    assert_eq!(result_of(&out.json)["space"], "latent");
}
