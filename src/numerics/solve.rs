//! Small dense linear systems.

/// Solves A x = b for a row-major k × k matrix A by Gaussian elimination with partial
/// pivoting, in plain loops of fixed order (no BLAS kernels, so the same bits everywhere).
/// `None` when a pivot is below 1e−300 in magnitude or the solution is not finite. For the
/// handful of unknowns it is meant for, no blocked or iterative method would pay off.
pub fn solve(a: &[f64], b: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    for col in 0..k {
        let piv = (col..k).max_by(|&p, &q| m[p * k + col].abs().total_cmp(&m[q * k + col].abs()))?;
        if m[piv * k + col].abs() < 1e-300 {
            return None;
        }
        for c in 0..k {
            m.swap(col * k + c, piv * k + c);
        }
        x.swap(col, piv);
        for row in col + 1..k {
            let f = m[row * k + col] / m[col * k + col];
            for c in col..k {
                m[row * k + c] -= f * m[col * k + c];
            }
            x[row] -= f * x[col];
        }
    }
    for row in (0..k).rev() {
        let mut s = x[row];
        for c in row + 1..k {
            s -= m[row * k + c] * x[c];
        }
        x[row] = s / m[row * k + row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}
