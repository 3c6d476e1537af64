//! LCF Fig. 1H–I in exp=timescale: latent trajectories of networks of the designed 1-D LPU
//! approach the mean field's as N grows (the deviation shrinks like 1/√N), follow the exactly
//! closed latent dynamics, and the N each τ_z needs for a chosen error is the A9–A10 law.
use lpu::design::Bistable;
use lpu::experiments::timescale::{error_sd, longest_tau_latent, neurons_needed};
use lpu::nonlinearity::Phi;

fn run(query: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(&lpu::run_query(query).unwrap().json).unwrap();
    doc["result"].clone()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn trajectories_approach_the_mean_field_like_one_over_root_n() {
    // 20 networks per N; the r.m.s. over networks of max_t |z − z_mean-field|.
    let mut rms = vec![];
    for neurons in [1000, 10000, 100000] {
        let r = run(&format!(
            "exp=timescale&neurons={neurons}&tau_latent=0.005&trajectories=20&duration=0.04&points=11&cloud=0&seed=3"
        ));
        let t = &r["trajectories"];
        // The mean field escapes from 0.05 to the attractor at 1 within the run.
        let mf = floats(&t["mean_field"]);
        assert!((mf[mf.len() - 1] - 1.0).abs() < 0.01, "mean field ends at {}", mf[mf.len() - 1]);
        let dev = floats(&t["deviation"]);
        rms.push((dev.iter().map(|d| d * d).sum::<f64>() / dev.len() as f64).sqrt());
    }
    // √10 ≈ 3.2 per tenfold N and 10 per hundredfold (less at N = 1000, where errors of ~30 %
    // are no longer small); 20 networks leave about 16 % noise on each r.m.s.
    for w in rms.windows(2) {
        assert!((1.8..5.5).contains(&(w[0] / w[1])), "deviations {rms:?}");
    }
    assert!((5.0..20.0).contains(&(rms[0] / rms[2])), "deviations {rms:?}");
}

#[test]
fn a_trajectory_is_the_networks_closed_latent_dynamics() {
    let r = run("exp=timescale&neurons=3000&tau_latent=0.02&trajectories=1&duration=0.05&points=11&seed=6");
    let design = Bistable { tau: 0.001, tau_latent: 0.02, rho: 0.9, phi: Phi::Tanh };
    let net = design.network(3000, 0.0001, 6);
    let steps = 500;
    let z = lpu::simulate::simulate_latent(&net, &[0.05], steps, &[], &[]);
    let t = &r["trajectories"];
    let stride = t["stride"].as_u64().unwrap() as usize;
    let path = floats(&t["networks"][0]);
    assert_eq!(path.len(), steps / stride + 1);
    for (i, v) in path.iter().enumerate() {
        assert_eq!(*v, z[i * stride], "step {}", i * stride);
    }
}

#[test]
fn neurons_needed_is_the_a9_law() {
    for (tau_latent, rho, error) in [(0.01, 0.9, 0.1), (1.0, 0.9, 0.1), (0.3, 0.5, 0.5)] {
        let design = Bistable { tau: 0.001, tau_latent, rho, phi: Phi::Tanh };
        // A second route: the design's own s.d. at N = 1 (rescaled σ's), squared over error².
        let want = (design.predicted_error(1) / error).powi(2);
        let got = neurons_needed(0.001, tau_latent, rho, error);
        assert!((got / want - 1.0).abs() < 1e-9, "τ_z = {tau_latent}: {got} against {want}");
        assert!((error_sd(0.001, tau_latent, rho, got) / error - 1.0).abs() < 1e-12);
        let back = longest_tau_latent(0.001, rho, error, got);
        assert!((back / tau_latent - 1.0).abs() < 1e-9);
    }
    // The numbers SCIENCE §3 quotes: s.d. ≈ 1.5 at τ_z = 1 s and ≈ 0.15 at 0.1 s with N = 10⁶.
    assert!((error_sd(0.001, 1.0, 0.9, 1e6) - 1.5).abs() < 0.01);
    assert!((error_sd(0.001, 0.1, 0.9, 1e6) - 0.15).abs() < 0.002);
    let r = run("exp=timescale&neurons=100&tau_latent=0.25&error=0.2&trajectories=0&points=11");
    let n = r["needed"]["this_network"].as_f64().unwrap();
    assert!((n / neurons_needed(0.001, 0.25, 0.9, 0.2) - 1.0).abs() < 1e-12);
}

#[test]
fn at_the_neurons_needed_the_spread_over_seeds_is_the_chosen_error() {
    // τ_z = 10 ms, error 0.3: N ≈ 3000. 40 designs (two runs of 20 networks).
    let error = 0.3;
    let neurons = neurons_needed(0.001, 0.01, 0.9, error).round() as usize;
    let mut errors = vec![];
    for seed in [1, 2] {
        let r = run(&format!(
            "exp=timescale&neurons={neurons}&tau_latent=0.01&trajectories=20&duration=0.001&points=11&seed={seed}"
        ));
        errors.extend(floats(&r["trajectories"]["normalised_error"]));
    }
    let sd = (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt();
    // The s.d. of a 40-sample r.m.s. is about 11 %: allow 3 of them.
    assert!((sd / error - 1.0).abs() < 0.33, "N = {neurons}: r.m.s. error {sd}, chosen {error}");
}

#[test]
fn the_trajectories_coarse_mean_field_quadrature_matches_the_fine_one() {
    for (sigma_m, sigma_mn) in [(0.1, 1.001), (0.8, 1.1), (1.3, 2.0)] {
        for z in [1e-4, 0.05, 0.5, 1.0, 3.0, 7.0] {
            let fine = lpu::meanfield::drive(Phi::Tanh, sigma_m, sigma_mn, z);
            let coarse = lpu::meanfield::drive_with(Phi::Tanh, sigma_m, sigma_mn, z, 601);
            assert!((coarse - fine).abs() <= 1e-12 * fine.abs(), "σ_m = {sigma_m}, z = {z}: {coarse} against {fine}");
        }
    }
}
