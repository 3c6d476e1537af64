//! Training's forward and backward passes on the GPU against the CPU's hand-written BPTT
//! (`train::bptt::loss_and_gradient`, itself checked against finite differences in
//! tests/training.rs): the README's contract, loss within 1e-4 and every part's gradient
//! within 1e-3 of its norm, for both model forms, dense and low-rank W, with and without a
//! readout, both losses and state noise (the `gpu` feature; lavapipe in CI).
#![cfg(feature = "gpu")]

use lpu::gpu::Gpu;
use lpu::network::Model;
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;
use lpu::train::bptt::{grad_job, loss_and_gradient, Batch, Loss};
use lpu::train::model::{Architecture, Part, TrainModel};

fn gpu() -> Option<&'static Gpu> {
    match lpu::gpu::shared() {
        Ok(g) => Some(g),
        Err(e) => {
            assert!(std::env::var("LPU_REQUIRE_GPU").is_err(), "LPU_REQUIRE_GPU is set but {e}");
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// A batch of `trials` random trials: inputs, targets in (−0.8, 0.8), a mask with some
/// unscored and some half-weighted outputs, and optional state noise.
fn batch(arch: &Architecture, trials: usize, steps: usize, noise: bool, seed: u64) -> Batch {
    let (n, i) = (arch.neurons, arch.inputs);
    let o = arch.outputs.unwrap_or(n);
    let mut rng = Rng::new(seed, 11);
    let mut b = Batch { steps, ..Default::default() };
    for _ in 0..trials {
        b.inputs
            .push((0..steps * i).map(|_| if rng.uniform() < 0.3 { 2.0 * rng.uniform() - 1.0 } else { 0.0 }).collect());
        b.targets.push((0..steps * o).map(|_| 1.6 * rng.uniform() - 0.8).collect());
        b.mask.push(
            (0..steps * o)
                .map(|_| match rng.uniform() {
                    u if u < 0.3 => 0.0,
                    u if u < 0.5 => 0.5,
                    _ => 1.0,
                })
                .collect(),
        );
        if noise {
            let mut z = vec![0.0; steps * n];
            rng.fill_normal(&mut z, 0.0, 0.05);
            b.noise.push(z);
        }
    }
    b
}

/// ‖a − b‖ / ‖b‖.
fn relative(a: &[f64], b: &[f64]) -> f64 {
    let d: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt();
    d / b.iter().map(|y| y * y).sum::<f64>().sqrt().max(1e-30)
}

fn compare(g: &Gpu, arch: Architecture, loss: Loss, trials: usize, steps: usize, noise: bool) {
    compare_in_groups(g, arch, loss, trials, steps, noise, usize::MAX)
}

fn compare_in_groups(g: &Gpu, arch: Architecture, loss: Loss, trials: usize, steps: usize, noise: bool, most: usize) {
    let label = format!("{arch:?} {loss:?} noise={noise}");
    let mut m = TrainModel::new(arch.clone(), 3);
    // A non-zero bias and initial state, so that their gradients are tested too.
    let mut rng = Rng::new(5, 1);
    rng.fill_normal(m.part_mut(Part::Bias), 0.0, 0.1);
    rng.fill_normal(m.part_mut(Part::Initial), 0.0, 0.3);
    let b = batch(&arch, trials, steps, noise, 7);
    let (cpu_loss, cpu_grad) = loss_and_gradient(&m, loss, &b);
    let (gpu_loss, gpu_grad) =
        lpu::gpu::block_on(g.loss_and_gradient_in_groups(&grad_job(&m, loss, &b), most)).expect("the GPU runs it");
    let e = (gpu_loss - cpu_loss).abs() / cpu_loss.abs();
    eprintln!("{label}: loss {cpu_loss:.6} vs {gpu_loss:.6} ({e:.1e})");
    assert!(e < 1e-4, "{label}: loss {gpu_loss} against the CPU's {cpu_loss}");
    for part in Part::ALL {
        let r = m.layout.range(part);
        if r.is_empty() {
            continue;
        }
        let e = relative(&gpu_grad[r.clone()], &cpu_grad[r.clone()]);
        eprintln!("  {part:?}: {e:.1e}");
        assert!(e < 1e-3, "{label}: the gradient of {part:?} is off by {e} of its norm");
    }
}

fn arch(model: Model, neurons: usize, rank: Option<usize>, outputs: Option<usize>, phi: Phi) -> Architecture {
    Architecture { model, neurons, inputs: 2, outputs, rank, phi, tau: 0.01, dt: 0.002 }
}

#[test]
fn a_dense_rate_network_with_a_readout_gets_the_cpus_gradient() {
    let Some(g) = gpu() else { return };
    // N = 300 crosses a tile of 256 and one of 16; 9 trials do not fill a tile of 16 pairs.
    compare(g, arch(Model::Rate, 300, None, Some(2), Phi::Tanh), Loss::Mse, 9, 40, false);
}

#[test]
fn low_rank_networks_get_the_cpus_gradient() {
    let Some(g) = gpu() else { return };
    compare(g, arch(Model::Rate, 260, Some(3), Some(2), Phi::Tanh), Loss::Mse, 6, 30, true);
    // The fit stage of two_step: no readout, the logistic loss on the rates.
    compare(g, arch(Model::Rate, 120, Some(2), None, Phi::Tanh), Loss::Logistic, 5, 30, false);
}

#[test]
fn the_current_form_and_other_nonlinearities_get_the_cpus_gradient() {
    let Some(g) = gpu() else { return };
    compare(g, arch(Model::Current, 200, None, Some(3), Phi::Tanh), Loss::Mse, 5, 25, true);
    compare(g, arch(Model::Current, 150, Some(2), Some(1), Phi::Sin), Loss::Mse, 4, 25, false);
    compare(g, arch(Model::Rate, 180, None, None, Phi::Relu), Loss::Mse, 4, 20, false);
}

#[test]
fn a_batch_split_into_groups_adds_up_to_the_whole() {
    let Some(g) = gpu() else { return };
    // 7 trials in groups of 3, 3 and 1 (a large batch is split so that each group's records
    // fit one GPU buffer).
    compare_in_groups(g, arch(Model::Rate, 100, None, Some(2), Phi::Tanh), Loss::Mse, 7, 20, true, 3);
    compare_in_groups(g, arch(Model::Rate, 100, Some(2), None, Phi::Tanh), Loss::Logistic, 7, 20, false, 3);
}

/// `exp=train&backend=gpu` trains on the GPU end to end: the document says so, the first
/// epoch's loss (before any step, the same parameters) is the CPU's within the contract, and
/// the trained 1-bit flip-flop is as accurate as tests/train.rs asks of the CPU's.
#[test]
fn the_train_view_trains_on_the_gpu() {
    let Some(g) = gpu() else { return };
    let q = "exp=train&paradigm=direct&bits=1&rank=1&epochs=200&lr=0.01&test_trials=20";
    let doc = |backend: &str| -> serde_json::Value {
        lpu::train::store::clear();
        serde_json::from_str(&lpu::run_query(&format!("{q}{backend}")).unwrap().json).unwrap()
    };
    let (on_gpu, on_cpu) = (doc("&backend=gpu"), doc("&backend=cpu"));
    assert_eq!(on_gpu["backend"]["ran"], "gpu");
    assert_eq!(on_gpu["backend"]["training"], true);
    assert_eq!(on_gpu["backend"]["adapter"], g.adapter().as_str());
    assert_eq!(on_cpu["backend"]["ran"], "cpu");
    let first = |d: &serde_json::Value| d["result"]["loss"][0]["loss"][0].as_f64().unwrap();
    let e = (first(&on_gpu) - first(&on_cpu)).abs() / first(&on_cpu);
    assert!(e < 1e-4, "first loss {} against the CPU's {}", first(&on_gpu), first(&on_cpu));
    let accuracy = on_gpu["result"]["accuracy"].as_f64().unwrap();
    // The two-step paradigm: the fit stage's targets (the teacher's rates) come from the GPU too.
    let two = lpu::run_query("exp=train&neurons=40&epochs=3&fit_epochs=2&batch=4&steps=20&test_trials=2&backend=gpu")
        .unwrap();
    let two: serde_json::Value = serde_json::from_str(&two.json).unwrap();
    assert_eq!(two["backend"]["ran"], "gpu");
    assert_eq!(two["result"]["loss"][1]["loss"].as_array().unwrap().len(), 2);
    assert!(accuracy >= 0.99, "trained on the GPU: accuracy {accuracy}");
    let summary = lpu::registry::read_document(&on_gpu.to_string()).unwrap().summary();
    assert!(summary.contains("Trained on the GPU"), "{summary}");
    // `auto` keeps a software adapter's training on the CPU: the CPU's bytes but for the query.
    if g.is_software() {
        assert_eq!(doc("")["result"], on_cpu["result"]);
    }
}

/// The forward pass alone (the two-step fit stage's targets, the teacher's rates): every state
/// within 1e-5 of the CPU's `states`, relative to the largest, noise included.
#[test]
fn the_forward_pass_alone_gives_the_cpus_states() {
    let Some(g) = gpu() else { return };
    for a in [arch(Model::Rate, 300, None, Some(2), Phi::Tanh), arch(Model::Current, 140, Some(2), None, Phi::Tanh)] {
        let m = TrainModel::new(a.clone(), 4);
        let b = batch(&a, 5, 30, true, 9);
        let got = lpu::gpu::block_on(g.states(&grad_job(&m, Loss::Mse, &b))).expect("the GPU runs it");
        assert_eq!(got.len(), 5);
        for (trial, rows) in got.iter().enumerate() {
            let want = lpu::train::bptt::noisy_states(&m, &b.inputs[trial], &b.noise[trial], b.steps);
            let scale = want.iter().fold(0.0f64, |s, v| s.max(v.abs()));
            let e = rows.iter().zip(&want).fold(0.0f64, |s, (x, y)| s.max((x - y).abs())) / scale;
            assert!(e < 1e-5, "{a:?} trial {trial}: states off by {e} of their scale");
        }
    }
}
