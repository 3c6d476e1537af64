//! The single-neuron nonlinearity φ and its derivative.
//!
//! `tanh` is evaluated by a branch-free formula written here rather than `f64::tanh`: the
//! platform libm differs between native and wasm builds (breaking bit-identical results), and a
//! branch-free body lets the compiler vectorise the neuron loop. Against `libm::tanh` its
//! absolute error is at most one ulp of 1.0 (2.2e-16) and its relative error at most 3 ulps,
//! tiny arguments included (tested).

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

/// tanh(x) = sign(x) (1 − t) / (1 + t) with t = e^{−2|x|}, branch-free and with one division.
///
/// t = 2^n e^r with |r| ≤ ln2/2, and e^r = P(r)/Q(r), its [6/6] Padé approximant (error below
/// 2e-19 on that range), whose coefficients are integers and so exact in f64. Writing
/// P = E + O and Q = E − O (E even in r, O odd), with s = 2^n, u = 1 + s and v = 1 − s (exact
/// for every n that matters):
/// - below |x| = ½, tanh = (Q − sP)/(Q + sP) = (E v − O u)/(E u − O v). For |x| < ln2/4, n = 0
///   and v = 0, so the numerator is −2 O with no cancellation: tiny x keeps its full relative
///   precision and needs no special case.
/// - from ½ on, tanh = 1 − 2sP/(Q + sP): a correction below ½ subtracted from 1, so its
///   rounding costs at most a quarter of the last bit.
///
/// Both branches share the one division: the numerator and the constant in front are selected,
/// not the quotient (selecting quotients would make the compiler divide twice). Clamping |x|
/// at 20 (where tanh is 1 in f64) keeps 2^n in range; a NaN passes the clamp and comes out
/// NaN.
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: adding it rounds to an integer
    let a = x.abs();
    let a = if a > 20.0 { 20.0 } else { a };
    let y = -2.0 * a;
    let kd = y * LOG2E + SHIFT;
    let n = kd - SHIFT;
    let r = (y - n * LN2_HI) - n * LN2_LO;
    let r2 = r * r;
    let e = ((r2 + 840.0) * r2 + 75_600.0) * r2 + 665_280.0;
    let o = ((42.0 * r2 + 10_080.0) * r2 + 332_640.0) * r;
    // The low bits of kd hold n in two's complement; n + 1023 lands in [965, 1023].
    let s = f64::from_bits(kd.to_bits().wrapping_add(1023) << 52);
    let (u, v) = (1.0 + s, 1.0 - s);
    let small = a < 0.5;
    let top = if small { e * v - o * u } else { -2.0 * s * (e + o) };
    let base = if small { 0.0 } else { 1.0 };
    let mag = base + top / (e * u - o * v);
    mag.copysign(x)
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
        let (mut worst_abs, mut worst_rel) = (0.0f64, 0.0f64);
        let mut check = |x: f64| {
            let (ours, exact) = (tanh(x), libm::tanh(x));
            worst_abs = worst_abs.max((ours - exact).abs());
            if exact != 0.0 {
                worst_rel = worst_rel.max(((ours - exact) / exact).abs());
            }
        };
        let mut x = -25.0;
        while x <= 25.0 {
            check(x);
            x += 0.000_731;
        }
        // Tiny arguments, where 1 − e^{−2x} cancels: 1e-300 … 1.
        let mut x = 1e-300f64;
        while x < 1.0 {
            check(x);
            check(-x);
            x *= 1.013;
        }
        for x in [0.0, -0.0, 5e-324, 0.5, 0.5f64.next_down(), 19.999, 20.0, 700.0, -1e308, f64::INFINITY] {
            check(x);
        }
        assert!(worst_abs <= f64::EPSILON, "worst abs error {worst_abs:e}");
        assert!(worst_rel <= 3.0 * f64::EPSILON, "worst relative error {worst_rel:e}");
        assert!(tanh(f64::NAN).is_nan());
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
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
