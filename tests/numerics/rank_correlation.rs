use lpu::numerics::rank_correlation::{pearson, ranks, spearman};

#[test]
fn ties_share_the_average_rank() {
    // Sorted: 1 (rank 1), 2, 2 (ranks 2 and 3: both 2.5), 5 (rank 4), 7, 7, 7 (5, 6, 7: all 6).
    assert_eq!(ranks(&[7.0, 2.0, 5.0, 1.0, 7.0, 2.0, 7.0]), vec![6.0, 2.5, 4.0, 1.0, 6.0, 2.5, 6.0]);
}

#[test]
fn a_hand_computed_case() {
    // x ranks [1, 2, 3, 4, 5], y ranks [2, 1, 4, 3, 5]: Σd² = 4, no ties, so
    // ρ = 1 − 6 Σd² / (n (n² − 1)) = 1 − 24/120 = 0.8.
    let x = [10.0, 20.0, 30.0, 40.0, 50.0];
    let y = [1.5, 0.3, 9.0, 4.0, 12.0];
    assert!((spearman(&x, &y) - 0.8).abs() < 1e-15);
    // With ties: x = [1, 2, 2, 3] has ranks [1, 2.5, 2.5, 4]; y = [1, 2, 3, 4]. Centred ranks
    // [−1.5, 0, 0, 1.5] and [−1.5, −0.5, 0.5, 1.5]: ρ = 4.5 / √(4.5 · 5) = √(4.5/5).
    let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]);
    assert!((r - (4.5f64 / 5.0).sqrt()).abs() < 1e-15, "{r}");
}

#[test]
fn monotone_transforms_give_one_and_reversal_minus_one() {
    let x: Vec<f64> = (0..50).map(|i| ((i * 37) % 50) as f64 * 0.3 - 4.0).collect();
    let up: Vec<f64> = x.iter().map(|v| v.exp() + v * v * v).collect();
    let down: Vec<f64> = x.iter().map(|v| -v.powi(5)).collect();
    assert_eq!(spearman(&x, &up), 1.0);
    assert_eq!(spearman(&x, &down), -1.0);
    // Pearson is below 1 for the nonlinear but monotone transform.
    assert!(pearson(&x, &up) < 0.99);
}

#[test]
fn a_constant_series_has_no_correlation() {
    assert!(spearman(&[1.0, 2.0, 3.0], &[4.0, 4.0, 4.0]).is_nan());
}
