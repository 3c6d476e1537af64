//! Gaussian naive Bayes.
