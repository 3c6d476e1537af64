use lpu::numerics::naive_bayes::GaussianNb;
use std::f64::consts::PI;

/// |a − b| within `tol` relative to |b| (absolute below 1).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

fn column(v: &[f64]) -> Vec<Vec<f64>> {
    v.iter().map(|&x| vec![x]).collect()
}

#[test]
fn a_one_feature_case_by_hand() {
    // Class 0: {0, 2}, class 1: {4, 6, 8}. All five: mean 4, variance (16 + 4 + 0 + 4 + 16)/5 = 8,
    // so the smoothing term is 8e-9. Class 0: mean 1, variance 1; class 1: mean 6, variance
    // (4 + 0 + 4)/3 = 8/3. Priors 2/5 and 3/5.
    let nb = GaussianNb::fit(&column(&[0.0, 2.0, 4.0, 6.0, 8.0]), &[0, 0, 1, 1, 1], 2);
    assert_eq!(nb.priors, vec![0.4, 0.6]);
    assert_eq!(nb.means, vec![vec![1.0], vec![6.0]]);
    assert!(close(nb.variances[0][0], 1.0 + 8e-9, 1e-15));
    assert!(close(nb.variances[1][0], 8.0 / 3.0 + 8e-9, 1e-15));

    // At x = 3: class 0: ln 0.4 − ½ ln 2π − ½ · 4 ≈ −0.9163 − 0.9189 − 2 = −3.8352;
    // class 1: ln 0.6 − ½ ln(2π · 8/3) − ½ · 9 · 3/8 ≈ −0.5108 − 1.4094 − 1.6875 = −3.6077.
    // At x = 2.5: class 0 ≈ −0.9163 − 0.9189 − 1.125 = −2.9602;
    // class 1 ≈ −0.5108 − 1.4094 − ½ · 12.25 · 3/8 = −4.2171.
    let log_normal = |x: f64, m: f64, v: f64| -0.5 * (2.0 * PI * v).ln() - 0.5 * (x - m) * (x - m) / v;
    for (x, hand) in [(3.0, [-3.8352, -3.6077]), (2.5, [-2.9602, -4.2171])] {
        let jll = nb.joint_log_likelihood(&[x]);
        let exact = [0.4f64.ln() + log_normal(x, 1.0, 1.0 + 8e-9), 0.6f64.ln() + log_normal(x, 6.0, 8.0 / 3.0 + 8e-9)];
        for k in 0..2 {
            assert!((jll[k] - hand[k]).abs() < 1e-4, "{x}: {jll:?}");
            assert!(close(jll[k], exact[k], 1e-14), "{x}: {jll:?}");
        }
    }
    // scikit-learn 1.9.1's _joint_log_likelihood at [[3], [2.5]].
    let sk = [[-3.835229253078828, -3.6076787799140266], [-2.960229260078828, -4.217053778085901]];
    for (x, want) in [3.0, 2.5].iter().zip(sk) {
        let jll = nb.joint_log_likelihood(&[*x]);
        assert!(close(jll[0], want[0], 1e-14) && close(jll[1], want[1], 1e-14), "{jll:?}");
    }
    assert_eq!(nb.predict(&[3.0]), 1);
    assert_eq!(nb.predict(&[2.5]), 0);
}

/// Twelve samples, three features (the last constant over all of them), classes 0..4 with class
/// 1 empty, and four query points; the reference numbers come from scikit-learn 1.9.1's
/// `GaussianNB().partial_fit(X, y, classes=[0, 1, 2, 3])`.
fn reference_data() -> (Vec<Vec<f64>>, Vec<usize>) {
    let x = vec![
        vec![1.0, 2.0, 5.0],
        vec![1.5, 1.8, 5.0],
        vec![0.7, 2.6, 5.0],
        vec![1.2, 2.1, 5.0],
        vec![4.0, 0.5, 5.0],
        vec![4.4, 0.1, 5.0],
        vec![3.6, 0.9, 5.0],
        vec![2.0, 4.0, 5.0],
        vec![2.5, 4.6, 5.0],
        vec![1.8, 3.7, 5.0],
        vec![2.2, 4.1, 5.0],
        vec![2.9, 3.9, 5.0],
    ];
    (x, vec![0, 0, 0, 0, 2, 2, 2, 3, 3, 3, 3, 3])
}

#[test]
fn matches_scikit_learn_with_an_empty_class_and_a_constant_feature() {
    let (x, y) = reference_data();
    let nb = GaussianNb::fit(&x, &y, 4);
    assert_eq!(nb.classes, 4);
    let priors = [0.3333333333333333, 0.0, 0.25, 0.4166666666666667];
    let means = [[1.1, 2.125, 5.0], [0.0, 0.0, 0.0], [4.0, 0.5, 5.0], [2.2800000000000002, 4.06, 5.0]];
    // epsilon_ = 2.153541666666667e-9 (1e-9 × the variance of feature 0 over all samples).
    let eps = 2.153541666666667e-9;
    let variances = [
        [0.08500000215354167, 0.08687500215354167, eps],
        [eps, eps, eps],
        [0.1066666688202084, 0.10666666882020835, eps],
        [0.14960000215354163, 0.09040000215354156, eps],
    ];
    for k in 0..4 {
        assert!(close(nb.priors[k], priors[k], 1e-15), "{:?}", nb.priors);
        for j in 0..3 {
            assert!(close(nb.means[k][j], means[k][j], 1e-14), "{:?}", nb.means);
            assert!((nb.variances[k][j] - variances[k][j]).abs() <= 1e-14 * variances[k][j], "{:?}", nb.variances);
        }
    }

    let queries = [[1.0, 2.0, 5.0], [3.0, 1.0, 5.0], [2.2, 3.0, 5.0], [0.0, 0.0, 4.0]];
    // scikit-learn's _joint_log_likelihood, classes in order (−∞ for the empty class 1).
    let inf = f64::NEG_INFINITY;
    let jll = [
        [8.428091033840794, inf, -44.66136131275173, -20.449731840888763],
        [-19.942623443850668, inf, 2.213637740867644, -45.024999782934536],
        [-2.947278972317334, inf, -36.41136147931473, 2.2614502921844353],
        [-232175704.12757432, inf, -232175747.69642293, -232175779.6448029],
    ];
    let predicted = [0, 2, 3, 0];
    for (i, q) in queries.iter().enumerate() {
        let got = nb.joint_log_likelihood(q);
        for k in [0, 2, 3] {
            assert!(close(got[k], jll[i][k], 1e-12), "query {i}: {got:?}");
        }
        // The empty class: ln 0 = −∞, never predicted.
        assert_eq!(got[1], f64::NEG_INFINITY);
        assert_eq!(nb.predict(q), predicted[i]);
    }
    // Every training sample lies nearest its own class here.
    assert_eq!(nb.accuracy(&x, &y), 1.0);
}

#[test]
fn zero_variance_features_stay_finite() {
    // Feature 0 is constant within each class (0 for class 0, 1 for class 1), so its class
    // variances are the smoothing term alone: 1e-9 × the larger overall variance,
    // var([1, 2, 3, 5]) = 8.75/4 = 2.1875 (feature 0's is 0.25). scikit-learn 1.9.1 agrees.
    let x = vec![vec![0.0, 1.0], vec![0.0, 2.0], vec![1.0, 3.0], vec![1.0, 5.0]];
    let nb = GaussianNb::fit(&x, &[0, 0, 1, 1], 2);
    let eps = 2.1875e-9;
    assert!(close(nb.variances[0][0], eps, 1e-15) && close(nb.variances[1][0], eps, 1e-15));
    assert!(close(nb.variances[0][1], 0.25 + eps, 1e-15));
    assert!(close(nb.variances[1][1], 1.0 + eps, 1e-15));
    // scikit-learn's _joint_log_likelihood at [0, 4], [1, 1.5] and [0.5, 2.5].
    let sk = [
        [-4.367623712560956, -228571421.13219956],
        [-228571420.4390524, 4.314229007621285],
        [-57142851.01048095, -57142850.828628145],
    ];
    for (q, want) in [[0.0, 4.0], [1.0, 1.5], [0.5, 2.5]].iter().zip(sk) {
        let got = nb.joint_log_likelihood(q);
        assert!(got.iter().all(|v| v.is_finite()), "{got:?}");
        assert!(close(got[0], want[0], 1e-12) && close(got[1], want[1], 1e-12), "{got:?}");
    }
    // The exactly separating feature decides against the other one.
    assert_eq!(nb.predict(&[0.0, 4.0]), 0);
    assert_eq!(nb.predict(&[1.0, 1.5]), 1);

    // Every feature constant over all samples: scikit-learn would divide 0 by 0; here the
    // smoothing term falls back to 1e-9, the likelihoods agree and the larger prior wins.
    let flat = vec![vec![2.0, -1.0]; 3];
    let nb = GaussianNb::fit(&flat, &[1, 1, 0], 2);
    for q in [[2.0, -1.0], [3.0, 0.0]] {
        let got = nb.joint_log_likelihood(&q);
        assert!(got.iter().all(|v| !v.is_nan()), "{got:?}");
        assert_eq!(nb.predict(&q), 1);
    }
}

/// A splitmix64 stream turned into standard normals by Box–Muller.
struct Normals(u64);

impl Normals {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * PI * v).cos()
    }
}

#[test]
fn recovers_well_separated_gaussian_classes() {
    // Three unit-variance classes 10 σ apart in 2-D; held-out points are classified by the
    // nearest centre save with probability ~Φ(−5) ≈ 3e-7 each.
    let centres = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]];
    let mut g = Normals(7);
    let mut draw = |n: usize| {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for i in 0..n {
            let k = i % 3;
            x.push(vec![centres[k][0] + g.normal(), centres[k][1] + g.normal()]);
            y.push(k);
        }
        (x, y)
    };
    let (train, train_labels) = draw(600);
    let (test, test_labels) = draw(300);
    let nb = GaussianNb::fit(&train, &train_labels, 3);
    for (k, centre) in centres.iter().enumerate() {
        assert!(close(nb.priors[k], 1.0 / 3.0, 1e-15));
        for (j, c) in centre.iter().enumerate() {
            // 200 samples per class: the mean's standard error is 1/√200 ≈ 0.07.
            assert!((nb.means[k][j] - c).abs() < 0.3, "{:?}", nb.means);
            assert!((nb.variances[k][j] - 1.0).abs() < 0.3, "{:?}", nb.variances);
        }
    }
    assert_eq!(nb.accuracy(&test, &test_labels), 1.0);
    assert_eq!(nb.predict(&[9.0, 1.0]), 1);
}

#[test]
fn ties_go_to_the_lowest_class_and_an_empty_set_has_no_accuracy() {
    // Classes 0 and 1 hold the same samples: equal priors, means and variances, equal scores.
    let x = column(&[1.0, 3.0, 1.0, 3.0]);
    let nb = GaussianNb::fit(&x, &[1, 1, 0, 0], 2);
    let jll = nb.joint_log_likelihood(&[2.5]);
    assert_eq!(jll[0], jll[1]);
    assert_eq!(nb.predict(&[2.5]), 0);
    assert!(nb.accuracy(&[], &[]).is_nan());
    // Half of the samples are labelled 1 and all are predicted 0.
    assert_eq!(nb.accuracy(&x, &[1, 1, 0, 0]), 0.5);
}

#[test]
fn a_fitted_model_round_trips_through_json() {
    let (x, y) = reference_data();
    let nb = GaussianNb::fit(&x, &y, 4);
    let back: GaussianNb = serde_json::from_str(&serde_json::to_string(&nb).unwrap()).unwrap();
    assert_eq!(back, nb);
}
