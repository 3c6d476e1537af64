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
