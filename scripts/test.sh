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

step "Rust tests (core, vectors, properties, gateway end to end and under load, CLI)"
# One CLI test runs the curl command the CLI prints.
command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl; }
cargo test --locked --workspace
# The part scripts below then skip the cargo tests this run already covered.
export ALIPAY_WORKSPACE_TESTED=1

step "sans-IO proof"
scripts/check-sans-io.sh

for part in gateway python wasm; do
  script="scripts/test-$part.sh"
  if [ -f "$script" ]; then
    step "$part"
    bash "$script"
  fi
done

step "supply chain (cargo-deny: licenses, bans, sources)"
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked --version 0.20.2
cargo deny --locked check licenses bans sources

step "fuzzing (every target, bounded)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"

step "all test suites passed"
