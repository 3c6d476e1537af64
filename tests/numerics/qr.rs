use lpu::numerics::qr::qr_rows;
use lpu::rng::Rng;
use nalgebra::DMatrix;

#[test]
fn r_diagonal_gives_the_determinant_and_q_is_orthonormal() {
    let mut rng = Rng::new(21, 1);
    for n in [1, 3, 8, 30] {
        let a: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
        let det = DMatrix::from_row_slice(n, n, &a).determinant().abs();
        let mut q = a.clone();
        let r = qr_rows(&mut q, n, n);
        let prod: f64 = r.iter().product();
        assert!((prod - det).abs() <= 1e-10 * det.max(1.0), "n={n}: {prod} vs {det}");
        for i in 0..n {
            for j in 0..n {
                let d: f64 = (0..n).map(|c| q[i * n + c] * q[j * n + c]).sum();
                assert!((d - if i == j { 1.0 } else { 0.0 }).abs() < 1e-13, "n={n} ({i},{j}) {d}");
            }
        }
    }
}

#[test]
fn a_dependent_vector_has_a_zero_diagonal_and_the_span_is_kept() {
    // Rows (3, 4, 0), (6, 8, 0), (0, 0, 2): the second is twice the first.
    let mut q = vec![3.0, 4.0, 0.0, 6.0, 8.0, 0.0, 0.0, 0.0, 2.0];
    let r = qr_rows(&mut q, 3, 3);
    assert_eq!(r[0], 5.0);
    assert!(r[1] < 1e-14);
    assert_eq!(r[2], 2.0);
    assert_eq!(&q[6..], &[0.0, 0.0, 1.0]);
}
