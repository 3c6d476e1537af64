//! The designed flip-flop solves the task: noise-free state accuracy ≥ 0.99.
use lpu::experiments::flipflop::{Flipflop, FlipflopParams, FlipflopResult};
use lpu::experiments::{Experiment, RunCtx};

fn run(p: &FlipflopParams) -> (FlipflopResult, lpu::network::Network) {
    let out = Flipflop::run(p, &RunCtx::default()).unwrap();
    (out.result, out.network)
}

#[test]
fn designed_flip_flop_is_accurate_without_noise() {
    for bits in 1..=3 {
        for (neurons, seed) in [(100, 1), (1000, 2), (30, 3)] {
            let p = FlipflopParams { bits, neurons, seed, steps: 6000, ..Default::default() };
            let (r, _) = run(&p);
            assert!(r.scored_points > 100, "too few scored points: {}", r.scored_points);
            assert!(r.accuracy >= 0.99, "K={bits} N={neurons} seed={seed}: accuracy {}", r.accuracy);
        }
    }
}

#[test]
fn accuracy_is_at_chance_when_the_input_gain_is_zero() {
    // Without input the state never follows the pulses: the accuracy check can fail.
    let p = FlipflopParams { bits: 2, gain: 0.0, steps: 6000, ..Default::default() };
    let (r, _) = run(&p);
    assert!(r.accuracy < 0.6, "accuracy {}", r.accuracy);
}

#[test]
fn partial_observation_and_moderate_noise_keep_the_state() {
    let p =
        FlipflopParams { bits: 2, neurons: 2000, observed: Some(200), noise: 0.3, steps: 6000, ..Default::default() };
    let (r, _) = run(&p);
    assert!(r.accuracy >= 0.99, "{}", r.accuracy);
    assert!(r.noisy_accuracy.unwrap() >= 0.95, "{:?}", r.noisy_accuracy);
    assert!(r.observed_latent.is_some());
}

/// A batch of trials (`trials`) is that many independent single-trial simulations: each
/// trial's accuracy is the one a batch-1 simulation of its own pulses and initial rates
/// (stream `INITIAL_RATES + i·2⁸`) scores, the accuracy pools their scored points, and the
/// first trial's rows are the one-trial run's.
#[test]
fn a_batch_of_trials_is_that_many_single_trials() {
    use lpu::analysis::readout::state_accuracy;
    use lpu::rng::{stream, Rng};
    use lpu::simulate::{Compute, Cpu, SimJob};
    use lpu::task::FlipFlopTask;
    let one = FlipflopParams { bits: 2, neurons: 200, steps: 800, gain: 0.8, pulse_prob: 0.2, ..Default::default() };
    let p = FlipflopParams { trials: 6, ..one.clone() };
    let (r, net) = run(&p);
    assert_eq!(r.trial_accuracy.len(), 6);
    let task = FlipFlopTask { bits: 2, steps: 800, bin_steps: 10, pulse_prob: 0.2 };
    let (mut hits, mut points) = (0.0, 0);
    for (i, &a) in r.trial_accuracy.iter().enumerate() {
        let trial = task.trial(p.seed, i as u64);
        let mut initial = vec![0.0; 200];
        Rng::new(p.seed, stream::INITIAL_RATES + ((i as u64) << 8)).fill_normal(&mut initial, 0.0, 0.1);
        let out = Cpu.simulate(&net, &SimJob { inputs: &trial.inputs, ..SimJob::trial(&initial, 800) });
        let alone = state_accuracy(&out.latent[2..], &trial.targets, 2, &trial.scored);
        assert_eq!(a, alone, "trial {i}");
        hits += alone * trial.scored.len() as f64;
        points += trial.scored.len();
    }
    assert_eq!(r.scored_points, points);
    assert!((r.accuracy - hits / points as f64).abs() < 1e-12);
    // The accuracies differ between trials (this design is weak), so the pooling is tested.
    assert!(r.trial_accuracy.iter().any(|&a| a != r.trial_accuracy[0]));
    let (single, _) = run(&one);
    assert_eq!(single.latent, r.latent);
    assert!(single.trial_accuracy.is_empty());
}
