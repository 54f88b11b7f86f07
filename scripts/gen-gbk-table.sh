#!/usr/bin/env bash
# Regenerates core/src/charset/gbk_table.rs from Java's Charset.forName("GBK") (docs/GBK.md).
#
#   scripts/gen-gbk-table.sh            rewrite core/src/charset/gbk_table.rs
#   scripts/gen-gbk-table.sh DIR        write gbk_table.rs and gbk_dump.txt (every answer of Java's
#                                       codec) into DIR instead; core/tests/gbk.rs compares both
#
# Needs javac and java (17 or later). The Java program refuses to write a table if Java's GBK
# breaks an assumption of the Rust codec (see scripts/gbk/GbkTable.java).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v javac >/dev/null && command -v java >/dev/null || { echo "gen-gbk-table: javac and java are needed" >&2; exit 3; }
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -encoding UTF-8 -d "$classes" "$root/scripts/gbk/GbkTable.java"
if [ $# -eq 0 ]; then
  java -cp "$classes" GbkTable table "$root/core/src/charset/gbk_table.rs"
  echo "gen-gbk-table: wrote core/src/charset/gbk_table.rs ($(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p'))"
else
  mkdir -p "$1"
  java -cp "$classes" GbkTable table "$1/gbk_table.rs"
  java -cp "$classes" GbkTable dump "$1/gbk_dump.txt"
fi
