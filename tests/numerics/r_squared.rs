use lpu::numerics::r_squared::r_squared;

/// |a − b| within `tol` relative to |b| (absolute below 1).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn scikit_learns_docstring_case_by_hand() {
    // scikit-learn's r2_score docstring: y = [[0.5, 1], [−1, 1], [7, −6]],
    // ŷ = [[0, 2], [−1, 2], [8, −5]], variance-weighted: 0.938…
    // Column 0: mean 13/6, deviations −5/3, −19/6, 29/6: Σd² = (100 + 361 + 841)/36 = 217/6.
    // Column 1: mean −4/3, deviations 7/3, 7/3, −14/3: Σd² = 294/9 = 196/6.
    // Residuals: 0.25 + 0 + 1 = 5/4 and 1 + 1 + 1 = 3: 17/4.
    // R² = 1 − (17/4) / (413/6) = 1 − 51/826 = 775/826.
    let truth = [0.5, 1.0, -1.0, 1.0, 7.0, -6.0];
    let pred = [0.0, 2.0, -1.0, 2.0, 8.0, -5.0];
    let r = r_squared(&truth, &pred, 3, 2);
    assert!(close(r, 775.0 / 826.0, 1e-15), "{r}");
    // scikit-learn 1.9.1 prints 0.9382566585956417.
    assert!(close(r, 0.9382566585956417, 1e-15), "{r}");
}

#[test]
fn matches_scikit_learn_on_a_five_by_three_case() {
    let truth = [
        0.3, -1.2, 4.0, //
        1.7, 0.4, 3.5, //
        -0.6, 2.2, 5.1, //
        2.5, -0.3, 4.4, //
        0.9, 1.1, 2.8,
    ];
    let pred = [
        0.1, -0.9, 4.3, //
        1.2, 0.8, 3.1, //
        -0.2, 1.7, 4.6, //
        2.9, 0.1, 4.0, //
        1.3, 0.6, 3.4,
    ];
    // r2_score(T, P, multioutput="variance_weighted") with scikit-learn 1.9.1.
    let r = r_squared(&truth, &pred, 5, 3);
    assert!(close(r, 0.8271004098360656, 1e-14), "{r}");
    // The rows in reverse order as the prediction: r2_score(T, T[::-1], ...).
    let reversed: Vec<f64> = truth.chunks(3).rev().flatten().copied().collect();
    let r = r_squared(&truth, &reversed, 5, 3);
    assert!(close(r, -0.15650614754098366, 1e-14), "{r}");
}

#[test]
fn one_for_perfect_zero_for_the_column_means_negative_for_worse() {
    let (rows, cols) = (7, 3);
    let truth: Vec<f64> = (0..rows * cols).map(|i| ((i * 13 + 5) % 17) as f64 * 0.7 - 3.0).collect();
    assert_eq!(r_squared(&truth, &truth, rows, cols), 1.0);

    // Each entry predicted by its column's mean: the residuals are the deviations, so 1 − 1 = 0.
    let mut means = vec![0.0; cols];
    for r in 0..rows {
        for c in 0..cols {
            means[c] += truth[r * cols + c];
        }
    }
    means.iter_mut().for_each(|m| *m /= rows as f64);
    let flat: Vec<f64> = (0..rows * cols).map(|i| means[i % cols]).collect();
    let r = r_squared(&truth, &flat, rows, cols);
    assert!(r.abs() < 1e-15, "{r}");

    // One column reversed: y = [1, 2, 3], ŷ = [3, 2, 1]: Σ(y − ŷ)² = 8, Σ(y − 2)² = 2, R² = −3.
    assert_eq!(r_squared(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], 3, 1), -3.0);
    // Worse than the means: the means shifted by a constant.
    let shifted: Vec<f64> = flat.iter().map(|m| m + 0.5).collect();
    assert!(r_squared(&truth, &shifted, rows, cols) < 0.0);
}

#[test]
fn pooling_weights_columns_by_their_variance() {
    // Column 0 (variance sum 2, residual 2: its own R² is 0) and column 1 (y = [0, 10, 20],
    // Σd² = 200, residual 2: its own R² is 0.99). Pooled: 1 − 4/202, not the plain mean 0.495.
    let truth = [1.0, 0.0, 2.0, 10.0, 3.0, 20.0];
    let pred = [2.0, 1.0, 2.0, 10.0, 2.0, 19.0];
    let r = r_squared(&truth, &pred, 3, 2);
    assert!(close(r, 1.0 - 4.0 / 202.0, 1e-15), "{r}");
}

#[test]
fn constant_targets_follow_scikit_learn() {
    // scikit-learn (force_finite=True, variance_weighted): a constant column weighs 0, so its
    // error is ignored while another column varies (both printed by scikit-learn 1.9.1).
    let truth = [1.0, 1.0, 2.0, 1.0, 3.0, 1.0];
    assert_eq!(r_squared(&truth, &[1.0, 5.0, 2.0, 5.0, 3.0, 5.0], 3, 2), 1.0);
    assert_eq!(r_squared(&truth, &[2.0, 5.0, 2.0, 5.0, 2.0, 5.0], 3, 2), 0.0);
    // Every column constant: the plain mean of per-column scores, 1 exact and 0 missed.
    let flat = [1.0, 1.0, 1.0, 1.0];
    assert_eq!(r_squared(&flat, &flat, 2, 2), 1.0);
    assert_eq!(r_squared(&flat, &[1.0, 2.0, 1.0, 1.0], 2, 2), 0.5);
    assert_eq!(r_squared(&flat, &[2.0, 2.0, 2.0, 2.0], 2, 2), 0.0);
}

#[test]
fn fewer_than_two_rows_is_undefined() {
    // scikit-learn returns NaN with an UndefinedMetricWarning.
    assert!(r_squared(&[1.0, 2.0], &[1.0, 2.0], 1, 2).is_nan());
    assert!(r_squared(&[], &[], 0, 2).is_nan());
}
