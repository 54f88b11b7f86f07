"""Every case of tests/vectors through the Python package: signatures byte-identical, verdicts
identical, nothing skipped."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from alipay_openapi import Client, SignatureError
from conftest import APP_ID, key, load_cases, make_client

REQUESTS = load_cases("requests.json")
RESPONSES = load_cases("responses.json")
NOTIFIES = load_cases("notifies.json")
BEIJING = timezone(timedelta(hours=8))
SYSTEM_PARAMS = {"app_id", "method", "format", "charset", "sign_type", "timestamp", "version", "biz_content"}
PY_CODEC = {"utf-8": "utf-8", "GBK": "gbk"}


def test_the_vector_files_are_all_there() -> None:
    assert (len(REQUESTS), len(RESPONSES), len(NOTIFIES)) == (36, 26, 9)


@pytest.mark.parametrize("case", REQUESTS, ids=[c["id"] for c in REQUESTS])
def test_request_signature_is_byte_identical(case: dict[str, Any]) -> None:
    inputs, expected = case["inputs"], case["expected"]
    params: dict[str, str] = inputs["params"]
    client = make_client(
        app_id=params["app_id"],
        private_key=key(inputs["private_key_file"].removeprefix("keys/")),
        sign_type=inputs["sign_type"],
        charset=inputs["charset"],
        format=params.get("format"),
    )
    timestamp = datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    extra = {k: v for k, v in params.items() if k not in SYSTEM_PARAMS}
    signed = client.sign(
        params["method"],
        params.get("biz_content"),
        params=extra,
        version=params["version"],
        timestamp=timestamp,
    )
    assert signed.sign_content == expected["sign_content"]
    codec = PY_CODEC[inputs["charset"]]
    assert signed.sign_content.encode(codec) == base64.b64decode(expected["sign_content_bytes_b64"])
    assert signed.signature == expected["signature"]

    # What goes on the wire decodes back to exactly the signed parameters plus `sign`.
    query = parse_qsl(urlsplit(signed.url).query, keep_blank_values=True, encoding=codec, strict_parsing=True)
    body = parse_qsl(signed.body.decode("ascii"), keep_blank_values=True, encoding=codec)
    sent = dict(query + body)
    assert len(sent) == len(query) + len(body)
    assert sent == {**{k: v for k, v in params.items() if v}, "sign": expected["signature"]}
    assert signed.method == "POST"
    assert signed.headers["content-type"] == f"application/x-www-form-urlencoded;charset={inputs['charset']}"


def response_client(inputs: dict[str, Any]) -> Client:
    return make_client(
        alipay_public_key=key(inputs["alipay_public_key_file"].removeprefix("keys/")),
        sign_type=inputs["client_sign_type"],
        charset=inputs["charset"],
    )


@pytest.mark.parametrize("case", RESPONSES, ids=[c["id"] for c in RESPONSES])
def test_response_verdict_is_identical(case: dict[str, Any]) -> None:
    inputs, expected = case["inputs"], case["expected"]
    client = response_client(inputs)
    body = base64.b64decode(inputs["body_b64"])
    # The exact bytes, a bytearray and the decoded text must all give the same verdict.
    bodies: list[Any] = [body, bytearray(body), body.decode(PY_CODEC[inputs["charset"]])]
    for given in bodies:
        if expected["valid"]:
            response = client.verify_response(inputs["method"], given, allow_gateway_error=True)
            raw = base64.b64decode(expected["raw_node_bytes_b64"]).decode(PY_CODEC[inputs["charset"]])
            assert response.node_text == raw
            assert response.node_key == expected["node_key"]
        else:
            with pytest.raises(SignatureError) as caught:
                client.verify_response(inputs["method"], given, allow_gateway_error=True)
            assert caught.value.code in {
                "signature_mismatch",
                "missing_signature",
                "malformed_response",
                "response_node_missing",
                "duplicate_member",
            }


@pytest.mark.parametrize("case", NOTIFIES, ids=[c["id"] for c in NOTIFIES])
def test_notification_verdict_is_identical(case: dict[str, Any]) -> None:
    inputs, expected = case["inputs"], case["expected"]
    client = make_client(
        alipay_public_key=key(inputs["alipay_public_key_file"].removeprefix("keys/")),
        sign_type=inputs["sign_type"],
    )
    forms: list[Any] = [inputs["body"].encode("ascii"), inputs["body"], dict(inputs["params_decoded"])]
    for form in forms:
        if expected["valid"]:
            notification = client.verify_notification(form)
            assert notification.fields == inputs["params_decoded"]
        else:
            with pytest.raises(SignatureError):
                client.verify_notification(form)


def test_app_id_in_vectors_matches_the_test_client() -> None:
    assert all(c["inputs"]["params"]["app_id"] == APP_ID for c in REQUESTS)
