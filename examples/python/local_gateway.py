"""Starts the project's local test gateway (crate `alipay-local-gateway`) for examples and tests.

It is a stand-in for Alipay that knows the test app of tests/vectors and signs with the test
"Alipay" key; nothing it answers means anything outside a test.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
KEYS = REPO / "tests" / "vectors" / "keys"
APP_ID = "2021000000000001"
APP_PRIVATE_KEY = KEYS / "app_2048.private.pkcs1.pem"
GATEWAY_PUBLIC_KEY = KEYS / "alipay_2048.public.spki.pem"
PREFIX = "listening on "


def command() -> list[str]:
    """The built binary when there is one (or `$ALIPAY_LOCAL_GATEWAY`), else `cargo run`."""
    binary = Path(os.environ.get("ALIPAY_LOCAL_GATEWAY", REPO / "target" / "debug" / "alipay-local-gateway"))
    if binary.is_file():
        return [str(binary), "--port", "0"]
    return ["cargo", "run", "--quiet", "-p", "alipay-local-gateway", "--", "--port", "0"]


@contextmanager
def start_gateway(*options: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Runs a fresh gateway (in-memory state) with the binary's `options` (e.g. `--cert-mode`,
    `--aes-key KEY`) and yields its `http://127.0.0.1:PORT/gateway.do` URL and the settings it
    prints (app id, key and certificate files relative to the repository root, SNs)."""
    process = subprocess.Popen([*command(), *options], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline().strip()
        if not first_line.startswith(PREFIX):
            raise RuntimeError(f"the local gateway did not start (it printed {first_line!r})")
        settings: dict[str, Any] = json.loads(process.stdout.readline())
        yield first_line[len(PREFIX):], settings
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def local_gateway(*options: str) -> Iterator[str]:
    """As `start_gateway`, yielding only the URL."""
    with start_gateway(*options) as (url, _settings):
        yield url
