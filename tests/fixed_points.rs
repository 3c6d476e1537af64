//! Fixed points of the designed K-bit flip-flop (SCIENCE §3): 3^K points, 2^K stable, and
//! C(K, j)·2^(K−j) with j unstable directions; a constant input on channel 1 of a 2-bit
//! network leaves 2 stable points and 1 saddle (LCF Fig. 1F).
use lpu::analysis::fixed_points::{find, Kind, SearchOptions};
use lpu::analysis::flow::Lpu;
use lpu::design::FlipFlop;

fn design(bits: usize, neurons: usize) -> FlipFlop {
    FlipFlop::standard(bits, neurons)
}

fn binomial(n: usize, k: usize) -> usize {
    (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
}

#[test]
fn census_of_the_designed_flip_flop() {
    for bits in 1..=3 {
        for (neurons, seed) in [(12 * bits, 1), (100, 2), (2000, 3)] {
            let net = design(bits, neurons).network(seed);
            let lpu = Lpu::new(&net);
            let fps = find(&lpu, &vec![0.0; bits], &SearchOptions { seed, ..Default::default() });
            let pow3 = 3usize.pow(bits as u32);
            assert_eq!(fps.len(), pow3, "K={bits} N={neurons}: {} fixed points", fps.len());
            for j in 0..=bits {
                let expected = binomial(bits, j) * 2usize.pow((bits - j) as u32);
                let got = fps.iter().filter(|f| f.unstable_dims == j).count();
                assert_eq!(got, expected, "K={bits} N={neurons}: points with {j} unstable directions");
            }
            assert_eq!(fps.iter().filter(|f| f.kind == Kind::Stable).count(), 2usize.pow(bits as u32));
            for f in &fps {
                // Each coordinate is an attractor (±1) or the repeller (0) of its population,
                // and the eigenvalue along an unstable direction is exactly 1/τ_z.
                for &z in &f.z {
                    assert!([-1.0, 0.0, 1.0].iter().any(|c| (z - c).abs() < 1e-9), "{:?}", f.z);
                }
                let top = f.eigenvalues[0][0];
                if f.unstable_dims > 0 {
                    assert!((top - 100.0).abs() < 1e-6, "K={bits} N={neurons}: growth rate {top} at {:?}", f.z);
                }
            }
        }
    }
}

#[test]
fn constant_input_on_channel_one_bifurcates_the_two_bit_flip_flop() {
    let net = design(2, 200).network(4);
    let lpu = Lpu::new(&net);
    let before = find(&lpu, &[0.0, 0.0], &SearchOptions::default());
    assert_eq!(before.iter().filter(|f| f.kind == Kind::Stable).count(), 4);
    for u in [0.5, -0.5] {
        let after = find(&lpu, &[u, 0.0], &SearchOptions::default());
        let stable: Vec<_> = after.iter().filter(|f| f.kind == Kind::Stable).collect();
        let saddles = after.iter().filter(|f| f.kind == Kind::Saddle).count();
        assert_eq!((stable.len(), saddles, after.len()), (2, 1, 3), "u = {u}: {after:?}");
        // The surviving attractors sit on the side the input pushes bit 1 to.
        assert!(stable.iter().all(|f| f.z[0].signum() == u.signum()));
    }
}

/// The finder's Levenberg–Marquardt steps take G from a pass that keeps φ′ and J from the kept
/// φ′: G must be bit for bit the plain flow, and J the Jacobian summed naively neuron by neuron
/// (to rounding), for every φ, over several chunks of neurons.
#[test]
fn the_flow_keeping_slopes_is_the_plain_flow_and_the_jacobian_from_them_the_naive_sum() {
    use lpu::nonlinearity::Phi;
    for phi in [Phi::Tanh, Phi::Relu, Phi::Sin] {
        let mut net = design(3, 9001).network(5);
        net.phi = phi;
        let lpu = Lpu::new(&net);
        let (n, k, inputs) = (net.neurons, net.rank, net.inputs);
        let mut slopes = vec![0.0; n];
        for (z, u) in [([0.3, -0.7, 1.1], [0.0, 0.2, 0.0]), ([-1.4, 0.05, 0.0], [0.5, 0.0, -0.3])] {
            let g = lpu.scaled_flow_keeping_slopes(&z, &u, &mut slopes);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&g), bits(&lpu.scaled_flow(&z, &u)), "{phi:?} flow");
            let j = lpu.scaled_jacobian_from_slopes(&slopes);
            let mut naive = vec![0.0; k * k];
            for i in 0..n {
                let x = net.bias[i]
                    + (0..k).map(|c| net.m(i, c) * z[c]).sum::<f64>()
                    + (0..inputs).map(|c| net.input[i * inputs + c] * u[c]).sum::<f64>();
                let slope = phi.derivative(x);
                for a in 0..k {
                    for b in 0..k {
                        naive[a * k + b] += net.n(i, a) * slope * net.m(i, b);
                    }
                }
            }
            for a in 0..k {
                naive[a * k + a] -= 1.0;
            }
            for (x, y) in j.iter().zip(&naive) {
                assert!((x - y).abs() < 1e-12 * (1.0 + y.abs()), "{phi:?} J: {j:?} against {naive:?}");
            }
            assert_eq!(bits(&j), bits(&lpu.scaled_jacobian(&z, &u)), "{phi:?} scaled_jacobian");
        }
    }
}
