"""The merchant server in Flask, with httpx for the calls to the gateway:

    ALIPAY_GATEWAY=<url> [PORT=8000] [PUBLIC_URL=...] python examples/recipes/flask/app.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

from alipay_openapi import AlipayError, SignedRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from shop import HttpError, Shop  # noqa: E402  (shared with the FastAPI recipe)

shop = Shop()
http = httpx.Client(timeout=10)
app = Flask(__name__)


def send(signed: SignedRequest) -> bytes:
    """POSTs the signed request as is; the exact bytes that come back are what gets verified."""
    return http.post(signed.url, content=signed.body, headers=signed.headers).content


@app.errorhandler(AlipayError)
@app.errorhandler(HttpError)
def answer_error(error: Exception) -> tuple[Response, int]:
    status, body = Shop.answer(error)
    return jsonify(body), status


@app.post("/vouchers")
def send_voucher() -> tuple[Response, int]:
    return jsonify(shop.voucher_sent(send(shop.voucher_send(request.get_json())))), 201


@app.post("/vouchers/<voucher_id>/redeem")
def redeem_voucher(voucher_id: str) -> Response:
    return jsonify(shop.voucher_redeemed(voucher_id, send(shop.voucher_stock_use(request.get_json()))))


@app.post("/orders")
def create_order() -> tuple[Response, int]:
    return jsonify(shop.create_order(request.get_json())), 201


@app.get("/orders/<out_trade_no>")
def order(out_trade_no: str) -> Response:
    return jsonify(vars(shop.order(out_trade_no)))


@app.get("/alipay/return")
def alipay_return() -> tuple[str, int]:
    status, html = shop.return_page(request.query_string)  # the raw query, still percent-encoded
    return html, status


@app.post("/alipay/notify")
def alipay_notify() -> Response:
    # Werkzeug has decoded the form once (as UTF-8); its fields go to the library as they are and are
    # never unquoted again. An app that signs in GBK passes request.get_data() instead.
    return Response(shop.notify(request.form), mimetype="text/plain")


if __name__ == "__main__":
    server = make_server("127.0.0.1", shop.port, app, threaded=True)
    shop.listening(server.server_port)
    server.serve_forever()
