#!/usr/bin/env bash
# Minimises the corpus each target grew in fuzz/corpus/ (after scripts/fuzz.sh) and stores it as the
# committed corpus fuzz/seeds/<target>/, where the next run starts. `scripts/fuzz_cmin.sh certs` for
# some targets only.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
export RUSTC_BOOTSTRAP=1
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
  [ ${#targets[@]} -gt 0 ] || { echo "$0: cargo fuzz list named no target" >&2; exit 1; }
fi
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target"
  if [ -d "fuzz/seeds/$target" ]; then
    cp "fuzz/seeds/$target"/* "fuzz/corpus/$target/" # files are named by their SHA-1
  fi
  cargo fuzz cmin --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- -rss_limit_mb=4096 -max_len=65536 2>&1 | tail -n 2
  rm -rf "fuzz/seeds/$target"
  mkdir -p "fuzz/seeds/$target"
  cp "fuzz/corpus/$target"/* "fuzz/seeds/$target/"
  echo "$target: $(ls "fuzz/seeds/$target" | wc -l) inputs, $(du -s --apparent-size --block-size=1K "fuzz/seeds/$target" | cut -f1) KiB"
done
