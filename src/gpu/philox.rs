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
