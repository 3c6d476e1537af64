//! exp=spectrum, exp=lyapunov and exp=chaos against independent truths: the circular law,
//! low-rank outliers at eig(NᵀM), Sylvester's identity for M Nᵀ, the Jacobian's built-in
//! spectrum, the linearisation at the origin, a two-trajectory λ_max and the transition to
//! chaos near g = 1.
use lpu::analysis::lyapunov::{entropy_rate, kaplan_yorke};
use serde_json::Value;

fn result(query: &str) -> Value {
    let doc: Value = serde_json::from_str(&lpu::run_query(query).unwrap().json).unwrap();
    doc["result"].clone()
}

fn pairs(v: &Value) -> Vec<(f64, f64)> {
    v.as_array().unwrap().iter().map(|e| (e[0].as_f64().unwrap(), e[1].as_f64().unwrap())).collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn random_eigenvalues_fill_the_disk_of_radius_g_uniformly() {
    let g = 1.3;
    let r = result(&format!("exp=spectrum&source=random&neurons=800&g={g}&seed=4"));
    let ev = pairs(&r["eigenvalues"]);
    assert_eq!(ev.len(), 800);
    let within = |f: f64| ev.iter().filter(|e| e.0.hypot(e.1) <= f * g).count() as f64 / 800.0;
    assert!(within(1.05) > 0.98, "{}", within(1.05));
    // A uniform disk holds the fraction ρ² of its eigenvalues within ρR.
    for rho in [0.5, 0.8] {
        assert!((within(rho) - rho * rho).abs() < 0.05, "ρ = {rho}: {}", within(rho));
    }
    assert!((r["inside"].as_f64().unwrap() - within(1.05)).abs() < 1e-12);
}

#[test]
fn low_rank_outliers_approach_eig_of_nt_m_as_n_grows() {
    let mut errors = vec![];
    for n in [100, 1000] {
        let mut total = 0.0;
        for seed in 1..=3 {
            let r =
                result(&format!("exp=spectrum&source=lowrank_random&neurons={n}&g=0.6&rank=2&outlier=2.4&seed={seed}"));
            let ev = pairs(&r["eigenvalues"]);
            let predicted = pairs(&r["outliers"]);
            assert_eq!(predicted.len(), 2);
            // The two largest real parts are the outliers (2.4 and 1.2 by design, outside g = 0.6).
            for (e, p) in ev.iter().zip(&predicted) {
                total += (e.0 - p.0).hypot(e.1 - p.1);
            }
        }
        errors.push(total / 6.0);
    }
    assert!(errors[1] < errors[0] && errors[1] < 0.1, "mean |λ − eig NᵀM| at N = 100, 1000: {errors:?}");
}

#[test]
fn a_low_rank_matrix_has_the_eigenvalues_of_nt_m_and_zeros() {
    // Sylvester: the nonzero eigenvalues of M Nᵀ (N × N) are those of NᵀM (K × K).
    let r = result("exp=spectrum&source=flipflop&bits=3&neurons=90&g=0");
    let ev = pairs(&r["eigenvalues"]);
    let outliers = pairs(&r["outliers"]);
    assert_eq!(outliers.len(), 3);
    let mut nonzero: Vec<(f64, f64)> = ev.iter().copied().filter(|e| e.0.hypot(e.1) > 1e-6).collect();
    nonzero.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert_eq!(nonzero.len(), 3, "{nonzero:?}");
    for (e, o) in nonzero.iter().zip(&outliers) {
        assert!((e.0 - o.0).abs() < 1e-9 && (e.1 - o.1).abs() < 1e-9, "{e:?} vs {o:?}");
    }
    assert!(ev.iter().filter(|e| e.0.hypot(e.1) <= 1e-6).all(|e| e.0.hypot(e.1) < 1e-9));
}

#[test]
fn the_jacobian_of_a_low_rank_network_is_minus_one_over_tau_and_the_latent_jacobian() {
    // SCIENCE §2: for W = M Nᵀ, J_r has −1/τ with multiplicity N − K plus eig J_z.
    for fp in 0..3 {
        let r = result(&format!("exp=spectrum&source=flipflop&bits=2&neurons=80&g=0&matrix=jacobian&fixed_point={fp}"));
        let ev = pairs(&r["eigenvalues"]);
        let latent = pairs(&r["outliers"]);
        let leak = -100.0;
        let (near, far): (Vec<_>, Vec<_>) = ev.iter().partition(|e| (e.0 - leak).abs() < 1e-6 && e.1.abs() < 1e-6);
        assert_eq!(near.len(), 78, "fixed point {fp}: {far:?}");
        let mut far: Vec<(f64, f64)> = far.into_iter().copied().collect();
        far.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (e, l) in far.iter().zip(&latent) {
            assert!((e.0 - l.0).abs() < 1e-7 && (e.1 - l.1).abs() < 1e-7, "{e:?} vs {l:?}");
        }
    }
}

#[test]
fn below_g_1_the_lyapunov_spectrum_is_the_linearisation_at_the_origin() {
    let r = result("exp=lyapunov&source=random&neurons=60&g=0.6&exponents=10&time=20&warmup=0.5&seed=3");
    let qr = floats(&r["exponents"]);
    let origin = floats(&r["origin"]);
    assert_eq!(origin.len(), 10);
    for (a, b) in qr.iter().zip(&origin) {
        // The finite-time error of the QR method falls like 1/t.
        assert!((a - b).abs() < 0.5, "{qr:?} vs {origin:?}");
    }
    // Continuous time: Re eig(−I + W)/τ for the leading exponent, up to the Euler step.
    assert!(qr[0] < -30.0);
    assert!(r["entropy_rate"].as_f64().unwrap() == 0.0 && r["kaplan_yorke"].as_f64().unwrap() == 0.0);
}

#[test]
fn qr_lambda_max_agrees_with_two_trajectories_in_a_chaotic_network() {
    let r = result("exp=lyapunov&source=random&neurons=200&g=2&exponents=1&time=20&warmup=0.5&seed=1");
    let qr = r["exponents"][0].as_f64().unwrap();
    let brute = r["lambda_max_brute"].as_f64().unwrap();
    assert!(qr > 1.0, "chaotic: {qr}");
    assert!((qr - brute).abs() / qr < 0.05, "QR {qr} against two trajectories {brute}");
    let c = &r["convergence"];
    let last = |k: &str| c[k].as_array().unwrap().last().unwrap().as_f64().unwrap();
    assert!((last("qr") - qr).abs() < 1e-9 && (last("brute_force") - brute).abs() < 1e-9);
}

#[test]
fn lambda_max_changes_sign_near_g_1_in_a_large_network() {
    let lmax = |g: f64| {
        let r = result(&format!("exp=lyapunov&source=random&neurons=800&g={g}&exponents=1&time=1.5&warmup=1&seed=2"));
        r["exponents"][0].as_f64().unwrap()
    };
    let (below, above) = (lmax(0.9), lmax(1.4));
    assert!(below < 0.0 && above > 0.0, "λ_max(0.9) = {below}, λ_max(1.4) = {above}");
}

#[test]
fn chaos_sweep_finds_the_transition_and_silence_below_it() {
    let r = result("exp=chaos&neurons=300&g_min=0.5&g_max=2.5&points=5&sizes=50,300&g_size=2.5&time=0.5&warmup=0.5");
    let lmax = floats(&r["lambda_max"]);
    let var = floats(&r["variance"]);
    assert!(lmax[0] < 0.0 && lmax[4] > 0.0, "{lmax:?}");
    assert!(var[0] < 1e-12 && var[4] > 0.1, "{var:?}");
    assert_eq!(r["dimension"][0].as_u64(), Some(0));
    let gc = r["critical_g"].as_f64().unwrap();
    assert!((0.5..=2.5).contains(&gc));
    // More neurons, more dimensions in chaotic activity (LCF S3G).
    let dims = r["size_dimension"].as_array().unwrap();
    assert!(dims[1].as_u64().unwrap() > dims[0].as_u64().unwrap(), "{dims:?}");
}

#[test]
fn kaplan_yorke_and_entropy_follow_their_definitions() {
    // λ = (2, 1, −2, −4): partial sums 2, 3, 1, −3 → j = 3, D = 3 + 1/4.
    assert!((kaplan_yorke(&[2.0, 1.0, -2.0, -4.0]) - 3.25).abs() < 1e-15);
    assert_eq!(kaplan_yorke(&[-1.0, -2.0]), 0.0);
    assert_eq!(kaplan_yorke(&[1.0, 0.5]), 2.0);
    assert_eq!(entropy_rate(&[2.0, 1.0, -2.0]), 3.0);
    assert_eq!(entropy_rate(&[-2.0]), 0.0);
}

#[test]
fn a_network_decaying_to_rest_reaches_zero_and_keeps_its_exponents() {
    use lpu::analysis::lyapunov::{spectrum, Options};
    use lpu::ensembles::{Ensemble, Source};
    let ensemble = Ensemble {
        source: Source::Random,
        neurons: 40,
        g: 0.5,
        rank: 0,
        bits: 0,
        outlier: 0.0,
        tau: 0.01,
        dt: 0.001,
        seed: 4,
    };
    let net = ensemble.network();
    // α = 0.1 and |1 − α + α λ| ≤ 0.95: rates fall below 2⁻⁴⁰⁰ (e^−277) within about 5500
    // steps, and without the rest at 0 they would pass through subnormal numbers (e^−708 to
    // e^−744) near step 13,000.
    let opts = Options {
        exponents: 3,
        warmup: 200,
        steps: 20_000,
        reorth: 10,
        initial_sd: 0.5,
        seed: 1,
        record_every: 100,
        convergence_points: 10,
    };
    let s = spectrum(&net, &opts);
    let last = s.rates.last().unwrap();
    assert!(last.iter().all(|&r| r == 0.0), "the trajectory ends at exactly 0: {last:?}");
    assert!(s.rates.iter().flatten().all(|r| *r == 0.0 || r.is_normal()), "no recorded rate is subnormal");
    // At rest the map is linear: λ_i = log|1 − α + α μ_i| / Δt over W's eigenvalues μ
    // (numpy.linalg.eigvals of the same W gives the same leading values).
    let alpha = net.dt / net.tau;
    let mut w = net.dense_weights();
    for (idx, v) in w.iter_mut().enumerate() {
        *v *= alpha;
        if idx / 40 == idx % 40 {
            *v += 1.0 - alpha;
        }
    }
    let mut origin: Vec<f64> =
        lpu::numerics::eig::eigenvalues_dense(&w, 40).iter().map(|(re, im)| re.hypot(*im).ln() / net.dt).collect();
    origin.sort_by(|a, b| b.total_cmp(a));
    for (a, b) in s.exponents.iter().zip(&origin) {
        assert!((a - b).abs() < 0.5, "{:?} vs {:?}", s.exponents, &origin[..3]);
    }
    // The two-trajectory estimate keeps its distance (never 0 when the trajectory is).
    assert!((s.brute_force - origin[0]).abs() < 0.5, "{} vs {}", s.brute_force, origin[0]);
    // Renormalised seldom, the nearby trajectory still shrinks far below 2⁻⁴⁰⁰ of the one at
    // rest within a block (0.95^6000 ≈ e^−308 of 1e-8), and its estimate must still hold.
    let seldom = spectrum(&net, &Options { exponents: 1, warmup: 12_000, steps: 30_000, reorth: 6000, ..opts });
    assert!((seldom.brute_force - origin[0]).abs() < 0.5, "reorth 6000: {} vs {}", seldom.brute_force, origin[0]);
}
