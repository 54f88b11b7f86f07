#!/usr/bin/env bash
# Regenerates tests/vectors/client-modes.json from the official SDKs: npm alipay-sdk (package-lock.json)
# and PyPI alipay-sdk-python (requirements.txt), each installed here on first use.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/alipay-sdk ] || npm ci --no-audit --no-fund --loglevel=error
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install --quiet -r requirements.txt; }
.venv/bin/python generate.py
