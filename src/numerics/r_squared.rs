//! The coefficient of determination R² of a multi-output prediction, pooled over outputs the way
//! scikit-learn's `r2_score(multioutput="variance_weighted")` pools them.

/// The coefficient of determination of predictions `pred` for `truth`, both `rows` × `cols`
/// row-major (rows: samples, cols: outputs): 1 − Σ(y − ŷ)² / Σ(y − ȳ_col)² with ȳ_col each
/// column's mean over the rows, the sums over all entries of the columns that vary, as
/// scikit-learn's `r2_score` with `multioutput="variance_weighted"` (and its default
/// `force_finite=True`) computes it. 1 is a perfect prediction, 0 predicting each column's
/// mean, negative worse than that.
///
/// Edge cases follow scikit-learn (1.9) exactly:
/// - fewer than two rows: NaN (R² is not defined for one sample);
/// - a constant column (Σ(y − ȳ_col)² = 0) weighs 0 in the variance-weighted average, so its
///   errors are ignored while any other column varies;
/// - when every column is constant, each column scores 1 if predicted exactly and 0 otherwise,
///   and the result is the plain mean of those scores (1 for a perfect prediction, 0 when every
///   column is missed).
///
/// # Panics
/// When `truth` or `pred` does not hold `rows * cols` entries.
pub fn r_squared(truth: &[f64], pred: &[f64], rows: usize, cols: usize) -> f64 {
    assert_eq!(truth.len(), rows * cols, "truth is not rows × cols");
    assert_eq!(pred.len(), rows * cols, "prediction is not rows × cols");
    if rows < 2 {
        return f64::NAN;
    }
    // Per column: residual sum of squares and total sum of squares about the column's mean,
    // each summed over rows in order; then pooled over columns in order.
    let (mut residual, mut total) = (0.0, 0.0);
    let mut perfect_columns = 0usize;
    for c in 0..cols {
        let mut sum = 0.0;
        for r in 0..rows {
            sum += truth[r * cols + c];
        }
        let mean = sum / rows as f64;
        let (mut ss_res, mut ss_tot) = (0.0, 0.0);
        for r in 0..rows {
            let y = truth[r * cols + c];
            let e = y - pred[r * cols + c];
            let d = y - mean;
            ss_res += e * e;
            ss_tot += d * d;
        }
        if ss_tot != 0.0 {
            residual += ss_res;
            total += ss_tot;
        }
        if ss_res == 0.0 {
            perfect_columns += 1;
        }
    }
    if total != 0.0 {
        1.0 - residual / total
    } else {
        // No column varies: scikit-learn falls back to the uniform mean of per-column scores.
        perfect_columns as f64 / cols as f64
    }
}
