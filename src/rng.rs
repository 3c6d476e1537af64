//! Reproducible randomness with a documented, stable stream.
//!
//! Every draw in the project comes from [`Rng`]: ChaCha8 (crate `rand_chacha` 0.3, whose
//! output is value-stable by that crate's policy) keyed by `rand_core`'s `seed_from_u64(seed)`
//! and switched to a *stream* that names the purpose of the draws (see [`stream`]). Uniforms
//! and normals are converted here, not by `rand`/`rand_distr`, so that a dependency update can
//! never change a number, and normals use Box–Muller with the pure-Rust `libm` functions so
//! that native and wasm builds give bit-identical values.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// Stream identifiers: one per purpose, so that adding draws for one purpose never shifts
/// the numbers of another.
pub mod stream {
    /// Weights of designed networks (bistable and flip-flop LPUs).
    pub const DESIGN: u64 = 1;
    /// Flip-flop pulses: stream `TASK + trial * 2^8`.
    pub const TASK: u64 = 2;
    /// Initial rates of a simulation.
    pub const INITIAL_RATES: u64 = 3;
    /// Random starting points of the fixed-point search.
    pub const FIXED_POINT_STARTS: u64 = 4;
    /// Which neurons are copied when a network is resampled to another N.
    pub const RESAMPLE: u64 = 5;
    /// Entries of a random dense matrix W_rand.
    pub const RANDOM_NETWORK: u64 = 6;
    /// Drift ΔM: stream `DRIFT + run * 2^8`.
    pub const DRIFT: u64 = 7;
    /// Points sampled on a latent sphere (static embeddings); the pairs drawn from them use
    /// stream `LATENT_SAMPLES + 2^8`.
    pub const LATENT_SAMPLES: u64 = 8;
    /// Tangent vectors and the nearby trajectory of a Lyapunov run.
    pub const TANGENT: u64 = 9;
    /// Initial weights of a trained network.
    pub const TRAIN_INIT: u64 = 10;
    /// Training trials: stream `TRAIN_TRIALS + trial * 2^8` (trial counted over all epochs).
    pub const TRAIN_TRIALS: u64 = 11;
    /// Trials that score a trained network, never seen in training.
    pub const TEST_TRIALS: u64 = 12;
    /// Noise added to the state during training: stream `TRAIN_NOISE + trial * 2^8`.
    pub const TRAIN_NOISE: u64 = 13;
    /// A JEDI teacher's connectivity and input weights.
    pub const JEDI_TEACHER: u64 = 14;
    /// A JEDI teacher's initial states: stream `JEDI_TEACHER_STATES + trial * 2^8`.
    pub const JEDI_TEACHER_STATES: u64 = 15;
    /// Initial weights of a JEDI hypernetwork.
    pub const JEDI_INIT: u64 = 16;
    /// Which trials a JEDI fit holds out, and the order of its minibatches.
    pub const JEDI_SPLIT: u64 = 17;
    /// Noise added to JEDI contexts in the robustness analysis.
    pub const JEDI_ROBUSTNESS: u64 = 18;
    /// Current noise: stream `NOISE_BASE + trial * 2^20 + chunk` (chunks of
    /// [`crate::simulate::CHUNK`] neurons), so the noise does not depend on the thread count.
    pub const NOISE_BASE: u64 = 1 << 32;
}

/// A seed for a sub-experiment (a run, a segment) derived from the user's seed by SplitMix64,
/// so noise of different segments never repeats.
pub fn derive_seed(seed: u64, tag: u64) -> u64 {
    let mut z = seed.wrapping_add(tag.wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const ZIG_R: f64 = 3.442619855899;

struct Ziggurat {
    k: [u32; 128],
    w: [f64; 128],
    f: [f64; 128],
}

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let m1 = 2147483648.0f64;
        let vn = 9.91256303526217e-3;
        let (mut dn, mut tn) = (ZIG_R, ZIG_R);
        let q = vn / libm::exp(-0.5 * dn * dn);
        let mut z = Ziggurat { k: [0; 128], w: [0.0; 128], f: [0.0; 128] };
        z.k[0] = ((dn / q) * m1) as u32;
        z.k[1] = 0;
        z.w[0] = q / m1;
        z.w[127] = dn / m1;
        z.f[0] = 1.0;
        z.f[127] = libm::exp(-0.5 * dn * dn);
        for i in (1..=126).rev() {
            dn = libm::sqrt(-2.0 * libm::log(vn / dn + libm::exp(-0.5 * dn * dn)));
            z.k[i + 1] = ((dn / tn) * m1) as u32;
            tn = dn;
            z.f[i] = libm::exp(-0.5 * dn * dn);
            z.w[i] = dn / m1;
        }
        z
    })
}

/// The project's random number generator: ChaCha8 on one named stream, with its own uniform
/// and normal conversions so that every draw is the same natively and in wasm.
pub struct Rng {
    inner: ChaCha8Rng,
    spare_normal: Option<f64>,
}

impl Rng {
    /// The generator for `seed` on `stream` (one of [`stream`]'s constants, possibly offset by
    /// a run or trial index).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(stream);
        Rng { inner, spare_normal: None }
    }

    /// The next 64 raw bits of the stream.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.inner.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in 0..n (n > 0), by rejection so it is exactly uniform.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0);
        let zone = u64::MAX - (u64::MAX % n) - 1;
        loop {
            let x = self.inner.next_u64();
            if x <= zone {
                return x % n;
            }
        }
    }

    /// Standard normal by Box–Muller; draws come in pairs (cos, then sin).
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let u1 = 1.0 - self.uniform(); // (0, 1]: log is finite
        let u2 = self.uniform();
        let radius = libm::sqrt(-2.0 * libm::log(u1));
        let angle = 2.0 * std::f64::consts::PI * u2;
        self.spare_normal = Some(radius * libm::sin(angle));
        radius * libm::cos(angle)
    }

    /// Standard normal by the ziggurat method (Marsaglia & Tsang 2000, 128 layers), about five
    /// times cheaper than Box–Muller: used for the current noise, which dominates noisy runs.
    /// The layer index takes the low 7 bits of a draw and the sign and magnitude its top 32,
    /// and the tables and the rare tail and wedge tests use `libm`, so the bits are the same
    /// everywhere.
    pub fn normal_fast(&mut self) -> f64 {
        let t = ziggurat();
        loop {
            let bits = self.inner.next_u64();
            let hz = (bits >> 32) as u32 as i32;
            let iz = (bits & 127) as usize;
            if (hz as i64).abs() < t.k[iz] as i64 {
                return hz as f64 * t.w[iz];
            }
            if iz == 0 {
                // The tail beyond r, by Marsaglia's exponential method.
                loop {
                    let x = -libm::log(1.0 - self.uniform()) / ZIG_R;
                    let y = -libm::log(1.0 - self.uniform());
                    if y + y >= x * x {
                        return if hz > 0 { ZIG_R + x } else { -ZIG_R - x };
                    }
                }
            }
            let x = hz as f64 * t.w[iz];
            if t.f[iz] + self.uniform() * (t.f[iz - 1] - t.f[iz]) < libm::exp(-0.5 * x * x) {
                return x;
            }
        }
    }

    /// Fills `out` with independent normals of mean `mean` and s.d. `sd` (Box–Muller, so the
    /// same values as repeated [`Rng::normal`]).
    pub fn fill_normal(&mut self, out: &mut [f64], mean: f64, sd: f64) {
        for x in out {
            *x = mean + sd * self.normal();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_moments_match_the_standard_normal() {
        let mut rng = Rng::new(7, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        let kurt = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n as f64 / (var * var);
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
        assert!((kurt - 3.0).abs() < 0.05, "kurtosis {kurt}");
    }

    /// Kolmogorov–Smirnov distance of the ziggurat's draws from Φ (libm's erf), and its tail.
    #[test]
    fn ziggurat_matches_the_normal_cdf() {
        let mut rng = Rng::new(3, 9);
        let n = 400_000;
        let mut xs: Vec<f64> = (0..n).map(|_| rng.normal_fast()).collect();
        xs.sort_by(f64::total_cmp);
        let phi = |x: f64| 0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2));
        let d = xs
            .iter()
            .enumerate()
            .map(|(i, &x)| ((i + 1) as f64 / n as f64 - phi(x)).abs().max((phi(x) - i as f64 / n as f64).abs()))
            .fold(0.0, f64::max);
        // The 0.1% critical value is 1.95/√n ≈ 0.0031.
        assert!(d < 1.95 / (n as f64).sqrt(), "KS distance {d}");
        let beyond = xs.iter().filter(|x| x.abs() > 3.5).count() as f64 / n as f64;
        let expected = 2.0 * (1.0 - phi(3.5));
        assert!((beyond / expected - 1.0).abs() < 0.25, "tail {beyond} vs {expected}");
    }

    #[test]
    fn streams_are_independent_and_seeds_reproduce() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(1, 1);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(1, 1);
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..4)
            .map({
                let mut r = Rng::new(1, 2);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn below_is_uniform() {
        let mut rng = Rng::new(3, 0);
        let mut counts = [0usize; 3];
        for _ in 0..30_000 {
            counts[rng.below(3) as usize] += 1;
        }
        for c in counts {
            assert!((c as f64 - 10_000.0).abs() < 400.0, "{counts:?}");
        }
    }
}
