use lpu::numerics::roots::{bisect, bisect_sign_change, sign_change_roots};
use std::f64::consts::{FRAC_PI_2, PI, SQRT_2};

/// The next float above x > 0.
fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}

/// The next float below x > 0.
fn next_down(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}

#[test]
fn bisection_finds_the_square_root_of_two_to_adjacent_floats() {
    let r = bisect(|x| 2.0 - x * x, 1.0, 2.0);
    // √2 lies strictly between two adjacent floats, one of which is the correctly rounded
    // SQRT_2; the answer must be one of that pair.
    let (below, above) = if SQRT_2 * SQRT_2 < 2.0 { (SQRT_2, next_up(SQRT_2)) } else { (next_down(SQRT_2), SQRT_2) };
    assert!(r == below || r == above, "{r:e}, bracket [{below:e}, {above:e}]");
}

#[test]
fn bisection_finds_the_root_of_cos_at_half_pi() {
    let r = bisect(libm::cos, 1.0, 2.0);
    // FRAC_PI_2 is just below π/2 (cos is positive there), its successor just above.
    assert!(libm::cos(FRAC_PI_2) > 0.0 && libm::cos(next_up(FRAC_PI_2)) < 0.0);
    assert!(r == FRAC_PI_2 || r == next_up(FRAC_PI_2), "{r:e}");
}

#[test]
fn sign_change_bisection_works_for_a_rising_function() {
    let r = bisect_sign_change(|x| x * x * x - 8.0, 0.0, 5.0, -8.0);
    assert_eq!(r, 2.0);
    let r = bisect_sign_change(|x| x - PI, 3.0, 4.0, 3.0 - PI);
    assert!((r - PI).abs() <= f64::EPSILON * PI, "{r}");
}

#[test]
fn sign_changes_on_samples_give_every_root_of_sin() {
    let xs: Vec<f64> = (0..=200).map(|i| -0.5 + 0.05 * i as f64).collect();
    let gs: Vec<f64> = xs.iter().map(|&x| libm::sin(x)).collect();
    let roots = sign_change_roots(libm::sin, &xs, &gs);
    assert_eq!(roots.len(), 4, "{roots:?}");
    for (k, r) in roots.iter().enumerate() {
        assert!((r - k as f64 * PI).abs() < 1e-14, "root {k}: {r}");
    }
}

#[test]
fn a_sample_exactly_on_a_root_is_reported_once() {
    let xs = [-1.0, 0.0, 1.0, 2.0, 3.0];
    let g = |x: f64| x * (x - 2.5);
    let gs: Vec<f64> = xs.iter().map(|&x| g(x)).collect();
    assert_eq!(sign_change_roots(g, &xs, &gs), [0.0, 2.5]);
}
