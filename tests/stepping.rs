//! The stepping simulator and the low-rank kernel under it: a run split into pieces is the
//! same run, a state set mid-run evolves like a fresh run from that state, cancellation stops
//! at a report point, and the chunked drive is the plain sum it stands for.
mod common;
use lpu::lowrank::LowRank;
use lpu::network::Network;
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;
use lpu::simulate::{Compute, Cpu, SimJob, SimOutput, Simulator};
use std::cell::Cell;
use std::rc::Rc;

/// A random low-rank network, with a dense random part if `dense`.
fn network(neurons: usize, dense: bool, seed: u64) -> Network {
    let mut net = common::random_low_rank(neurons, 2, 2, seed);
    if dense {
        let mut rng = Rng::new(seed, 5);
        let sd = 0.8 / (neurons as f64).sqrt();
        net.random = Some((0..neurons * neurons).map(|_| sd * rng.normal()).collect());
    }
    net.validate().unwrap();
    net
}

fn draw(len: usize, sd: f64, seed: u64, stream: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed, stream);
    (0..len).map(|_| sd * rng.normal()).collect()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn assert_same(a: &SimOutput, b: &SimOutput, what: &str) {
    assert_eq!(bits(&a.latent), bits(&b.latent), "{what}: latent");
    assert_eq!(bits(&a.recorded), bits(&b.recorded), "{what}: recorded");
    assert_eq!(bits(&a.final_rates), bits(&b.final_rates), "{what}: final rates");
    assert_eq!(bits(&a.observed_latent), bits(&b.observed_latent), "{what}: observed latent");
}

/// The two networks every stepping test runs on: one chunk with a dense random part, and
/// three chunks (the last one partial) so that several noise streams per trial are in play.
fn cases() -> Vec<(Network, &'static str)> {
    vec![(network(700, true, 1), "N=700 dense"), (network(9000, false, 2), "N=9000")]
}

#[test]
fn stepping_in_pieces_is_the_one_shot_run() {
    let (batch, k) = (2, 40);
    for (net, name) in cases() {
        let n = net.neurons;
        let initial = draw(batch * n, 0.3, 3, 1);
        let inputs: Vec<f64> = draw(batch * 2 * k * net.inputs, 1.0, 3, 2).into_iter().map(|x| x * 0.5).collect();
        let record = [0, 5, n - 1];
        let job = SimJob {
            initial: &initial,
            batch,
            steps: 2 * k,
            inputs: &inputs,
            constant_input: &[0.1, -0.2],
            noise: 0.3,
            seed: 11,
            record: &record,
            observed: n / 3,
        };
        let whole = Cpu.simulate(&net, &job);

        let mut sim = Simulator::new(&net, &job);
        assert_eq!(sim.advance(k), k);
        assert_eq!(sim.steps_done(), k);
        let row_k: Vec<f64> =
            (0..batch).flat_map(|b| whole.latent[(b * (2 * k + 1) + k) * 2..][..2].to_vec()).collect();
        assert_eq!(bits(sim.latent()), bits(&row_k), "{name}: latent after k steps");
        assert_eq!(sim.advance(k), k);
        assert_same(&sim.finish(), &whole, &format!("{name}, k + k steps"));

        // Uneven pieces, and asking for more steps than remain.
        let mut sim = Simulator::new(&net, &job);
        for piece in [1, 0, 7, 13, 100] {
            sim.advance(piece);
        }
        assert_eq!(sim.steps_done(), 2 * k);
        assert_eq!(bits(sim.rates()), bits(&whole.final_rates));
        assert_same(&sim.finish(), &whole, &format!("{name}, uneven pieces"));
    }
}

#[test]
fn set_rates_at_the_start_is_a_run_from_those_rates() {
    let batch = 2;
    for (net, name) in cases() {
        let n = net.neurons;
        let (a, b) = (draw(batch * n, 0.3, 4, 1), draw(batch * n, 0.5, 4, 2));
        let job = |initial| SimJob {
            initial,
            batch,
            steps: 30,
            inputs: &[],
            constant_input: &[0.2, 0.0],
            noise: 0.4,
            seed: 5,
            record: &[1, 2],
            observed: n / 2,
        };
        let job_a = job(&a);
        let mut sim = Simulator::new(&net, &job_a);
        sim.set_rates(&b);
        sim.advance(30);
        assert_same(&sim.finish(), &Cpu.simulate(&net, &job(&b)), name);
    }
}

#[test]
fn set_rates_mid_run_evolves_like_a_fresh_run() {
    // Without noise or time-varying input, the rest of a run depends only on the state.
    let (batch, k) = (2, 25);
    for (net, name) in cases() {
        let n = net.neurons;
        let (a, b) = (draw(batch * n, 0.3, 6, 1), draw(batch * n, 0.5, 6, 2));
        let record = [0, n - 1];
        let job = |initial, steps| SimJob {
            initial,
            batch,
            steps,
            inputs: &[],
            constant_input: &[0.3, -0.1],
            noise: 0.0,
            seed: 0,
            record: &record,
            observed: n / 4,
        };
        let long = job(&a, 2 * k);
        let mut sim = Simulator::new(&net, &long);
        sim.advance(k);
        sim.set_rates(&b);
        assert_eq!(bits(sim.rates()), bits(&b));
        sim.advance(k);
        let resumed = sim.finish();
        let fresh = Cpu.simulate(&net, &job(&b, k));
        assert_eq!(bits(&resumed.final_rates), bits(&fresh.final_rates), "{name}: final rates");
        let tail = |v: &[f64], width: usize, rows: usize, from: usize| -> Vec<f64> {
            (0..batch).flat_map(|t| v[(t * rows + from) * width..(t * rows + rows) * width].to_vec()).collect()
        };
        for (field, resumed, fresh, width) in [
            ("latent", &resumed.latent, &fresh.latent, 2),
            ("recorded", &resumed.recorded, &fresh.recorded, record.len()),
            ("observed latent", &resumed.observed_latent, &fresh.observed_latent, 2),
        ] {
            assert_eq!(bits(&tail(resumed, width, 2 * k + 1, k)), bits(fresh), "{name}: {field} from the reset on");
        }
    }
}

#[test]
fn cancelling_stops_at_a_report_point_and_leaves_the_rest_zero() {
    let net = network(9000, false, 7);
    let n = net.neurons;
    let initial = draw(n, 0.3, 7, 1);
    let job = SimJob {
        initial: &initial,
        batch: 1,
        steps: 500,
        inputs: &[],
        constant_input: &[],
        noise: 0.1,
        seed: 3,
        record: &[4],
        observed: 0,
    };
    let whole = Cpu.simulate(&net, &job);
    // Progress is reported every 500 / 100 = 5 steps; cancel once three reports have come.
    let reports = Rc::new(Cell::new(0));
    let (seen, asked) = (reports.clone(), reports.clone());
    let (done, out) = lpu::progress::with_hooks(
        move |_| seen.set(seen.get() + 1),
        move || asked.get() >= 3,
        || {
            let mut sim = Simulator::new(&net, &job);
            let done = sim.advance(job.steps);
            (done, sim.finish())
        },
    );
    assert_eq!(done, 10);
    assert_eq!(bits(&out.latent[..11 * 2]), bits(&whole.latent[..11 * 2]));
    assert!(out.latent[11 * 2..].iter().all(|&x| x == 0.0));
    assert!(out.recorded[11..].iter().all(|&x| x == 0.0));
}

#[test]
fn chunked_drive_is_the_plain_sum() {
    // The naive O(N·K) loop in neuron order, with libm's φ: a second method and a second
    // implementation of tanh, so agreement is to rounding, not to the bit.
    for (phi, f) in [(Phi::Tanh, libm::tanh as fn(f64) -> f64), (Phi::Relu, |x: f64| x.max(0.0)), (Phi::Sin, libm::sin)]
    {
        for (neurons, rank) in [(10_000, 3), (4096, 1), (37, 2)] {
            let mut net = common::random_low_rank(neurons, rank, 2, 9);
            net.phi = phi;
            let low = LowRank::new(&net);
            let x = draw(neurons, 1.0, 9, 3);
            let err = common::max_rel_err(&low.encode(&x), &net.encode(&x));
            assert!(err < 1e-12, "N={neurons} K={rank}: encode err {err:e}");
            for (z, u) in [(vec![0.7, -1.2, 0.4], vec![0.5, 0.0]), (vec![-0.1, 0.3, 2.0], vec![0.0, -1.5])] {
                let z = &z[..rank];
                let mut naive = vec![0.0; rank];
                for i in 0..neurons {
                    let mut c = net.bias[i];
                    for (k, zk) in z.iter().enumerate() {
                        c += net.m(i, k) * zk;
                    }
                    for (ch, uc) in u.iter().enumerate() {
                        c += net.input[i * 2 + ch] * uc;
                    }
                    for (k, d) in naive.iter_mut().enumerate() {
                        *d += net.n(i, k) * f(c);
                    }
                }
                let drive = low.drive(z, &u);
                let err = common::max_rel_err(&drive, &naive);
                assert!(err < 1e-12, "{phi:?} N={neurons} K={rank}: drive {drive:?} vs {naive:?}, err {err:e}");
            }
        }
    }
}

/// A network decaying to rest reaches exact zeros, never subnormal numbers (which cost several
/// times more per operation on Intel CPUs, and where (1 − α) r rounds back to r, so a run would
/// stay there): rates below 2⁻⁴⁰⁰ are 0. Until then the run is the plain Euler loop, checked
/// against one written here with libm's tanh and plain sums.
#[test]
fn a_network_decaying_to_rest_reaches_zero_not_subnormal_numbers() {
    let n = 60;
    let mut net = common::random_low_rank(n, 2, 0, 3);
    net.bias = vec![0.0; n];
    net.encoding.iter_mut().for_each(|v| *v *= 0.05); // a weak latent loop: the origin is stable
    let initial = draw(n, 0.3, 3, 1);
    let record: Vec<usize> = (0..n).collect();
    let steps = 4000;
    let out = Cpu.simulate(&net, &SimJob { record: &record, ..SimJob::trial(&initial, steps) });
    assert!(out.recorded.iter().chain(&out.latent).all(|v| !v.is_subnormal()), "a subnormal number was stored");
    assert!(out.final_rates.iter().all(|&r| r == 0.0), "the rates did not reach rest: {:?}", &out.final_rates[..4]);
    // The reference: r ← (1 − α) r + α tanh(M Nᵀ r), in plain f64.
    let (alpha, k) = (net.alpha(), net.rank);
    let mut r = initial.clone();
    for t in 1..=steps {
        let z: Vec<f64> = (0..k).map(|c| (0..n).map(|i| net.encoding[i * k + c] * r[i]).sum()).collect();
        r = (0..n)
            .map(|i| {
                let x: f64 = (0..k).map(|c| net.embedding[i * k + c] * z[c]).sum();
                (1.0 - alpha) * r[i] + alpha * libm::tanh(x)
            })
            .collect();
        let ours = &out.recorded[t * n..(t + 1) * n];
        let scale = r.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if scale < 1e-110 {
            assert!(t > 100, "decayed too soon");
            break;
        }
        assert!(common::max_rel_err(ours, &r) < 1e-9, "step {t}: {:e}", common::max_rel_err(ours, &r));
    }
}
