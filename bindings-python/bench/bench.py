"""Signs/s and response verifications/s of alipay_openapi beside the two Python SDKs and raw
PyPI `cryptography`, in one run, on the same inputs (alipay.marketing.voucher.send, the test keys).

    bash bindings-python/bench/run.sh       # makes its own venv with the SDKs and runs this

Each figure is the median of several timed rounds; the targets of the issue are checked at the end.
"""

from __future__ import annotations

import base64
import json
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KEYS = REPO / "tests" / "vectors" / "keys"
APP_ID = "2021000000000001"
METHOD = "alipay.marketing.voucher.send"
NODE_KEY = "alipay_marketing_voucher_send_response"
BIZ = {
    "template_id": "20140601000730010040000000EB",
    "user_id": "2088302001456115",
    "out_biz_no": "2016122814164328aadaee_1aee_4",
    "amount": "9.99",
    "memo": "优酷3个月兑换券",
}
ROUNDS = 5
ROUND_SECONDS = 1.0


def key(name: str) -> str:
    return (KEYS / name).read_text(encoding="ascii")


def bare(pem: str) -> str:
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def response_body() -> bytes:
    cases = json.loads((REPO / "tests" / "vectors" / "responses.json").read_text(encoding="utf-8"))
    case = next(c for c in cases if c["id"] == "resp-001")
    return base64.b64decode(case["inputs"]["body_b64"])


def rate(operation: Callable[[], object], threads: int = 1) -> float:
    """Median operations per second over ROUNDS rounds, with `threads` threads calling it."""
    operation()  # warm up
    return statistics.median(one_round(operation, threads) for _ in range(ROUNDS))


def ratio(a: Callable[[], object], b: Callable[[], object], threads_a: int = 1, threads_b: int = 1) -> float:
    """How many times faster `a` is than `b`, measured in alternating rounds so that a change in the
    machine's load (other work on its 2 cores) hits both alike: the median of per-pair ratios."""
    pairs = [(one_round(a, threads_a), one_round(b, threads_b)) for _ in range(ROUNDS)]
    return statistics.median(x / y for x, y in pairs)


def one_round(operation: Callable[[], object], threads: int) -> float:
    """Operations per second during one round of ROUND_SECONDS with `threads` threads."""
    counts = [0] * threads
    start = threading.Barrier(threads + 1)
    deadline = 0.0

    def worker(index: int) -> None:
        start.wait()
        while time.perf_counter() < deadline:
            for _ in range(8):
                operation()
            counts[index] += 8

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    began = time.perf_counter()
    deadline = began + ROUND_SECONDS
    start.wait()
    for thread in pool:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def ours() -> dict[str, Callable[[], object]]:
    from alipay_openapi import Client

    client = Client(
        app_id=APP_ID,
        private_key=key("app_2048.private.pkcs1.pem"),
        alipay_public_key=key("alipay_2048.public.spki.pem"),
    )
    at = datetime(2024, 5, 13, 17, 49, 20, tzinfo=timezone(timedelta(hours=8)))
    biz_text = json.dumps(BIZ, ensure_ascii=False, separators=(",", ":"))
    body = response_body()
    return {
        "sign: voucher_send(**fields)": lambda: client.voucher_send(**BIZ, timestamp=at),
        "sign: request(method, biz_text)": lambda: client.request(METHOD, biz_text, timestamp=at),
        "verify: verify_response": lambda: client.verify_response(METHOD, body),
        "verify: parse_voucher_send": lambda: client.parse_voucher_send(body),
    }


def raw_cryptography() -> dict[str, Callable[[], object]]:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    private = serialization.load_pem_private_key(key("app_2048.private.pkcs1.pem").encode(), password=None)
    public = serialization.load_pem_public_key(key("alipay_2048.public.spki.pem").encode())
    assert isinstance(private, rsa.RSAPrivateKey) and isinstance(public, rsa.RSAPublicKey)
    content = ("app_id=" + APP_ID + "&biz_content=" + json.dumps(BIZ, ensure_ascii=False, separators=(",", ":"))
               + "&charset=utf-8&format=json&method=" + METHOD
               + "&sign_type=RSA2&timestamp=2024-05-13 17:49:20&version=1.0").encode()
    body = json.loads(response_body())
    node = json.dumps(body[NODE_KEY], ensure_ascii=False, separators=(",", ":")).encode()
    signature = base64.b64decode(body["sign"])
    public.verify(signature, node, padding.PKCS1v15(), hashes.SHA256())  # the raw node really verifies
    return {
        "sign: RSA-SHA256 (key loaded)": lambda: private.sign(content, padding.PKCS1v15(), hashes.SHA256()),
        "verify: RSA-SHA256 (raw node)": lambda: public.verify(signature, node, padding.PKCS1v15(), hashes.SHA256()),
    }


def official_sdk() -> dict[str, Callable[[], object]]:
    from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
    from alipay.aop.api.constant.CommonConstants import THREAD_LOCAL
    from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
    from alipay.aop.api.domain.AlipayMarketingVoucherSendModel import AlipayMarketingVoucherSendModel
    from alipay.aop.api.request.AlipayMarketingVoucherSendRequest import AlipayMarketingVoucherSendRequest

    config = AlipayClientConfig()
    config.app_id = APP_ID
    config.app_private_key = bare(key("app_2048.private.pkcs1.pem"))  # it accepts PKCS#1 only
    config.alipay_public_key = bare(key("alipay_2048.public.spki.pem"))
    client = DefaultAlipayClient(alipay_client_config=config)
    model = AlipayMarketingVoucherSendModel()
    for name, value in BIZ.items():
        setattr(model, name, value)
    body = response_body()
    # execute() = these two private steps around the HTTP call (prepare sets a thread-local logger
    # that parse reads; set it here too, since each benchmark thread starts without one).
    prepare = getattr(client, "_DefaultAlipayClient__prepare_request")
    parse = getattr(client, "_DefaultAlipayClient__parse_response")

    def verify() -> object:
        THREAD_LOCAL.logger = None
        return parse(body)

    return {
        "sign: execute() minus HTTP": lambda: prepare(AlipayMarketingVoucherSendRequest(biz_model=model)),
        "verify: execute() minus HTTP": verify,
    }


def community_sdk() -> dict[str, Callable[[], object]]:
    from alipay import AliPay

    client = AliPay(
        appid=APP_ID,
        app_private_key_string=key("app_2048.private.pkcs1.pem"),
        alipay_public_key_string=key("alipay_2048.public.spki.pem"),
        sign_type="RSA2",
    )
    text = response_body().decode()
    verify = getattr(client, "_verify_and_return_sync_response")
    return {
        "sign: client_api()": lambda: client.client_api(METHOD, dict(BIZ)),
        "verify: sync response": lambda: verify(text, NODE_KEY),
    }


def main() -> int:
    suites = {
        "alipay_openapi": ours(),
        "cryptography (raw RSA)": raw_cryptography(),
        "alipay-sdk-python 3.7 (official)": official_sdk(),
        "python-alipay-sdk 3.4": community_sdk(),
    }
    print(f"{'implementation':34s} {'operation':36s} {'ops/s':>10s}")
    for suite, operations in suites.items():
        for name, operation in operations.items():
            print(f"{suite:34s} {name:36s} {rate(operation):>10,.0f}", flush=True)

    sign_ours = suites["alipay_openapi"]["sign: voucher_send(**fields)"]
    sign_raw = suites["cryptography (raw RSA)"]["sign: RSA-SHA256 (key loaded)"]
    verify_ours = suites["alipay_openapi"]["verify: parse_voucher_send"]
    checks = [
        ("sign >= 0.8x cryptography's raw sign", 0.8, ratio(sign_ours, sign_raw)),
        ("verify >= 5x the official SDK", 5.0,
         ratio(verify_ours, suites["alipay-sdk-python 3.7 (official)"]["verify: execute() minus HTTP"])),
        ("verify >= 5x the community SDK", 5.0,
         ratio(verify_ours, suites["python-alipay-sdk 3.4"]["verify: sync response"])),
        ("2 threads >= 1.6x 1 thread (signing)", 1.6, ratio(sign_ours, sign_ours, threads_a=2)),
        ("(reference) cryptography, 2 threads vs 1", 0.0, ratio(sign_raw, sign_raw, threads_a=2)),
    ]
    print("\npaired ratios (alternating rounds):")
    for label, target, measured in checks:
        print(f"{'met' if measured >= target else 'MISSED':6s} {label:42s} {measured:6.2f}x")
    return 0 if all(measured >= target for _, target, measured in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
