use lpu::numerics::pca::{dimension, pca, pca_with, variances, variances_with, Route};
use lpu::rng::Rng;
use std::f64::consts::PI;

/// `n` points evenly spaced on the ellipse (a cos θ, b sin θ), embedded in R^dim by two
/// orthonormal directions (a rotation in the planes (0, 1) and (2, 3)).
fn ellipse(n: usize, dim: usize, a: f64, b: f64) -> Vec<f64> {
    let (c, s) = (0.6, 0.8);
    let mut x = vec![0.0; n * dim];
    for k in 0..n {
        let t = 2.0 * PI * k as f64 / n as f64;
        let (u, v) = (a * t.cos(), b * t.sin());
        let row = &mut x[k * dim..(k + 1) * dim];
        row[0] = c * u;
        row[1] = s * u;
        row[2] = c * v;
        row[3] = -s * v;
    }
    x
}

fn gaussian(n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed, 0);
    (0..n).map(|_| rng.normal()).collect()
}

#[test]
fn an_ellipse_has_the_closed_form_variances_on_both_routes() {
    // Evenly spaced angles: Σ cos²θ_k = Σ sin²θ_k = n/2 and Σ cos θ_k sin θ_k = 0, the mean is
    // 0, so the variances are a² n / (2(n−1)) and b² n / (2(n−1)), and nothing else.
    let (a, b) = (3.0, 1.5);
    for (n, dim) in [(16, 6), (5, 9)] {
        let x = ellipse(n, dim, a, b);
        let want = [a * a * n as f64 / (2.0 * (n - 1) as f64), b * b * n as f64 / (2.0 * (n - 1) as f64)];
        for route in [Route::Covariance, Route::Gram] {
            let v = variances_with(&x, n, dim, route);
            assert_eq!(v.len(), (n - 1).min(dim), "{route:?}");
            assert!((v[0] - want[0]).abs() < 1e-12 && (v[1] - want[1]).abs() < 1e-12, "{route:?}: {v:?}");
            assert!(v[2..].iter().all(|&x| x.abs() < 1e-12), "{route:?}: {v:?}");
        }
        // The first component's scores are the points' positions along the long axis, a cos θ.
        let p = pca(&x, n, dim, 2);
        for (k, s) in p.scores[0].iter().enumerate() {
            let t = 2.0 * PI * k as f64 / n as f64;
            assert!((s - a * t.cos()).abs() < 1e-12, "score {k}: {s}");
        }
        assert_eq!(dimension(&p.variances, 0.99), 2);
    }
}

#[test]
fn a_rank_d_sample_has_exactly_d_nonzero_variances() {
    // x = A z + c with A of rank d: the centred sample spans d directions.
    let (count, dim, d) = (40, 25, 4);
    let a = gaussian(dim * d, 1);
    let z = gaussian(count * d, 2);
    let x: Vec<f64> = (0..count)
        .flat_map(|i| {
            let (a, z) = (&a, &z);
            (0..dim).map(move |j| 5.0 + (0..d).map(|k| a[j * d + k] * z[i * d + k]).sum::<f64>())
        })
        .collect();
    for route in [Route::Covariance, Route::Gram] {
        let v = variances_with(&x, count, dim, route);
        assert!(v[d - 1] > 1.0, "{route:?}: {v:?}");
        assert!(v[d..].iter().all(|&x| x < 1e-12 * v[0]), "{route:?}: {v:?}");
        assert_eq!(dimension(&v, 0.999_999), d);
    }
}

#[test]
fn isotropic_gaussian_variances_are_near_one() {
    // Marchenko–Pastur: with dim/count = 1/2000 the sample variances lie within about
    // ±2√(dim/count) ≈ ±0.045 of 1.
    let (count, dim) = (10_000, 5);
    let v = variances(&gaussian(count * dim, 3), count, dim);
    assert_eq!(v.len(), dim);
    assert!(v.iter().all(|x| (x - 1.0).abs() < 0.06), "{v:?}");
    assert!(v.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn covariance_and_gram_routes_agree_with_the_singular_values() {
    // An anisotropic sample; the singular values σ of the centred sample (nalgebra's SVD)
    // give the variances σ²/(count−1) and the scores U σ.
    for (count, dim) in [(12, 30), (30, 12), (15, 15)] {
        let mut x = gaussian(count * dim, 4);
        for (i, v) in x.iter_mut().enumerate() {
            *v *= 1.0 + (i % dim) as f64;
        }
        let mut c = nalgebra::DMatrix::from_row_slice(count, dim, &x);
        let mean = c.row_mean();
        for mut r in c.row_iter_mut() {
            r -= &mean;
        }
        let svd = c.svd(true, false);
        let mut sv: Vec<(f64, usize)> = svd.singular_values.iter().copied().zip(0..).collect();
        sv.sort_by(|a, b| b.0.total_cmp(&a.0));
        let keep = 3;
        let cov = pca_with(&x, count, dim, keep, Route::Covariance);
        let gram = pca_with(&x, count, dim, keep, Route::Gram);
        let m = (count - 1).min(dim);
        assert_eq!(cov.variances.len(), m);
        assert_eq!(gram.variances.len(), m);
        for (k, &(s, _)) in sv.iter().enumerate().take(m) {
            let want = s * s / (count - 1) as f64;
            for got in [cov.variances[k], gram.variances[k]] {
                assert!((got - want).abs() < 1e-10 * want.max(1.0), "({count}, {dim}) PC {k}: {got} vs {want}");
            }
        }
        let u = svd.u.unwrap();
        for (k, &(s, col)) in sv.iter().enumerate().take(keep) {
            // Up to sign: both routes fix the largest |score| positive, the SVD does not.
            let want: Vec<f64> = u.column(col).iter().map(|v| v * s).collect();
            let sign =
                if want.iter().fold(0.0f64, |b, &x| if x.abs() > b.abs() { x } else { b }) < 0.0 { -1.0 } else { 1.0 };
            for got in [&cov.scores[k], &gram.scores[k]] {
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - sign * w).abs() < 1e-9 * s, "({count}, {dim}) score of PC {k}: {g} vs {}", sign * w);
                }
            }
        }
        // The default route is the smaller matrix's, bit for bit.
        let smaller = if dim <= count { &cov } else { &gram };
        assert_eq!(&pca(&x, count, dim, keep), smaller);
        assert_eq!(variances(&x, count, dim), smaller.variances);
    }
}

#[test]
fn dimension_counts_the_leading_components_on_hand_made_lists() {
    let v = [4.0, 2.0, 1.0, 1.0]; // cumulative fractions 1/2, 3/4, 7/8, 1
    assert_eq!(dimension(&v, 0.5), 1);
    assert_eq!(dimension(&v, 0.51), 2);
    assert_eq!(dimension(&v, 0.75), 2);
    assert_eq!(dimension(&v, 0.875), 3);
    assert_eq!(dimension(&v, 0.99), 4);
    assert_eq!(dimension(&v, 1.0), 4);
    assert_eq!(dimension(&[1.0, 0.0, 0.0], 0.99), 1);
    assert_eq!(dimension(&[0.0, 0.0], 0.99), 0);
    assert_eq!(dimension(&[], 0.99), 0);
}

#[test]
fn too_few_samples_give_no_components() {
    assert!(variances(&[1.0, 2.0, 3.0], 1, 3).is_empty());
    assert!(pca(&[], 0, 4, 2).scores.is_empty());
}
