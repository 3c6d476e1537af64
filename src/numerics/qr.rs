//! QR factorisation of a set of vectors by modified Gram–Schmidt, keeping R's diagonal.

/// Replaces the `rows` vectors of length `len` stored row after row in `q` by an orthonormal
/// basis of their span (Q, in place) and returns R's diagonal: the norm of each vector after
/// the earlier ones were projected out. Each projection runs twice ("twice is enough"), so Q
/// stays orthonormal to machine precision however ill-conditioned the set; a remainder of
/// norm 0 is left as the zero vector (its R_ii is 0).
pub fn qr_rows(q: &mut [f64], rows: usize, len: usize) -> Vec<f64> {
    assert_eq!(q.len(), rows * len, "q must hold rows × len values");
    let mut diagonal = Vec::with_capacity(rows);
    for r in 0..rows {
        let (done, rest) = q.split_at_mut(r * len);
        let v = &mut rest[..len];
        for _ in 0..2 {
            for b in done.chunks(len) {
                let d: f64 = v.iter().zip(b).map(|(x, y)| x * y).sum();
                v.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        diagonal.push(norm);
    }
    diagonal
}
