use lpu::numerics::quadrature::gaussian_expectation;

/// The rule meanfield uses: 4801 nodes over ±12 s.d.
fn expect(g: impl Fn(f64) -> f64) -> f64 {
    gaussian_expectation(g, 4801, 12.0)
}

#[test]
fn gaussian_moments_match_their_closed_forms() {
    for sigma in [0.3, 1.0, 2.5] {
        // z = σx with x ~ N(0, 1): E[z²] = σ², E[z⁴] = 3σ⁴, E[tanh z] = 0 by symmetry.
        let m2 = expect(|x| (sigma * x) * (sigma * x));
        assert!((m2 / (sigma * sigma) - 1.0).abs() < 1e-13, "σ = {sigma}: E[z²] = {m2}");
        let m4 = expect(|x| (sigma * x).powi(4));
        assert!((m4 / (3.0 * sigma.powi(4)) - 1.0).abs() < 1e-13, "σ = {sigma}: E[z⁴] = {m4}");
        let odd = expect(|x| libm::tanh(sigma * x));
        assert!(odd.abs() < 1e-15, "σ = {sigma}: E[tanh z] = {odd}");
    }
}

#[test]
fn the_characteristic_function_matches() {
    // E[cos(ωx)] = e^(−ω²/2).
    for w in [0.5, 1.0, 3.0] {
        let got = expect(|x| libm::cos(w * x));
        assert!((got - libm::exp(-0.5 * w * w)).abs() < 1e-14, "ω = {w}: {got}");
    }
}

#[test]
fn the_total_mass_is_one() {
    assert!((expect(|_| 1.0) - 1.0).abs() < 1e-14);
}
