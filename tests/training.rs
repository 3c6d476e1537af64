//! The training engine against independent truths: backpropagation through time against
//! central finite differences of the loss for every parameter kind in both forms (Adam is
//! tested in tests/numerics/adam.rs).

use lpu::network::Model;
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;
use lpu::train::bptt::{loss, loss_and_gradient, Batch, Loss};
use lpu::train::model::{Architecture, Part, TrainModel};

fn batch(arch: &Architecture, trials: usize, steps: usize, seed: u64, noise: bool) -> Batch {
    let mut rng = Rng::new(seed, 99);
    let o = arch.outputs.unwrap_or(arch.neurons);
    let mut b = Batch { steps, ..Default::default() };
    for _ in 0..trials {
        b.inputs.push((0..steps * arch.inputs).map(|_| rng.normal()).collect());
        b.targets.push((0..steps * o).map(|_| 0.9 * (2.0 * rng.uniform() - 1.0)).collect());
        // Some outputs unscored, some weighted twice.
        b.mask.push((0..steps * o).map(|_| [0.0, 1.0, 2.0][rng.below(3) as usize]).collect());
        if noise {
            b.noise.push((0..steps * arch.neurons).map(|_| 0.05 * rng.normal()).collect());
        }
    }
    b
}

fn check_gradient(model: Model, rank: Option<usize>, outputs: Option<usize>, l: Loss, phi: Phi) {
    let arch = Architecture { model, neurons: 6, inputs: 2, outputs, rank, phi, tau: 0.01, dt: 0.002 };
    let mut m = TrainModel::new(arch.clone(), 3);
    // Every parameter away from its initial zeros, at a scale where the loss is curved.
    let mut rng = Rng::new(4, 1);
    for part in Part::ALL {
        let scale = match part {
            Part::Recurrent => 0.5,
            Part::Embedding | Part::Encoding => 1.2,
            _ => 0.4,
        };
        m.part_mut(part).iter_mut().for_each(|x| *x = scale * rng.normal());
    }
    let b = batch(&arch, 6, 7, 5, true);
    let (value, grad) = loss_and_gradient(&m, l, &b);
    let direct = loss(&m, l, &b);
    assert!((value - direct).abs() <= 1e-12 * direct.abs().max(1.0), "loss {value} vs forward-only {direct}");
    let h = 1e-5;
    for part in Part::ALL {
        let range = m.layout.range(part);
        if range.is_empty() {
            continue;
        }
        let (mut err2, mut ref2) = (0.0f64, 0.0f64);
        for idx in range.clone() {
            let keep = m.theta[idx];
            m.theta[idx] = keep + h;
            let up = loss(&m, l, &b);
            m.theta[idx] = keep - h;
            let down = loss(&m, l, &b);
            m.theta[idx] = keep;
            let fd = (up - down) / (2.0 * h);
            err2 += (grad[idx] - fd).powi(2);
            ref2 += fd * fd;
        }
        let rel = (err2 / ref2.max(1e-300)).sqrt();
        assert!(ref2 > 0.0, "{model:?} {rank:?} {part:?}: the loss does not depend on it");
        assert!(
            rel <= 1e-6,
            "{model:?} rank {rank:?} outputs {outputs:?} {l:?}: {part:?} gradient relative error {rel:e}"
        );
    }
}

#[test]
fn rate_form_gradients_match_finite_differences() {
    for rank in [None, Some(2)] {
        check_gradient(Model::Rate, rank, Some(3), Loss::Mse, Phi::Tanh);
        check_gradient(Model::Rate, rank, None, Loss::Logistic, Phi::Tanh);
    }
    check_gradient(Model::Rate, Some(1), Some(2), Loss::Mse, Phi::Sin);
}

#[test]
fn current_form_gradients_match_finite_differences() {
    for rank in [None, Some(3)] {
        check_gradient(Model::Current, rank, Some(2), Loss::Mse, Phi::Tanh);
        check_gradient(Model::Current, rank, Some(2), Loss::Logistic, Phi::Tanh);
        check_gradient(Model::Current, rank, None, Loss::Mse, Phi::Tanh);
    }
}
