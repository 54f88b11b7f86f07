#!/usr/bin/env bash
# The `alipay` CLI: its tests drive the built binary through every subcommand with tests/vectors.
# One test runs the printed curl command through `sh`, so curl must be installed. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

if ! command -v curl >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl
fi

cargo test --locked -p alipay-cli
