#!/usr/bin/env bash
# Runs fuzz targets for a bounded time each (default 20 s; `scripts/fuzz.sh 3600` for long runs;
# `scripts/fuzz.sh 600 certs aes` for some targets only). Each run starts from the committed,
# minimised corpus (fuzz/seeds/<target>/) plus seeds from tests/vectors, merged into fuzz/corpus/.
# Crashes are saved under fuzz/artifacts/<target>/ and fail the run. Each target's line says its
# executions, wall and CPU seconds; with FUZZ_LOG_DIR set, the full libFuzzer output of each target
# goes to $FUZZ_LOG_DIR/<target>.log and that line, tab-separated, to $FUZZ_LOG_DIR/runs.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift $(($# > 0 ? 1 : 0))
targets=("$@")
command -v cargo-fuzz >/dev/null || { echo "fuzz.sh: cargo-fuzz is missing: run make setup" >&2; exit 1; }
# cargo-fuzz needs nightly-only flags; the stable compiler accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz) # every target fuzz/Cargo.toml declares
  [ ${#targets[@]} -gt 0 ] || { echo "$0: cargo fuzz list named no target" >&2; exit 1; }
fi
python3 scripts/fuzz_seeds.py fuzz/corpus
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  if [ -d "fuzz/seeds/$target" ]; then
    cp "fuzz/seeds/$target"/* "fuzz/corpus/$target/" # files are named by their SHA-1
  fi
  cargo fuzz build --fuzz-dir fuzz "$target" || { echo "fuzz target $target does not build" >&2; exit 1; }
  echo "fuzzing $target for ${seconds}s"
  log=${FUZZ_LOG_DIR:-$scratch}/$target.log
  set +e
  TIMEFORMAT='%R %U %S' # wall, user and system seconds of the run alone (it was built above)
  { time cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 >"$log" 2>&1; } 2>"$scratch/time"
  status=$?
  set -e
  grep -aE '^(error|#[0-9]+ +DONE|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)' "$log" || true
  read -r wall user system <"$scratch/time"
  executions=$(grep -aoE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  cpu=$(awk -v u="$user" -v s="$system" 'BEGIN { printf "%.1f", u + s }')
  echo "$target: $executions executions in ${wall}s wall, ${cpu}s CPU"
  [ -z "${FUZZ_LOG_DIR:-}" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$target" "$seconds" "$executions" "$wall" "$cpu" >>"$FUZZ_LOG_DIR/runs.tsv"
  if [ "$status" -ne 0 ]; then
    echo "fuzz target $target failed (exit $status): a build error or a finding; see the output above" >&2
    exit 1
  fi
  # (not `ls … | grep`: under pipefail, ls failing on the kinds not found hid every crash)
  failures=$(find "fuzz/artifacts/$target" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null || true)
  if [ -n "$failures" ]; then
    echo "fuzz target $target found a failure: see fuzz/artifacts/$target/" >&2
    exit 1
  fi
done
echo "fuzzing: ${targets[*]} ran ${seconds}s each, clean"
