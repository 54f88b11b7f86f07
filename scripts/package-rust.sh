#!/usr/bin/env bash
# `make package` runs this: `cargo publish --dry-run` for the crates meant for users. Cargo packages
# each one and builds it from its .crate file alone, taking the crates it depends on from the
# packages just made (docs/RELEASING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

crates=(alipay-openapi alipay-local-gateway alipay-cli)

# Cargo serves the packages just made from a local registry, extracted under
# $CARGO_HOME/registry/src/-<hash>/ and never extracted again, and it never rebuilds a registry
# crate (to cargo a published version does not change). A second run on the same machine would
# build against the first run's sources, so both go first. The clean takes the workspace's debug
# builds of these crates with it, which is why `make ci` runs this part last.
home=${CARGO_HOME:-$HOME/.cargo}
for crate in "${crates[@]}"; do
  rm -rf "$home"/registry/src/-*/"$crate"-[0-9]*
done
cargo clean --locked --profile dev "${crates[@]/#/--package=}"

cargo publish --locked --workspace --dry-run
echo "package-rust: ${crates[*]} each build from their packages alone"
