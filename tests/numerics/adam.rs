//! Adam against the closed-form least-squares solution of a linear problem; clipping and the
//! plateau schedule against their definitions.

use lpu::numerics::adam::{clip_norm, Adam, AdamConfig, Plateau};
use lpu::rng::Rng;

/// min ½‖A θ − y‖²/rows by Adam from zero reaches the normal equations' solution.
#[test]
fn adam_reaches_the_least_squares_solution() {
    let (rows, cols) = (20, 3);
    let mut rng = Rng::new(7, 0);
    let a: Vec<f64> = (0..rows * cols).map(|_| rng.normal()).collect();
    let y: Vec<f64> = (0..rows).map(|_| rng.normal()).collect();
    // Closed form: (AᵀA) θ = Aᵀy, solved by Cramer's rule for 3 × 3.
    let mut ata = [[0.0; 3]; 3];
    let mut aty = [0.0; 3];
    for r in 0..rows {
        for i in 0..cols {
            aty[i] += a[r * cols + i] * y[r];
            for j in 0..cols {
                ata[i][j] += a[r * cols + i] * a[r * cols + j];
            }
        }
    }
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(ata);
    let exact: Vec<f64> = (0..3)
        .map(|c| {
            let mut m = ata;
            for r in 0..3 {
                m[r][c] = aty[r];
            }
            det(m) / d
        })
        .collect();
    let mut theta = vec![0.0; cols];
    let mut adam = Adam::new(AdamConfig { lr: 0.01, ..Default::default() }, cols);
    for step in 0..20_000 {
        let mut grad = vec![0.0; cols];
        for r in 0..rows {
            let resid: f64 = (0..cols).map(|i| a[r * cols + i] * theta[i]).sum::<f64>() - y[r];
            for i in 0..cols {
                grad[i] += resid * a[r * cols + i] / rows as f64;
            }
        }
        if step > 15_000 {
            adam.config.lr = 1e-4;
        }
        adam.step(&mut theta, &mut grad, None);
    }
    for (t, e) in theta.iter().zip(&exact) {
        assert!((t - e).abs() < 1e-6, "Adam {theta:?} vs least squares {exact:?}");
    }
}

#[test]
fn clipping_scales_to_the_norm_and_leaves_small_gradients() {
    let mut g = vec![3.0, 4.0];
    assert_eq!(clip_norm(&mut g, 10.0), 5.0);
    assert_eq!(g, vec![3.0, 4.0]);
    assert_eq!(clip_norm(&mut g, 1.0), 5.0);
    assert!((g[0].hypot(g[1]) - 1.0).abs() < 1e-6 && (g[0] / g[1] - 0.75).abs() < 1e-12);
}

#[test]
fn plateau_halves_the_rate_after_patience_epochs_without_improvement() {
    let mut p = Plateau::new(2);
    let mut lr = 1.0;
    for loss in [1.0, 0.5, 0.5, 0.5] {
        lr = p.update(loss, lr);
    }
    assert_eq!(lr, 1.0, "two bad epochs are tolerated");
    lr = p.update(0.5, lr);
    assert_eq!(lr, 0.5, "the third halves the rate");
    lr = p.update(0.4, lr);
    assert_eq!(lr, 0.5, "an improvement keeps it");
}

#[test]
fn weight_decay_pulls_a_flat_parameter_to_zero_and_frozen_ones_stay() {
    let mut adam = Adam::new(AdamConfig { lr: 0.05, weight_decay: 1.0, ..Default::default() }, 2);
    let mut theta = vec![1.0, 1.0];
    for _ in 0..2000 {
        let mut grad = vec![0.0, 0.0];
        adam.step(&mut theta, &mut grad, Some(&[true, false]));
    }
    assert!(theta[0].abs() < 1e-2, "{theta:?}");
    assert_eq!(theta[1], 1.0);
}
