#!/usr/bin/env bash
# `make setup`: installs what the tests need, skipping whatever is already there, so it is safe to
# run again. Expects a Debian-like machine with Rust (rustup), Node 18+ and npm, Python 3.9+; apt-get
# runs as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n--> setup: %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "Rust: rustfmt, clippy, the wasm32-unknown-unknown and aarch64-unknown-linux-gnu targets"
installed=$(rustup component list --installed)
for component in rustfmt clippy; do
  grep -q "^$component" <<<"$installed" || rustup component add "$component"
done
targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown aarch64-unknown-linux-gnu; do # aarch64: the Python wheel (make package)
  grep -qx "$target" <<<"$targets" || rustup target add "$target"
done

step "Debian packages: chromium, chromium-driver, curl"
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v curl >/dev/null || missing+=(curl) # a CLI test runs the curl command the CLI prints
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}"
fi

step "cargo tools: wasm-bindgen-cli at Cargo.lock's wasm-bindgen, cargo-deny, cargo-fuzz"
wasm_bindgen=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' Cargo.lock)
[ -n "$wasm_bindgen" ] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wasm_bindgen" ]; then
  # Not --locked: the registry mirror lacks a version the CLI's own lockfile pins.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen"
fi
[ "$(cargo deny --version 2>/dev/null || true)" = "cargo-deny 0.20.2" ] || cargo install cargo-deny --locked --version 0.20.2
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2

step "npm packages (npm ci where node_modules is older than package-lock.json)"
for dir in bindings-wasm bindings-wasm/test/runtimes tests/gateway/node-compat examples/node examples/recipes; do
  if [ ! "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

step "Python: .venv with maturin, pytest, mypy, cryptography, ziglang and auditwheel for manylinux wheels, and the recipes' frameworks (pinned)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip --disable-pip-version-check --quiet install \
  "maturin>=1.9,<2" "pytest>=8" "mypy>=1.10" "cryptography>=42" "ziglang>=0.13,<0.18" "auditwheel>=6" \
  -r examples/recipes/requirements.txt

echo "setup: done"
