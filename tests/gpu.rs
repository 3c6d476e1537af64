//! The GPU backend against the CPU reference (the `gpu` feature; natively on whatever adapter
//! wgpu finds, lavapipe in CI). The accuracy contract of the README: latent trajectories
//! within 1e-3 of the CPU's relative to their scale, rates within 1e-3, noise from the same
//! generator as the host's Philox reference.
#![cfg(feature = "gpu")]

use lpu::design::FlipFlop;
use lpu::gpu::{philox, Gpu, GpuError};
use lpu::network::Network;
use lpu::rng::Rng;
use lpu::simulate::{simulate_latent, Compute, Cpu, SimJob, SimOutput};
use lpu::task::FlipFlopTask;

/// The process's GPU; without one the test is skipped, unless `LPU_REQUIRE_GPU=1` (CI) says
/// an adapter must be there.
fn gpu() -> Option<&'static Gpu> {
    match lpu::gpu::shared() {
        Ok(g) => {
            eprintln!("GPU: {}", g.adapter());
            Some(g)
        }
        Err(e) => {
            assert!(std::env::var("LPU_REQUIRE_GPU").is_err(), "LPU_REQUIRE_GPU is set but {e}");
            eprintln!("skipped: {e}");
            None
        }
    }
}

fn run(g: &Gpu, net: &Network, job: &SimJob) -> SimOutput {
    lpu::gpu::block_on(g.simulate(net, job)).expect("the GPU runs the job")
}

/// max |a − b| over max |b|.
fn relative(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-12);
    a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// A result document's `latent` rows, flattened.
fn latent_of(doc: &serde_json::Value) -> Vec<f64> {
    doc["result"]["latent"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
        .collect()
}

fn initial(n: usize, batch: usize, seed: u64) -> Vec<f64> {
    let mut v = vec![0.0; n * batch];
    Rng::new(seed, 3).fill_normal(&mut v, 0.0, 0.3);
    v
}

#[test]
fn the_flip_flop_on_the_gpu_follows_the_cpu() {
    let Some(g) = gpu() else { return };
    let (bits, n, batch, steps) = (3, 20_000, 3, 600);
    let net = FlipFlop::standard(bits, n).network(5);
    let task = FlipFlopTask { bits, steps, bin_steps: 10, pulse_prob: 0.3 };
    let inputs: Vec<f64> = (0..batch).flat_map(|b| task.trial(5, b as u64).inputs).collect();
    let init = initial(n, batch, 5);
    let record = [0, 7, 19_999];
    let job = SimJob { batch, inputs: &inputs, record: &record, observed: 1_000, ..SimJob::trial(&init, steps) };
    let (gpu, cpu) = (run(g, &net, &job), Cpu.simulate(&net, &job));
    let e = relative(&gpu.latent, &cpu.latent);
    eprintln!("latent: {e:.2e} of its scale");
    assert!(e < 1e-3, "latent off by {e} of its scale");
    assert!(relative(&gpu.observed_latent, &cpu.observed_latent) < 1e-3);
    assert!(relative(&gpu.recorded, &cpu.recorded) < 1e-3);
    assert!(relative(&gpu.final_rates, &cpu.final_rates) < 1e-3);
    // The trials went somewhere: each bit settled at ±z*, as the task's last pulses say.
    assert!(cpu.latent.iter().any(|v| v.abs() > 0.5));
}

#[test]
fn a_dense_part_a_constant_input_and_other_nonlinearities_follow_the_cpu() {
    let Some(g) = gpu() else { return };
    let n = 700;
    for phi in [lpu::nonlinearity::Phi::Tanh, lpu::nonlinearity::Phi::Sin, lpu::nonlinearity::Phi::Relu] {
        let mut net = FlipFlop::standard(2, n).network(2);
        net.phi = phi;
        let mut w = vec![0.0; n * n];
        Rng::new(4, 0).fill_normal(&mut w, 0.0, 0.6 / (n as f64).sqrt());
        net.random = Some(w);
        let init = initial(n, 2, 8);
        let job = SimJob { batch: 2, constant_input: &[0.3, -0.2], record: &[3, 500], ..SimJob::trial(&init, 300) };
        let (gpu, cpu) = (run(g, &net, &job), Cpu.simulate(&net, &job));
        let e = relative(&gpu.latent, &cpu.latent);
        eprintln!("{phi:?}: latent {e:.2e}");
        assert!(e < 1e-3, "{phi:?}: latent off by {e}");
        assert!(relative(&gpu.final_rates, &cpu.final_rates) < 1e-3, "{phi:?}");
    }
}

#[test]
fn without_noise_the_network_follows_its_closed_latent_dynamics() {
    // A second truth besides the CPU simulator: the exactly closed latent ODE (SCIENCE §1),
    // from rates that encode the launch point.
    let Some(g) = gpu() else { return };
    let n = 50_000;
    let net = FlipFlop::standard(2, n).network(9);
    let init = vec![0.0; n];
    let steps = 400;
    let out = run(g, &net, &SimJob { constant_input: &[0.4, -0.3], ..SimJob::trial(&init, steps) });
    let latent = simulate_latent(&net, &[0.0, 0.0], steps, &[], &[0.4, -0.3]);
    let e = relative(&out.latent, &latent);
    eprintln!("closed dynamics: {e:.2e}");
    assert!(e < 1e-3, "off the closed latent dynamics by {e}");
}

#[test]
fn the_shader_draws_the_hosts_philox_normals() {
    let Some(g) = gpu() else { return };
    let (n, trials, t, seed) = (3000, 3, 17, 0x1234_5678_9abc_def0u64);
    let got = lpu::gpu::block_on(g.noise_sample(seed, n, trials, t)).unwrap();
    let mut worst = 0.0f64;
    for b in 0..trials {
        for i in 0..n {
            let want = philox::gauss(seed, i as u32, b as u32, t);
            worst = worst.max((f64::from(got[b * n + i]) - want).abs() / want.abs().max(1.0));
        }
    }
    // f32 log, sqrt and cos of the same words.
    assert!(worst < 1e-4, "GPU normals differ from the host's by {worst}");
}

#[test]
fn noise_on_the_gpu_is_fixed_by_the_seed_and_has_the_cpus_statistics() {
    let Some(g) = gpu() else { return };
    // A network with nothing but its leak and noise (M = 0, no bias, ReLU): r ← (1 − α) r +
    // α max(σ ξ, 0), whose mean square after 200 steps is the same whichever generator
    // draws ξ.
    let n = 20_000;
    let mut net = FlipFlop::standard(1, n).network(1);
    net.embedding.iter_mut().for_each(|v| *v = 0.0);
    net.bias.iter_mut().for_each(|v| *v = 0.0);
    net.phi = lpu::nonlinearity::Phi::Relu;
    let init = vec![0.0; n];
    let job = SimJob { noise: 0.01, seed: 3, ..SimJob::trial(&init, 200) };
    let (a, b) = (run(g, &net, &job), run(g, &net, &job));
    assert_eq!(a.final_rates, b.final_rates, "the same seed gives the same run");
    let c = run(g, &net, &SimJob { seed: 4, ..job });
    assert_ne!(a.final_rates, c.final_rates, "another seed, another run");
    let cpu = Cpu.simulate(&net, &job);
    let mean_sq = |r: &[f64]| r.iter().map(|v| v * v).sum::<f64>() / r.len() as f64;
    let (mg, mc) = (mean_sq(&a.final_rates), mean_sq(&cpu.final_rates));
    eprintln!("mean square rate: GPU {mg:.4e}, CPU {mc:.4e}");
    assert!((mg / mc - 1.0).abs() < 0.05, "GPU {mg} against CPU {mc}");
}

#[test]
fn a_job_too_large_for_one_buffer_is_refused_with_a_message() {
    let Some(g) = gpu() else { return };
    // A dense part of N² floats larger than one binding.
    let n = ((g.max_binding() / 4) as f64).sqrt() as usize + 2;
    let mut net = FlipFlop::standard(1, n).network(1);
    net.random = Some(vec![0.0; 1]); // only its presence is read before the size check
    let init = vec![0.0; n];
    match lpu::gpu::block_on(g.simulate(&net, &SimJob::trial(&init, 1))) {
        Err(GpuError::TooLarge(m)) => assert!(m.contains("dense part"), "{m}"),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a dense part of {n}² floats ran"),
    }
}

/// `exp=flipflop` with `backend=gpu`: the document says the GPU ran and on which adapter, and
/// its latent trajectory, accuracy and fixed points are the CPU's within the contract.
#[test]
fn a_link_with_backend_gpu_runs_there_and_keeps_the_contract() {
    let Some(g) = gpu() else { return };
    let q = "exp=flipflop&bits=3&neurons=30000&steps=1500&pulse_prob=0.1&seed=2";
    let doc = |backend: &str| -> serde_json::Value {
        serde_json::from_str(&lpu::run_query(&format!("{q}&backend={backend}")).unwrap().json).unwrap()
    };
    let (gpu_doc, cpu_doc) = (doc("gpu"), doc("cpu"));
    assert_eq!(gpu_doc["backend"]["ran"], "gpu");
    assert_eq!(gpu_doc["backend"]["adapter"], g.adapter().as_str());
    assert_eq!(cpu_doc["backend"]["ran"], "cpu");
    let e = relative(&latent_of(&gpu_doc), &latent_of(&cpu_doc));
    eprintln!("flip-flop link: latent {e:.2e} of its scale");
    assert!(e < 1e-3, "latent off by {e}");
    assert_eq!(gpu_doc["result"]["accuracy"], cpu_doc["result"]["accuracy"]);
    // The same fixed points (the flow is the CPU's on both; the trajectory is one of the
    // search's starts, so the last bits of each point may differ).
    let (fg, fc) =
        (gpu_doc["result"]["fixed_points"].as_array().unwrap(), cpu_doc["result"]["fixed_points"].as_array().unwrap());
    assert_eq!(fg.len(), fc.len());
    for (a, b) in fg.iter().zip(fc) {
        assert_eq!(a["kind"], b["kind"]);
        for (x, y) in a["z"].as_array().unwrap().iter().zip(b["z"].as_array().unwrap()) {
            assert!((x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-9, "{a} against {b}");
        }
    }
    let summary = lpu::registry::read_document(&gpu_doc.to_string()).unwrap().summary();
    assert!(summary.contains("Simulated on the GPU"), "{summary}");
}

/// A batch of flip-flop trials (`trials`) on the GPU: every trial scores as on the CPU, and the
/// drawn trial keeps the contract.
#[test]
fn a_batch_of_trials_on_the_gpu_scores_as_on_the_cpu() {
    if gpu().is_none() {
        return;
    }
    let q = "exp=flipflop&bits=2&neurons=20000&steps=800&trials=5&pulse_prob=0.2&gain=0.8&seed=3";
    let doc = |backend: &str| -> serde_json::Value {
        serde_json::from_str(&lpu::run_query(&format!("{q}&backend={backend}")).unwrap().json).unwrap()
    };
    let (g, c) = (doc("gpu"), doc("cpu"));
    assert_eq!(g["backend"]["ran"], "gpu");
    assert_eq!(g["result"]["trial_accuracy"], c["result"]["trial_accuracy"]);
    assert_eq!(g["result"]["trial_accuracy"].as_array().unwrap().len(), 5);
    let e = relative(&latent_of(&g), &latent_of(&c));
    assert!(e < 1e-3, "latent off by {e}");
}

/// The drift view past the CPU's 300,000 neurons: refused on the CPU with a message naming
/// `backend=gpu`, run there with it; the large designed network keeps its state through the
/// drift (LCF Fig. 4: tolerance grows with N).
#[test]
fn the_drift_view_takes_more_neurons_on_the_gpu() {
    if gpu().is_none() {
        return;
    }
    let q = "exp=drift&neurons=310000&steps=200&after=300&score=200&seed=2";
    let refused = lpu::run_query(q).err().expect("the CPU refuses 310000 neurons");
    assert!(refused.message.contains("backend=gpu"), "{}", refused.message);
    let doc: serde_json::Value =
        serde_json::from_str(&lpu::run_query(&format!("{q}&backend=gpu")).unwrap().json).unwrap();
    assert_eq!(doc["backend"]["ran"], "gpu");
    assert!(doc["result"]["accuracy_after"].as_f64().unwrap() >= 0.9, "{}", doc["result"]["accuracy_after"]);
}

/// `backend=auto` never picks a software adapter (lavapipe here): the run is the CPU's, to
/// the byte, but for the query's own `backend` key.
#[test]
fn auto_stays_on_the_cpu_with_a_software_adapter_and_small_jobs() {
    let Some(g) = gpu() else { return };
    let q = "exp=flipflop&bits=1&neurons=200000&steps=50&seed=4";
    let auto = lpu::run_query(q).unwrap().json;
    let cpu = lpu::run_query(&format!("{q}&backend=cpu")).unwrap().json.replace("&backend=cpu", "");
    if g.is_software() {
        assert_eq!(auto, cpu);
    }
    let small = lpu::run_query("exp=flipflop&bits=1&neurons=2000&steps=50&seed=4").unwrap().json;
    assert!(small.contains(r#""backend":{"ran":"cpu"}"#), "a small job stays on the CPU");
}

/// The CLI built with the GPU backend: `backend=gpu` in the query runs there, the document
/// says so, and stderr says it in a sentence.
#[test]
fn lpu_run_with_backend_gpu() {
    let Some(g) = gpu() else { return };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lpu"))
        .args(["run", "exp=flipflop&bits=2&neurons=5000&steps=200&backend=gpu"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["backend"]["ran"], "gpu");
    assert!(doc["query"].as_str().unwrap().ends_with("&backend=gpu"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Simulated on the GPU") && err.contains(&g.adapter()), "{err}");
}

// The generator on the host (no adapter needed).

/// Random123's `tests/kat_vectors`, the three `philox4x32 10` lines (counter, key, result).
#[test]
fn philox_gives_the_random123_known_answers() {
    let kat: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
        ([0; 4], [0; 2], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
        ([u32::MAX; 4], [u32::MAX; 2], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
        (
            [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
            [0xa4093822, 0x299f31d0],
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
        ),
    ];
    for (counter, key, result) in kat {
        assert_eq!(philox::philox4x32_10(counter, key), result);
    }
}

/// The normals have mean 0 and variance 1 (200,000 draws: standard errors 0.0022 and
/// 0.0032), and neighbouring counters are uncorrelated.
#[test]
fn the_normals_are_standard_and_independent() {
    let n = 200_000u32;
    let x: Vec<f64> = (0..n).map(|i| philox::gauss(7, i % 1000, i / 1000, 3)).collect();
    let mean = x.iter().sum::<f64>() / f64::from(n);
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / f64::from(n);
    let lag = x.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / f64::from(n - 1);
    assert!(mean.abs() < 0.01, "mean {mean}");
    assert!((var - 1.0).abs() < 0.015, "variance {var}");
    assert!(lag.abs() < 0.01, "lag-1 correlation {lag}");
}
