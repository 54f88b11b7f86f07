#!/usr/bin/env bash
# `make check` runs this: what the code and docs point at is inside the repository. Fails on
#  - PROTOCOL.md, TOOLCHAIN.md or ANCHORS named other than as a file under docs/ (outside docs/ the
#    path must read docs/PROTOCOL.md, inside docs/ PROTOCOL.md without a directory), and a
#    docs/*.md that does not exist;
#  - "(issue N)" markers: the issue tracker they point at is not part of the repository;
#  - absolute paths into the machine the project was written on (/work/..., the shared folder).
set -euo pipefail
cd "$(dirname "$0")/.."

search() { # grep -E options and pattern over the repository's text files; prints file:line:text
  grep -rIn "$@" --exclude-dir=target --exclude-dir=node_modules --exclude-dir=.git --exclude=.git \
    --exclude-dir=.venv --exclude-dir=dist --exclude-dir=corpus --exclude-dir=artifacts \
    --exclude=check-refs.sh . | sed 's#^\./##' || true
}

bad=$(
  search -E 'TOOLCHAIN\.md|ANCHORS'
  # PROTOCOL.md: outside docs/ only as [../]docs/PROTOCOL.md; inside docs/ only bare.
  search -E 'PROTOCOL\.md' | while IFS= read -r hit; do
    file=${hit%%:*} rest=$(sed -E 's#(\.\./)*docs/PROTOCOL\.md##g' <<<"${hit#*:*:}")
    case "$file" in
      docs/*) ! grep -q '/PROTOCOL\.md' <<<"$rest" || echo "$hit" ;;
      *) ! grep -q 'PROTOCOL\.md' <<<"$rest" || echo "$hit" ;;
    esac
  done
  search -E '\(issues? #?[0-9]+'
  search -E '/work/|\.\./shared/'
  search -oE 'docs/[A-Za-z0-9_-]+\.md' | while IFS=: read -r file line path; do
    [ -f "$path" ] || echo "$file:$line: $path does not exist"
  done
  true
)
if [ -n "$bad" ]; then
  echo "check-refs: references that do not resolve inside the repository:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-refs: every reference resolves inside the repository"
