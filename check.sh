#!/usr/bin/env bash
# The project's checks, fastest first: format, lint (natively and for the wasm page/worker),
# then the tests.
#
#   bash check.sh          fmt, clippy (x86_64 and wasm32), all tests but the browser's
#   bash check.sh --full   first installs whatever is missing (wasm target, node, NumPy,
#                          trunk, wasm-bindgen-cli, Chromium, playwright-core; package
#                          registries only), then also builds the site with Trunk and runs the
#                          Chromium tests: the whole suite, as CI runs it.
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
step "clippy (native, all targets)"
cargo clippy --release --all-targets -- -D warnings
step "clippy (wasm32: the page's build, and the worker's)"
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --features page --lib --bins -- -D warnings
cargo clippy --release --target wasm32-unknown-unknown --no-default-features --features worker --lib --bins -- -D warnings
if [ $full = 1 ]; then
  step "all tests, the browser's included"
  cargo test --release --no-fail-fast
else
  step "tests (without the browser: bash check.sh --full adds it)"
  cargo test --release --no-fail-fast -- --skip explorer_in_headless_chromium
fi
step "all checks passed"
