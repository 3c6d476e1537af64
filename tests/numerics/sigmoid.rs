use lpu::numerics::sigmoid::{logistic, logistic_step};

#[test]
fn the_logistic_is_a_shifted_tanh() {
    // 1 / (1 + e^(−t)) = (1 + tanh(t/2)) / 2.
    for t in [-30.0, -4.0, -0.5, 0.0, 0.1, 2.0, 12.0] {
        let want = 0.5 * (1.0 + libm::tanh(0.5 * t));
        assert!((logistic(t) - want).abs() < 1e-15, "t = {t}");
        assert!((logistic(t) + logistic(-t) - 1.0).abs() < 1e-15);
    }
    assert_eq!(logistic(0.0), 0.5);
}

#[test]
fn a_logistic_step_runs_between_its_levels() {
    let f = |x| logistic_step(x, 1.5, 4.0, 1.0, 0.25);
    assert_eq!(f(1.5), 0.625);
    assert!((f(-20.0) - 1.0).abs() < 1e-15);
    assert!((f(20.0) - 0.25).abs() < 1e-15);
    // It is the logistic rescaled: right + (left − right) · logistic(−slope (x − midpoint)).
    for x in [0.0, 1.2, 1.7, 3.0] {
        assert!((f(x) - (0.25 + 0.75 * logistic(-4.0 * (x - 1.5)))).abs() < 1e-15);
    }
}
