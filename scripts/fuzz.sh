#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 20 s each; `scripts/fuzz.sh 3600` for long runs),
# with corpora seeded from tests/vectors. Crashes are saved under fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
command -v cargo-fuzz >/dev/null || { echo "fuzz.sh: cargo-fuzz is missing: run make setup" >&2; exit 1; }
# cargo-fuzz needs nightly-only flags; the stable compiler accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1
python3 scripts/fuzz_seeds.py fuzz/corpus
for target in verify_response notify keys build_request; do
  echo "fuzzing $target for ${seconds}s"
  cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 2>&1 \
    | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' || true
  if ls "fuzz/artifacts/$target"/crash-* "fuzz/artifacts/$target"/leak-* "fuzz/artifacts/$target"/timeout-* 2>/dev/null | grep -q .; then
    echo "fuzz target $target found a failure: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzzing: every target ran ${seconds}s clean"
