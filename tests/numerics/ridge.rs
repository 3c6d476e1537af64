use lpu::numerics::ridge::ridge;

#[test]
fn one_feature_matches_the_closed_form() {
    // β = Σxy / (Σx² + λ) = (2 + 8 + 21) / (14 + 1).
    let (x, y) = ([1.0, 2.0, 3.0], [2.0, 4.0, 7.0]);
    let fit = ridge(3, 1, 1, |t, _| x[t], |t, _| y[t], 1.0).unwrap();
    assert!((fit.coefficient(0, 0) - 31.0 / 15.0).abs() < 1e-15);
}

#[test]
fn two_features_match_the_system_solved_by_hand() {
    // XᵀX + I = [[3, 1], [1, 3]], Xᵀy = [5, 6]: β = [[3, −1], [−1, 3]] [5, 6] / 8 = [9/8, 13/8].
    let x = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
    let y = [1.0, 2.0, 4.0];
    let fit = ridge(3, 2, 1, |t, j| x[t][j], |t, _| y[t], 1.0).unwrap();
    assert!((fit.coefficient(0, 0) - 9.0 / 8.0).abs() < 1e-15);
    assert!((fit.coefficient(1, 0) - 13.0 / 8.0).abs() < 1e-15);
    // The prediction is the row times β.
    assert!((fit.predict(|j| x[2][j], 0) - 22.0 / 8.0).abs() < 1e-15);
}

#[test]
fn a_vanishing_penalty_gives_ordinary_least_squares_on_exactly_linear_data() {
    // Two outputs, each an exact affine function of two features (plus an intercept column).
    let rows = 40;
    let x = |t: usize, j: usize| match j {
        0 => (t as f64 * 0.37).sin(),
        1 => (t as f64 * 0.11) - 2.0,
        _ => 1.0,
    };
    let truth = [[3.0, -0.5], [-1.0, 0.25], [2.0, 7.0]];
    let y = |t: usize, c: usize| (0..3).map(|j| x(t, j) * truth[j][c]).sum::<f64>();
    let fit = ridge(rows, 3, 2, x, y, 1e-12).unwrap();
    for (j, row) in truth.iter().enumerate() {
        for (c, want) in row.iter().enumerate() {
            assert!((fit.coefficient(j, c) - want).abs() < 1e-9, "β[{j}][{c}] = {}", fit.coefficient(j, c));
        }
    }
}

#[test]
fn a_positive_penalty_shrinks_the_coefficients() {
    let (x, y) = ([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]);
    let b = |lambda| ridge(3, 1, 1, |t, _| x[t], |t, _| y[t], lambda).unwrap().coefficient(0, 0);
    // Exactly 2 without penalty; 28 / (14 + λ) with one.
    assert!((b(0.0) - 2.0).abs() < 1e-15);
    assert!((b(14.0) - 1.0).abs() < 1e-15);
}
