//! Orthonormal bases and orthogonal projections.

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Orthonormal basis of the span of `vectors`, in their order, by modified Gram–Schmidt run
/// twice per vector ("twice is enough": a single pass loses orthogonality in proportion to the
/// condition number, a second restores it to machine precision). Only a remainder of norm
/// ≤ 1e−300 (a zero vector, or one exactly in the span of the earlier ones) is dropped: a vector
/// dependent up to rounding gives a unit vector of rounding noise, so a caller that needs the
/// numerical rank must test the remainders against its own tolerance.
pub fn gram_schmidt(vectors: impl IntoIterator<Item = Vec<f64>>) -> Vec<Vec<f64>> {
    let mut basis: Vec<Vec<f64>> = vec![];
    for mut v in vectors {
        for _ in 0..2 {
            for q in &basis {
                let d = dot(&v, q);
                v.iter_mut().zip(q).for_each(|(a, b)| *a -= d * b);
            }
        }
        let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
        if norm > 1e-300 {
            v.iter_mut().for_each(|a| *a /= norm);
            basis.push(v);
        }
    }
    basis
}

/// Orthogonal projection of `v` onto the span of the orthonormal `basis`: Σ_q (v·q) q.
pub fn project_onto(basis: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    let mut inside = vec![0.0; v.len()];
    for q in basis {
        let d = dot(v, q);
        inside.iter_mut().zip(q).for_each(|(a, b)| *a += d * b);
    }
    inside
}

/// The part of `v` orthogonal to the span of the orthonormal `basis`: v − [`project_onto`].
pub fn project_off(basis: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    v.iter().zip(project_onto(basis, v)).map(|(a, b)| a - b).collect()
}
