//! The single-neuron nonlinearity φ and its derivative.
//!
//! `tanh` is evaluated by a branch-free exp-based formula written here rather than
//! `f64::tanh`: the platform libm differs between native and wasm builds (breaking
//! bit-identical results), and a branch-free body lets the compiler vectorise the neuron loop.
//! Its absolute error against `libm::tanh` is at most one ulp of 1.0, 2.2e-16 (tested).

use serde::{Deserialize, Serialize};

/// The nonlinearity φ applied to each neuron's input current; its query and file name is the
/// lowercase variant name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phi {
    /// tanh(x), rates in (−1, 1); the default of every experiment.
    Tanh,
    /// max(x, 0).
    Relu,
    /// −1, 0 or +1 by the sign of x; its derivative is taken as 0 everywhere.
    Sign,
    /// sin(x).
    Sin,
}

impl Phi {
    /// The names of the variants, in declaration order (network file, query values).
    pub const NAMES: [&'static str; 4] = ["tanh", "relu", "sign", "sin"];

    /// The name used in network files and queries.
    pub fn name(self) -> &'static str {
        match self {
            Phi::Tanh => "tanh",
            Phi::Relu => "relu",
            Phi::Sign => "sign",
            Phi::Sin => "sin",
        }
    }

    /// The nonlinearity called `s` (one of [`Phi::NAMES`]), if any.
    pub fn from_name(s: &str) -> Option<Phi> {
        match s {
            "tanh" => Some(Phi::Tanh),
            "relu" => Some(Phi::Relu),
            "sign" => Some(Phi::Sign),
            "sin" => Some(Phi::Sin),
            _ => None,
        }
    }

    /// φ(x); tanh is the project's own, bit-identical natively and in wasm.
    #[inline(always)]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Phi::Tanh => tanh(x),
            Phi::Relu => x.max(0.0),
            Phi::Sign => sign(x),
            Phi::Sin => libm::sin(x),
        }
    }

    /// φ′(x). For `sign` the derivative is 0 almost everywhere.
    #[inline(always)]
    pub fn derivative(self, x: f64) -> f64 {
        match self {
            Phi::Tanh => {
                let t = tanh(x);
                1.0 - t * t
            }
            Phi::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Phi::Sign => 0.0,
            Phi::Sin => libm::cos(x),
        }
    }

    /// Applies φ to every element; the match is hoisted so each arm is a tight loop.
    pub fn apply_slice(self, xs: &mut [f64]) {
        match self {
            Phi::Tanh => xs.iter_mut().for_each(|x| *x = tanh(*x)),
            Phi::Relu => xs.iter_mut().for_each(|x| *x = x.max(0.0)),
            Phi::Sign => xs.iter_mut().for_each(|x| *x = sign(*x)),
            Phi::Sin => xs.iter_mut().for_each(|x| *x = libm::sin(*x)),
        }
    }
}

/// sign(x), with 0 for 0 (`f64::signum(0.0)` is 1).
#[inline(always)]
pub fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// e^y for y in [-40, 0], branch-free: y = n ln2 + r with |r| ≤ ln2/2, e^r by its Taylor
/// series to degree 13 (truncation < 2e-17 relative), 2^n assembled from the exponent bits.
#[inline(always)]
fn exp_nonpositive(y: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: adding it rounds to an integer
    let kd = y * LOG2E + SHIFT;
    let n = kd - SHIFT;
    let r = (y - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.0 / 6_227_020_800.0;
    p = p * r + 1.0 / 479_001_600.0;
    p = p * r + 1.0 / 39_916_800.0;
    p = p * r + 1.0 / 3_628_800.0;
    p = p * r + 1.0 / 362_880.0;
    p = p * r + 1.0 / 40_320.0;
    p = p * r + 1.0 / 5_040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // The low bits of kd hold n in two's complement; n + 1023 lands in [983, 1023].
    let scale = f64::from_bits(kd.to_bits().wrapping_add(1023) << 52);
    p * scale
}

/// tanh(x) = sign(x) (1 − e^{−2|x|}) / (1 + e^{−2|x|}).
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    let a = x.abs().min(20.0);
    let t = exp_nonpositive(-2.0 * a);
    let mag = (1.0 - t) / (1.0 + t);
    // For tiny |x| the formula cancels; x itself is then tanh(x) to double precision.
    let mag = if a < 1e-8 { a } else { mag };
    let y = mag.copysign(x);
    if x.is_nan() {
        x
    } else {
        y
    }
}

impl crate::params::Choice for Phi {
    const ALL: &'static [Self] = &[Phi::Tanh, Phi::Relu, Phi::Sign, Phi::Sin];
    const NAMES: &'static [&'static str] = &Phi::NAMES;
    fn name(self) -> &'static str {
        Phi::name(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_matches_libm_to_machine_precision() {
        let mut worst = 0.0f64;
        let mut x = -25.0;
        while x <= 25.0 {
            let err = (tanh(x) - libm::tanh(x)).abs();
            worst = worst.max(err);
            x += 0.000_731;
        }
        for x in [0.0, 1e-300, -1e-12, 1e-9, 3e-8, 0.5, 700.0, -1e308] {
            worst = worst.max((tanh(x) - libm::tanh(x)).abs());
        }
        assert!(worst <= f64::EPSILON, "worst abs error {worst:e}");
        assert!(tanh(f64::NAN).is_nan());
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for phi in [Phi::Tanh, Phi::Sin, Phi::Relu] {
            for x in [-1.3, -0.2, 0.4, 2.0] {
                let h = 1e-6;
                let fd = (phi.apply(x + h) - phi.apply(x - h)) / (2.0 * h);
                assert!((fd - phi.derivative(x)).abs() < 1e-8, "{phi:?} at {x}");
            }
        }
    }
}
