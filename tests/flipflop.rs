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
