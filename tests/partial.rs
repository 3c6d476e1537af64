//! Partial observation of the designed 1-D LPU (LCF A11–A19, Fig. A2; SCIENCE §3): the squared
//! error of the growth rate rebuilt from the first n_obs of N neurons falls like 1/n_obs while
//! n_obs ≪ N, follows (τ_z/τ)²(s²/n_obs)(1 − n_obs/N) with s² = σ_m²σ_n² + σ_mn² for every
//! n_obs, and is exactly zero at n_obs = N.

fn run(query: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(&lpu::run_query(query).unwrap().json).unwrap();
    doc["result"].clone()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// The prediction written out from the design parameters: σ_m σ_n = σ_mn/ρ, σ_mn = 1 + τ/τ_z.
fn predicted(tau: f64, tau_latent: f64, rho: f64, neurons: f64, n_obs: f64) -> f64 {
    let sigma_mn = 1.0 + tau / tau_latent;
    let s2 = sigma_mn * sigma_mn * (1.0 / (rho * rho) + 1.0);
    (tau_latent / tau).powi(2) * s2 / n_obs * (1.0 - n_obs / neurons)
}

#[test]
fn squared_error_falls_like_one_over_n_obs_while_sparse() {
    let r = run("exp=partial&neurons=100000&observed=10,30,100,300,1000&repeats=400&tau_latent=0.05&seed=5");
    let n: Vec<f64> = r["observed"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let e = floats(&r["squared_error"]);
    // Least-squares slope of ln e against ln n.
    let (x, y): (Vec<f64>, Vec<f64>) = n.iter().zip(&e).map(|(a, b)| (a.ln(), b.ln())).unzip();
    let (mx, my) = (x.iter().sum::<f64>() / x.len() as f64, y.iter().sum::<f64>() / y.len() as f64);
    let slope = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>()
        / x.iter().map(|a| (a - mx) * (a - mx)).sum::<f64>();
    assert!((slope + 1.0).abs() < 0.1, "log-log slope {slope}, expected −1");
}

#[test]
fn observing_every_neuron_gives_exactly_zero_error() {
    let r = run("exp=partial&neurons=3001&observed=1,3000,3001&repeats=5&tau_latent=1&seed=2");
    assert_eq!(floats(&r["squared_error"])[2], 0.0);
    for row in r["errors"].as_array().unwrap() {
        assert_eq!(row[2].as_f64(), Some(0.0));
        assert_ne!(row[1].as_f64(), Some(0.0), "one neuron short is not exact");
    }
}

#[test]
fn mean_squared_error_matches_the_finite_population_prediction() {
    let (tau, tau_latent, rho, neurons) = (0.001, 0.02, 0.7, 2000.0);
    let r = run(
        "exp=partial&neurons=2000&observed=20,200,1000,1500,1900,1990&repeats=20000&tau_latent=0.02&rho=0.7&seed=9",
    );
    let n = floats(&r["observed"]);
    let (mean, sem) = (floats(&r["squared_error"]), floats(&r["squared_error_sem"]));
    for j in 0..n.len() {
        let want = predicted(tau, tau_latent, rho, neurons, n[j]);
        // 20,000 repeats: the s.e.m. is about 1 % of the mean; allow 4 of them.
        assert!(
            (mean[j] - want).abs() < 4.0 * sem[j],
            "n_obs = {}: measured {} ± {}, predicted {want}",
            n[j],
            mean[j],
            sem[j]
        );
        let sparse = want / (1.0 - n[j] / neurons);
        if n[j] >= 1900.0 {
            assert!(mean[j] < 0.2 * sparse, "n_obs = {}: no faster-than-1/n_obs fall near N", n[j]);
        }
    }
    // The result's own prediction is the same formula.
    for (a, b) in floats(&r["predicted"]).iter().zip(&n) {
        let want = predicted(tau, tau_latent, rho, neurons, *b);
        assert!((a / want - 1.0).abs() < 1e-9, "predicted {a} against {want}");
    }
}

#[test]
fn the_first_design_is_exp_timescale_network_for_the_same_seed() {
    // A second method: the Jacobian of the latent flow at 0 (lane-ordered sums) of exp=timescale.
    let r = run("exp=partial&neurons=5000&observed=100&repeats=2&tau_latent=0.05&seed=4");
    let t = run("exp=timescale&neurons=5000&tau_latent=0.05&seed=4&points=11&trajectories=0");
    let (a, b) = (floats(&r["full_growth_rate"])[0], t["growth_rate"]["estimate"].as_f64().unwrap());
    assert!((a / b - 1.0).abs() < 1e-9, "partial {a}, timescale {b}");
}
