"""The merchant server in FastAPI, async with httpx.AsyncClient:

    ALIPAY_GATEWAY=<url> [PORT=8000] [PUBLIC_URL=...] python examples/recipes/fastapi/app.py
"""

from __future__ import annotations

import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from alipay_openapi import AlipayError, SignedRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from shop import HttpError, Shop  # noqa: E402  (shared with the Flask recipe)

shop = Shop()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with httpx.AsyncClient(timeout=10) as http:
        app.state.http = http
        yield


app = FastAPI(lifespan=lifespan)


async def send(request: Request, signed: SignedRequest) -> bytes:
    """POSTs the signed request as is; the exact bytes that come back are what gets verified."""
    http: httpx.AsyncClient = request.app.state.http
    reply = await http.post(signed.url, content=signed.body, headers=signed.headers)
    return reply.content


@app.exception_handler(AlipayError)
@app.exception_handler(HttpError)
async def answer_error(request: Request, error: Exception) -> JSONResponse:
    status, body = Shop.answer(error)
    return JSONResponse(body, status_code=status)


@app.post("/vouchers", status_code=201)
async def send_voucher(request: Request, payload: dict[str, Any]) -> dict[str, Any]:
    return shop.voucher_sent(await send(request, shop.voucher_send(payload)))


@app.post("/vouchers/{voucher_id}/redeem")
async def redeem_voucher(request: Request, voucher_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return shop.voucher_redeemed(voucher_id, await send(request, shop.voucher_stock_use(payload)))


@app.post("/orders", status_code=201)
async def create_order(payload: dict[str, Any]) -> dict[str, Any]:
    return shop.create_order(payload)


@app.get("/orders/{out_trade_no}")
async def order(out_trade_no: str) -> dict[str, Any]:
    return vars(shop.order(out_trade_no))


@app.get("/alipay/return", response_class=HTMLResponse)
async def alipay_return(request: Request) -> HTMLResponse:
    status, html = shop.return_page(request.url.query)  # the raw query, still percent-encoded
    return HTMLResponse(html, status_code=status)


@app.post("/alipay/notify", response_class=PlainTextResponse)
async def alipay_notify(request: Request) -> str:
    # The raw body: the library decodes it once, in the charset the notification names.
    return shop.notify(await request.body())


if __name__ == "__main__":
    sock = socket.create_server(("127.0.0.1", shop.port))  # bound and listening: port 0 picks a free one
    shop.listening(sock.getsockname()[1])
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
