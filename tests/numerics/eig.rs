use lpu::numerics::eig::{eigenvalues, eigenvalues_closed_form, eigenvalues_dense};
use lpu::rng::Rng;
use nalgebra::{DMatrix, SymmetricEigen};

fn close(got: &[(f64, f64)], want: &[(f64, f64)], tol: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g.0 - w.0).abs() <= tol && (g.1 - w.1).abs() <= tol, "{got:?} vs {want:?}");
    }
}

#[test]
fn a_rotation_has_eigenvalues_on_the_imaginary_axis() {
    let w = 2.5;
    // A 2-D rotation generator block, and a 3-D rotation by angle θ about the z axis.
    let generator = [0.0, -w, w, 0.0];
    close(&eigenvalues(&generator, 2), &[(0.0, w), (0.0, -w)], 1e-14);
    close(&eigenvalues_closed_form(&generator, 2), &[(0.0, w), (0.0, -w)], 0.0);
    let (c, s) = (0.3f64.cos(), 0.3f64.sin());
    let rotation = [c, -s, 0.0, s, c, 0.0, 0.0, 0.0, 1.0];
    close(&eigenvalues(&rotation, 3), &[(1.0, 0.0), (c, s), (c, -s)], 1e-14);
}

#[test]
fn a_triangular_matrix_has_its_diagonal() {
    let a = [-1.0, 4.0, 2.0, 7.0, 0.0, 3.0, -5.0, 1.0, 0.0, 0.0, 0.5, 9.0, 0.0, 0.0, 0.0, -2.0];
    close(&eigenvalues(&a, 4), &[(3.0, 0.0), (0.5, 0.0), (-1.0, 0.0), (-2.0, 0.0)], 1e-13);
    // A double root in closed form: exact, with no split into a ±√ε pair.
    close(&eigenvalues_closed_form(&[2.0, 1.0, 0.0, 2.0], 2), &[(2.0, 0.0), (2.0, 0.0)], 0.0);
}

#[test]
fn a_symmetric_matrix_agrees_with_nalgebras_symmetric_eigensolver() {
    let n = 8;
    let mut rng = Rng::new(12, 1);
    let b: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
    let a: Vec<f64> = (0..n * n).map(|i| b[i] + b[(i % n) * n + i / n]).collect();
    let mut want: Vec<(f64, f64)> =
        SymmetricEigen::new(DMatrix::from_row_slice(n, n, &a)).eigenvalues.iter().map(|&x| (x, 0.0)).collect();
    want.sort_by(|x, y| y.0.total_cmp(&x.0));
    close(&eigenvalues(&a, n), &want, 1e-12);
}

#[test]
fn the_closed_forms_agree_with_the_schur_form() {
    let mut rng = Rng::new(13, 1);
    for _ in 0..50 {
        let a: Vec<f64> = (0..4).map(|_| rng.normal()).collect();
        close(&eigenvalues_closed_form(&a, 2), &eigenvalues(&a, 2), 1e-12);
    }
    close(&eigenvalues_closed_form(&[-0.7], 1), &[(-0.7, 0.0)], 0.0);
    assert!(eigenvalues(&[], 0).is_empty());
}

#[test]
fn the_dense_solver_agrees_with_the_schur_form_and_the_trace() {
    let mut rng = Rng::new(14, 1);
    for n in [1, 2, 5, 40, 150] {
        let a: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
        let got = eigenvalues_dense(&a, n);
        close(&got, &eigenvalues(&a, n), 1e-9 * (n as f64));
        // The sum of the eigenvalues is the trace; conjugate pairs cancel in the imaginary sum.
        let trace: f64 = (0..n).map(|i| a[i * n + i]).sum();
        assert!((got.iter().map(|e| e.0).sum::<f64>() - trace).abs() < 1e-9 * n as f64);
        assert!(got.iter().map(|e| e.1).sum::<f64>().abs() < 1e-9 * n as f64);
    }
    // A companion matrix of (x − 1)(x − 2)(x − 3)(x² + 1): roots known exactly.
    // x⁵ − 6x⁴ + 12x³ − 12x² + 11x − 6
    let c = [6.0, -12.0, 12.0, -11.0, 6.0];
    let mut m = vec![0.0; 25];
    m[..5].copy_from_slice(&c);
    for i in 1..5 {
        m[i * 5 + i - 1] = 1.0;
    }
    close(&eigenvalues_dense(&m, 5), &[(3.0, 0.0), (2.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, -1.0)], 1e-9);
}
