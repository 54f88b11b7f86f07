"""One client shared by 8 threads signs and verifies correctly."""

from __future__ import annotations

import base64
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any

from alipay_openapi import Client
from conftest import load_cases

BEIJING = timezone(timedelta(hours=8))


def shared_config_cases() -> list[dict[str, Any]]:
    """The request vectors that one client (app_2048, RSA2, utf-8, format=json) can sign."""
    return [
        c
        for c in load_cases("requests.json")
        if c["inputs"]["private_key_file"] == "keys/app_2048.private.pkcs1.pem"
        and (c["inputs"]["sign_type"], c["inputs"]["charset"], c["inputs"]["params"].get("format"))
        == ("RSA2", "utf-8", "json")
    ]


def sign(client: Client, case: dict[str, Any]) -> str:
    params = case["inputs"]["params"]
    system = {"app_id", "method", "format", "charset", "sign_type", "timestamp", "version", "biz_content"}
    return client.sign(
        params["method"],
        params.get("biz_content"),
        params={k: v for k, v in params.items() if k not in system},
        timestamp=datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING),
    ).signature


def test_eight_threads_sharing_one_client_sign_and_verify_correctly(client: Client) -> None:
    cases = shared_config_cases()
    assert len(cases) >= 15
    response = next(c for c in load_cases("responses.json") if c["id"] == "resp-001")
    body = base64.b64decode(response["inputs"]["body_b64"])

    def worker(offset: int) -> list[bool]:
        results = []
        for round in range(6):
            for i in range(len(cases)):
                case = cases[(i + offset + round) % len(cases)]
                results.append(sign(client, case) == case["expected"]["signature"])
            verified = client.verify_response("alipay.marketing.voucher.send", body)
            results.append(verified.node_text == response["expected"]["raw_node_text"])
        return results

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = [ok for results in pool.map(worker, range(8)) for ok in results]
    assert len(outcomes) == 8 * 6 * (len(cases) + 1)
    assert all(outcomes)


def test_rsa_work_releases_the_gil(client: Client) -> None:
    """With a huge switch interval, another thread runs only when the GIL is released on purpose:
    it must get to run while this thread signs and verifies."""
    response = next(c for c in load_cases("responses.json") if c["id"] == "resp-001")
    body = base64.b64decode(response["inputs"]["body_b64"])
    at = datetime(2024, 5, 13, 17, 49, 20, tzinfo=BEIJING)
    ticks = 0
    stop = threading.Event()

    def other_thread() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0)

    previous = sys.getswitchinterval()
    sys.setswitchinterval(30.0)
    runner = threading.Thread(target=other_thread)
    try:
        runner.start()
        busy_python_ticks = ticks
        sum(i * i for i in range(300_000))  # pure Python work holds the GIL throughout
        after_python = ticks
        for _ in range(50):
            client.sign("alipay.trade.query", '{"out_trade_no":"1"}', timestamp=at)
            client.verify_response("alipay.marketing.voucher.send", body)
        after_rsa = ticks
    finally:
        stop.set()
        sys.setswitchinterval(previous)
        runner.join()
    assert after_python == busy_python_ticks
    assert after_rsa > after_python
