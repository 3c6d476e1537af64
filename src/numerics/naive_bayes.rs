//! Gaussian naive Bayes, as scikit-learn's `GaussianNB` fits and predicts it: class priors from
//! class frequencies, per-class per-feature means and population variances, every variance
//! widened by a smoothing term proportional to the largest feature variance.

use std::f64::consts::PI;

/// scikit-learn's default `var_smoothing`: the fraction of the largest feature variance added to
/// every variance.
pub const VAR_SMOOTHING: f64 = 1e-9;

/// A fitted Gaussian naive Bayes classifier over classes `0..classes`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GaussianNb {
    /// The number of classes; labels are `0..classes`.
    pub classes: usize,
    /// Each class's prior: its fraction of the training samples.
    pub priors: Vec<f64>,
    /// `means[k][j]`: the mean of feature `j` over class `k`'s samples (0 for an empty class).
    pub means: Vec<Vec<f64>>,
    /// `variances[k][j]`: the population variance (divisor n) of feature `j` over class `k`'s
    /// samples plus the smoothing term (just the smoothing term for an empty class).
    pub variances: Vec<Vec<f64>>,
}

impl GaussianNb {
    /// Fits to `samples` (each of the same length) with class labels 0..classes. A class without
    /// samples gets prior 0 and is never predicted (its mean 0 and variance the smoothing term, as
    /// scikit-learn's `partial_fit` leaves a declared class it has not seen).
    ///
    /// The smoothing term is [`VAR_SMOOTHING`] × the largest population variance of a feature
    /// over all samples. Where every feature is constant over all samples that largest variance
    /// is 0 and scikit-learn would divide 0 by 0; here the term is then [`VAR_SMOOTHING`] itself,
    /// so the classes differ only in their priors and the most frequent one is predicted.
    ///
    /// # Panics
    /// When there are no samples, `labels` and `samples` differ in length, the samples differ in
    /// length, or a label is not below `classes`.
    pub fn fit(samples: &[Vec<f64>], labels: &[usize], classes: usize) -> GaussianNb {
        assert!(!samples.is_empty(), "naive Bayes needs at least one sample");
        assert_eq!(samples.len(), labels.len(), "one label per sample");
        let features = samples[0].len();
        assert!(samples.iter().all(|s| s.len() == features), "samples of different lengths");
        assert!(labels.iter().all(|&l| l < classes), "a label is not below the class count");

        // The largest feature variance over all samples sets the smoothing term.
        let all: Vec<usize> = (0..samples.len()).collect();
        let (_, overall_var) = mean_and_variance(samples, &all, features);
        let largest = overall_var.iter().fold(0.0f64, |m, &v| if v > m { v } else { m });
        let epsilon = if largest > 0.0 { VAR_SMOOTHING * largest } else { VAR_SMOOTHING };

        let n = samples.len() as f64;
        let mut priors = Vec::with_capacity(classes);
        let mut means = Vec::with_capacity(classes);
        let mut variances = Vec::with_capacity(classes);
        for k in 0..classes {
            let members: Vec<usize> = (0..samples.len()).filter(|&i| labels[i] == k).collect();
            priors.push(members.len() as f64 / n);
            let (mean, var) = if members.is_empty() {
                (vec![0.0; features], vec![0.0; features])
            } else {
                mean_and_variance(samples, &members, features)
            };
            means.push(mean);
            variances.push(var.into_iter().map(|v| v + epsilon).collect());
        }
        GaussianNb { classes, priors, means, variances }
    }

    /// log prior + log likelihood of each class for x (−∞ for an empty class):
    /// log π_k − ½ Σ_j log(2π σ²_kj) − ½ Σ_j (x_j − μ_kj)² / σ²_kj, summed in scikit-learn's
    /// grouping.
    pub fn joint_log_likelihood(&self, x: &[f64]) -> Vec<f64> {
        let two_pi = 2.0 * PI;
        (0..self.classes)
            .map(|k| {
                if self.priors[k] == 0.0 {
                    return f64::NEG_INFINITY;
                }
                let (mean, var) = (&self.means[k], &self.variances[k]);
                assert_eq!(x.len(), mean.len(), "x has the wrong number of features");
                let mut log_norm = 0.0;
                for &v in var {
                    log_norm += libm::log(two_pi * v);
                }
                let mut mahalanobis = 0.0;
                for j in 0..x.len() {
                    let d = x[j] - mean[j];
                    mahalanobis += d * d / var[j];
                }
                libm::log(self.priors[k]) + (-0.5 * log_norm - 0.5 * mahalanobis)
            })
            .collect()
    }

    /// The most likely class of x (the lowest index among equally likely ones).
    pub fn predict(&self, x: &[f64]) -> usize {
        let jll = self.joint_log_likelihood(x);
        let mut best = 0;
        for (k, &l) in jll.iter().enumerate() {
            if l > jll[best] {
                best = k;
            }
        }
        best
    }

    /// The fraction of `samples` predicted as their `labels` (NaN for no samples).
    pub fn accuracy(&self, samples: &[Vec<f64>], labels: &[usize]) -> f64 {
        assert_eq!(samples.len(), labels.len(), "one label per sample");
        let hits = samples.iter().zip(labels).filter(|(x, &l)| self.predict(x) == l).count();
        hits as f64 / samples.len() as f64
    }
}

/// Per-feature mean and population variance (divisor n) over the samples `rows`, in row order.
fn mean_and_variance(samples: &[Vec<f64>], rows: &[usize], features: usize) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len() as f64;
    let mut mean = vec![0.0; features];
    for &i in rows {
        for (m, &v) in mean.iter_mut().zip(&samples[i]) {
            *m += v;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut var = vec![0.0; features];
    for &i in rows {
        for ((s, &v), &m) in var.iter_mut().zip(&samples[i]).zip(&mean) {
            let d = v - m;
            *s += d * d;
        }
    }
    var.iter_mut().for_each(|s| *s /= n);
    (mean, var)
}
