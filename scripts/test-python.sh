#!/usr/bin/env bash
# The Python package (bindings-python): builds the abi3 wheel, installs the package from source
# the way users do (`pip install ./bindings-python`, maturin as the PEP 517 backend), then runs
# pytest (every conformance vector, the API, threads, the README snippets and the HTTP example
# against the local gateway), the FastAPI and Flask recipes (examples/recipes) and checks the stubs against the built module (mypy stubtest) and
# the tests and example against the stubs (mypy --strict). `make test-python` runs it, in the .venv
# that `make setup` creates.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n--> python: %s\n' "$*"; }

venv=.venv
[ -x "$venv/bin/maturin" ] || { echo "python: $venv has no maturin: run make setup" >&2; exit 1; }
py="$PWD/$venv/bin/python"
pip=("$py" -m pip --disable-pip-version-check --quiet)

step "abi3 wheel"
rm -rf target/python-wheels
"$venv/bin/maturin" build --release --locked -m bindings-python/Cargo.toml --out target/python-wheels
ls target/python-wheels/alipay_openapi-*-cp39-abi3-*.whl

step "pip install ./bindings-python (from source)"
"${pip[@]}" install --force-reinstall --no-deps ./bindings-python

step "local gateway binary (for the README snippets and the example)"
cargo build --locked -p alipay-local-gateway

step "pytest"
(cd bindings-python && "$py" -m pytest)

step "pytest: the FastAPI and Flask recipes against the local gateway"
"$py" -m pytest -p no:cacheprovider examples/recipes/test_python

step "stubs: stubtest against the built module, mypy --strict on the tests, the example and the recipes"
"$py" -m mypy.stubtest alipay_openapi
"$py" -m mypy --strict bindings-python/tests examples/python examples/recipes/shop.py examples/recipes/test_python
for app in examples/recipes/{fastapi,flask}/app.py; do MYPYPATH=examples/recipes "$py" -m mypy --strict "$app"; done
