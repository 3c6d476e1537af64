//! Finite-N error of the designed growth rate (LCF A5–A10): over many seeds the normalised
//! error (λ̂ − λ)/λ has s.d. (τ_z/τ)·√((σ_m²σ_n² + σ_mn²)/N), shrinking like N^(−1/2).
use lpu::analysis::flow::Lpu;
use lpu::design::Bistable;
use lpu::nonlinearity::Phi;

fn rms_error(design: &Bistable, neurons: usize, seeds: u64) -> f64 {
    let target = 1.0 / design.tau_latent;
    let sq: f64 = (0..seeds)
        .map(|seed| {
            let net = design.network(neurons, design.tau / 10.0, seed);
            let estimate = Lpu::new(&net).jacobian(&[0.0], &[])[0];
            ((estimate - target) / target).powi(2)
        })
        .sum();
    (sq / seeds as f64).sqrt()
}

#[test]
fn growth_rate_error_matches_the_scaling_law() {
    for (tau_latent, rho) in [(0.01, 0.9), (0.03, 1.0)] {
        let design = Bistable { tau: 0.001, tau_latent, rho, phi: Phi::Tanh };
        let sigma_mn = 1.0 + design.tau / tau_latent;
        let mut previous = None;
        for neurons in [1000, 4000, 16000] {
            // The formula, written out from the design parameters: σ_m σ_n = σ_mn / ρ.
            let predicted = (tau_latent / design.tau) * sigma_mn * ((1.0 / (rho * rho) + 1.0) / neurons as f64).sqrt();
            let measured = rms_error(&design, neurons, 400);
            assert!(
                (measured / predicted - 1.0).abs() < 0.15,
                "τ_z={tau_latent} N={neurons}: rms {measured}, predicted {predicted}"
            );
            if let Some(prev) = previous {
                let ratio: f64 = prev / measured;
                assert!((ratio - 2.0).abs() < 0.35, "4× neurons should halve the error, ratio {ratio}");
            }
            previous = Some(measured);
        }
    }
}
