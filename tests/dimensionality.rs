//! The static embedding of a d-sphere (LCF Fig. 2F–G, S3A–B) against independent truths: the
//! linear map's exact rank d, a NumPy PCA of the same M and z, the linear map's distance
//! order, and the growth of the dimensionality with N under a nonlinearity.
use lpu::experiments::dimensionality::{latent_samples, Dimensionality, DimensionalityParams, Embedding};
use lpu::experiments::{Experiment, RunCtx};
use std::io::Write;
use std::process::{Command, Stdio};

fn run(p: &DimensionalityParams) -> lpu::experiments::Output<lpu::experiments::dimensionality::DimensionalityResult> {
    Dimensionality::check(p).expect("a valid query");
    Dimensionality::run(p, &RunCtx::default()).expect("the run finishes")
}

#[test]
fn a_linear_embedding_has_exactly_d_dimensions() {
    // r = M z spans the d columns of M: exactly d nonzero variances for every N ≥ d; with
    // N ≫ d the d variances are nearly equal (Marchenko–Pastur), so 99 % needs all d.
    for d in [1, 3, 6] {
        let p = DimensionalityParams {
            latent: d,
            neurons: vec![d.max(2), 40, 400],
            nonlinearity: Embedding::Linear,
            samples: 300,
            scales: vec![0.5],
            pairs: 200,
            ..Default::default()
        };
        let r = run(&p).result;
        assert_eq!(r.dimension[2], d, "d = {d}: {:?}", r.dimension);
        assert!(r.dimension.iter().all(|&k| k <= d && k >= 1), "d = {d}: {:?}", r.dimension);
        let v = &r.variance;
        assert!(v[d - 1] > 1e-3 * v[0] && v[d..].iter().all(|&x| x < 1e-12 * v[0]), "d = {d}: {:?}", &v[..d + 2]);
        // Every variance of a linear map is in PCs that are linear in z: the first d are
        // correlated with it, and no variance is barely correlated.
        assert!(r.max_correlation[..d].iter().all(|&c| c > 0.2), "{:?}", &r.max_correlation[..d]);
        assert!(r.barely_fraction.iter().all(|&f| f < 1e-9), "{:?}", r.barely_fraction);
    }
}

#[test]
fn pca_matches_numpy_on_the_same_weights_and_samples() {
    // The largest N exceeds the samples (the Gram route), the smaller does not (covariance).
    for nl in [Embedding::Tanh, Embedding::Sin] {
        let p = DimensionalityParams {
            latent: 3,
            neurons: vec![40, 260],
            scale: 2.0,
            nonlinearity: nl,
            samples: 150,
            scales: vec![2.0],
            pairs: 100,
            seed: 5,
            ..Default::default()
        };
        let out = run(&p);
        let (r, net) = (out.result, out.network);
        let z = latent_samples(&p);
        let input = serde_json::json!({
            "m": net.embedding, "z": z, "n": 260, "d": 3, "phi": if nl == Embedding::Tanh { "tanh" } else { "sin" },
        });
        let script = r#"
import json, sys, numpy as np
a = json.load(sys.stdin)
M = np.array(a["m"]).reshape(a["n"], a["d"]); Z = np.array(a["z"]).reshape(-1, a["d"])
f = np.tanh if a["phi"] == "tanh" else np.sin
out = {}
for n in (40, a["n"]):
    R = f(Z @ M[:n].T)
    X = R - R.mean(axis=0)
    U, S, Vt = np.linalg.svd(X, full_matrices=False)
    var = S**2 / (len(X) - 1)
    k = min(len(X) - 1, n)
    var = var[:k]
    dim = int(np.searchsorted(np.cumsum(var), 0.99 * var.sum()) + 1)
    scores = U[:, :k] * S[:k]
    corr = [max(abs(np.corrcoef(scores[:, i], Z[:, j])[0, 1]) for j in range(a["d"])) if var[i] > 1e-20 else 0.0 for i in range(k)]
    corr = np.nan_to_num(np.array(corr))
    out[str(n)] = {"var": var.tolist(), "dim": dim, "corr": corr.tolist(),
                   "barely": float(var[corr < 0.2].sum() / var.sum())}
print(json.dumps(out))
"#;
        let mut child = Command::new("python3")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 must be installed (CI installs numpy)");
        child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
        let res = child.wait_with_output().unwrap();
        assert!(res.status.success(), "NumPy reference failed: {}", String::from_utf8_lossy(&res.stderr));
        let numpy: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
        for (i, n) in [40, 260].iter().enumerate() {
            let want = &numpy[n.to_string()];
            assert_eq!(r.dimension[i], want["dim"].as_u64().unwrap() as usize, "{nl:?} N = {n}");
            let barely = want["barely"].as_f64().unwrap();
            assert!(
                (r.barely_fraction[i] - barely).abs() < 1e-9,
                "{nl:?} N = {n}: {} vs {barely}",
                r.barely_fraction[i]
            );
        }
        let var: Vec<f64> = serde_json::from_value(numpy["260"]["var"].clone()).unwrap();
        let corr: Vec<f64> = serde_json::from_value(numpy["260"]["corr"].clone()).unwrap();
        assert_eq!(r.variance.len(), var.len());
        for (k, (a, b)) in r.variance.iter().zip(&var).enumerate() {
            assert!((a - b).abs() < 1e-10 * var[0], "{nl:?} PC {k}: {a} vs {b}");
        }
        // Correlations of the leading PCs (well separated variances, so the directions agree).
        for (k, (a, b)) in r.max_correlation.iter().zip(&corr).take(10).enumerate() {
            assert!((a - b).abs() < 1e-6, "{nl:?} PC {k}: {a} vs {b}");
        }
    }
}

#[test]
fn a_linear_map_keeps_the_order_of_distances_at_every_scale() {
    // |s M (z_i − z_j)| ≈ s √N |z_i − z_j| for N ≫ d (Johnson–Lindenstrauss): the ranks of the
    // distances barely change, and a scale changes none of them. tanh at a small scale is
    // nearly linear.
    let base = DimensionalityParams {
        latent: 4,
        neurons: vec![800],
        samples: 200,
        scales: vec![0.01, 1.0, 100.0],
        pairs: 1500,
        ..Default::default()
    };
    let linear = run(&DimensionalityParams { nonlinearity: Embedding::Linear, ..base.clone() }).result;
    assert!(linear.spearman.iter().all(|&c| c > 0.97), "{:?}", linear.spearman);
    assert!(linear.spearman.iter().all(|&c| (c - linear.spearman[0]).abs() < 1e-3), "{:?}", linear.spearman);
    let tanh = run(&DimensionalityParams { nonlinearity: Embedding::Tanh, ..base }).result;
    assert!((tanh.spearman[0] - linear.spearman[0]).abs() < 1e-3, "{:?} vs {:?}", tanh.spearman, linear.spearman);
}

#[test]
fn a_nonlinear_embedding_inflates_the_dimensionality_with_n() {
    // LCF Fig. 2F: with tanh and s = 3 a 4-sphere needs far more than 4 PCs, more with more
    // neurons, and the largest N has variance in PCs barely correlated with z (Fig. 2G).
    let p = DimensionalityParams {
        latent: 4,
        neurons: vec![20, 100, 500],
        scale: 3.0,
        samples: 500,
        scales: vec![3.0],
        pairs: 200,
        ..Default::default()
    };
    let r = run(&p).result;
    assert!(r.dimension.windows(2).all(|w| w[0] < w[1]), "{:?}", r.dimension);
    assert!(r.dimension[2] > 10 * p.latent, "{:?}", r.dimension);
    assert!(r.barely_fraction[2] > 0.05, "{:?}", r.barely_fraction);
}

#[test]
fn budgets_name_the_key_to_change() {
    let too_big = DimensionalityParams { samples: 5000, neurons: vec![5000], ..Default::default() };
    assert_eq!(Dimensionality::check(&too_big).unwrap_err().key, "samples");
    let heavy = DimensionalityParams { samples: 2000, neurons: vec![2000], ..Default::default() };
    assert_eq!(Dimensionality::check(&heavy).unwrap_err().key, "neurons");
    assert!(Dimensionality::check(&DimensionalityParams::default()).is_ok());
}
