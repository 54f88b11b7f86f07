"""Bounded memory: a body over ``max_body_bytes`` is refused unread, and verifying a 10 MB response
or a 5 MB notification (the limit raised) peaks under a stated multiple of the body.

Two measures: ``tracemalloc`` for what the binding allocates on the Python heap (it traces only
Python's allocator, so it cannot see the core's buffers), and, in a fresh interpreter, how far the
peak resident set (``VmHWM``, reset through ``/proc/self/clear_refs`` just before the call) rises
over the resident set before it, which sees the native side. ``resource.getrusage().ru_maxrss``
cannot be used for that: on Linux a child starts with its parent's high-water mark (pytest's, which
built the bodies), so the call's peak hides under it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import APP_ID, KEYS, make_client, rsa2_signature, signed_body

from alipay_openapi import AlipayError, SignatureError

METHOD = "alipay.marketing.voucher.query"
MAX_MULTIPLE = 4.0
"""Peak native growth over the body's length must stay at or under this (docs/HARDENING.md)."""
RAISED = 16 << 20
RECORD = b'{"voucher_id":"20170616000730020041006ZYE2V","amount":"10.00","url":"https:\\/\\/x.example\\/v"},'


def response_body(size: int) -> bytes:
    """A signed success node holding a long list of records, as a big list answer does."""
    records = RECORD * (size // len(RECORD))
    return signed_body(METHOD, b'{"code":"10000","msg":"Success","vouchers":[' + records[:-1] + b"]}")


def notification_body(size: int) -> bytes:
    """A signed form notification with one long field."""
    fields = {"app_id": APP_ID, "fund_bill_list": "x" * size, "notify_id": "n1", "trade_status": "TRADE_SUCCESS"}
    content = "&".join(f"{k}={v}" for k, v in sorted(fields.items()))
    sign = quote(rsa2_signature(content.encode(), "alipay_2048.private.pkcs8.pem"), safe="")
    return f"{content}&sign_type=RSA2&sign={sign}".encode()


def test_a_body_over_the_limit_is_refused_unread() -> None:
    client = make_client(max_body_bytes=100)
    for call in (lambda: client.verify_response(METHOD, b"{" * 101), lambda: client.verify_notification(b"%" * 101)):
        with pytest.raises(AlipayError) as caught:
            call()
        assert (caught.value.code, caught.value.field) == ("body_too_large", "body")
        assert isinstance(caught.value, SignatureError)  # the answer is refused, not the caller's input
        assert caught.value.rule == "must be at most 100 bytes (max_body_bytes)"
        assert "101 bytes" in caught.value.message
    # The default, 4 MiB, refuses a 10 MB answer.
    with pytest.raises(AlipayError) as caught:
        make_client().verify_response(METHOD, b" " * (10 << 20))
    assert caught.value.code == "body_too_large" and "4194304" in caught.value.message


@pytest.mark.parametrize("value", [0, -1, 1.5, "4096", True])
def test_a_bad_limit_is_invalid_field(value: object) -> None:
    with pytest.raises(AlipayError) as caught:
        make_client(max_body_bytes=value)
    assert (caught.value.code, caught.value.field) == ("invalid_field", "max_body_bytes")


def test_the_binding_makes_no_python_side_copy_of_the_body() -> None:
    client = make_client(max_body_bytes=RAISED)
    body = response_body(10 << 20)
    client.verify_response(METHOD, signed_body(METHOD, b'{"code":"10000","msg":"Success"}'))  # warm up
    tracemalloc.start()
    try:
        assert client.verify_response(METHOD, body).code == "10000"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"python heap: {peak} bytes for a {len(body)} byte body")
    assert peak < len(body) // 10, f"{peak} bytes on the Python heap for a {len(body)} byte body"


CHILD = textwrap.dedent(
    """
    import json, sys
    from alipay_openapi import AlipayError, Client

    def status(name):  # in KiB
        for line in open("/proc/self/status"):
            if line.startswith(name + ":"):
                return int(line.split()[1])

    kind, path, limit, private_key, public_key = sys.argv[1:]
    client = Client(app_id="2021000000000001", private_key=open(private_key).read(),
                    alipay_public_key=open(public_key).read(), max_body_bytes=int(limit))
    try:  # load everything a call loads (the errors module) before measuring
        client.verify_response("alipay.marketing.voucher.query", b"{}")
    except AlipayError:
        pass
    with open(path, "rb") as f:
        body = f.read()
    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM, the peak resident set, to the current one
    if kind == "response":
        result = client.verify_response("alipay.marketing.voucher.query", body).code
    else:
        result = client.verify_notification(body)["trade_status"]
    after = status("VmHWM")
    print(json.dumps({"size": len(body), "grown": (after - before) * 1024, "result": result}))
    """
)


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc/self/clear_refs")
@pytest.mark.parametrize(
    ("kind", "size", "expected"), [("response", 10 << 20, "10000"), ("notification", 5 << 20, "TRADE_SUCCESS")]
)
def test_native_peak_stays_within_the_multiple(tmp_path: Path, kind: str, size: int, expected: str) -> None:
    path = tmp_path / "body"
    path.write_bytes(response_body(size) if kind == "response" else notification_body(size))
    keys = [str(KEYS / name) for name in ("app_2048.private.pkcs1.pem", "alipay_2048.public.spki.pem")]
    command = [sys.executable, "-c", CHILD, kind, str(path), str(RAISED), *keys]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    measured = json.loads(out.stdout)
    multiple = measured["grown"] / measured["size"]
    print(f"{kind}: {measured['size']} bytes, peak RSS grew {measured['grown']} bytes, {multiple:.2f}x")
    assert measured["result"] == expected
    assert multiple <= MAX_MULTIPLE, f"{kind}: {multiple:.2f}x"
