#!/usr/bin/env bash
# `make package` runs this: `cargo publish --dry-run` for the crates meant for users. Cargo packages
# each one and builds it from its .crate file alone, taking the crates it depends on from the
# packages just made (docs/RELEASING.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

crates=(alipay-openapi alipay-local-gateway alipay-cli)

# Every feature of the core has its row in the crate docs' feature table (core/src/lib.rs).
features=$(cargo metadata --locked --no-deps --format-version 1 \
  | python3 -c 'import json, sys; print(*[f for p in json.load(sys.stdin)["packages"] if p["name"] == "alipay-openapi" for f in p["features"] if f != "default"])')
[ -n "$features" ] || { echo "package-rust: the core has no features to look for" >&2; exit 1; }
for feature in $features; do
  grep -q "^//! | \`$feature\` |" core/src/lib.rs || { echo "package-rust: feature $feature is not in core/src/lib.rs's table" >&2; exit 1; }
done

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
