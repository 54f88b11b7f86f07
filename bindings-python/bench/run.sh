#!/usr/bin/env bash
# Benchmarks alipay_openapi beside alipay-sdk-python, python-alipay-sdk and raw cryptography.
# The SDKs go into a venv of their own (bindings-python/bench/.venv), never into the test venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=bindings-python/bench/.venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install cryptography alipay-sdk-python==3.7.1411 python-alipay-sdk==3.4.0
"${pip[@]}" install --force-reinstall --no-deps ./bindings-python
exec "$venv/bin/python" bindings-python/bench/bench.py
