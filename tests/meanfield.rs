//! Mean-field attractors of the 1-D LPU with m ~ N(0, 1), ñ = a·m (SCIENCE §3 reference values)
//! by the quadrature mean field, and by a large finite network's exact roots.
use lpu::analysis::fixed_points::roots_1d;
use lpu::analysis::flow::Lpu;
use lpu::meanfield::positive_attractor;
use lpu::network::Network;
use lpu::nonlinearity::Phi;
use lpu::rng::Rng;

const REFERENCE: [(f64, f64); 3] = [(1.5, 0.843), (2.0, 1.337), (3.0, 2.222)];

#[test]
fn quadrature_mean_field_gives_the_reference_attractors() {
    for (a, zstar) in REFERENCE {
        let z = positive_attractor(Phi::Tanh, 1.0, a).unwrap();
        assert!((z - zstar).abs() < 5e-4, "a = {a}: z* = {z}, reference {zstar}");
    }
}

#[test]
fn a_large_network_has_its_attractors_near_the_mean_field_values() {
    let neurons = 400_000;
    let mut rng = Rng::new(2024, 1);
    let m: Vec<f64> = (0..neurons).map(|_| rng.normal()).collect();
    for (a, zstar) in REFERENCE {
        let net = Network {
            neurons,
            rank: 1,
            inputs: 0,
            tau: 0.01,
            dt: 0.001,
            phi: Phi::Tanh,
            embedding: m.clone(),
            encoding: m.iter().map(|x| a * x / neurons as f64).collect(),
            input: vec![],
            bias: vec![0.0; neurons],
            random: None,
            model: lpu::network::Model::Rate,
            readout: None,
        };
        let roots = roots_1d(&Lpu::new(&net), &[], -4.0, 4.0, 161);
        let z: Vec<f64> = roots.iter().map(|r| r[0]).collect();
        assert_eq!(z.len(), 3, "a = {a}: roots {z:?}");
        assert!(z[1].abs() < 1e-12);
        for got in [-z[0], z[2]] {
            assert!((got - zstar).abs() < 0.01, "a = {a}: finite-N attractor {got}, reference {zstar}");
        }
    }
}
