//! `exp=perturb` with a network from outside (`source=network`): the given 2-bit flip-flop is
//! the coding group and the redundant neurons are appended to it.
//!
//! - A designed flip-flop written to a network file and loaded gives the design's run again
//!   (the same stimulated network, the same trajectory once the two ways of reaching
//!   (+1, +1) — placed on the attractor, or driven there by the network's own pulses — have
//!   converged): a second route to the design's result.
//! - Nothing flows from redundant to coding neurons, so stimulating the redundant group,
//!   however hard, leaves the coding trajectory exactly as it is (checked on a network with
//!   a mixed latent basis, a readout and a dense part, and on one trained by `exp=train`),
//!   while a brief pulse to the coding group along its channel-1 input flips bit 1 and only
//!   bit 1.
//! - Networks the view cannot use are refused naming `source`.

use lpu::design::FlipFlop;
use lpu::experiments::perturb::{Perturb, PerturbParams, PerturbResult};
use lpu::experiments::{Experiment, Output, RunCtx, RunError};
use lpu::network::{Model, Network};
use lpu::params::ParamSet;

fn params(query: &str) -> PerturbParams {
    let mut p = PerturbParams::default();
    for kv in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap();
        assert!(p.set(k, v).unwrap(), "no key {k}");
    }
    Perturb::check(&p).unwrap();
    p
}

fn run(query: &str, net: &Network) -> Result<Output<PerturbResult>, RunError> {
    Perturb::run(&params(query), &RunCtx::default().with_network(net))
}

fn given(query: &str, net: &Network) -> Output<PerturbResult> {
    run(&format!("source=network&{query}"), net).unwrap()
}

fn max_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).flat_map(|(x, y)| x.iter().zip(y).map(|(p, q)| (p - q).abs())).fold(0.0, f64::max)
}

/// The designed flip-flop of the view's keys, through a network file: the one `exp=flipflop`
/// writes for the same N and seed.
fn designed_file(neurons: usize, seed: u64) -> Network {
    let out = lpu::run_query(&format!("exp=flipflop&bits=2&neurons={neurons}&seed={seed}&steps=10")).unwrap();
    lpu::netfile::from_json(&lpu::netfile::to_json(&out.network)).unwrap()
}

#[test]
fn a_loaded_designed_network_gives_the_designs_run() {
    for (query, seed) in [("stimulate=coding", 1), ("stimulate=redundant&duration=0.1&tuned=0.3", 2)] {
        let q = format!("random=0&neurons=100&redundant=60&seed={seed}&{query}");
        let designed = Perturb::run(&params(&q), &RunCtx::default()).unwrap();
        let loaded = given(&q, &designed_file(100, seed));
        // The same network is stimulated: the channel-1 input weights of the design are
        // β m^(1) (β > 0), so their signs are sign(m^(1)) neuron by neuron.
        assert_eq!(loaded.network, designed.network, "{query}");
        let (d, l) = (&designed.result, &loaded.result);
        assert_eq!((&l.time, &l.stimulus, &l.target), (&d.time, &d.stimulus, &d.target));
        assert_eq!((&l.connectivity, l.redundant_from, l.random_sd), (&d.connectivity, d.redundant_from, 0.0));
        assert_eq!(
            (&l.state_before, &l.state_after_stimulus, &l.state_end, l.switched),
            (&d.state_before, &d.state_after_stimulus, &d.state_end, d.switched)
        );
        assert!(!l.read_out, "the design has no readout");
        // Placed on (1, 1) or driven there by pulses, the start differs by the distance of
        // φ(M z*) from the fixed point of the finite network; 0.5 s (50 τ) on, the two have
        // converged to the same attractor.
        let on = 500;
        let start = max_diff(&l.latent_coding[..1], &d.latent_coding[..1]);
        assert!(start < 1e-5, "{query}: starts {start}");
        let after = max_diff(&l.latent_coding[on..], &d.latent_coding[on..]);
        assert!(after < 1e-12, "{query}: trajectories from the onset differ by {after}");
        // The redundant readout is fitted on a trial from the slightly different start.
        let (zl, zd) = (l.latent_redundant.as_ref().unwrap(), d.latent_redundant.as_ref().unwrap());
        assert!(max_diff(&zl[on..], &zd[on..]) < 1e-6, "{query}: redundant readouts");
        let (rl, rd) = (l.redundant_readout_r2.unwrap(), d.redundant_readout_r2.unwrap());
        assert!((rl - rd).abs() < 1e-6 && rd > 0.5, "{query}: R² {rl} vs {rd}");
    }
}

/// A flip-flop as training leaves one: Δt = 2 ms, the latent basis mixed (training fixes
/// M Nᵀ, not M: M A and Ñ A⁻ᵀ give the same W), a readout R = the design's Ñᵀ that reads
/// the bits, the inputs still one channel per bit, and a small dense part.
fn trained_like() -> Network {
    let d = FlipFlop { dt: 0.002, ..FlipFlop::standard(2, 100) };
    let mut net = d.network(5);
    let (a, det) = ([[1.0, 0.3], [0.5, 1.0]], 1.0 - 0.3 * 0.5);
    let inv = [[1.0 / det, -0.3 / det], [-0.5 / det, 1.0 / det]];
    let (m, n) = (net.embedding.clone(), net.encoding.clone());
    for i in 0..net.neurons {
        for c in 0..2 {
            net.embedding[i * 2 + c] = m[i * 2] * a[0][c] + m[i * 2 + 1] * a[1][c];
            net.encoding[i * 2 + c] = n[i * 2] * inv[c][0] + n[i * 2 + 1] * inv[c][1];
        }
    }
    let size = net.neurons;
    net.readout = Some((0..2).flat_map(|c| (0..size).map(|i| n[i * 2 + c]).collect::<Vec<_>>()).collect());
    net.random =
        Some((0..size * size).map(|q| 0.001 * (((q / size) * 31 + (q % size) * 17) % 11) as f64 - 0.005).collect());
    net.validate().unwrap();
    net
}

/// The run's stimulated network sends nothing from redundant neurons to coding ones.
fn assert_no_path_back(net: &Network, coding: usize) {
    let n = net.neurons;
    assert!(n > coding);
    for j in coding..n {
        assert_eq!(&net.encoding[j * 2..j * 2 + 2], &[0.0, 0.0], "redundant neuron {j} encodes");
        assert!(net.random.as_ref().is_none_or(|w| (0..coding).all(|i| w[i * n + j] == 0.0)));
    }
    assert!((0..coding).all(|i| net.input[i * 4 + 3] == 0.0), "the redundant stimulus reaches coding neurons");
}

#[test]
fn stimulating_redundant_neurons_leaves_a_given_network_exactly_alone() {
    let with_readout = trained_like();
    let without = Network { readout: None, ..with_readout.clone() };
    for net in [&with_readout, &without] {
        let hit = given("stimulate=redundant&amplitude=-50&duration=0.5&redundant=150&tuned=0.3", net);
        let quiet = given("stimulate=redundant&amplitude=0&duration=0.5&redundant=150&tuned=0.3", net);
        let alone = given("stimulate=redundant&amplitude=-50&duration=0.5&redundant=0", net);
        assert_no_path_back(&hit.network, 100);
        assert_eq!(
            hit.result.latent_coding, quiet.result.latent_coding,
            "redundant stimulation moved the coding state"
        );
        assert_eq!(hit.result.latent_coding, alone.result.latent_coding, "appending redundant neurons moved it");
        // Not vacuous: the stimulus did reach the redundant neurons.
        let moved =
            max_diff(hit.result.latent_redundant.as_ref().unwrap(), quiet.result.latent_redundant.as_ref().unwrap());
        assert!(moved > 0.1, "the redundant readout did not see the stimulus ({moved})");
        assert_eq!(hit.result.read_out, net.readout.is_some());
        assert_eq!(hit.result.time.len(), 750, "Δt = 2 ms: 1.5 s in 750 steps");
    }
    // A brief pulse along the channel-1 input weights flips bit 1 and leaves bit 2, as read by
    // the readout: along the mixed m^(1) = m_bit1 + 0.5 m_bit2 it would push bit 2 as well.
    let coding = given("stimulate=coding", &with_readout).result;
    let quiet = given("stimulate=coding&amplitude=0", &with_readout).result;
    assert_eq!((&coding.state_before, &coding.state_end), (&vec![1.0, 1.0], &vec![-1.0, 1.0]));
    assert_eq!(quiet.state_end, vec![1.0, 1.0]);
    assert!(max_diff(&coding.latent_coding, &quiet.latent_coding) > 1.0);
}

/// A network `exp=train` trains at its defaults (N = 100, rank 2, Δt = 2 ms, a readout; seed 2,
/// one whose training ends in a 2-bit memory: see tests/train.rs), as users send it: 10 ms to
/// coding neurons switches its bit 1; 100 ms to redundant ones changes nothing in its
/// trajectory, exactly.
#[test]
fn a_trained_flipflop_is_switched_by_its_coding_neurons_only() {
    use lpu::experiments::train::{Train, TrainParams};
    lpu::train::store::clear();
    let p = TrainParams { seed: 2, ..TrainParams::default() };
    let net = Train::run(&p, &RunCtx::default()).unwrap().network;
    assert_eq!((net.neurons, net.rank, net.outputs()), (100, 2, 2));
    let coding = given("stimulate=coding", &net).result;
    assert_eq!((&coding.state_before, &coding.state_end), (&vec![1.0, 1.0], &vec![-1.0, 1.0]));
    assert!(coding.switched && coding.read_out);
    let hit = given("stimulate=redundant&duration=0.1", &net);
    let quiet = given("stimulate=redundant&duration=0.1&amplitude=0", &net);
    assert_no_path_back(&hit.network, 100);
    assert_eq!(hit.result.latent_coding, quiet.result.latent_coding);
    assert!(!hit.result.switched && hit.result.state_end == vec![1.0, 1.0]);
}

#[test]
fn networks_the_view_cannot_use_are_refused_naming_source() {
    let good = trained_like();
    let refused =
        |net: &Network, query: &str, key: &str, words: &str| match run(&format!("source=network&{query}"), net) {
            Err(RunError::Param(e)) => {
                assert_eq!(e.key, key, "{}", e.message);
                assert!(e.message.contains(words), "{key}: {}", e.message);
            }
            other => panic!("{query}: expected a parameter error, got {:?}", other.map(|o| o.result.switched)),
        };
    refused(&Network { model: Model::Current, ..good.clone() }, "", "source", "rate-form");
    let three = FlipFlop::standard(3, 60).network(1);
    refused(&three, "", "source", "rank 2 and 2 input channels; the given one has rank 3 and 3 input channels");
    let one_input = Network { inputs: 1, input: vec![0.5; 100], ..good.clone() };
    refused(&one_input, "", "source", "has rank 2 and 1 input channels");
    let dense = Network { rank: 0, embedding: vec![], encoding: vec![], readout: None, ..good.clone() };
    refused(&dense, "", "source", "dense (rank 0)");
    let zero = Network { encoding: vec![0.0; 200], ..good.clone() };
    refused(&zero, "", "source", "low-rank part M Nᵀ is zero");
    let three_outputs = Network { readout: Some(vec![0.01; 300]), ..good.clone() };
    refused(&three_outputs, "", "source", "readout has 3 outputs");
    let big = FlipFlop::standard(2, 2001).network(1);
    refused(&big, "", "source", "2001 neurons; this view takes at most 2000");
    let deaf = Network {
        input: good.input.iter().enumerate().map(|(q, &b)| if q % 2 == 0 { 0.0 } else { b }).collect(),
        ..good.clone()
    };
    refused(&deaf, "", "source", "channel-1 input weights B^(1) are all zero");
    let fine = Network { dt: 1e-4, ..good.clone() };
    refused(&fine, "length=20", "length", "use length ≤");
    let slow = Network { tau: 1.0, dt: 1e-4, ..good.clone() };
    refused(&slow, "redundant=100", "source", "needs 3200000 steps to settle and fit the redundant readout");
    let coarse = Network { tau: 1.0, dt: 0.01, ..good.clone() };
    refused(
        &coarse,
        "length=0.05&onset=0&duration=0.01",
        "length",
        "at least 10 steps of the given network's Δt = 0.01 s",
    );
    // No network given at all.
    match Perturb::run(&params("source=network"), &RunCtx::default()) {
        Err(RunError::Param(e)) => assert_eq!(e.key, "source"),
        _ => panic!("source=network without a network ran"),
    }
    // The design keys do not limit a given network: a trial too long for a designed N = 2000
    // is fine for a given N = 100.
    let mut long = PerturbParams::default();
    for (k, v) in [("neurons", "2000"), ("redundant", "100"), ("length", "20"), ("onset", "0.1")] {
        long.set(k, v).unwrap();
    }
    assert_eq!(Perturb::check(&long).unwrap_err().key, "length");
    assert!(run("source=network&neurons=2000&redundant=100&length=20&onset=0.1", &good).is_ok());
}
