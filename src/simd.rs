//! Which x86-64 vector extensions the kernels may use: those the CPU has, unless the
//! environment variable `LPU_SIMD=128` holds every kernel to its baseline body (SSE2, two f64
//! lanes: the width of wasm's simd128). The bodies are written in fixed lane order without
//! fused multiply-adds, so each width gives the same bits; the switch only lets a benchmark
//! time native code at wasm's width beside native code at its own (tests/browser/wasm_bench.mjs).

/// True when `LPU_SIMD=128` asks for 128-bit vectors only (read once per process).
#[cfg(target_arch = "x86_64")]
fn held_to_128() -> bool {
    static HELD: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HELD.get_or_init(|| std::env::var("LPU_SIMD").is_ok_and(|v| v.trim() == "128"))
}

/// AVX2 may be used: the CPU has it and `LPU_SIMD=128` is not set.
#[cfg(target_arch = "x86_64")]
pub fn avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && !held_to_128()
}

/// AVX-512F may be used: the CPU has it and `LPU_SIMD=128` is not set.
#[cfg(target_arch = "x86_64")]
pub fn avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f") && !held_to_128()
}

/// The vector width the kernels run at, for benchmarks to print: "AVX-512", "AVX2" or
/// "128-bit" (SSE2 natively, simd128 in wasm).
pub fn width() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    {
        if avx512() {
            return "AVX-512";
        }
        if avx2() {
            return "AVX2";
        }
    }
    "128-bit"
}
