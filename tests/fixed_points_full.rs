//! Fixed points in the full state space (`analysis::fixed_points_full`) against independent
//! truths: the 3^N roots of an uncoupled network, a 2-neuron network reduced to one equation
//! and scanned, the latent finder on a rank-1 network, closed forms of the current form, and
//! finite differences of the Jacobian.
mod common;
use common::positive_root;
use lpu::analysis::fixed_points::{find, Kind, SearchOptions};
use lpu::analysis::fixed_points_full::{find_full, Form, FullFixedPoint, FullOptions, FullSystem};
use lpu::analysis::flow::Lpu;
use lpu::network::Network;
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;

const TAU: f64 = 0.01;

/// A network with dense weights `w` (row-major n × n) and no low-rank part.
fn dense(n: usize, w: Vec<f64>, bias: Vec<f64>, inputs: usize, input: Vec<f64>) -> Network {
    let net = Network {
        neurons: n,
        rank: 0,
        inputs,
        tau: TAU,
        dt: 0.001,
        phi: Phi::Tanh,
        embedding: vec![],
        encoding: vec![],
        input,
        bias,
        random: Some(w),
        model: lpu::network::Model::Rate,
        readout: None,
    };
    net.validate().unwrap();
    net
}

fn diagonal(n: usize, w: f64) -> Network {
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = w;
    }
    dense(n, m, vec![0.0; n], 0, vec![])
}

fn kind_of(unstable: usize, n: usize) -> Kind {
    match unstable {
        0 => Kind::Stable,
        d if d == n => Kind::Unstable,
        _ => Kind::Saddle,
    }
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs()))
}

/// Checks the uncoupled census: each coordinate at 0 or ±`root`, all 3^n patterns once, the
/// unstable directions being the zero coordinates with growth rate (w − 1)/τ.
fn check_uncoupled_census(fps: &[FullFixedPoint], n: usize, w: f64, root: f64) {
    assert_eq!(fps.len(), 3usize.pow(n as u32), "{fps:#?}");
    let mut patterns = vec![];
    for f in fps {
        let pattern: Vec<i32> =
            f.x.iter()
                .map(|&v| {
                    let c = [-root, 0.0, root].iter().position(|c| (v - c).abs() < 1e-9);
                    c.unwrap_or_else(|| panic!("coordinate {v} of {:?} is no root", f.x)) as i32 - 1
                })
                .collect();
        let zeros = pattern.iter().filter(|&&p| p == 0).count();
        assert_eq!(f.unstable_dims, zeros, "{:?}", f.x);
        assert_eq!(f.kind, kind_of(zeros, n), "{:?}", f.x);
        assert!(f.residual <= 1e-10);
        // The diagonal Jacobian's entries, sorted: (w − 1)/τ at zeros, (w φ′ − 1)/τ elsewhere.
        let mut expected: Vec<f64> = vec![(w - 1.0) / TAU; zeros];
        expected.extend(vec![(w * (1.0 - root * root) - 1.0) / TAU; n - zeros]);
        for (e, x) in f.eigenvalues.iter().zip(&expected) {
            assert!((e[0] - x).abs() < 1e-6 && e[1].abs() < 1e-9, "{:?} against {expected:?}", f.eigenvalues);
        }
        patterns.push(pattern);
    }
    patterns.sort();
    patterns.dedup();
    assert_eq!(patterns.len(), fps.len());
}

#[test]
fn uncoupled_network_has_all_twenty_seven_fixed_points() {
    let (n, w) = (3, 2.0);
    let net = diagonal(n, w);
    let root = positive_root(w);
    let opts = FullOptions { random_starts: 400, seed: 3, ..Default::default() };
    let fps = find_full(&net, Form::Rate, &[], &opts);
    check_uncoupled_census(&fps, n, w, root);
    assert_eq!(fps.iter().filter(|f| f.kind == Kind::Stable).count(), 8);
    assert_eq!(fps.iter().filter(|f| f.kind == Kind::Unstable).count(), 1);
    let origin = fps.iter().find(|f| f.kind == Kind::Unstable).unwrap();
    assert!(origin.x.iter().all(|v| v.abs() < 1e-9));
}

/// The two-neuron network of the scan tests.
fn two_neuron() -> Network {
    dense(2, vec![2.2, 0.45, -0.35, 1.9], vec![0.08, -0.05], 0, vec![])
}

/// Fixed points of r = tanh(W r + b) in two dimensions, independently: the first equation
/// gives r2 = (atanh r1 − w11 r1 − b1)/w12, so the second becomes one equation in r1, scanned
/// for sign changes on a fine grid over (−1, 1) and bisected. Returns the points and, from the
/// 2 × 2 Jacobian −I + diag(1 − r²) W (φ′ = 1 − φ² at a fixed point), their unstable counts.
fn two_neuron_by_scan(w: &[f64], b: &[f64]) -> Vec<([f64; 2], usize)> {
    let r2_of = |r1: f64| (libm::atanh(r1) - w[0] * r1 - b[0]) / w[1];
    let h = |r1: f64| {
        let r2 = r2_of(r1);
        r2 - libm::tanh(w[2] * r1 + w[3] * r2 + b[1])
    };
    let points = 400_001;
    let edge = 1.0 - 1e-12;
    let xs: Vec<f64> = (0..points).map(|i| -edge + 2.0 * edge * i as f64 / (points - 1) as f64).collect();
    let mut out = vec![];
    for pair in xs.windows(2) {
        let (mut lo, mut hi) = (pair[0], pair[1]);
        let (hl, hh) = (h(lo), h(hi));
        if hl == 0.0 || (hl < 0.0) == (hh < 0.0) {
            continue;
        }
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if (h(mid) < 0.0) == (hl < 0.0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let r1 = 0.5 * (lo + hi);
        let r = [r1, r2_of(r1)];
        let d = [1.0 - r[0] * r[0], 1.0 - r[1] * r[1]];
        let j = [d[0] * w[0] - 1.0, d[0] * w[1], d[1] * w[2], d[1] * w[3] - 1.0];
        let (tr, det) = (j[0] + j[3], j[0] * j[3] - j[1] * j[2]);
        let unstable = if det < 0.0 {
            1
        } else if tr > 0.0 {
            2
        } else {
            0
        };
        out.push((r, unstable));
    }
    out
}

#[test]
fn two_neuron_network_matches_an_exhaustive_scan() {
    let net = two_neuron();
    let truth = two_neuron_by_scan(net.random.as_ref().unwrap(), &net.bias);
    assert!(truth.len() >= 5, "the example should be multistable: {truth:?}");
    let fps = find_full(&net, Form::Rate, &[], &FullOptions { random_starts: 300, ..Default::default() });
    assert_eq!(fps.len(), truth.len(), "found {fps:#?}\nscan {truth:?}");
    for (r, unstable) in &truth {
        let f = fps.iter().find(|f| max_abs_diff(&f.x, r) < 1e-9).unwrap_or_else(|| panic!("{r:?} not found"));
        assert_eq!(f.unstable_dims, *unstable, "{r:?}");
        assert_eq!(f.kind, kind_of(*unstable, 2));
    }
    for k in [Kind::Stable, Kind::Saddle, Kind::Unstable] {
        assert!(fps.iter().any(|f| f.kind == k), "no {k:?} point in {fps:#?}");
    }
}

/// A rank-1 network whose overlap nᵀm ≈ 2 makes it bistable, with a small random bias.
fn rank_one(neurons: usize, seed: u64) -> Network {
    let mut rng = Rng::new(seed, 1234);
    let m: Vec<f64> = (0..neurons).map(|_| rng.normal()).collect();
    let encoding = m.iter().map(|mi| (2.0 * mi + 0.5 * rng.normal()) / neurons as f64).collect();
    let bias = (0..neurons).map(|_| 0.1 * rng.normal()).collect();
    let net = Network {
        neurons,
        rank: 1,
        inputs: 0,
        tau: TAU,
        dt: 0.001,
        phi: Phi::Tanh,
        embedding: m,
        encoding,
        input: vec![],
        bias,
        random: None,
        model: lpu::network::Model::Rate,
        readout: None,
    };
    net.validate().unwrap();
    net
}

#[test]
fn rank_one_network_matches_the_latent_finder() {
    for (neurons, seed) in [(20, 1), (60, 2)] {
        let net = rank_one(neurons, seed);
        let latent = find(&Lpu::new(&net), &[], &SearchOptions::default());
        assert_eq!(latent.len(), 3, "N={neurons}: {latent:?}");
        // Starts along the latent line, as a trajectory would visit it, and random ones.
        let starts = (0..9)
            .map(|s| {
                let kappa = -2.0 + 0.5 * s as f64;
                (0..neurons).map(|i| net.phi.apply(net.m(i, 0) * kappa + net.bias[i])).collect()
            })
            .collect();
        let opts = FullOptions { starts, random_starts: 20, seed, ..Default::default() };
        let full = find_full(&net, Form::Rate, &[], &opts);
        assert_eq!(full.len(), latent.len(), "N={neurons}: {full:#?}");
        for fp in &latent {
            let r: Vec<f64> = (0..neurons).map(|i| net.phi.apply(net.m(i, 0) * fp.z[0] + net.bias[i])).collect();
            let f = full
                .iter()
                .find(|f| max_abs_diff(&f.x, &r) < 1e-8)
                .unwrap_or_else(|| panic!("N={neurons}: latent point {:?} not found", fp.z));
            // The full Jacobian is −I/τ plus a rank-1 term: one eigenvalue is the latent one,
            // the other N − 1 are −1/τ, so the latent repeller is a full-space saddle.
            assert_eq!(f.unstable_dims, fp.unstable_dims);
            let expected_kind = if fp.kind == Kind::Unstable { Kind::Saddle } else { fp.kind };
            assert_eq!(f.kind, expected_kind);
            let lat = fp.eigenvalues[0][0];
            let matched = f.eigenvalues.iter().any(|e| (e[0] - lat).abs() < 1e-6 * lat.abs().max(1.0));
            assert!(matched, "latent eigenvalue {lat} not in {:?}", f.eigenvalues);
            let rest = f.eigenvalues.iter().filter(|e| (e[0] + 1.0 / TAU).abs() < 1e-6).count();
            assert_eq!(rest, neurons - 1);
        }
    }
}

#[test]
fn current_form_without_recurrence_rests_at_bias_plus_input() {
    let n = 5;
    let mut rng = Rng::new(7, 77);
    let bias: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let input: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let net = dense(n, vec![0.0; n * n], bias.clone(), 1, input.clone());
    let u = [0.7];
    let drive: Vec<f64> = (0..n).map(|i| bias[i] + input[i] * u[0]).collect();
    let opts = FullOptions { random_starts: 10, ..Default::default() };
    for (form, expected) in
        [(Form::Current, drive.clone()), (Form::Rate, drive.iter().map(|&v| libm::tanh(v)).collect::<Vec<_>>())]
    {
        let fps = find_full(&net, form, &u, &opts);
        assert_eq!(fps.len(), 1, "{form:?}: {fps:#?}");
        assert!(max_abs_diff(&fps[0].x, &expected) < 1e-12, "{form:?}: {:?} against {expected:?}", fps[0].x);
        assert_eq!(fps[0].kind, Kind::Stable);
        assert!(fps[0].eigenvalues.iter().all(|e| (e[0] + 1.0 / TAU).abs() < 1e-9 && e[1] == 0.0));
    }
}

#[test]
fn current_form_census_maps_to_the_rate_form() {
    // Uncoupled, w = 2: x = 2 tanh x has roots 0 and ±2r*, with r* the rate form's root.
    let (n, w) = (3, 2.0);
    let opts = FullOptions { random_starts: 400, extent: 2.5, ..Default::default() };
    let fps = find_full(&diagonal(n, w), Form::Current, &[], &opts);
    // Scale the positions back to rates, r = x / w, and check the rate census.
    let rates: Vec<FullFixedPoint> =
        fps.iter().map(|f| FullFixedPoint { x: f.x.iter().map(|v| v / w).collect(), ..f.clone() }).collect();
    check_uncoupled_census(&rates, n, w, positive_root(w));

    // Coupled: each rate fixed point r* gives the current fixed point x* = W r* + b, with the
    // same spectrum (−I + W D and −I + D W are similar when D is invertible).
    let net = two_neuron();
    let w = net.random.clone().unwrap();
    let truth = two_neuron_by_scan(&w, &net.bias);
    let fps =
        find_full(&net, Form::Current, &[], &FullOptions { random_starts: 300, extent: 3.0, ..Default::default() });
    assert_eq!(fps.len(), truth.len(), "{fps:#?}");
    for (r, unstable) in &truth {
        let x = [w[0] * r[0] + w[1] * r[1] + net.bias[0], w[2] * r[0] + w[3] * r[1] + net.bias[1]];
        let f = fps.iter().find(|f| max_abs_diff(&f.x, &x) < 1e-9).unwrap_or_else(|| panic!("{x:?} not found"));
        assert_eq!(f.unstable_dims, *unstable);
    }
}

#[test]
fn jacobian_matches_finite_differences() {
    let n = 6;
    let mut rng = Rng::new(11, 5);
    let w: Vec<f64> = (0..n * n).map(|_| 0.8 * rng.normal()).collect();
    let bias: Vec<f64> = (0..n).map(|_| 0.3 * rng.normal()).collect();
    let input: Vec<f64> = (0..2 * n).map(|_| rng.normal()).collect();
    let x: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    for phi in [Phi::Tanh, Phi::Sin] {
        let mut net = dense(n, w.clone(), bias.clone(), 2, input.clone());
        net.phi = phi;
        for form in [Form::Rate, Form::Current] {
            let sys = FullSystem::new(&net, form, &[0.4, -0.2]);
            let j = sys.scaled_jacobian(&x);
            let h = 1e-6;
            for q in 0..n {
                let (mut xp, mut xm) = (x.clone(), x.clone());
                xp[q] += h;
                xm[q] -= h;
                let (gp, gm) = (sys.scaled_flow(&xp), sys.scaled_flow(&xm));
                for p in 0..n {
                    let fd = (gp[p] - gm[p]) / (2.0 * h);
                    assert!((fd - j[p * n + q]).abs() < 1e-8, "{phi:?} {form:?} ({p}, {q}): {fd} vs {}", j[p * n + q]);
                }
            }
        }
    }
}

/// A random dense network with gain g: for g > 1, many fixed points.
fn random_dense(n: usize, gain: f64, seed: u64) -> Network {
    let mut rng = Rng::new(seed, 42);
    let sd = gain / libm::sqrt(n as f64);
    let w = (0..n * n).map(|_| sd * rng.normal()).collect();
    let bias = (0..n).map(|_| 0.1 * rng.normal()).collect();
    dense(n, w, bias, 0, vec![])
}

#[test]
fn results_are_deterministic_and_independent_of_threads() {
    let net = random_dense(12, 2.0, 4);
    let opts = FullOptions { random_starts: 40, seed: 9, ..Default::default() };
    let a = serde_json::to_string(&find_full(&net, Form::Rate, &[], &opts)).unwrap();
    let b = serde_json::to_string(&find_full(&net, Form::Rate, &[], &opts)).unwrap();
    assert_eq!(a, b);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let c = serde_json::to_string(&pool.install(|| find_full(&net, Form::Rate, &[], &opts))).unwrap();
    assert_eq!(a, c);
    let fps: Vec<FullFixedPoint> = serde_json::from_str(&a).unwrap();
    assert!(fps.len() > 1, "a gain-2 network should have several fixed points: {}", fps.len());
    for f in &fps {
        assert!(f.residual <= 1e-10);
        let g = FullSystem::new(&net, Form::Rate, &[]).scaled_flow(&f.x);
        assert!(g.iter().all(|v| v.abs() <= 1e-10));
    }
}

#[test]
fn huge_and_non_finite_starts_give_finite_results() {
    let (n, w) = (3, 2.0);
    let net = diagonal(n, w);
    let root = positive_root(w);
    let starts = vec![
        vec![1e300, -1e300, 1e300],
        vec![f64::MAX, f64::MIN, 0.0],
        vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY],
        vec![1.0, 2.0], // wrong length: skipped
    ];
    for form in [Form::Rate, Form::Current] {
        let opts =
            FullOptions { starts: starts.clone(), random_starts: 0, extent: f64::INFINITY, ..Default::default() };
        let fps = find_full(&net, form, &[], &opts);
        assert!(!fps.is_empty(), "{form:?}");
        let scale = if form == Form::Rate { 1.0 } else { w };
        for f in &fps {
            assert!(f.x.iter().chain(f.eigenvalues.iter().flatten()).all(|v| v.is_finite()), "{f:?}");
            assert!(f.x.iter().all(|&v| [-root, 0.0, root].iter().any(|c| (v - c * scale).abs() < 1e-9)), "{f:?}");
        }
        serde_json::to_string(&fps).unwrap();
    }
    // Huge weights: whatever is found is finite.
    let wild = dense(2, vec![1e200, -1e250, 3e180, 1e300], vec![1e100, -1e100], 0, vec![]);
    for form in [Form::Rate, Form::Current] {
        let opts = FullOptions { starts: starts.clone(), random_starts: 20, extent: 1e300, ..Default::default() };
        for f in find_full(&wild, form, &[], &opts) {
            assert!(f.x.iter().chain(f.eigenvalues.iter().flatten()).all(|v| v.is_finite()), "{f:?}");
            assert!(f.residual.is_finite());
        }
    }
}

#[test]
fn cancellation_stops_and_progress_reaches_one() {
    let net = diagonal(3, 2.0);
    let opts = FullOptions { random_starts: 400, seed: 3, ..Default::default() };
    let cancelled = lpu::progress::with_hooks(|_| {}, || true, || find_full(&net, Form::Rate, &[], &opts));
    assert!(cancelled.is_empty());
    let seen = std::rc::Rc::new(std::cell::RefCell::new(vec![]));
    let sink = seen.clone();
    let fps = lpu::progress::with_sink(move |f| sink.borrow_mut().push(f), || find_full(&net, Form::Rate, &[], &opts));
    assert_eq!(fps.len(), 27);
    let seen = seen.borrow();
    assert!(seen.windows(2).all(|p| p[0] <= p[1]) && seen.last() == Some(&1.0), "{seen:?}");
}
