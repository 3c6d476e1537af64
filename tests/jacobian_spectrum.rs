//! Full-space Jacobian of a rank-K network: −1/τ with multiplicity N−K plus the K eigenvalues
//! of the latent Jacobian at z = Nᵀ r (SCIENCE §2). The N × N spectrum comes from nalgebra's
//! real Schur form; the latent eigenvalues from the quadratic formula written out here.
mod common;
use lpu::analysis::flow::Lpu;
use lpu::analysis::jacobian::{eigenvalues, full_jacobian};
use lpu::rng::Rng;

#[test]
fn full_spectrum_is_minus_one_over_tau_plus_the_latent_eigenvalues() {
    for seed in 1..=3 {
        let (n, k) = (60, 2);
        let net = common::random_low_rank(n, k, 1, seed);
        let mut rng = Rng::new(seed, 11);
        let rates: Vec<f64> = (0..n).map(|_| 0.5 * rng.normal()).collect();
        let u = [0.3];
        let spectrum = eigenvalues(&full_jacobian(&net, &rates, &u), n);

        let z = net.encode(&rates);
        let j = Lpu::new(&net).jacobian(&z, &u);
        let (tr, det) = (j[0] + j[3], j[0] * j[3] - j[1] * j[2]);
        let disc = tr * tr / 4.0 - det;
        let latent: Vec<(f64, f64)> = if disc >= 0.0 {
            vec![(tr / 2.0 + disc.sqrt(), 0.0), (tr / 2.0 - disc.sqrt(), 0.0)]
        } else {
            vec![(tr / 2.0, (-disc).sqrt()), (tr / 2.0, -(-disc).sqrt())]
        };

        let leak = -1.0 / net.tau;
        let tol = 1e-8 * leak.abs();
        let mut remaining = spectrum.clone();
        for target in latent.iter().copied().chain(std::iter::repeat_n((leak, 0.0), n - k)) {
            let idx = remaining
                .iter()
                .position(|e| (e.0 - target.0).abs() < tol && (e.1 - target.1).abs() < tol)
                .unwrap_or_else(|| panic!("seed {seed}: eigenvalue {target:?} missing from {remaining:?}"));
            remaining.remove(idx);
        }
        assert!(remaining.is_empty());
        // The latent eigenvalues must differ from the leak, or the test would prove nothing.
        assert!(latent.iter().all(|e| (e.0 - leak).abs() > 1.0), "{latent:?}");
    }
}
