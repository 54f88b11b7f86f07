"""Each Python recipe against the local gateway, as the Node and Rust recipes are tested: vouchers
sent and redeemed through it, an order paid with its app-pay order string, the notification
verified, delivered again and counted once, forged notifications answered `failure`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

RECIPES = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RECIPES.parent / "python"))
from local_gateway import start_gateway  # noqa: E402  (the examples' helper, one place for it)

TEMPLATE_WITH_CODES = "20240513000730011111000CODES"  # a fresh gateway hands out EXTCODE00001 first
USER_ID = "2088102000000000"
# Percent signs and a plus: a recipe that decodes the form twice verifies another subject and fails.
SUBJECT = "Tea 100%+ 茶 a%20b"


@contextmanager
def recipe(name: str, env: dict[str, str]) -> Iterator[str]:
    """Runs examples/recipes/<name>/app.py on a free port and yields its URL."""
    app = RECIPES / name / "app.py"
    process = subprocess.Popen([sys.executable, str(app)], env={**os.environ, "PORT": "0", **env}, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("listening on "), f"{name} printed {line!r}"
        yield line.removeprefix("listening on ")
    finally:
        process.terminate()
        process.wait(timeout=10)


class Relay(ThreadingHTTPServer):
    """notify_url's relay: passes each notification on and records it with the recipe's answer, but
    tells the gateway `failure` the first time so that it delivers the same notification again."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RelayHandler)
        self.target = ""
        self.deliveries: list[tuple[str, str]] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class RelayHandler(BaseHTTPRequestHandler):
    server: Relay

    def do_POST(self) -> None:  # noqa: N802  (the name http.server calls)
        body = self.rfile.read(int(self.headers["content-length"]))
        headers = {"content-type": self.headers["content-type"]}
        answer = httpx.post(f"{self.server.target}{self.path}", content=body, headers=headers).text
        self.server.deliveries.append((body.decode("ascii"), answer))
        reply = b"failure" if len(self.server.deliveries) == 1 else answer.encode()
        self.send_response(200)
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def notify(recipe_url: str, body: str) -> str:
    headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    return httpx.post(f"{recipe_url}/alipay/notify", content=body, headers=headers).text


def changed(body: str, **changes: str) -> str:
    return urlencode({**dict(parse_qsl(body, keep_blank_values=True)), **changes})


@pytest.mark.parametrize("name", ["fastapi", "flask"])
def test_vouchers_an_app_pay_order_notified_once_and_forgeries_refused(name: str) -> None:
    relay = Relay()
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    with start_gateway("--notify-retry-ms", "50,50") as (gateway, _settings), recipe(
        name, {"ALIPAY_GATEWAY": gateway, "PUBLIC_URL": relay.url}
    ) as url:
        relay.target = url
        http = httpx.Client(base_url=url, timeout=10)

        send = {"template_id": TEMPLATE_WITH_CODES, "user_id": USER_ID, "out_biz_no": "send1"}
        sent = http.post("/vouchers", json=send)
        assert sent.status_code == 201, sent.text
        voucher_id = sent.json()["voucher_id"]
        assert len(voucher_id) == 28 and voucher_id.isdigit()
        assert http.post("/vouchers", json=send).json() == {"voucher_id": voucher_id}, "same out_biz_no, same voucher"

        redeem = f"/vouchers/{voucher_id}/redeem"
        used = http.post(redeem, json={"code": "EXTCODE00001", "out_biz_no": "use1"})
        assert (used.status_code, used.json()) == (200, {"voucher_id": voucher_id, "redeemed": True})
        twice = http.post(redeem, json={"code": "EXTCODE00001", "out_biz_no": "use2"})
        assert (twice.status_code, twice.json()["code"]) == (422, "REQUEST_PARAM_ILLEGAL"), "a code is redeemed once"

        created = http.post("/orders", json={"total_amount_fen": 8888, "subject": SUBJECT})
        assert created.status_code == 201, created.text
        order = created.json()
        assert order["page_link"].startswith(f"{gateway}?")
        assert "method=alipay.trade.app.pay" in order["order_string"].split("&")
        assert order["status"] == "pending"

        paid = httpx.post(gateway.replace("/gateway.do", "/test/app-pay"), content=order["order_string"])
        trade = paid.json()
        assert (paid.status_code, trade["trade_status"], trade["total_amount"]) == (200, "TRADE_SUCCESS", "88.88"), trade

        order_path = f"/orders/{order['out_trade_no']}"
        deadline = time.monotonic() + 10
        # The recipe counts a notification before the relay records its answer: wait for both.
        while (http.get(order_path).json()["notifications"] < 2 or len(relay.deliveries) < 2) and time.monotonic() < deadline:
            time.sleep(0.05)
        settled = http.get(order_path).json()
        assert [answer for _, answer in relay.deliveries] == ["success", "success"], "verified, then again on re-delivery"
        assert (settled["status"], settled["paid_count"], settled["trade_no"]) == ("paid", 1, trade["trade_no"])

        genuine = relay.deliveries[0][0]
        assert notify(url, genuine) == "success", "a re-delivery is answered success"
        assert notify(url, changed(genuine, total_amount="0.01")) == "failure"
        sign = dict(parse_qsl(genuine))["sign"]
        # Another first character (a signature that starts with "A" would otherwise be left as it was).
        assert notify(url, changed(genuine, sign=("B" if sign[0] == "A" else "A") + sign[1:])) == "failure"
        assert notify(url, "not a notification") == "failure"
        other = http.post("/orders", json={"total_amount_fen": 100, "subject": "other"}).json()
        assert notify(url, changed(genuine, out_trade_no=other["out_trade_no"], total_amount="1.00")) == "failure"

        assert http.get(order_path).json() == {**settled, "notifications": 3}, "paid once, whatever arrives"
        unchanged = {key: value for key, value in other.items() if key not in ("page_link", "order_string")}
        assert http.get(f"/orders/{other['out_trade_no']}").json() == unchanged, "a forgery changes nothing"

        forged_return = http.get("/alipay/return", params={"out_trade_no": "x", "total_amount": "88.88", "sign": "AAAA"})
        assert forged_return.status_code == 400 and "not verified" in forged_return.text
    relay.shutdown()
