use lpu::numerics::fit::{least_squares, Axis, Step};
use lpu::numerics::grid::{linspace, powers};
use lpu::numerics::sigmoid::logistic_step;

fn axis(grid: Vec<f64>, lower: f64, upper: f64, step: Step) -> Axis {
    Axis { grid, lower, upper, step, min_step: 1e-12, fallback: 0.0 }
}

#[test]
fn recovers_the_parameters_of_noise_free_sigmoid_data() {
    let xs = linspace(-4.0, 3.0, 15);
    for (mid, slope) in [(-0.99, 2.5), (0.3, 0.7), (1.7, 6.0)] {
        let model = |x: f64, p: &[f64]| logistic_step(x, p[0], p[1], 1.0, 0.25);
        let ys: Vec<f64> = xs.iter().map(|&x| model(x, &[mid, slope])).collect();
        let axes = [
            axis(linspace(-6.0, 5.0, 121), -6.0, 5.0, Step::Absolute(11.0 / 120.0)),
            Axis { min_step: 0.0, ..axis(powers(0.25, 1.1, 41), 1e-3, f64::INFINITY, Step::Relative(0.1)) },
        ];
        let fit = least_squares(model, &xs, &ys, &axes);
        assert!((fit.params[0] - mid).abs() < 1e-7, "{fit:?}");
        assert!((fit.params[1] / slope - 1.0).abs() < 1e-6, "{fit:?}");
        assert!(fit.loss < 1e-20, "{fit:?}");
    }
}

#[test]
fn fits_a_line_off_its_grid() {
    let xs = linspace(0.0, 1.0, 9);
    let ys: Vec<f64> = xs.iter().map(|x| 0.123 - 1.789 * x).collect();
    let axes = [
        axis(linspace(-2.0, 2.0, 9), -5.0, 5.0, Step::Absolute(0.5)),
        axis(linspace(-2.0, 2.0, 9), -5.0, 5.0, Step::Absolute(0.5)),
    ];
    let fit = least_squares(|x, p| p[0] + p[1] * x, &xs, &ys, &axes);
    assert!((fit.params[0] - 0.123).abs() < 1e-9 && (fit.params[1] + 1.789).abs() < 1e-9, "{fit:?}");
}

#[test]
fn the_bounds_hold() {
    // The best slope would be 3, above the upper bound 2.
    let xs = [0.0, 1.0, 2.0];
    let ys = [0.0, 3.0, 6.0];
    let axes = [axis(vec![0.0, 1.0], -10.0, 2.0, Step::Absolute(0.3))];
    let fit = least_squares(|x, p| p[0] * x, &xs, &ys, &axes);
    assert_eq!(fit.params, [2.0]);
}

#[test]
fn with_no_finite_loss_the_fallback_is_returned() {
    let axes = [Axis { fallback: 0.7, ..axis(vec![0.0, 1.0], -1.0, 1.0, Step::Absolute(0.1)) }];
    let fit = least_squares(|_, _| f64::NAN, &[1.0], &[1.0], &axes);
    assert_eq!(fit.params, [0.7]);
    assert!(fit.loss.is_infinite());
}
