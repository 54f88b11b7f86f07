"""Page/WAP pay links and forms, app-pay order strings and return_url queries through the Python
package, against the official SDKs' golden cases (tests/vectors/client-modes.json)."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from alipay_openapi import AlipayError, SignedRequest
from conftest import VECTORS, make_client

VECTORS_FILE: dict[str, Any] = json.loads((VECTORS / "client-modes.json").read_text(encoding="utf-8"))
REQUESTS: list[dict[str, Any]] = VECTORS_FILE["requests"]
RETURNS: list[dict[str, Any]] = VECTORS_FILE["returns"]
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
