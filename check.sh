#!/usr/bin/env bash
# The project's checks, fastest first: format, lint (natively and for the wasm page/worker),
# then the tests.
#
#   bash check.sh          fmt, clippy (x86_64 with and without the gpu feature, and wasm32),
#                          all tests but the browser's; the GPU tests run when wgpu finds an
#                          adapter and are skipped otherwise
#   bash check.sh --full   first installs whatever is missing (wasm target, node, NumPy,
#                          trunk, wasm-bindgen-cli, Chromium, playwright-core, Mesa's lavapipe
#                          Vulkan driver; package registries only), then also builds the site
#                          with Trunk and runs the Chromium tests, and requires the GPU tests
#                          to find an adapter (lavapipe): the whole suite, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
full=0
[ "${1:-}" = "--full" ] && full=1

if [ $full = 1 ]; then
  bash .ci/install-tools --browser
fi

step() { printf '\n== %s\n' "$*"; }
step "cargo fmt --check"
cargo fmt --check
step "CPU-feature checks only in src/simd.rs (LPU_SIMD=128 must reach every kernel)"
if grep -rn "is_x86_feature_detected" src --include=*.rs | grep -v "^src/simd.rs:"; then exit 1; fi
step "clippy (native, all targets; and with the GPU backend)"
cargo clippy --release --all-targets -- -D warnings
cargo clippy --release --all-targets --features gpu -- -D warnings
step "clippy (wasm32: the page's build, and the worker's)"
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --features page --lib --bins -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --features worker --lib --bins -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --features worker,gpu --lib --bins -- -D warnings
if [ $full = 1 ]; then
  step "all tests, the browser's included"
  cargo test --release --no-fail-fast
else
  step "tests (without the browser: bash check.sh --full adds it)"
  cargo test --release --no-fail-fast -- --skip explorer_in_headless_chromium
fi
# The GPU backend against the CPU (tests/gpu.rs). wgpu finds lavapipe through the Vulkan
# loader; a runtime directory and a pinned driver keep its runs quiet and repeatable.
step "GPU backend tests (wgpu; lavapipe when there is no hardware adapter)"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/lpu-xdg-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
lvp=$(ls /usr/share/vulkan/icd.d/lvp_icd.*.json 2>/dev/null | head -1 || true)
if [ $full = 1 ]; then
  [ -n "$lvp" ] && export VK_ICD_FILENAMES="$lvp"
  LPU_REQUIRE_GPU=1 cargo test --release --features gpu --test gpu --test gpu_train --no-fail-fast
else
  cargo test --release --features gpu --test gpu --test gpu_train --no-fail-fast
fi
step "all checks passed"
