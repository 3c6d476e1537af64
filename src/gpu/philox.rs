//! The GPU's noise generator, written again on the host: Philox4x32-10 (Salmon, Moraes, Dror
//! and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011), counter-based, so each
//! (neuron, trial, step) draws its own normal with no state carried between steps or
//! invocations. `step.wgsl` computes the same words; this copy is the reference its test
//! checks, and is itself checked against the Random123 known-answer vectors.

const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// The 10-round Philox4x32 block of `counter` under `key`.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for round in 0..10 {
        if round > 0 {
            k = [k[0].wrapping_add(W0), k[1].wrapping_add(W1)];
        }
        let p0 = u64::from(M0) * u64::from(c[0]);
        let p1 = u64::from(M1) * u64::from(c[2]);
        c = [(p1 >> 32) as u32 ^ c[1] ^ k[0], p1 as u32, (p0 >> 32) as u32 ^ c[3] ^ k[1], p0 as u32];
    }
    c
}

/// The key of a run's noise: the seed's low and high words.
pub fn key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// The normal the GPU adds to neuron `i` of `trial` at step `t` (before σ), in f64: Box–Muller
/// of the first two words of the block at counter (i, trial, t, 0), each cut to 24 bits as
/// the f32 shader does (u1 in (0, 1], u2 in [0, 1)).
pub fn gauss(seed: u64, i: u32, trial: u32, t: u32) -> f64 {
    let w = philox4x32_10([i, trial, t, 0], key(seed));
    let u1 = f64::from((w[0] >> 8) + 1) / 16_777_216.0;
    let u2 = f64::from(w[1] >> 8) / 16_777_216.0;
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random123's `tests/kat_vectors`, the three `philox4x32 10` lines (counter, key, result).
    #[test]
    fn philox_gives_the_random123_known_answers() {
        let kat: [([u32; 4], [u32; 2], [u32; 4]); 3] = [
            ([0; 4], [0; 2], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]),
            ([u32::MAX; 4], [u32::MAX; 2], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]),
            (
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0],
                [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
            ),
        ];
        for (counter, key, result) in kat {
            assert_eq!(philox4x32_10(counter, key), result);
        }
    }

    /// The normals have mean 0 and variance 1 (200,000 draws: standard errors 0.0022 and
    /// 0.0032), and neighbouring counters are uncorrelated.
    #[test]
    fn the_normals_are_standard_and_independent() {
        let n = 200_000u32;
        let x: Vec<f64> = (0..n).map(|i| gauss(7, i % 1000, i / 1000, 3)).collect();
        let mean = x.iter().sum::<f64>() / f64::from(n);
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / f64::from(n);
        let lag = x.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / f64::from(n - 1);
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.015, "variance {var}");
        assert!(lag.abs() < 0.01, "lag-1 correlation {lag}");
    }
}
