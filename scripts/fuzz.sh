#!/usr/bin/env bash
# Runs fuzz targets for a bounded time each (default 20 s; `scripts/fuzz.sh 3600` for long runs;
# `scripts/fuzz.sh 600 certs aes` for some targets only). Each run starts from the committed,
# minimised corpus (fuzz/seeds/<target>/) plus seeds from tests/vectors, merged into fuzz/corpus/.
# Crashes are saved under fuzz/artifacts/<target>/ and fail the run. With FUZZ_LOG_DIR set, the full
# libFuzzer output of each target goes to $FUZZ_LOG_DIR/<target>.log.
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
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  if [ -d "fuzz/seeds/$target" ]; then
    cp "fuzz/seeds/$target"/* "fuzz/corpus/$target/" # files are named by their SHA-1
  fi
  echo "fuzzing $target for ${seconds}s"
  log=${FUZZ_LOG_DIR:+$FUZZ_LOG_DIR/$target.log}
  # The filter may match nothing; the run's own status (a build error, a crash) is what counts.
  set +e
  cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 2>&1 \
    | tee "${log:-/dev/null}" \
    | grep -E '^(error|#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)'
  status=${PIPESTATUS[0]}
  set -e
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
