"""Page/WAP pay links and forms, app-pay order strings, return_url queries and uploads through the
Python package, against the official SDKs' golden cases (tests/vectors/client-modes.json);
mini-program payloads built independently of the library."""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from alipay_openapi import AlipayError, SignedRequest
from conftest import VECTORS, make_client, rsa2_signature

VECTORS_FILE: dict[str, Any] = json.loads((VECTORS / "client-modes.json").read_text(encoding="utf-8"))
REQUESTS: list[dict[str, Any]] = VECTORS_FILE["requests"]
RETURNS: list[dict[str, Any]] = VECTORS_FILE["returns"]
UPLOADS: list[dict[str, Any]] = VECTORS_FILE["uploads"]
BEIJING = timezone(timedelta(hours=8))
SYSTEM = {"app_id", "biz_content", "charset", "format", "method", "sign_type", "timestamp", "version"}
CODEC = {"utf-8": "utf-8", "GBK": "gbk"}
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def sign_case(case: dict[str, Any]) -> SignedRequest:
    params: dict[str, str] = case["params"]
    client = make_client(
        app_id=params["app_id"], charset=params["charset"], format=params.get("format"), gateway=case["gateway"]
        or "production"
    )
    timestamp = datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    return client.sign(
        params["method"],
        params["biz_content"],
        params={k: v for k, v in params.items() if k not in SYSTEM},
        version=params["version"],
        timestamp=timestamp,
    )


def decode(mode: str, signed: SignedRequest, codec: str) -> tuple[str | None, list[tuple[str, str]]]:
    """What a browser (link, form) or the app SDK (order string) sends for our output."""

    def pairs(query: str) -> list[tuple[str, str]]:
        return parse_qsl(query, keep_blank_values=True, encoding=codec, errors="strict", strict_parsing=True)

    if mode == "page_link":
        link = urlsplit(signed.page_link)
        return f"{link.scheme}://{link.netloc}{link.path}", pairs(link.query)
    if mode == "page_form":
        tags = re.findall(r"<(form|input) ([^>]*)>", signed.page_form)
        attrs = [(tag, {k: html.unescape(v) for k, v in ATTRIBUTE.findall(body)}) for tag, body in tags]
        action = urlsplit(attrs[0][1]["action"])
        inputs = [(a["name"], a["value"]) for tag, a in attrs if tag == "input" and a.get("type") == "hidden"]
        return f"{action.scheme}://{action.netloc}{action.path}", pairs(action.query) + inputs
    return None, pairs(signed.order_string)


@pytest.mark.parametrize("case", REQUESTS, ids=[c["id"] for c in REQUESTS])
def test_our_link_form_or_order_string_sends_what_the_sdk_signed(case: dict[str, Any]) -> None:
    signed = sign_case(case)
    assert signed.params == case["params"]
    assert signed.signature == case["signature"]
    gateway, sent = decode(case["mode"], signed, CODEC[case["params"]["charset"]])
    expected = {**case["params"], "sign": case["signature"]}
    assert dict(sent) == expected and len(sent) == len(expected)
    assert gateway == case["gateway"]
    assert (case["sdk_decoded"] == expected) is case["sdk_faithful"]
    assert signed.page_link == f"{signed.url}&{signed.body.decode('ascii')}"
    assert signed.order_string == signed.page_link.split("?", 1)[1]


def test_hostile_values_are_escaped_in_the_form() -> None:
    client = make_client(gateway="https://gw.test/gateway.do")
    signed = client.sign(
        "alipay.trade.page.pay",
        {"out_trade_no": "T1", "total_amount": "1.00", "subject": "\"><script>alert('x')</script>&amp;"},
        return_url="https://m.test/r?q=\"'><img src=x>",
        timestamp=datetime(2024, 5, 13, 17, 49, 20, tzinfo=BEIJING),
    )
    form = signed.page_form
    assert form.count("<script>") == 1 and "<img" not in form
    assert "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;" in form
    assert 'accept-charset="utf-8"' in form
    for text in (signed.page_link, signed.order_string):
        assert not set("\"'<> ") & set(text)


@pytest.mark.parametrize("case", RETURNS, ids=[c["id"] for c in RETURNS])
def test_return_queries_get_the_verdict_of_the_vectors(case: dict[str, Any]) -> None:
    client = make_client(app_id=VECTORS_FILE["app_id"])
    if case["expect"] == "ok":
        verified = client.verify_return(case["query"])
        assert verified["app_id"] == VECTORS_FILE["app_id"]
        # The same fields, decoded by a framework, verify too.
        assert client.verify_return(verified.fields).fields == verified.fields
        assert client.verify_return(("?" + case["query"]).encode()).fields == verified.fields
    else:
        with pytest.raises(AlipayError) as raised:
            client.verify_return(case["query"])
        assert raised.value.code == case["expect"]


def test_return_verification_in_two_stages_and_under_the_size_limit() -> None:
    query = next(c["query"] for c in RETURNS if c["expect"] == "ok")
    client = make_client()
    pending = client.begin_verify_return(query)
    assert pending.messages[0].startswith(b"app_id=2021000000000001&auth_app_id=")
    with pytest.raises(AlipayError) as mismatch:
        pending.finish(None)
    assert mismatch.value.code == "signature_mismatch"
    small = make_client(max_body_bytes=100)
    with pytest.raises(AlipayError) as too_large:
        small.verify_return(query)
    assert (too_large.value.code, too_large.value.field) == ("body_too_large", "body")
    assert "return query" in str(too_large.value)
    with pytest.raises(AlipayError) as duplicated:
        client.verify_return(query + "&out_trade_no=X")
    assert duplicated.value.code == "malformed_notification"
    assert "`out_trade_no` appears twice" in str(duplicated.value)
    with pytest.raises(TypeError):
        client.verify_return(42)  # type: ignore[arg-type]


AES_KEY = (VECTORS / "protocol-examples" / "aes_key.txt").read_text(encoding="ascii").strip()
PHONE = '{"code":"10000","msg":"Success","mobile":"13800000000"}'


def mini_program_payload(plaintext: str, signer: str = "alipay_2048.private.pkcs8.pem", sign_type: str = "RSA2") -> str:
    """A `my.getPhoneNumber` payload built independently of the library: AES-128-CBC with a zero IV
    and PKCS#7 (PyPI `cryptography`), the quoted ciphertext signed with RSA2."""
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(base64.b64decode(AES_KEY)), modes.CBC(bytes(16))).encryptor()
    ciphertext = encryptor.update(padder.update(plaintext.encode()) + padder.finalize()) + encryptor.finalize()
    response = base64.b64encode(ciphertext).decode("ascii")
    sign = rsa2_signature(f'"{response}"'.encode(), signer)
    return json.dumps({"response": response, "sign": sign, "sign_type": sign_type, "encrypt_type": "AES", "charset": "UTF-8"})


def test_a_mini_program_payload_is_verified_then_decrypted() -> None:
    client = make_client(aes_key=AES_KEY)
    verified = client.verify_mini_program(mini_program_payload(PHONE))
    assert (verified.node_key, verified.code) == ("response", "10000")
    assert verified.data["mobile"] == "13800000000"
    pending = client.begin_verify_mini_program(mini_program_payload(PHONE).encode())
    assert pending.messages[0].startswith(b'"') and pending.messages[0].endswith(b'"')
    assert pending.finish(0).node_text == PHONE
    refused = mini_program_payload('{"code":"40006","msg":"Insufficient Permissions","sub_code":"isv.insufficient-isv-permissions"}')
    with pytest.raises(AlipayError) as gateway:
        client.verify_mini_program(refused)
    assert (gateway.value.code, gateway.value.sub_code) == ("gateway_error", "isv.insufficient-isv-permissions")
    assert client.verify_mini_program(refused, allow_gateway_error=True).code == "40006"


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        (mini_program_payload(PHONE, signer="other_2048.private.pkcs8.pem"), "signature_mismatch", None),
        (mini_program_payload(PHONE, sign_type="RSA"), "invalid_field", "sign_type"),
        (mini_program_payload(PHONE).replace('"AES"', '"DES"'), "invalid_field", "encrypt_type"),
        (mini_program_payload(PHONE).replace('"response"', '"resp"'), "response_node_missing", None),
        (mini_program_payload(PHONE)[:-1] + ', "sign": "AAAA"}', "duplicate_member", None),
        ("not json", "malformed_response", None),
    ],
    ids=["other-key", "downgrade", "not-aes", "no-response", "duplicate-sign", "not-json"],
)
def test_hostile_mini_program_payloads_get_typed_errors(payload: str, code: str, field: str | None) -> None:
    with pytest.raises(AlipayError) as raised:
        make_client(aes_key=AES_KEY).verify_mini_program(payload)
    assert (raised.value.code, raised.value.field) == (code, field)


def test_a_mini_program_payload_needs_the_aes_key_and_the_size_limit_holds() -> None:
    with pytest.raises(AlipayError) as no_key:
        make_client().verify_mini_program(mini_program_payload(PHONE))
    assert no_key.value.code == "aes_error"
    with pytest.raises(AlipayError) as too_large:
        make_client(aes_key=AES_KEY, max_body_bytes=64).verify_mini_program(mini_program_payload(PHONE))
    assert (too_large.value.code, too_large.value.field) == ("body_too_large", "body")


@pytest.mark.parametrize("case", VECTORS_FILE["mini_programs"], ids=[c["id"] for c in VECTORS_FILE["mini_programs"]])
def test_mini_program_payloads_get_the_verdict_of_the_vectors(case: dict[str, Any]) -> None:
    aes_key = (VECTORS / VECTORS_FILE["aes_key_file"]).read_text(encoding="ascii").strip()
    client = make_client(app_id=VECTORS_FILE["app_id"], aes_key=aes_key)
    if case["expect"] == "ok":
        assert client.verify_mini_program(case["payload"]).node_text == case["plaintext"]
    else:
        with pytest.raises(AlipayError) as raised:
            client.verify_mini_program(case["payload"])
        assert raised.value.code == case["expect"]


def multipart_parts(content_type: str, body: bytes, codec: str) -> list[dict[str, Any]]:
    """The parts of our upload, in the vectors' shape (text `value`, file `content` as base64)."""
    boundary = content_type.split("boundary=", 1)[1].encode()
    chunks = body.split(b"--" + boundary)
    assert chunks[0] == b"" and chunks[-1] == b"--\r\n"
    parts = []
    for chunk in chunks[1:-1]:
        head, _, content = chunk[2:-2].partition(b"\r\n\r\n")
        lines = head.decode(codec).split("\r\n")
        names = dict(re.findall(r'; (name|filename)="([^"]*)"', lines[0]))
        file_name = names.get("filename")
        part: dict[str, Any] = {
            "name": names["name"],
            "file_name": file_name,
            "content_type": lines[1].split(": ", 1)[1] if len(lines) > 1 else None,
        }
        part.update({"content": base64.b64encode(content).decode()} if file_name else {"value": content.decode(codec)})
        parts.append(part)
    return parts


def compared(part: dict[str, Any]) -> tuple[Any, ...]:
    """What must match: names, a file's name, content type and bytes, a text part's value."""
    if part["file_name"] is None:
        return (part["name"], None, None, part["value"])
    return (part["name"], part["file_name"], part["content_type"], part["content"])


def upload_case(case: dict[str, Any]) -> SignedRequest:
    params: dict[str, str] = case["params"]
    client = make_client(charset=params["charset"], format=params.get("format"))
    timestamp = datetime.strptime(params["timestamp"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
    files = [{**file, "content": base64.b64decode(file["content"])} for file in case["files"]]
    return client.sign(case["method"], params=case["fields"], files=files, timestamp=timestamp)


@pytest.mark.parametrize("case", UPLOADS, ids=[c["id"] for c in UPLOADS])
def test_our_upload_signs_and_sends_what_the_sdk_did(case: dict[str, Any]) -> None:
    signed = upload_case(case)
    codec = CODEC[case["charset"]]
    assert (signed.signature, signed.params) == (case["signature"], case["params"])
    assert signed.content_type.startswith("multipart/form-data; boundary=")
    assert signed.headers["content-type"] == signed.content_type
    parts = multipart_parts(signed.content_type, signed.body, codec)
    query = parse_qsl(urlsplit(signed.url).query, encoding=codec, errors="strict", strict_parsing=True)
    text = [(part["name"], part["value"]) for part in parts if part["file_name"] is None]
    sent = query + text
    assert dict(sent) == {**case["params"], "sign": case["signature"]} and len(sent) == len(case["params"]) + 1
    assert sorted(map(compared, parts)) == sorted(map(compared, case["parts"]))
    assert case["signature_verifies"] and case["sdk_faithful"]


def test_an_upload_through_a_host_signer_and_its_typed_errors() -> None:
    case = UPLOADS[0]
    signed = upload_case(case)
    client = make_client(charset="utf-8", format=None)
    file = {**case["files"][0], "content": bytearray(base64.b64decode(case["files"][0]["content"]))}
    timestamp = datetime(2024, 5, 13, 17, 49, 20, tzinfo=BEIJING)
    prepared = client.prepare(case["method"], params=case["fields"], files=[file], timestamp=timestamp)
    attached = prepared.attach_signature(base64.b64decode(signed.signature))
    assert (attached.url, attached.content_type, attached.body) == (signed.url, signed.content_type, signed.body)
    assert f"body=<{len(signed.body)} bytes>" in repr(attached)
    refused: list[tuple[dict[str, Any], str, str | None]] = [
        ({"files": [{**file, "field": "sign"}]}, "sign", "is a signed or system parameter; a file part must not replace it"),
        ({"files": [file, file]}, "image_content", "names two file parts"),
        ({"files": [file], "max_file_bytes": 8}, "image_content", "must be at most 8 bytes (the host's limit)"),
        ({"files": [file], "multipart_boundary": "no spaces"}, "multipart_boundary", None),
        ({"files": [{**file, "content": 7}]}, "files.content", "must be a string"),
    ]
    for changes, field, rule in refused:
        with pytest.raises(AlipayError) as raised:
            client.sign(case["method"], params=case["fields"], timestamp=timestamp, **changes)
        assert (raised.value.code, raised.value.field) == ("invalid_field", field)
        assert rule is None or raised.value.rule == rule
