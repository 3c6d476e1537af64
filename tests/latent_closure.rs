//! The latent dynamics are exactly closed (SCIENCE §1): Nᵀ r of the full N-neuron simulation
//! equals the K-dimensional latent simulation, step by step.
mod common;
use lpu::rng::Rng;
use lpu::simulate::{simulate_latent, Compute, Cpu, SimJob};

#[test]
fn full_simulation_projects_onto_the_latent_simulation() {
    for (neurons, rank, seed) in [(500, 1, 1), (800, 2, 2), (5000, 3, 3)] {
        let net = common::random_low_rank(neurons, rank, 2, seed);
        let steps = 400;
        let mut rng = Rng::new(seed, 7);
        let inputs: Vec<f64> = (0..steps * 2).map(|_| if rng.uniform() < 0.05 { rng.normal() } else { 0.0 }).collect();
        let mut initial = vec![0.0; neurons];
        rng.fill_normal(&mut initial, 0.0, 0.3);
        // Closure holds from any initial rates: z[t+1] = (1−α) Nᵀr[t] + α Nᵀφ(M Nᵀr[t] + …).
        let full = Cpu.simulate(
            &net,
            &SimJob { inputs: &inputs, constant_input: &[0.1, -0.2], seed, ..SimJob::trial(&initial, steps) },
        );
        let z0 = net.encode(&initial);
        let latent = simulate_latent(&net, &z0, steps, &inputs, &[0.1, -0.2]);
        let err = common::max_rel_err(&full.latent, &latent);
        assert!(err < 1e-5, "N={neurons} K={rank}: relative error {err:e}");
    }
}
