#!/usr/bin/env bash
# Every test of the project, in one command (the README's test command; .ci/run calls it).
# Installs what it needs itself: the wasm32 target, wasm-bindgen-cli at the pinned version,
# Chromium from Debian, npm packages, and maturin/pytest in a virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy (native, all targets)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "Rust tests (core, vectors, properties, gateway end to end, CLI)"
cargo test --locked --workspace

step "sans-IO proof"
scripts/check-sans-io.sh

for part in gateway cli python wasm; do
  script="scripts/test-$part.sh"
  if [ -f "$script" ]; then
    step "$part"
    bash "$script"
  fi
done

step "all test suites passed"
