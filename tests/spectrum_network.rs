//! `exp=spectrum` with a network from outside (`source=network|trained`) against independent
//! truths: a family member written to a network file and read back gives the family's own
//! spectrum (a second route to the same W); a small network's eigenvalues are those of its W
//! in closed form (a rotation block and a diagonal) and from nalgebra's Schur solver (W formed
//! here from the file's fields); at the origin of an unbiased network the Jacobian's are
//! (λ − 1)/τ in both forms; a trained rank-2 network's nonzero eigenvalues are those of its
//! 2 × 2 overlap NᵀM/N, and its Jacobian at each latent fixed point (checked to be one with
//! libm's tanh) is −1/τ with multiplicity N − 2 plus the eigenvalues of J_z written out here;
//! networks that do not fit get one message naming their key.
use lpu::experiments::RunCtx;
use lpu::netfile;
use lpu::network::{Model, Network};
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;
use serde_json::Value;

fn run(query: &str, net: &Network) -> Result<Value, lpu::params::ParamError> {
    let out = lpu::registry::run_query_with(query, &RunCtx::default().with_network(net))?;
    // The document reads back (its shape checks pass) and draws.
    let doc = lpu::registry::read_document(&out.json).expect("the document reads back");
    for plot in ["eigenvalues", "moduli"] {
        assert!(doc.render(plot, &lpu::plot::PlotOptions::default()).is_ok(), "{plot}");
    }
    Ok(serde_json::from_str::<Value>(&out.json).unwrap()["result"].clone())
}

fn pairs(v: &Value) -> Vec<(f64, f64)> {
    v.as_array().unwrap().iter().map(|e| (e[0].as_f64().unwrap(), e[1].as_f64().unwrap())).collect()
}

fn vector(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// The eigenvalues of a real 2 × 2 matrix [[a, b], [c, d]] from its trace and determinant,
/// the larger real part first.
fn eig2(a: f64, b: f64, c: f64, d: f64) -> [(f64, f64); 2] {
    let (half, det) = ((a + d) / 2.0, a * d - b * c);
    let disc = half * half - det;
    if disc >= 0.0 {
        let s = disc.sqrt();
        [(half + s, 0.0), (half - s, 0.0)]
    } else {
        let s = (-disc).sqrt();
        [(half, s), (half, -s)]
    }
}

/// Whether every expected eigenvalue is matched by a distinct one of `got` within `tol`.
fn matched(got: &[(f64, f64)], expected: &[(f64, f64)], tol: f64) -> bool {
    let mut used = vec![false; got.len()];
    expected.iter().all(|e| {
        let hit = (0..got.len()).find(|&i| !used[i] && (got[i].0 - e.0).hypot(got[i].1 - e.1) < tol);
        hit.map(|i| used[i] = true).is_some()
    })
}

/// A network of dense weights `w` (row-major) plus the low-rank part `m`, `enc` (N × K,
/// neuron-major, the 1/N in `enc`), no inputs, tanh.
fn network(n: usize, k: usize, m: Vec<f64>, enc: Vec<f64>, w: Option<Vec<f64>>) -> Network {
    let net = Network {
        neurons: n,
        rank: k,
        inputs: 0,
        tau: 0.02,
        dt: 0.002,
        phi: Phi::Tanh,
        embedding: m,
        encoding: enc,
        input: vec![],
        bias: vec![0.0; n],
        random: w,
        model: Model::Rate,
        readout: None,
    };
    net.validate().unwrap();
    net
}

#[test]
fn a_family_member_read_back_from_its_file_has_the_familys_spectrum() {
    let q = "exp=spectrum&source=lowrank_random&neurons=150&g=0.7&rank=3&outlier=2.5&seed=6";
    let family = lpu::run_query(q).unwrap();
    let path = std::env::temp_dir().join(format!("lpu-spectrum-network-{}.json", std::process::id()));
    std::fs::write(&path, netfile::to_json(&family.network)).unwrap();
    let net = netfile::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::remove_file(&path).ok();
    let a = serde_json::from_str::<Value>(&family.json).unwrap()["result"].clone();
    // The family keys left in the query do not apply to a network from outside.
    let b = run("exp=spectrum&source=network&neurons=7&g=3&rank=1", &net).unwrap();
    // The same W (the file keeps every bit), so the same eigenvalues and outliers.
    assert_eq!(a["eigenvalues"], b["eigenvalues"]);
    assert_eq!(a["outliers"], b["outliers"]);
    assert_eq!(pairs(&b["outliers"]).len(), 3);
    // The disk's radius is estimated from the dense part's entries: the family's g (its
    // zero diagonal takes a factor √(1 − 1/N)), up to sampling.
    let radius = b["radius"].as_f64().unwrap();
    assert!((radius - 0.7).abs() < 0.02, "{radius}");
    assert_eq!(b["bulk"]["centre"].as_f64(), Some(0.0));
}

#[test]
fn a_small_networks_eigenvalues_are_those_of_its_w() {
    // A rotation-scaling block (a ± ib) and a diagonal (d1, d2), dense and without a low-rank
    // part: the eigenvalues in closed form.
    let (a, b, d1, d2) = (0.5, 0.3, 0.2, -0.4);
    #[rustfmt::skip]
    let w = vec![
        a, -b, 0.0, 0.0,
        b, a, 0.0, 0.0,
        0.0, 0.0, d1, 0.0,
        0.0, 0.0, 0.0, d2,
    ];
    let net = network(4, 0, vec![], vec![], Some(w));
    let truth = [(a, b), (a, -b), (d1, 0.0), (d2, 0.0)];
    let r = run("exp=spectrum&source=network", &net).unwrap();
    let ev = pairs(&r["eigenvalues"]);
    assert_eq!(ev.len(), 4);
    assert!(matched(&ev, &truth, 1e-12), "{ev:?}");
    assert!(pairs(&r["outliers"]).is_empty());
    // The tanh network has no other fixed point than the origin (W is a contraction), where
    // φ′ = 1: J = (−I + W)/τ, in the rate form and in the current form alike.
    for model in [Model::Rate, Model::Current] {
        let net = Network { model, ..net.clone() };
        let r = run("exp=spectrum&source=network&matrix=jacobian", &net).unwrap();
        let full = r["full_points"].as_array().unwrap();
        assert_eq!(full.len(), 1, "{model:?}: {r}");
        assert!(vector(&full[0]["x"]).iter().all(|x| x.abs() < 1e-12));
        let shifted: Vec<(f64, f64)> = truth.iter().map(|e| ((e.0 - 1.0) / 0.02, e.1 / 0.02)).collect();
        assert!(matched(&pairs(&r["eigenvalues"]), &shifted, 1e-9), "{model:?}: {r}");
        assert_eq!(r["bulk"]["centre"].as_f64(), Some(-50.0));
    }

    // A random 6 × 6 dense part plus a rank-1 part: W = W_rand + m nᵀ formed here (the 1/N is
    // in the file's encoding), its eigenvalues by nalgebra's Schur solver.
    let n = 6;
    let mut rng = Rng::new(3, 9);
    let dense: Vec<f64> = (0..n * n).map(|_| 0.4 * rng.normal()).collect();
    let m: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let enc: Vec<f64> = (0..n).map(|_| rng.normal() / n as f64).collect();
    let net = network(n, 1, m.clone(), enc.clone(), Some(dense.clone()));
    let full = nalgebra::DMatrix::from_fn(n, n, |i, j| dense[i * n + j] + m[i] * enc[j]);
    let truth: Vec<(f64, f64)> = full.complex_eigenvalues().iter().map(|c| (c.re, c.im)).collect();
    let r = run("exp=spectrum&source=network", &net).unwrap();
    assert!(matched(&pairs(&r["eigenvalues"]), &truth, 1e-10), "{r}\n{truth:?}");
    // The one predicted outlier is nᵀm.
    let overlap: f64 = m.iter().zip(&enc).map(|(a, b)| a * b).sum();
    assert!((pairs(&r["outliers"])[0].0 - overlap).abs() < 1e-14);
}

/// A small training: `source=trained` trains it from these keys (prefixed `train.`), to the
/// network `exp=train` gives for them.
const TRAINING: &str = "neurons=12&epochs=3&fit_epochs=2&batch=4&steps=20&rank=2";

fn train_keys() -> String {
    TRAINING.split('&').map(|kv| format!("train.{kv}")).collect::<Vec<_>>().join("&")
}

#[test]
fn a_trained_rank_2_networks_spectrum_is_its_overlaps_and_its_latent_jacobians() {
    let trained = lpu::run_query(&format!("exp=train&test_trials=2&{TRAINING}")).unwrap().network;
    let (n, k, tau) = (trained.neurons, trained.rank, trained.tau);
    assert_eq!((k, trained.random.is_none(), trained.model), (2, true, Model::Rate));
    // NᵀM/N written out (the encoding carries the 1/N).
    let mut o = [0.0; 4];
    for i in 0..n {
        for (r, c) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            o[r * 2 + c] += trained.encoding[i * k + r] * trained.embedding[i * k + c];
        }
    }
    let truth = eig2(o[0], o[1], o[2], o[3]);
    let r = run(&format!("exp=spectrum&source=trained&{}", train_keys()), &trained).unwrap();
    let ev = pairs(&r["eigenvalues"]);
    assert_eq!(ev.len(), n);
    let scale = truth[0].0.hypot(truth[0].1);
    assert!(scale > 1e-3, "{truth:?}");
    let (nonzero, zero): (Vec<_>, Vec<_>) =
        ev.iter().copied().partition(|e: &(f64, f64)| e.0.hypot(e.1) > 1e-9 * scale);
    assert!(zero.iter().all(|e| e.0.hypot(e.1) < 1e-12 * scale.max(1.0)), "{zero:?}");
    assert!(matched(&nonzero, &truth, 1e-10 * scale.max(1.0)), "{nonzero:?} vs {truth:?}");
    assert!(matched(&pairs(&r["outliers"]), &truth, 1e-12 * scale.max(1.0)));
    assert_eq!(r["radius"].as_f64(), Some(0.0));

    // The Jacobian at each latent fixed point: −1/τ N − 2 times, and eig J_z with
    // J_z = (−I + Nᵀ diag(1 − r*²) M)/τ at r* = tanh(M z* + b) (no input).
    let first = run(&format!("exp=spectrum&source=trained&matrix=jacobian&{}", train_keys()), &trained).unwrap();
    let count = first["fixed_points"].as_array().unwrap().len();
    assert!(count >= 1);
    for fp in 0..count {
        let r =
            run(&format!("exp=spectrum&source=trained&matrix=jacobian&fixed_point={fp}&{}", train_keys()), &trained)
                .unwrap();
        let z = vector(&r["at"]);
        let rates: Vec<f64> = (0..n)
            .map(|i| libm::tanh(trained.bias[i] + (0..k).map(|c| trained.embedding[i * k + c] * z[c]).sum::<f64>()))
            .collect();
        for (c, zc) in z.iter().enumerate() {
            let back: f64 = (0..n).map(|i| trained.encoding[i * k + c] * rates[i]).sum();
            assert!((back - zc).abs() < 1e-8, "fixed point {fp}: z = {z:?}");
        }
        let mut jz = [0.0; 4];
        for (r_, c) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let s: f64 = (0..n)
                .map(|i| trained.encoding[i * k + r_] * (1.0 - rates[i] * rates[i]) * trained.embedding[i * k + c])
                .sum();
            jz[r_ * 2 + c] = (s - if r_ == c { 1.0 } else { 0.0 }) / tau;
        }
        let latent = eig2(jz[0], jz[1], jz[2], jz[3]);
        let mut expected = vec![(-1.0 / tau, 0.0); n - 2];
        expected.extend(latent);
        assert!(matched(&pairs(&r["eigenvalues"]), &expected, 1e-6), "fixed point {fp}: {r}");
        assert_eq!(r["bulk"]["centre"].as_f64(), Some(-1.0 / tau));
    }
}

#[test]
fn networks_that_do_not_fit_name_their_key() {
    let key = |q: &str, net: Option<&Network>| {
        let ctx = net.map_or_else(RunCtx::default, |n| RunCtx::default().with_network(n));
        let e = lpu::registry::run_query_with(q, &ctx).err().unwrap_or_else(|| panic!("{q} ran"));
        (e.key, e.message)
    };
    // No network given.
    let (k, m) = key("exp=spectrum&source=network", None);
    assert_eq!(k, "source", "{m}");
    // Too many neurons for the dense eigenproblem.
    let big = network(2001, 1, vec![1.0; 2001], vec![1.0 / 2001.0; 2001], None);
    let (k, m) = key("exp=spectrum&source=network", Some(&big));
    assert_eq!(k, "source");
    assert!(m.contains("2001") && m.contains("2000"), "{m}");
    // A dense network beyond the full-state search's N asks for matrix=weights.
    let dense = network(301, 0, vec![], vec![], Some(vec![0.0; 301 * 301]));
    let (k, m) = key("exp=spectrum&source=network&matrix=jacobian", Some(&dense));
    assert_eq!(k, "matrix");
    assert!(m.contains("301") && m.contains("300") && m.contains("matrix=weights"), "{m}");
    // A current-form low-rank network is searched in the full space too.
    let current = Network { model: Model::Current, ..network(400, 1, vec![1.0; 400], vec![1.0 / 400.0; 400], None) };
    assert_eq!(key("exp=spectrum&source=network&matrix=jacobian", Some(&current)).0, "matrix");
    // A fixed point that is not there.
    let small = network(3, 0, vec![], vec![], Some(vec![0.1, 0.0, 0.0, 0.0, 0.2, 0.0, 0.0, 0.0, 0.3]));
    let (k, m) = key("exp=spectrum&source=network&matrix=jacobian&fixed_point=4", Some(&small));
    assert_eq!(k, "fixed_point");
    assert!(m.contains("0..=0"), "{m}");
    let lowrank = network(20, 1, vec![1.0; 20], vec![0.5 / 20.0; 20], None);
    let (k, m) = key("exp=spectrum&source=network&matrix=jacobian&fixed_point=2", Some(&lowrank));
    assert_eq!(k, "fixed_point");
    assert!(m.contains("latent"), "{m}");
}
