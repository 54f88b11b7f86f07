"""The four typed APIs: keyword arguments → the core's models → signed requests; verified answers
→ frozen dataclasses with Decimal amounts and UTC+8 datetimes."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import pytest

from alipay_openapi import APIS, Client, GatewayError, ValidationError
from alipay_openapi.models import BillDetail, TicketCodeSyncResult, VoucherQueryResult, VoucherSendResult, result_class
from conftest import load_cases

AT = datetime(2024, 5, 13, 17, 49, 20, tzinfo=timezone(timedelta(hours=8)))


def biz_of(body: bytes) -> Any:
    return json.loads(parse_qs(body.decode("ascii"))["biz_content"][0])


def body_of(case_id: str) -> bytes:
    case = next(c for c in load_cases("responses.json") if c["id"] == case_id)
    return base64.b64decode(case["inputs"]["body_b64"])


def test_voucher_send_takes_the_page_field_names(client: Client) -> None:
    signed = client.voucher_send(
        template_id="20140601000730010040000000EB",
        user_id="2088302001456115",
        out_biz_no="2016122814164328aadaee_1aee_4",
        amount=Decimal("9.9"),
        memo="优酷3个月兑换券",
        timestamp=AT,
    )
    assert "method=alipay.marketing.voucher.send" in signed.sign_content
    assert biz_of(signed.body) == {
        "template_id": "20140601000730010040000000EB",
        "user_id": "2088302001456115",
        "out_biz_no": "2016122814164328aadaee_1aee_4",
        "amount": "9.90",
        "memo": "优酷3个月兑换券",
    }
    # The same request through the generic path is the same bytes.
    generic = client.sign(
        "alipay.marketing.voucher.send",
        {"template_id": "20140601000730010040000000EB", "user_id": "2088302001456115",
         "out_biz_no": "2016122814164328aadaee_1aee_4", "amount": "9.90", "memo": "优酷3个月兑换券"},
        timestamp=AT,
    )
    assert generic.signature == signed.signature


def test_other_typed_requests(client: Client) -> None:
    query = client.voucher_query(voucher_id="20170616000730020041006ZYE2V", timestamp=AT)
    assert biz_of(query.body) == {"voucher_id": "20170616000730020041006ZYE2V"}
    use = client.voucher_stock_use(entity_no="EXTCODE00001", out_biz_no="use0001", app_auth_token="tok", timestamp=AT)
    assert biz_of(use.body) == {"entity_no": "EXTCODE00001", "out_biz_no": "use0001"}
    assert "app_auth_token=tok" in use.url
    sync = client.ticket_code_sync(
        request_id="2016102903214470000000000",
        ticket_code="16569843362",
        quantity=5,
        order_no="20180404111040030100130500594477",
        code_type="EXTERNAL_CODE",
        gmt_biz=datetime(2017, 9, 9, 4, 12, 12, tzinfo=timezone.utc),
        timestamp=AT,
    )
    assert biz_of(sync.body)["gmt_biz"] == "2017-09-09 12:12:12"
    assert biz_of(sync.body)["quantity"] == "5"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"user_id": "2088302001456115", "out_biz_no": "1"}, "template_id", "invalid_field"),
        ({"template_id": "T", "out_biz_no": "1"}, "user_id", "invalid_field"),
        ({"template_id": "T", "user_id": "2088302001456115", "out_biz_no": "1", "amount": 9.99}, "amount", "invalid_field"),
        ({"template_id": "T", "user_id": "2088302001456115", "out_biz_no": "1", "amount": Decimal("9.999")}, "amount", "invalid_field"),
        ({"template_id": "T" * 29, "user_id": "2088302001456115", "out_biz_no": "1"}, "template_id", "invalid_field"),
    ],
)
def test_typed_requests_are_validated_by_the_core(client: Client, fields: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        client.voucher_send(**fields)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert field in str(caught.value)


def test_unknown_keywords_are_refused(client: Client) -> None:
    with pytest.raises(ValidationError, match="unknown field") as caught:
        client.voucher_query(voucher_id="20170616000730020041006ZYE2V", templat_id="x")  # type: ignore[call-arg]
    assert caught.value.field == "templat_id"


def test_parse_voucher_send_gives_a_frozen_dataclass(client: Client) -> None:
    result = client.parse_voucher_send(body_of("resp-001"))
    assert result == VoucherSendResult(voucher_id="20160906000730020020002U8CBS", user_id="2088302001456115", extra={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.voucher_id = "x"  # type: ignore[misc]


def test_parse_voucher_query_reads_the_older_answer_shape(client: Client) -> None:
    """resp-002 is a verified success in the older shape (``voucher_name``, ``amount``, no
    ``gmt_create``, bills without ``biz_type``): it parses, and nothing absent is invented."""
    result = client.parse_voucher_query(body_of("resp-002"))
    assert isinstance(result, VoucherQueryResult)
    assert (result.voucher_id, result.template_id) == ("20170616000730020041006ZYE2V", "20140601000730010040000000EB")
    assert (result.name, result.status, result.user_id) == ("5元代金券", "USED", "2088302001456115")
    assert result.total_amount == Decimal("5.00") and isinstance(result.total_amount, Decimal)
    assert result.available_amount == Decimal("0.00")
    beijing = timezone(timedelta(hours=8))
    assert result.gmt_active == datetime(2017, 6, 16, 15, 6, 39, tzinfo=beijing)
    assert result.gmt_expired == datetime(2017, 7, 16, 23, 59, 59, tzinfo=beijing)
    assert result.gmt_create is None
    assert result.extra == {"voucher_type": "FIX_VOUCHER", "floor_amount": "20.00"}
    used, refund = result.bill_details
    assert isinstance(used, BillDetail)
    assert (used.amount, used.status, used.biz_type) == (Decimal("5.00"), "SUCCESS", None)
    assert used.trade_no == "2017061821001004070200176845"
    assert used.gmt_create == datetime(2017, 6, 18, 12, 0, 0, tzinfo=beijing)
    assert used.extra == {"biz_no": "2017061621001004070200176844"}
    assert (refund.amount, refund.status, refund.trade_no) == (Decimal("0.00"), "REFUND", None)


def test_parse_ticket_code_sync(client: Client) -> None:
    result = client.parse_ticket_code_sync(body_of("resp-004"))
    assert isinstance(result, TicketCodeSyncResult)
    assert (result.request_id, result.order_no, result.idempotent_replay) == (
        "2016102903214470000000000",
        "20180404111040030100130500594477",
        False,
    )


@pytest.mark.parametrize(
    ("case_id", "parse", "sub_code"),
    [
        ("resp-005", "parse_voucher_stock_use", "VOUCHER_HAS_EXPIRED"),
        ("resp-007", "parse_voucher_query", "VOUCHER_NOT_EXIST"),
        ("resp-008", "parse_ticket_code_sync", "TICKET_CODE_NOT_EXIST"),
    ],
)
def test_business_failures_raise_gateway_errors(client: Client, case_id: str, parse: str, sub_code: str) -> None:
    with pytest.raises(GatewayError) as caught:
        getattr(client, parse)(body_of(case_id))
    assert (caught.value.gateway_code, caught.value.sub_code, caught.value.verified) == ("40004", sub_code, True)
    assert caught.value.retryable is False


def test_the_stubs_list_exactly_the_typed_apis_of_the_table() -> None:
    import ast
    from pathlib import Path

    import alipay_openapi

    stub = Path(alipay_openapi.__file__).with_name("client.pyi")
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    (client_stub,) = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Client"]
    stubbed = {node.name for node in client_stub.body if isinstance(node, ast.FunctionDef)}
    assert stubbed == {name for api, _ in APIS for name in (api, f"parse_{api}")}
    assert [method for _, method in APIS] == [
        "alipay.marketing.voucher.send",
        "alipay.marketing.voucher.query",
        "alipay.marketing.voucher.stock.use",
        "koubei.trade.ticket.ticketcode.sync",
    ]
    for api, _ in APIS:
        assert dataclasses.is_dataclass(result_class(api)), api


def test_sign_call_and_parse_response_are_what_the_per_api_methods_use(client: Client) -> None:
    fields: dict[str, Any] = {"voucher_id": "20170616000730020041006ZYE2V"}
    assert client.sign_call("alipay.marketing.voucher.query", fields, timestamp=AT).signature == (
        client.voucher_query(**fields, timestamp=AT).signature
    )
    parsed = client.parse_response("alipay.marketing.voucher.send", body_of("resp-001"))
    assert parsed == client.parse_voucher_send(body_of("resp-001"))
    with pytest.raises(ValidationError) as untyped:
        client.parse_response("alipay.trade.query", body_of("resp-001"))
    assert untyped.value.field == "method"
