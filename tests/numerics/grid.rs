use lpu::numerics::grid::{geomspace, linspace, powers};

#[test]
fn linspace_hits_dyadic_points_exactly() {
    assert_eq!(linspace(-1.5, 1.5, 7), [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]);
    assert_eq!(linspace(0.0, 8.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0]);
}

#[test]
fn linspace_tenths_are_the_correctly_rounded_decimals() {
    // Each point is one rounding of i/10, so it must equal the decimal literal's double.
    let tenths = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    assert_eq!(linspace(0.0, 1.0, 11), tenths);
}

#[test]
fn linspace_starts_at_lo_and_ends_within_an_ulp_of_hi() {
    for (lo, hi, n) in [(0.1, 0.7, 13), (-3.3, 17.9, 801), (2.5, -1.25, 4), (-1e-3, 1e-3, 1001)] {
        let g = linspace(lo, hi, n);
        assert_eq!(g.len(), n);
        assert_eq!(g[0], lo);
        let ulp = f64::EPSILON * lo.abs().max(hi.abs());
        assert!((g[n - 1] - hi).abs() <= ulp, "{lo} {hi} {n}: last {}", g[n - 1]);
        let step = (hi - lo) / (n - 1) as f64;
        for w in g.windows(2) {
            assert!((w[1] - w[0] - step).abs() <= 4.0 * ulp, "uneven step in {lo} {hi} {n}");
        }
    }
}

#[test]
fn a_one_point_linspace_is_its_start() {
    assert_eq!(linspace(3.0, 7.0, 1), [3.0]);
    assert!(linspace(3.0, 7.0, 0).is_empty());
}

#[test]
fn geomspace_gives_the_powers_of_ten() {
    let g = geomspace(1e-2, 1e3, 6);
    for (i, x) in g.iter().enumerate() {
        let truth = [1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3][i];
        assert!((x / truth - 1.0).abs() < 1e-14, "point {i}: {x}");
    }
    // Constant ratio between neighbours: evenly spaced in the logarithm.
    let g = geomspace(0.03, 7.0, 12);
    let ratio = (7.0f64 / 0.03).powf(1.0 / 11.0);
    for w in g.windows(2) {
        assert!((w[1] / w[0] / ratio - 1.0).abs() < 1e-13);
    }
}

#[test]
fn powers_are_the_geometric_sequence() {
    assert_eq!(powers(0.25, 2.0, 5), [0.25, 0.5, 1.0, 2.0, 4.0]);
    let p = powers(0.25, 1.1, 41);
    for (j, x) in p.iter().enumerate() {
        assert!((x / (0.25 * 1.1f64.powi(j as i32)) - 1.0).abs() < 1e-14, "j = {j}");
    }
}
