"""The Python surface: keyword construction, key forms, request building, exceptions, immutability."""

from __future__ import annotations

import base64
import pickle
import urllib.request
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import alipay_openapi
from alipay_openapi import (
    PRODUCTION_GATEWAY,
    SANDBOX_GATEWAY,
    AlipayError,
    Client,
    GatewayError,
    SignatureError,
    UnsignedGatewayError,
    ValidationError,
)
from conftest import APP_ID, KEYS, key, load_cases, make_client

AT = datetime(2024, 5, 13, 17, 49, 20, tzinfo=timezone(timedelta(hours=8)))
GENERIC = "alipay.trade.query"
QUERY = "alipay.marketing.voucher.query"


def response_case(case_id: str) -> dict[str, Any]:
    return next(c for c in load_cases("responses.json") if c["id"] == case_id)


def body_of(case_id: str) -> bytes:
    return base64.b64decode(response_case(case_id)["inputs"]["body_b64"])


def test_defaults_and_configuration(client: Client) -> None:
    assert (client.app_id, client.sign_type, client.charset, client.gateway) == (
        APP_ID,
        "RSA2",
        "utf-8",
        PRODUCTION_GATEWAY,
    )
    sandbox = make_client(gateway=SANDBOX_GATEWAY, charset="gbk", sign_type="RSA")
    assert (sandbox.gateway, sandbox.charset, sandbox.sign_type) == (SANDBOX_GATEWAY, "GBK", "RSA")
    signed = sandbox.sign(GENERIC, {"voucher_id": "1"}, timestamp=AT)
    assert signed.url.startswith(SANDBOX_GATEWAY + "?")
    assert "charset=GBK" in signed.url and "sign_type=RSA&" in signed.url


def test_arguments_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Client(APP_ID, key("app_2048.private.pkcs1.pem"), key("alipay_2048.public.spki.pem"))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "form", ["private.pkcs1.pem", "private.pkcs8.pem", "private.pkcs1.b64", "private.pkcs8.b64", "der", "pem-bytes"]
)
def test_every_private_key_form_signs_identically(client: Client, form: str) -> None:
    if form == "der":
        given: str | bytes = base64.b64decode(key("app_2048.private.pkcs8.b64"))
    elif form == "pem-bytes":
        given = (KEYS / "app_2048.private.pkcs1.pem").read_bytes()
    else:
        given = key(f"app_2048.{form}")
    other = make_client(private_key=given)
    assert other.sign(GENERIC, '{"a":1}', timestamp=AT).signature == client.sign(GENERIC, '{"a":1}', timestamp=AT).signature


def test_public_key_forms_verify() -> None:
    body = body_of("resp-001")
    for name in ["alipay_2048.public.spki.pem", "alipay_2048.public.spki.b64", "alipay_2048.public.pkcs1.pem"]:
        response = make_client(alipay_public_key=key(name)).verify_response("alipay.marketing.voucher.send", body)
        assert response.is_success


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"private_key": "not a key"}, "invalid_key"),
        ({"private_key": key("app_2048.public.spki.pem")}, "invalid_key"),
        ({"alipay_public_key": key("alipay_2048.private.pkcs1.pem")}, "invalid_key"),
        ({"sign_type": "MD5"}, "unsupported_sign_type"),
        ({"charset": "latin-1"}, "unsupported_charset"),
    ],
)
def test_bad_settings_raise_validation_errors(settings: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        make_client(**settings)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, AlipayError)


def test_secrets_never_show(client: Client) -> None:
    private = key("app_2048.private.pkcs1.pem")
    body = "".join(private.splitlines()[1:-1])
    assert body[:40] not in repr(client) and "PRIVATE" not in repr(client)
    with pytest.raises(ValidationError) as caught:
        make_client(private_key=private[:400])
    assert body[20:60] not in str(caught.value)


def test_biz_content_mapping_is_serialized_once_with_decimals_as_strings(client: Client) -> None:
    signed = client.sign(
        GENERIC,
        {"template_id": "T1", "amount": Decimal("9.90"), "count": 3, "ok": True, "memo": "优惠 \"券\"", "none": None,
         "tags": ["a", "b"], "at": AT},
        timestamp=AT,
    )
    biz = parse_qs(signed.body.decode("ascii"))["biz_content"][0]
    assert biz == (
        '{"amount":"9.90","at":"2024-05-13 17:49:20","count":3,"memo":"优惠 \\"券\\"","none":null,'
        '"ok":true,"tags":["a","b"],"template_id":"T1"}'
    )
    assert f"biz_content={biz}" in signed.sign_content


def test_a_float_is_a_json_number_and_the_typed_models_refuse_it_for_money(client: Client) -> None:
    """As in JavaScript, whose numbers are all floats: the core decides, and a typed amount is never a float."""
    signed = client.sign(GENERIC, {"total_amount": 1.5}, timestamp=AT)
    assert "biz_content={\"total_amount\":1.5}" in signed.sign_content
    with pytest.raises(ValidationError) as caught:
        client.sign("alipay.marketing.voucher.send", {"template_id": "T", "user_id": "2088302001456115", "out_biz_no": "1", "amount": 9.99})
    assert (caught.value.code, caught.value.field) == ("invalid_field", "amount")


@pytest.mark.parametrize(
    ("biz", "field"),
    [
        ({"amount": Decimal("NaN")}, "biz_content.amount"),
        ({"amount": float("inf")}, "biz_content.amount"),
        ({"items": [{"n": 2**70}]}, "biz_content.items[0].n"),
        ({"when": datetime(2024, 1, 1)}, "biz_content.when"),
        ({1: "x"}, "biz_content"),
        ({"o": object()}, "biz_content.o"),
    ],
)
def test_unrepresentable_biz_values_name_the_field(client: Client, biz: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        client.sign(GENERIC, biz, timestamp=AT)
    assert caught.value.code == "invalid_field"
    assert caught.value.field == field
    assert field in str(caught.value)


def test_self_referencing_biz_content_is_refused(client: Client) -> None:
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(ValidationError, match="nests deeper"):
        client.sign(GENERIC, looped, timestamp=AT)


def test_wrong_argument_types(client: Client) -> None:
    """Options of the wrong type are the core's invalid_field; other arguments are TypeErrors."""
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: client.sign(GENERIC, 42, timestamp=AT), "biz_content"),  # type: ignore[arg-type]
        (lambda: client.sign(GENERIC, "{}", timestamp=[2024]), "timestamp"),  # type: ignore[arg-type]
        (lambda: make_client(private_key=42), "private_key"),
    ]
    for call, field in cases:
        with pytest.raises(ValidationError) as caught:
            call()
        assert (caught.value.code, caught.value.field) == ("invalid_field", field)
    with pytest.raises(TypeError):
        client.verify_response(GENERIC, 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.verify_notification(42)  # type: ignore[arg-type]


def test_timestamp_forms_sign_the_same(client: Client) -> None:
    """An aware datetime, epoch milliseconds and Beijing-time text are the same instant."""
    forms: list[Any] = [AT, 1_715_593_760_000, "2024-05-13 17:49:20"]
    signatures = {client.sign(GENERIC, "{}", timestamp=form).signature for form in forms}
    assert len(signatures) == 1


def test_timestamp_is_beijing_time_and_defaults_to_now(client: Client) -> None:
    signed = client.sign(GENERIC, "{}", timestamp=AT.astimezone(timezone.utc))
    assert "timestamp=2024-05-13 17:49:20" in signed.sign_content
    with pytest.raises(ValidationError) as caught:
        client.sign(GENERIC, "{}", timestamp=datetime(2024, 5, 13))
    assert caught.value.field == "timestamp"
    before = datetime.now(timezone(timedelta(hours=8))).replace(microsecond=0)
    now_signed = client.sign(GENERIC, "{}")
    stamp = parse_qs(urlsplit(now_signed.url).query)["timestamp"][0]
    sent = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=before.tzinfo)
    assert timedelta(0) <= sent - before <= timedelta(seconds=5)


def test_invalid_request_fields_are_validation_errors(client: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        client.sign("not a method!", "{}", timestamp=AT)
    assert (caught.value.code, caught.value.field) == ("invalid_field", "method")
    with pytest.raises(ValidationError) as caught:
        client.sign(GENERIC, "{}", params={"sign": "x"}, timestamp=AT)
    assert caught.value.field == "sign"
    with pytest.raises(ValidationError) as caught:
        make_client(charset="GBK").sign(GENERIC, '{"memo":"😀"}', timestamp=AT)
    assert caught.value.code == "unencodable_text"


def test_signed_request_is_immutable_and_sendable(client: Client) -> None:
    signed = client.sign(GENERIC, {"voucher_id": "V1"}, notify_url="https://m.example/n", timestamp=AT)
    with pytest.raises(AttributeError):
        signed.url = "https://evil.example"  # type: ignore[misc]
    signed.headers["content-type"] = "text/plain"
    assert signed.headers["content-type"] == "application/x-www-form-urlencoded;charset=utf-8"
    request = urllib.request.Request(signed.url, data=signed.body, headers=signed.headers, method=signed.method)
    assert request.get_method() == "POST" and request.data == signed.body
    assert parse_qs(urlsplit(signed.url).query)["notify_url"] == ["https://m.example/n"]
    assert signed.params["notify_url"] == "https://m.example/n" and "sign" not in signed.params
    assert "SignedRequest(method='POST'" in repr(signed)


def test_response_data_is_typed_and_decimal(client: Client) -> None:
    case = response_case("resp-002")
    response = client.verify_response(QUERY, body_of("resp-002"))
    assert response.is_success and response.code == "10000" and response.sub_code is None
    assert response.data == __import__("json").loads(case["expected"]["raw_node_text"], parse_float=Decimal)
    assert response.data is not response.data


def test_signed_gateway_errors_raise_with_their_fields(client: Client) -> None:
    with pytest.raises(GatewayError) as caught:
        client.verify_response("alipay.marketing.voucher.stock.use", body_of("resp-005"))
    error = caught.value
    assert (error.code, error.gateway_code, error.gateway_msg) == ("gateway_error", "40004", "Business Failed")
    assert (error.sub_code, error.sub_msg, error.verified) == ("VOUCHER_HAS_EXPIRED", "券已过期", True)
    assert error.retryable is False
    assert not isinstance(error, UnsignedGatewayError)
    kept = client.verify_response("alipay.marketing.voucher.stock.use", body_of("resp-005"), allow_gateway_error=True)
    assert (kept.is_success, kept.sub_code) == (False, "VOUCHER_HAS_EXPIRED")


def test_unsigned_gateway_errors_are_marked_unverified(client: Client) -> None:
    body = (
        '{"alipay_marketing_voucher_send_response":{"code":"40002","msg":"Invalid Arguments",'
        '"sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}'
    )
    with pytest.raises(UnsignedGatewayError) as caught:
        client.verify_response("alipay.marketing.voucher.send", body, allow_gateway_error=True)
    assert (caught.value.code, caught.value.verified, caught.value.sub_code) == (
        "unsigned_gateway_error",
        False,
        "isv.invalid-app-id",
    )
    assert isinstance(caught.value, GatewayError)


def test_verification_failures_are_signature_errors(client: Client) -> None:
    tampered = body_of("resp-001").replace(b"2088302001456115", b"2088302001456116")
    with pytest.raises(SignatureError) as caught:
        client.verify_response("alipay.marketing.voucher.send", tampered)
    assert caught.value.code == "signature_mismatch"
    with pytest.raises(SignatureError) as caught:
        client.verify_response("alipay.marketing.voucher.query", body_of("resp-001"))
    assert caught.value.code == "response_node_missing"
    with pytest.raises(SignatureError) as caught:
        client.verify_response("alipay.marketing.voucher.send", b"\xff{")
    assert caught.value.code in {"malformed_response", "undecodable_bytes"}


def test_notification_from_a_framework_mapping(client: Client) -> None:
    case = next(c for c in load_cases("notifies.json") if c["id"] == "notify-001")

    class QueryDictLike(dict[str, str]):
        """Stands in for Django's QueryDict / Flask's ImmutableMultiDict: a Mapping with items()."""

    notification = client.verify_notification(QueryDictLike(case["inputs"]["params_decoded"]))
    assert notification["trade_status"] == "TRADE_SUCCESS"
    assert notification.get("missing") is None and notification.get("missing", "x") == "x"
    assert "out_trade_no" in notification and "nope" not in notification
    with pytest.raises(KeyError):
        notification["nope"]
    with pytest.raises(SignatureError) as caught:
        client.verify_notification({**case["inputs"]["params_decoded"], "total_amount": "0.01"})
    assert caught.value.code == "signature_mismatch"
    with pytest.raises(SignatureError) as caught:
        client.verify_notification(b"a=1&b=%zz")
    assert caught.value.code == "malformed_notification"
    # rsaCheckV2 signs `sign_type` too, so a V1 signature does not pass it.
    with pytest.raises(SignatureError):
        client.verify_notification(case["inputs"]["body"], version="v2")
    with pytest.raises(ValidationError) as invalid:
        client.verify_notification(case["inputs"]["body"], charset="latin-1")
    assert invalid.value.code == "unsupported_charset"


def test_exceptions_pickle_with_their_attributes(client: Client) -> None:
    with pytest.raises(GatewayError) as caught:
        client.verify_response("alipay.marketing.voucher.stock.use", body_of("resp-005"))
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is GatewayError and str(copy) == str(caught.value)
    assert (copy.code, copy.sub_code, copy.verified) == ("gateway_error", "VOUCHER_HAS_EXPIRED", True)


def test_the_native_module_is_private() -> None:
    assert alipay_openapi.Client.__module__ == "alipay_openapi"
    assert set(alipay_openapi.__all__) <= set(dir(alipay_openapi))
