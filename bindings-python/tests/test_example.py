"""The Python example runs the voucher flow over real HTTP against a fresh local gateway."""

from __future__ import annotations

import subprocess
import sys

from conftest import EXAMPLES, REPO


def test_voucher_flow_example_runs_against_the_local_gateway() -> None:
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / "voucher_flow.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "sent voucher " in out
    assert "redeemed code EXTCODE00001: True" in out
    assert "V_USE 5.00 yuan at " in out and "+08:00" in out
    assert "now USED, 0.00 yuan left" in out
    assert "expired template refused: 40004 TEMPLATE_EXPIRED" in out and "retryable: False" in out
    assert "paid order " in out
    assert "v3 trade query: TRADE_SUCCESS, 88.88 yuan (signed answer, trace " in out
