"""The voucher flow over real HTTP, with the standard library only (urllib):
send a voucher, query it, redeem its code at the till, query it again, and handle a business
failure, against the local test gateway; then pay an order through the local cashier's app-pay
test endpoint and query the trade with OpenAPI v3.

    python examples/python/voucher_flow.py                 # starts a fresh local gateway
    python examples/python/voucher_flow.py --gateway URL   # or talks to one already running
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
import urllib.parse
import uuid

from alipay_openapi import Client, GatewayError, SignedRequest
from local_gateway import APP_ID, APP_PRIVATE_KEY, GATEWAY_PUBLIC_KEY, local_gateway

TEMPLATE_WITH_CODES = "20240513000730011111000CODES"  # the fixture template whose vouchers carry codes
TEMPLATE_EXPIRED = "20200101000730011111000EXPRD"
USER_ID = "2088102000000000"
FIRST_CODE = "EXTCODE00001"  # the first code of the merchant's uploaded pool


def post(signed: SignedRequest) -> bytes:
    """Sends a signed request as is and returns the exact response bytes."""
    request = urllib.request.Request(signed.url, data=signed.body, headers=signed.headers, method=signed.method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        body: bytes = reply.read()
        return body


def run(gateway: str) -> None:
    client = Client(
        app_id=APP_ID,
        private_key=APP_PRIVATE_KEY.read_text(),
        alipay_public_key=GATEWAY_PUBLIC_KEY.read_text(),
        gateway=gateway,
    )
    out_biz_no = uuid.uuid4().hex  # the idempotency key: a retry must send the same one

    send = client.voucher_send(template_id=TEMPLATE_WITH_CODES, user_id=USER_ID, out_biz_no=out_biz_no)
    sent = client.parse_voucher_send(post(send))
    print(f"sent voucher {sent.voucher_id} to {sent.user_id}")

    # Sending the same request again (re-signed, fresh timestamp) returns the same voucher.
    again = client.parse_voucher_send(
        post(client.voucher_send(template_id=TEMPLATE_WITH_CODES, user_id=USER_ID, out_biz_no=out_biz_no))
    )
    assert again.voucher_id == sent.voucher_id, "the gateway must recognise the repeated out_biz_no"

    voucher = client.parse_voucher_query(post(client.voucher_query(voucher_id=sent.voucher_id)))
    print(f"{voucher.name}: {voucher.status}, {voucher.available_amount} of {voucher.total_amount} yuan left,"
          f" expires {voucher.gmt_expired.isoformat() if voucher.gmt_expired else '?'}")

    used = client.parse_voucher_stock_use(
        post(client.voucher_stock_use(entity_no=FIRST_CODE, out_biz_no=uuid.uuid4().hex))
    )
    print(f"redeemed code {FIRST_CODE}: {used.redeemed} (voucher {used.voucher_id})")

    voucher = client.parse_voucher_query(post(client.voucher_query(voucher_id=sent.voucher_id)))
    for bill in voucher.bill_details:
        print(f"  {bill.biz_type} {bill.amount} yuan at {bill.gmt_create.isoformat()} ({bill.status})")
    print(f"now {voucher.status}, {voucher.available_amount} yuan left")

    try:
        client.parse_voucher_send(
            post(client.voucher_send(template_id=TEMPLATE_EXPIRED, user_id=USER_ID, out_biz_no=uuid.uuid4().hex))
        )
        raise AssertionError("an expired template must be refused")
    except GatewayError as error:
        print(f"expired template refused: {error.gateway_code} {error.sub_code} {error.sub_msg}"
              f" (retryable: {error.retryable})")

    trade_query_v3(client, gateway)


def trade_query_v3(client: Client, gateway: str) -> None:
    """An app-pay order paid through the local cashier's test endpoint, then queried with OpenAPI v3."""
    out_trade_no = uuid.uuid4().hex
    order = client.sign(
        "alipay.trade.app.pay",
        {"out_trade_no": out_trade_no, "total_amount": "88.88", "subject": "测试订单", "product_code": "QUICK_MSECURITY_PAY"},
    )
    origin = urllib.parse.urljoin(gateway, "/")
    pay = urllib.request.Request(origin + "test/app-pay", data=order.order_string.encode(), method="POST")
    with urllib.request.urlopen(pay, timeout=10) as reply:
        print(f"paid order {out_trade_no}: trade {json.loads(reply.read())['trade_no']}")

    signed = client.sign_v3("POST", "/v3/alipay/trade/query", body={"out_trade_no": out_trade_no})
    request = urllib.request.Request(signed.url, data=signed.body, headers=signed.headers, method=signed.method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        answer = client.verify_v3_response(reply.status, reply.headers, reply.read())
    trade = answer.data
    print(f"v3 trade query: {trade['trade_status']}, {trade['total_amount']} yuan (signed answer, trace {answer.trace_id})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gateway", help="gateway URL (default: start a fresh local gateway)")
    args = parser.parse_args()
    if args.gateway:
        run(args.gateway)
    else:
        with local_gateway() as url:
            print(f"local gateway at {url}")
            run(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
