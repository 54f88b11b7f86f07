#!/usr/bin/env bash
# The local test gateway and the demo: builds both, runs the gateway's end-to-end tests (every
# API, business error and injected fault through the core over HTTP; certificate mode and AES; the
# official SDKs' recorded requests; 1,000 concurrent requests with duplicates; the load test: 10,000
# calls from 32 clients with faults and retries), runs the demo once, then checks that the
# official Node SDK (npm alipay-sdk 4.14.0) is accepted by the gateway. `make test-gateway` runs it
# (`make setup` installs the Node SDK).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n--> gateway: %s\n' "$*"; }

step "build"
cargo build --locked -p alipay-local-gateway -p alipay-demo

step "cargo test -p alipay-local-gateway"
# --nocapture shows the concurrency test's requests/s line and the load test's summary table.
cargo test --locked -p alipay-local-gateway -- --nocapture

step "demo (cargo run -p alipay-demo)"
demo_log=$(mktemp)
if ! cargo run --locked -q -p alipay-demo >"$demo_log" 2>&1; then
  cat "$demo_log" >&2
  echo "gateway: the demo failed" >&2
  exit 1
fi
tail -n 3 "$demo_log"
rm -f "$demo_log"

step "Node SDK compatibility (alipay-sdk 4.14.0)"
gateway_bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/alipay-local-gateway"
(
  cd tests/gateway/node-compat
  [ -d node_modules/alipay-sdk ] || { echo "gateway: alipay-sdk is not installed: run make setup" >&2; exit 1; }
  GATEWAY_BIN="$gateway_bin" node compat.mjs
)
