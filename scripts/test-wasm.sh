#!/usr/bin/env bash
# The npm package (bindings-wasm/) end to end: installs what it needs, builds the package, and runs
# every JavaScript and wasm-bindgen test. Idempotent; exits non-zero on the first failure.
#
#   scripts/test-wasm.sh            install, build, test
#   BENCH=1 scripts/test-wasm.sh    a full benchmark that fails when a speed target is missed
#
# Without BENCH=1 the benchmark runs briefly and only reports: on a shared machine a one-second
# sample is too noisy to fail a build on.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export CARGO_TERM_COLOR=never
WASM_BINDGEN_VERSION=0.2.130 # must equal the workspace's pinned wasm-bindgen

step() { printf '\n--> wasm: %s\n' "$*"; }

step "toolchain: wasm32 target, wasm-bindgen-cli $WASM_BINDGEN_VERSION, chromium"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: the registry mirror lacks a version the CLI's lockfile pins (see TOOLCHAIN.md).
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  sudo_if_needed apt-get update
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y chromium chromium-driver
fi

step "npm dependencies (binaryen's wasm-opt, typescript, playwright-core, alipay-sdk for the benchmark)"
(cd bindings-wasm && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)

step "build the package (release wasm, wasm-opt, three targets)"
bash bindings-wasm/build.sh

step "local gateway for the Node example"
gateway_bin="${CARGO_TARGET_DIR:-$root/target}/debug/alipay-local-gateway"
cargo build -p alipay-local-gateway --locked
(cd examples/node && npm install --no-audit --no-fund)

step "wasm-bindgen-test under Node and in headless Chromium"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test -p alipay-openapi-wasm --target wasm32-unknown-unknown --locked

step "clippy for the wasm target"
cargo clippy -p alipay-openapi-wasm --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "node --test: vectors with every backend, client, package, browser end to end, Node example"
(cd bindings-wasm && ALIPAY_REQUIRE_BROWSER=1 ALIPAY_LOCAL_GATEWAY="$gateway_bin" ALIPAY_REQUIRE_GATEWAY=1 node --test test/*.test.mjs)

# --- other runtimes (bindings-wasm/test/runtimes): npm ci of the pinned Node 18, Bun, Deno and workerd
# binary packages, then one smoke test each against the built package ---
step "other runtimes: Node 18, Bun, Deno, workerd (smoke tests of the built package)"
bash bindings-wasm/test/runtimes/run.sh
# --- end other runtimes ---

step "benchmark: each backend beside the official alipay-sdk and raw node:crypto"
if [ "${BENCH:-0}" = 1 ]; then
  (cd bindings-wasm && node bench/bench.mjs --seconds 3 --check)
else
  (cd bindings-wasm && node bench/bench.mjs --seconds 1)
fi
