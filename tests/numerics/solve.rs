use lpu::numerics::solve::solve;
use lpu::rng::Rng;
use nalgebra::{DMatrix, DVector};

/// A random diagonally dominant (hence well-conditioned) k × k system.
fn system(k: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed, 1);
    let mut a: Vec<f64> = (0..k * k).map(|_| rng.normal()).collect();
    for i in 0..k {
        a[i * k + i] += 2.0 * k as f64;
    }
    a
}

#[test]
fn recovers_a_known_solution() {
    for (k, seed) in [(1, 1), (3, 2), (7, 3), (20, 4)] {
        let a = system(k, seed);
        let x: Vec<f64> = (0..k).map(|i| (i as f64 - 2.5) / 3.0).collect();
        let b: Vec<f64> = (0..k).map(|i| (0..k).map(|j| a[i * k + j] * x[j]).sum()).collect();
        let got = solve(&a, &b, k).unwrap();
        for i in 0..k {
            assert!((got[i] - x[i]).abs() < 1e-13, "k = {k}, x[{i}] = {} vs {}", got[i], x[i]);
        }
    }
}

#[test]
fn agrees_with_nalgebra_lu() {
    let k = 12;
    let a = system(k, 9);
    let mut rng = Rng::new(10, 1);
    let b: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
    let ours = solve(&a, &b, k).unwrap();
    let lu = DMatrix::from_row_slice(k, k, &a).lu().solve(&DVector::from_vec(b)).unwrap();
    for i in 0..k {
        assert!((ours[i] - lu[i]).abs() < 1e-13, "{i}: {} vs {}", ours[i], lu[i]);
    }
}

#[test]
fn pivots_past_a_zero_diagonal() {
    // Without row exchanges the first pivot is 0.
    assert_eq!(solve(&[0.0, 1.0, 1.0, 0.0], &[3.0, 5.0], 2), Some(vec![5.0, 3.0]));
}

#[test]
fn a_singular_system_has_no_solution() {
    assert_eq!(solve(&[1.0, 2.0, 2.0, 4.0], &[1.0, 1.0], 2), None);
    assert_eq!(solve(&[0.0; 9], &[1.0, 2.0, 3.0], 3), None);
}
