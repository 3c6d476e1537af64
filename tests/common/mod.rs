#![allow(dead_code)]
use lpu::network::Network;
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;

/// A random low-rank network with inputs and biases (not a design: no special structure).
pub fn random_low_rank(neurons: usize, rank: usize, inputs: usize, seed: u64) -> Network {
    let mut rng = Rng::new(seed, 99);
    let mut draw = |len: usize, sd: f64| -> Vec<f64> { (0..len).map(|_| sd * rng.normal()).collect() };
    Network {
        neurons,
        rank,
        inputs,
        tau: 0.01,
        dt: 0.001,
        phi: Phi::Tanh,
        embedding: draw(neurons * rank, 1.0),
        encoding: draw(neurons * rank, 2.0 / neurons as f64),
        input: draw(neurons * inputs, 1.0),
        bias: draw(neurons, 0.2),
        random: None,
        model: lpu::network::Model::Rate,
        readout: None,
    }
}

pub fn max_rel_err(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
    a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// The positive root of r = tanh(w r) (w > 1) by bisection on libm's tanh.
pub fn positive_root(w: f64) -> f64 {
    let (mut lo, mut hi) = (1e-6, 1.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if libm::tanh(w * mid) - mid > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Runs `query` whole, then again cancelled after `reports` progress reports, then once more:
/// the last run resumes from the state the cancelled one kept, so it must give the bytes of the
/// whole run and start its progress past 0.
pub fn assert_resumes_to_the_same_bytes(query: &str, reports: usize) {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;
    lpu::train::store::clear();
    let whole = lpu::run_query(query).unwrap().json;
    lpu::train::store::clear();
    let count = Rc::new(Cell::new(0usize));
    let seen = count.clone();
    let stopped = lpu::progress::with_hooks(
        move |_| seen.set(seen.get() + 1),
        {
            let count = count.clone();
            move || count.get() > reports
        },
        || lpu::run_query(query),
    );
    assert!(stopped.is_err(), "{query}: the run was cancelled");
    let first = Rc::new(RefCell::new(None));
    let f = first.clone();
    let resumed = lpu::progress::with_sink(
        move |x| {
            f.borrow_mut().get_or_insert(x);
        },
        || lpu::run_query(query),
    )
    .unwrap()
    .json;
    assert_eq!(resumed, whole, "{query}: the resumed run's bytes");
    let start = first.borrow().unwrap();
    assert!(start > 0.0, "{query}: the resumed run starts past 0, at {start}");
}
