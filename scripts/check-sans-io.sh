#!/usr/bin/env bash
# Proves the core is sans-IO:
# 1. clippy with core/clippy.toml's disallowed methods/types (clock, env, fs, net, process, threads);
# 2. the core's dependency tree for wasm32 holds no I/O, runtime or entropy crate;
# 3. a wasm32 module linking the core's whole sign/verify path imports nothing at all.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed | grep -qx wasm32-unknown-unknown || { echo "sans-IO check: no wasm32 target: run make setup" >&2; exit 1; }

cargo clippy --locked -p alipay-openapi --all-targets -- -D warnings

tree=$(cargo tree --locked -p alipay-openapi --no-default-features --target wasm32-unknown-unknown -e normal --prefix none)
for banned in getrandom tokio mio socket2 libc wasm-bindgen js-sys; do
  if grep -q "^$banned " <<<"$tree"; then
    echo "sans-IO check: the core depends on $banned for wasm32" >&2
    exit 1
  fi
done

cargo build --locked -p alipay-sans-io-probe --target wasm32-unknown-unknown --release
module=target/wasm32-unknown-unknown/release/alipay_sans_io_probe.wasm
imports=$(python3 scripts/wasm_imports.py "$module")
if [ -n "$imports" ]; then
  echo "sans-IO check: the core's wasm module imports from its host:" >&2
  echo "$imports" >&2
  exit 1
fi
echo "sans-IO check: passed ($(stat -c %s "$module") byte module with no imports; no I/O crates in the tree)"
