"""OpenAPI v3 from Python: the official Node SDK's golden requests and answers (tests/vectors/v3),
the host-signer path, and typed errors for what a caller can get wrong."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from alipay_openapi import Client, UnsignedGatewayError, ValidationError
from alipay_openapi.errors import AlipayError, SignatureError, UnknownCertSnError

from conftest import APP_ID, VECTORS, key, make_client, rsa2_signature

V3 = json.loads((VECTORS / "v3" / "requests.json").read_text(encoding="utf-8"))
V3_ANSWERS = json.loads((VECTORS / "v3" / "responses.json").read_text(encoding="utf-8"))


def vector_client(kind: str) -> Client:
    if kind in ("public_key", "auth_info"):
        return make_client()
    if kind == "aes":
        return make_client(aes_key=(VECTORS / "protocol-examples" / "aes_key.txt").read_text().strip())
    assert kind == "certificate", kind
    certs = VECTORS / "certs" / "generated"
    return Client(
        app_id=APP_ID,
        private_key=key("app_2048.private.pkcs1.pem"),
        app_cert=(certs / "app_cert.pem").read_text(),
        alipay_cert=(certs / "alipay_cert.pem").read_text(),
        alipay_root_cert=(certs / "root_bundle.pem").read_text(),
    )


def v3_options(given: dict[str, Any]) -> dict[str, Any]:
    """A vector's input as keyword options (files' content as bytes)."""
    options = {k: v for k, v in given.items() if k not in ("http_method", "path") and v not in (None, [])}
    if "files" in options:
        options["files"] = [
            {**{k: v for k, v in f.items() if k != "content_b64"}, "content": base64.b64decode(f["content_b64"])}
            for f in options["files"]
        ]
    return options


@pytest.mark.parametrize("case", V3["cases"], ids=lambda case: case["name"])
def test_requests_match_the_node_sdk_byte_for_byte(case: dict[str, Any]) -> None:
    given = case["input"]
    signed = vector_client(case["client"]).sign_v3(given["http_method"], given["path"], **v3_options(given))
    captured = case["captured"]
    assert signed.sign_content == case["sign_content"]
    assert signed.signature == case["signature"]
    assert signed.method == captured["method"]
    assert signed.path_with_query == captured["path"]
    assert signed.body == base64.b64decode(captured["body_b64"])
    for name, value in captured["headers"].items():
        if name not in case["divergence"]:
            assert signed.headers.get(name) == value, name


def test_a_host_signer_gets_the_same_request() -> None:
    given = V3["cases"][0]["input"]
    client = make_client()
    prepared = client.prepare_v3(given["http_method"], given["path"], **v3_options(given))
    assert prepared.sign_type == "RSA2"
    assert prepared.sign_content_bytes == prepared.sign_content.encode()
    host_signature = base64.b64decode(rsa2_signature(prepared.sign_content_bytes, "app_2048.private.pkcs8.pem"))
    signed = prepared.attach_signature(host_signature)
    assert signed.signature == V3["cases"][0]["signature"]
    assert signed.headers == client.sign_v3(given["http_method"], given["path"], **v3_options(given)).headers


def test_nonce_request_id_and_timestamp_are_drawn_when_absent() -> None:
    first = make_client().sign_v3("POST", "/v3/alipay/trade/query", body={"out_trade_no": "1"})
    second = make_client().sign_v3("POST", "/v3/alipay/trade/query", body={"out_trade_no": "1"})
    assert first.headers["alipay-request-id"] != second.headers["alipay-request-id"]
    assert len(first.headers["alipay-request-id"]) == 32
    auth = dict(part.split("=", 1) for part in first.sign_content.split("\n")[0].split(","))
    assert len(auth["nonce"]) == 32 and auth["timestamp"].isdigit()
    kept = make_client().sign_v3("GET", "/v3/x", request_id="keep-me", nonce="n1", timestamp=1715593760000)
    assert kept.headers["alipay-request-id"] == "keep-me"
    assert kept.sign_content.startswith(f"app_id={APP_ID},nonce=n1,timestamp=1715593760000\nGET\n/v3/x\n")


ERRORS = {
    "signature_mismatch": SignatureError,
    "missing_signature": SignatureError,
    "malformed_response": SignatureError,
    "unknown_cert_sn": UnknownCertSnError,
    "v3_gateway_error": UnsignedGatewayError,
}


@pytest.mark.parametrize("case", V3_ANSWERS["cases"], ids=lambda case: case["name"])
def test_answer_verdicts_match_the_vectors(case: dict[str, Any]) -> None:
    client = vector_client(case["client"])
    headers = [(name, value) for name, value in case["headers"]]
    body = case["body"].encode()
    if case["expect"] == "ok":
        response = client.verify_v3_response(case["status"], headers, body)
        assert response.status == case["status"]
        assert response.data == json.loads(response.body) if response.body else response.data is None
        assert response.was_encrypted == (case["client"] == "aes")
        assert response.trace_id == dict(headers).get("alipay-trace-id")
        staged = client.begin_verify_v3_response(case["status"], dict(headers), body)
        assert staged.finish(0).body == response.body
        return
    with pytest.raises(AlipayError) as raised:
        client.verify_v3_response(case["status"], headers, body)
    assert raised.value.code == case["expect"]
    assert isinstance(raised.value, ERRORS[case["expect"]])


def test_an_error_answer_carries_status_code_and_trace_id_unverified() -> None:
    case = next(c for c in V3_ANSWERS["cases"] if c["name"] == "error_400")
    with pytest.raises(UnsignedGatewayError) as raised:
        make_client().verify_v3_response(case["status"], case["headers"], case["body"])
    error = raised.value
    expected = json.loads(case["body"])
    assert (error.http_status, error.gateway_code, error.verified) == (400, expected["code"], False)
    assert error.trace_id == dict(case["headers"]).get("alipay-trace-id")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.sign_v3("POST", ""), "path"),
        (lambda c: c.sign_v3("POST", "/v3/x", request_id="has space"), "request_id"),
        (lambda c: c.sign_v3("POST", "/v3/x", query={"a": 1}), "query.a"),
        (lambda c: c.sign_v3("POST", "/v3/x", query=[("a",)]), "query"),
        (lambda c: c.sign_v3("POST", "/v3/x", files=[{"field": "f", "content": "not base64!"}]), "files.content"),
        (lambda c: c.sign_v3("POST", "/v3/x", colour="red"), "colour"),
        (lambda c: c.verify_v3_response(200, 42, b"{}"), "headers"),
        (lambda c: c.verify_v3_response("200", [], b"{}"), "status"),
        (lambda c: c.verify_v3_response(200.0, [], b"{}"), "status"),
        (lambda c: c.verify_v3_response(70000, [], b"{}"), "status"),
        (lambda c: c.verify_v3_response(True, [], b"{}"), "status"),
        (lambda c: c.verify_v3_response(200, [("a", 1)], b"{}"), "headers"),
    ],
)
def test_mistakes_are_typed_errors_naming_the_field(call: Any, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        call(make_client())
    assert raised.value.field == field


def test_v3_refuses_rsa1_and_gbk_clients() -> None:
    for overrides, field in (({"sign_type": "RSA"}, "sign_type"), ({"charset": "GBK"}, "charset")):
        with pytest.raises(ValidationError) as raised:
            make_client(**overrides).sign_v3("POST", "/v3/x")
        assert raised.value.field == field


def test_reprs_show_no_token() -> None:
    signed = make_client().sign_v3("POST", "/v3/x", app_auth_token="secret-token-value")
    assert signed.headers["alipay-app-auth-token"] == "secret-token-value"
    assert "secret-token-value" not in repr(signed)
