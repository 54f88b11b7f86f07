"""The merchant behind the FastAPI and Flask recipes: its Alipay client, its orders (in memory) and
what it does with each request. The apps route and do the HTTP (async or not); the library does
every protocol step (signing, links, verification, order checks)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Union

from alipay_openapi import AlipayError, Client, GatewayError, SignedRequest, UnsignedGatewayError

# The repository's test keys, which the local test gateway knows. Real keys come from your secret
# store, never from a file in the repository.
TEST_KEYS = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "keys"
PAID = {"TRADE_SUCCESS", "TRADE_FINISHED"}
Json = dict[str, Any]


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


@dataclass
class Order:
    out_trade_no: str
    total_amount_fen: int
    subject: str
    status: str = "pending"
    trade_no: Union[str, None] = None
    notifications: int = 0
    paid_count: int = 0


class Shop:
    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        if "ALIPAY_GATEWAY" not in env:
            raise SystemExit("set ALIPAY_GATEWAY to the gateway URL (e.g. the local test gateway)")
        self.client = Client(
            app_id=env.get("ALIPAY_APP_ID", "2021000000000001"),
            private_key=env.get("ALIPAY_APP_PRIVATE_KEY") or (TEST_KEYS / "app_2048.private.pkcs1.pem").read_text(),
            alipay_public_key=env.get("ALIPAY_PUBLIC_KEY") or (TEST_KEYS / "alipay_2048.public.spki.pem").read_text(),
            gateway=env["ALIPAY_GATEWAY"],
        )
        self.port = int(env.get("PORT", "8000"))
        self.public_url = env.get("PUBLIC_URL")  # where Alipay and the browser reach this server
        self.orders: dict[str, Order] = {}
        self._lock = threading.Lock()  # Flask serves requests on threads

    def listening(self, port: int) -> None:
        """Call once the server is bound: fixes the public URL and prints the line the tests read."""
        self.public_url = self.public_url or f"http://127.0.0.1:{port}"
        print(f"listening on http://127.0.0.1:{port}", flush=True)

    def voucher_send(self, payload: Json) -> SignedRequest:
        return self.client.voucher_send(
            template_id=payload.get("template_id", ""), user_id=payload.get("user_id"), out_biz_no=payload.get("out_biz_no", "")
        )

    def voucher_sent(self, body: bytes) -> Json:
        return {"voucher_id": self.client.parse_voucher_send(body).voucher_id}

    def voucher_stock_use(self, payload: Json) -> SignedRequest:
        return self.client.voucher_stock_use(entity_no=payload.get("code", ""), out_biz_no=payload.get("out_biz_no", ""))

    def voucher_redeemed(self, voucher_id: str, body: bytes) -> Json:
        used = self.client.parse_voucher_stock_use(body)
        if used.voucher_id != voucher_id:
            raise HttpError(409, "VOUCHER_MISMATCH", "the code belongs to another voucher")
        return {"voucher_id": used.voucher_id, "redeemed": True}

    def create_order(self, payload: Json) -> Json:
        fen = payload.get("total_amount_fen")
        if type(fen) is not int or fen <= 0:
            raise HttpError(400, "INVALID_AMOUNT", "total_amount_fen: a positive whole number of fen")
        order = Order(out_trade_no=uuid.uuid4().hex, total_amount_fen=fen, subject=str(payload.get("subject", "")))
        biz = {"out_trade_no": order.out_trade_no, "total_amount": f"{fen // 100}.{fen % 100:02d}", "subject": order.subject}
        notify_url = f"{self.public_url}/alipay/notify"
        page = self.client.sign(
            "alipay.trade.page.pay",
            {**biz, "product_code": "FAST_INSTANT_TRADE_PAY"},
            return_url=f"{self.public_url}/alipay/return",
            notify_url=notify_url,
        )
        app = self.client.sign("alipay.trade.app.pay", {**biz, "product_code": "QUICK_MSECURITY_PAY"}, notify_url=notify_url)
        self.orders[order.out_trade_no] = order
        return {**asdict(order), "page_link": page.page_link, "order_string": app.order_string}

    def order(self, out_trade_no: str) -> Order:
        order = self.orders.get(out_trade_no)
        if order is None:
            raise HttpError(404, "ORDER_NOT_FOUND", f"no order {out_trade_no}")
        return order

    def _checked(self, notification: Any) -> Order:
        order = self.order(notification["out_trade_no"])
        notification.check_order(out_trade_no=order.out_trade_no, total_amount_fen=order.total_amount_fen)
        return order

    def return_page(self, query: Union[bytes, str]) -> tuple[int, str]:
        """The page the browser comes back to. The query only says what to display: the notification pays."""
        try:
            order = self._checked(self.client.verify_return(query))
        except (AlipayError, HttpError, KeyError):
            return 400, '<!doctype html><title>Payment</title><p id="status">not verified</p>'
        status = "paid" if order.status == "paid" else "pending"
        return 200, (
            f"<!doctype html><title>Order {order.out_trade_no}</title>"
            f'<p>Order {order.out_trade_no}: <strong id="status">{status}</strong></p>'
        )

    def notify(self, notification: Union[bytes, Mapping[str, str]]) -> str:
        """The answer to a notification: `success` only once it verified and matched the order."""
        try:
            fields = self.client.verify_notification(notification)
            order = self._checked(fields)
        except (AlipayError, HttpError, KeyError):
            return "failure"
        with self._lock:
            order.notifications += 1
            if fields.get("trade_status") in PAID and order.status != "paid":
                order.status, order.trade_no = "paid", fields.get("trade_no")
                order.paid_count += 1
        return "success"

    @staticmethod
    def answer(error: Exception) -> tuple[int, Json]:
        """An error as the status and JSON this API answers it with."""
        if isinstance(error, HttpError):
            return error.status, {"code": error.code, "message": str(error)}
        if isinstance(error, GatewayError) and not isinstance(error, UnsignedGatewayError):
            return 422, {"code": error.sub_code or error.gateway_code, "message": error.sub_msg or error.gateway_msg}
        if isinstance(error, AlipayError) and error.code == "invalid_field":
            return 400, {"code": error.code, "message": str(error)}
        return 502, {"code": getattr(error, "code", "upstream_error"), "message": "the gateway could not be reached or verified"}
