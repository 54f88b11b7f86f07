#!/usr/bin/env bash
# `make check` runs this. From `make -n ci` (which runs nothing) it proves that
#  1. a missing part stops make: with each script `make ci` runs renamed in a copy of the Makefile,
#     `make -n ci` fails with "No rule to make target" (a part is never skipped);
#  2. every scripts/test-*.sh is run by `make ci`;
#  3. no cargo test runs twice: each `cargo test -p PACKAGE [--test NAME]` in the Makefile and the
#     scripts it runs appears once, and the `--workspace` run excludes every package tested elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "check-make: $*" >&2; exit 1; }
joined() { sed -e ':a' -e '/\\$/{N;s/\\\n//;ba}' "$@"; } # backslash-continued lines as one

plan=$(make -n ci | joined)
scripts=$(grep -oE 'bash [^ ;&|)]+\.sh' <<<"$plan" | cut -d' ' -f2 | sort -u)
[ -n "$scripts" ] || fail "make -n ci runs no script"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for script in $scripts; do
  sed "s#${script//./\\.}#$script.missing#g" Makefile >"$tmp/Makefile"
  if out=$(make -n -f "$tmp/Makefile" ci 2>&1); then
    fail "make -n ci still succeeds with $script missing"
  fi
  grep -q "No rule to make target '$script.missing'" <<<"$out" || fail "with $script missing: $out"
done

for script in scripts/test-*.sh; do
  grep -qx "$script" <<<"$scripts" || fail "$script is never run by make ci"
done

# Every `cargo test` command: PACKAGE TEST pairs, and the workspace run's exclusions.
commands=$({ echo "$plan"; joined $(grep -vx scripts/check-make.sh <<<"$scripts"); } | grep -vE '^\s*(#|step|echo)' | grep -oE 'cargo test .*' || true)
runs=$(awk '{
  pkg = ""; test = "all"; ws = 0
  for (i = 1; i <= NF; i++) {
    if ($i == "-p") pkg = $(i + 1)
    if ($i == "--test") test = $(i + 1)
    if ($i == "--workspace") ws = 1
    if ($i == "--exclude") excluded[$(i + 1)] = 1
  }
  if (ws) { print "workspace"; for (e in excluded) print "excluded " e; delete excluded }
  else print "run " pkg " " test
}' <<<"$commands")
[ "$(grep -c '^workspace$' <<<"$runs")" -le 1 ] || fail "more than one cargo test --workspace"
duplicates=$(grep '^run ' <<<"$runs" | sort | uniq -d)
[ -z "$duplicates" ] || fail "cargo test runs twice: $duplicates"
while read -r _ pkg test; do
  [ "$test" = all ] || ! grep -qx "run $pkg all" <<<"$runs" || fail "$pkg's tests run whole and again with --test $test"
  ! grep -q '^workspace$' <<<"$runs" || grep -qx "excluded $pkg" <<<"$runs" || fail "$pkg is tested in its part and again by cargo test --workspace"
done < <(grep '^run ' <<<"$runs")
echo "check-make: $(wc -w <<<"$scripts") part scripts are prerequisites; $(grep -c '^run ' <<<"$runs") cargo test runs, none twice"
