#!/usr/bin/env bash
# Builds the explorer and serves it at http://127.0.0.1:8080/ (installs trunk and
# wasm-bindgen-cli first if they are missing: about 15 minutes, once).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash .ci/install-tools
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}"
