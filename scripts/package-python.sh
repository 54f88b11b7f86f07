#!/usr/bin/env bash
# `make package` runs this: the Python package as it would be published. It builds the sdist, then
# from the unpacked sdist (so the sdist is proven to build) the manylinux abi3 wheels for x86_64
# and aarch64 (maturin --zig: linked against glibc 2.17 whatever this machine has), checks each
# wheel with auditwheel, checks the metadata, and installs the x86_64 wheel from the file alone into
# a fresh venv with no Rust toolchain on PATH to run the vector and parity suites against it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n--> package-python: %s\n' "$*"; }
fail() { echo "package-python: $*" >&2; exit 1; }

venv="$PWD/.venv"
for tool in maturin auditwheel; do
  [ -x "$venv/bin/$tool" ] || fail "$venv has no $tool: run make setup"
done
"$venv/bin/python" -m ziglang version >/dev/null || fail "$venv has no ziglang: run make setup"
# maturin finds zig as `python3 -m ziglang`, with the python3 first on PATH.
export PATH="$venv/bin:$PATH"
# The sdist builds outside the tree; the workspace's target directory keeps reruns incremental.
export CARGO_TARGET_DIR="$PWD/target"

out="$PWD/target/python-dist"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"

step "sdist"
maturin sdist -m bindings-python/Cargo.toml --out "$out"
sdist=$(ls "$out"/alipay_openapi-*.tar.gz)
# --touch: maturin dates every file in 2006, which would make cargo take a build of older sources
# in the shared target directory as fresh.
tar --touch -xzf "$sdist" -C "$tmp"
unpacked=$(ls -d "$tmp"/alipay_openapi-*/)

cp "$unpacked/Cargo.lock" "$tmp/Cargo.lock.sdist"

for arch in x86_64 aarch64; do
  step "manylinux abi3 wheel for $arch, from the sdist (zig)"
  # Not --locked: the sdist carries the whole workspace's Cargo.lock, which cargo trims to the two
  # crates inside; the check after the builds shows it changed no version.
  (cd "$unpacked" && maturin build --release --zig --compatibility manylinux2014 \
    --target "$arch-unknown-linux-gnu" --out "$out")
  wheel=$(ls "$out"/alipay_openapi-*-cp39-abi3-*_"$arch".whl)
  report=$(auditwheel show "$wheel")
  echo "$report"
  # auditwheel names the one tag it found on the line after this one.
  tag=$(grep -A1 'consistent with the following platform tag' <<<"$report" | tail -1 | tr -d '".')
  [[ $tag =~ ^manylinux_2_[0-9]+_$arch$ ]] || fail "$wheel: auditwheel reports '$tag', not a manylinux tag"
  # Read whole before grep -q, which would stop early and leave unzip to a SIGPIPE (pipefail).
  tags=$(unzip -p "$wheel" '*.dist-info/WHEEL') files=$(unzip -l "$wheel")
  grep -qx "Tag: cp39-abi3-$tag" <<<"$tags" || fail "$wheel: WHEEL has no cp39-abi3-$tag tag"
  grep -q 'alipay_openapi/_native\.abi3\.so$' <<<"$files" || fail "$wheel: no _native.abi3.so"
  [ "$arch" != x86_64 ] || x86_64_wheel=$wheel
done

step "the sdist's builds kept Cargo.lock's versions"
"$venv/bin/python" - "$tmp/Cargo.lock.sdist" "$unpacked/Cargo.lock" <<'PY'
import sys, tomllib

def locked(path):
    with open(path, "rb") as f:
        return {(p["name"], p["version"]) for p in tomllib.load(f)["package"]}

shipped, used = map(locked, sys.argv[1:])
assert used <= shipped, f"the sdist build resolved versions its Cargo.lock does not pin: {sorted(used - shipped)}"
print(f"package-python: {len(used)} locked packages used, every one as the sdist pins it")
PY

step "the x86_64 wheel in a fresh venv, no Rust toolchain on PATH"
no_rust=""
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  if [ "$dir" != "$venv/bin" ] && [ ! -e "$dir/cargo" ] && [ ! -e "$dir/rustc" ]; then no_rust+="${no_rust:+:}$dir"; fi
done
base=$("$venv/bin/python" -c 'import sys; print(sys._base_executable)')
"$base" -m venv "$tmp/venv"
fresh="$tmp/venv/bin/python"
(
  export PATH="$tmp/venv/bin:$no_rust"
  if command -v cargo || command -v rustc; then fail "a Rust toolchain is still on PATH: $PATH"; fi
  echo "package-python: no cargo or rustc on PATH=$PATH"
  "$fresh" -m pip --disable-pip-version-check --quiet install --no-index --no-deps "$x86_64_wheel"
  "$fresh" -m pip --disable-pip-version-check --quiet install "pytest>=8" "cryptography>=42"
  cd bindings-python
  # From here the source tree (bindings-python/python) is not on sys.path: the import must resolve
  # to the venv's site-packages, and the native module must be the wheel's.
  "$fresh" - <<'PY'
import sysconfig, alipay_openapi, alipay_openapi._native as native
site = sysconfig.get_paths()["purelib"]
for module in (alipay_openapi, native):
    assert module.__file__.startswith(site), f"{module.__name__} comes from {module.__file__}, not {site}"
print(f"package-python: alipay_openapi from {alipay_openapi.__file__}")
PY
  "$fresh" -m pytest -p no:cacheprovider tests/test_vectors.py tests/test_parity.py
)

step "metadata"
"$venv/bin/python" - "$sdist" "$x86_64_wheel" <<'PY'
import sys, tarfile, zipfile
from email.parser import Parser

sdist, wheel = sys.argv[1:]
with tarfile.open(sdist) as tar:
    pkg_info = tar.extractfile(next(m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")))
    sources = {"sdist": Parser().parsestr(pkg_info.read().decode())}
with zipfile.ZipFile(wheel) as whl:
    sources["wheel"] = Parser().parsestr(whl.read(next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))).decode())
for where, meta in sources.items():
    missing = [f for f in ("Name", "Version", "Summary", "Requires-Python", "License-Expression", "Project-URL", "Classifier")
               if not meta.get_all(f)]
    assert not missing, f"{where} metadata lacks {missing}"
    assert meta["Name"] == "alipay-openapi", meta["Name"]
    assert meta["Requires-Python"] == ">=3.9", meta["Requires-Python"]
    readme = meta["Description-Content-Type"] or ""
    assert readme.startswith("text/markdown") and "pip install" in meta.get_payload(), f"{where}: no README"
    print(f"package-python: {where} metadata: {meta['Name']} {meta['Version']}, {meta['License-Expression']}, "
          f"{len(meta.get_all('Classifier'))} classifiers")
PY
echo "package-python: sdist and wheels in ${out#"$PWD/"}"
