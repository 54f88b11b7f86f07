"""Over real HTTP against the local test gateway: typed results, the safe retry, and every kind of
bad answer the gateway can be told to give (header x-gateway-fault)."""

from __future__ import annotations

import urllib.request
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Optional

import pytest

from alipay_openapi import Client, GatewayError, SignatureError, SignedRequest, UnsignedGatewayError
from conftest import key, make_client

TEMPLATE = "20240513000730011111000ABCDE"  # the gateway's fixture template, face value 10.00
USER_ID = "2088102000000000"


def post(signed: SignedRequest, fault: Optional[str] = None) -> bytes:
    headers = signed.headers
    if fault:
        headers["x-gateway-fault"] = fault
    request = urllib.request.Request(signed.url, data=signed.body, headers=headers, method=signed.method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        body: bytes = reply.read()
        return body


@pytest.fixture(scope="module")
def local(gateway_url: str) -> Client:
    return make_client(gateway=gateway_url)


def send_request(client: Client, out_biz_no: str) -> SignedRequest:
    return client.voucher_send(template_id=TEMPLATE, user_id=USER_ID, out_biz_no=out_biz_no)


def test_send_and_query_give_typed_results(local: Client) -> None:
    sent = local.parse_voucher_send(post(send_request(local, uuid.uuid4().hex)))
    assert len(sent.voucher_id) == 28 and sent.user_id == USER_ID
    voucher = local.parse_voucher_query(post(local.voucher_query(voucher_id=sent.voucher_id)))
    assert (voucher.voucher_id, voucher.template_id, voucher.status) == (sent.voucher_id, TEMPLATE, "ENABLED")
    assert voucher.total_amount == Decimal("10.00") and isinstance(voucher.total_amount, Decimal)
    assert isinstance(voucher.gmt_expired, datetime)
    assert voucher.gmt_expired.isoformat() == "2099-12-31T23:59:59+08:00"
    assert voucher.bill_details == ()


def test_a_busy_gateway_is_retryable_and_the_same_request_then_succeeds(local: Client) -> None:
    out_biz_no = uuid.uuid4().hex
    with pytest.raises(GatewayError) as caught:
        local.parse_voucher_send(post(send_request(local, out_biz_no), fault="fail-first=1"))
    assert (caught.value.gateway_code, caught.value.sub_code) == ("20000", "isp.unknow-error")
    assert caught.value.retryable is True and caught.value.verified is True
    first = local.parse_voucher_send(post(send_request(local, out_biz_no), fault="fail-first=1"))
    again = local.parse_voucher_send(post(send_request(local, out_biz_no)))
    assert first.voucher_id == again.voucher_id


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("bad-signature", "signature_mismatch"),
        ("tampered", "signature_mismatch"),
        ("wrong-node", "response_node_missing"),
        ("truncated", "malformed_response"),
    ],
)
def test_bad_answers_are_refused(local: Client, fault: str, code: str) -> None:
    with pytest.raises(SignatureError) as caught:
        local.parse_voucher_send(post(send_request(local, uuid.uuid4().hex), fault=fault))
    assert caught.value.code == code


def test_an_unsigned_error_is_marked_unverified(local: Client) -> None:
    with pytest.raises(UnsignedGatewayError) as caught:
        local.parse_voucher_send(post(send_request(local, uuid.uuid4().hex), fault="unsigned-error"))
    assert (caught.value.code, caught.value.verified, caught.value.gateway_code) == ("unsigned_gateway_error", False, "20000")


def test_a_wrong_app_key_is_refused_by_the_gateway(gateway_url: str) -> None:
    stranger = make_client(gateway=gateway_url, private_key=key("other_2048.private.pkcs1.pem"))
    with pytest.raises(GatewayError) as caught:
        stranger.parse_voucher_send(post(send_request(stranger, uuid.uuid4().hex)))
    assert caught.value.sub_code == "isv.invalid-signature"
