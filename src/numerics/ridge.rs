//! Ridge regression by the normal equations.

use nalgebra::DMatrix;

/// Fitted ridge coefficients: `features × outputs`, one column of weights per output.
#[derive(Clone, Debug)]
pub struct Ridge {
    coefficients: DMatrix<f64>,
}

/// Least squares with a ridge penalty: the β minimising ‖Xβ − Y‖² + λ‖β‖², from
/// (XᵀX + λI) β = XᵀY solved by Cholesky. X is `rows × features` and Y `rows × outputs`, read
/// through `x(row, feature)` and `y(row, output)` so that callers need not copy their data
/// into a matrix; an intercept is a feature that is always 1 (and is penalised like the rest).
///
/// XᵀX and XᵀY are summed in plain loops over the rows in a fixed order (no BLAS kernels), so
/// the coefficients are bit-identical natively and in wasm; the symmetric XᵀX is summed once
/// per pair. `None` when the system is not numerically positive definite.
pub fn ridge(
    rows: usize,
    features: usize,
    outputs: usize,
    x: impl Fn(usize, usize) -> f64,
    y: impl Fn(usize, usize) -> f64,
    lambda: f64,
) -> Option<Ridge> {
    let mut xtx = DMatrix::<f64>::zeros(features, features);
    let mut xty = DMatrix::<f64>::zeros(features, outputs);
    for a in 0..features {
        for b in a..features {
            let mut acc = 0.0;
            for t in 0..rows {
                acc += x(t, a) * x(t, b);
            }
            xtx[(a, b)] = acc;
            xtx[(b, a)] = acc;
        }
        xtx[(a, a)] += lambda;
        for c in 0..outputs {
            let mut acc = 0.0;
            for t in 0..rows {
                acc += x(t, a) * y(t, c);
            }
            xty[(a, c)] = acc;
        }
    }
    xtx.cholesky().map(|ch| Ridge { coefficients: ch.solve(&xty) })
}

impl Ridge {
    /// The weight of `feature` in `output`.
    pub fn coefficient(&self, feature: usize, output: usize) -> f64 {
        self.coefficients[(feature, output)]
    }

    /// Output `output` for one row of features `x(feature)`, summed in feature order.
    pub fn predict(&self, x: impl Fn(usize) -> f64, output: usize) -> f64 {
        let mut acc = 0.0;
        for j in 0..self.coefficients.nrows() {
            acc += x(j) * self.coefficients[(j, output)];
        }
        acc
    }
}
