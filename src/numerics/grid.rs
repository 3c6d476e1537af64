//! Evenly spaced grids.

/// `n` points evenly spaced from `lo` to `hi`: lo + (hi − lo)·i/(n − 1).
///
/// The first point is `lo` exactly; the last is `lo + (hi − lo)`, which is `hi` whenever that
/// sum and the difference round exactly (symmetric and dyadic grids), else within an ulp or two.
/// Each point is computed from `lo` rather than by accumulating steps, so rounding errors do
/// not build up along the grid. `n = 1` gives `[lo]`.
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n).map(|i| lo + (hi - lo) * i as f64 / (n - 1).max(1) as f64).collect()
}

/// `n` points from `lo` to `hi` (both positive) evenly spaced in logarithm: a linspace of
/// ln lo … ln hi mapped through exp (NumPy's `geomspace`). `libm`, because std's `ln` and `exp`
/// round differently in wasm.
pub fn geomspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (a, b) = (libm::log(lo), libm::log(hi));
    (0..n).map(|i| libm::exp(a + (b - a) * i as f64 / (n - 1).max(1) as f64)).collect()
}

/// `first · ratioʲ` for j = 0 … n − 1, the power formed by repeated multiplication from 1
/// (no `pow`, whose rounding is platform dependent).
pub fn powers(first: f64, ratio: f64, n: usize) -> Vec<f64> {
    let mut power = 1.0;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(first * power);
        power *= ratio;
    }
    out
}
