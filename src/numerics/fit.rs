//! Deterministic least-squares fitting of a few parameters: the best point of a grid, refined
//! by a shrinking pattern search. No gradients and no random restarts, so a fit is a fixed
//! sequence of model evaluations and gives the same bits everywhere.

/// How one parameter is searched.
#[derive(Clone, Debug)]
pub struct Axis {
    /// Values tried on the grid (every combination with the other axes' grids).
    pub grid: Vec<f64>,
    /// Pattern-search trial values are clamped to [lower, upper].
    pub lower: f64,
    /// See `lower`.
    pub upper: f64,
    /// The first pattern-search step.
    pub step: Step,
    /// The search stops once this axis's step has been halved below `min_step`.
    pub min_step: f64,
    /// The value returned if no grid point has a loss below +∞ (e.g. NaN data).
    pub fallback: f64,
}

/// The first pattern-search step of an axis.
#[derive(Clone, Copy, Debug)]
pub enum Step {
    /// This step.
    Absolute(f64),
    /// This fraction of the best grid value.
    Relative(f64),
}

/// Best parameters and their loss, the sum of squared residuals.
#[derive(Clone, Debug)]
pub struct Fit {
    /// One value per axis.
    pub params: Vec<f64>,
    /// Σ (model(x) − y)² at `params`.
    pub loss: f64,
}

/// Most pattern-search rounds.
const ROUNDS: usize = 200;

/// Least-squares fit of `model(x, params)` to the points (xs, ys), params one per axis.
///
/// The loss Σ (model(x) − y)², summed in data order, is evaluated on the whole grid (first axis
/// slowest); from its best point, each round tries a step up and a step down along each axis in
/// turn, taking any trial that lowers the loss, and halves every step after a round without
/// improvement. Ties keep the earlier point. Stops after 200 rounds or when some axis's step
/// falls below its `min_step`.
pub fn least_squares(model: impl Fn(f64, &[f64]) -> f64, xs: &[f64], ys: &[f64], axes: &[Axis]) -> Fit {
    let loss = |p: &[f64]| -> f64 {
        xs.iter()
            .zip(ys)
            .map(|(&x, y)| {
                let m = model(x, p);
                (m - y) * (m - y)
            })
            .sum()
    };
    let mut best_p: Vec<f64> = axes.iter().map(|a| a.fallback).collect();
    let mut best = f64::INFINITY;
    if axes.iter().all(|a| !a.grid.is_empty()) {
        let mut idx = vec![0; axes.len()];
        loop {
            let p: Vec<f64> = axes.iter().zip(&idx).map(|(a, &i)| a.grid[i]).collect();
            let l = loss(&p);
            if l < best {
                (best, best_p) = (l, p);
            }
            // Odometer over the grid, last axis fastest.
            let Some(d) = (0..axes.len()).rev().find(|&d| idx[d] + 1 < axes[d].grid.len()) else {
                break;
            };
            idx[d] += 1;
            idx[d + 1..].iter_mut().for_each(|i| *i = 0);
        }
    }
    let mut steps: Vec<f64> = axes
        .iter()
        .zip(&best_p)
        .map(|(a, &v)| match a.step {
            Step::Absolute(s) => s,
            Step::Relative(f) => v * f,
        })
        .collect();
    for _ in 0..ROUNDS {
        let mut improved = false;
        let trials: Vec<Vec<f64>> = (0..axes.len())
            .flat_map(|d| [1.0, -1.0].map(|sign| (d, sign)))
            .map(|(d, sign)| {
                let mut p = best_p.clone();
                p[d] = if sign > 0.0 { p[d] + steps[d] } else { p[d] - steps[d] };
                p.iter().zip(axes).map(|(&v, a)| v.max(a.lower).min(a.upper)).collect()
            })
            .collect();
        for p in trials {
            let l = loss(&p);
            if l < best {
                (best, best_p, improved) = (l, p, true);
            }
        }
        if !improved {
            steps.iter_mut().for_each(|s| *s *= 0.5);
            if steps.iter().zip(axes).any(|(s, a)| *s < a.min_step) {
                break;
            }
        }
    }
    Fit { params: best_p, loss: best }
}
