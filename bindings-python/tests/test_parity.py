"""The parity table (tests/parity/cases.json) from Python: every row whose `hosts` include python
(or that names none) gets the outcome the table gives, with the semantics of
tests/parity/README.md; and every operation of tests/parity/operations.json exists under its
Python name, as do the per-API methods of `APIS`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

import alipay_openapi
from alipay_openapi import APIS, AlipayError, Client, Notification, Response, SignedRequest, SignedV3Request, V3Response
from conftest import REPO, VECTORS, load_cases

PARITY = REPO / "tests" / "parity"
TABLE: dict[str, Any] = json.loads((PARITY / "cases.json").read_text(encoding="utf-8"))
OPERATIONS: list[dict[str, str]] = json.loads((PARITY / "operations.json").read_text(encoding="utf-8"))["operations"]
ROWS = [row for row in TABLE["cases"] if "python" in row.get("hosts", ["python"])]
REPEAT = re.compile(r"<(\d+) x (.)>")
V3_ANSWERS: list[dict[str, Any]] = json.loads((VECTORS / "v3" / "responses.json").read_text(encoding="utf-8"))["cases"]


def vector_input(file: str, case_id: str, member: str) -> Any:
    return next(case for case in load_cases(file) if case["id"] == case_id)["inputs"][member]


def resolved(value: Any) -> Any:
    """The table's value with its placeholders replaced (README: "Placeholders in strings")."""
    if isinstance(value, dict):
        return {key: resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolved(item) for item in value]
    if not isinstance(value, str):
        return value
    if value.startswith(("@keys/", "@certs/")):
        return (VECTORS / value[1:]).read_text(encoding="utf-8")
    for prefix, file, member in [
        ("@response:", "responses.json", "body"),
        ("@notify:", "notifies.json", "body"),
        ("@notify-fields:", "notifies.json", "params_decoded"),
    ]:
        if value.startswith(prefix):
            found = vector_input(file, value.removeprefix(prefix), member)
            return found.encode("utf-8") if prefix == "@response:" else found
    if value.startswith("@v3-response:"):
        answer = next(case for case in V3_ANSWERS if case["name"] == value.removeprefix("@v3-response:"))
        return {"status": answer["status"], "headers": answer["headers"], "body": answer["body"]}
    if value.startswith("@return:"):
        returns: list[dict[str, Any]] = json.loads((VECTORS / "client-modes.json").read_text(encoding="utf-8"))["returns"]
        return next(case["query"] for case in returns if case["id"] == value.removeprefix("@return:"))
    value = value.replace("<lone-surrogate>", "\ud800")
    return REPEAT.sub(lambda match: match.group(2) * int(match.group(1)), value)


def client_options(spec: Any) -> dict[str, Any]:
    if isinstance(spec, str):
        return dict(TABLE["clients"][spec])
    # A `null` member is passed as None, which the core reads as an absent option, except for
    # `format`, where it means "leave it out" (row client-format-null).
    return {**client_options(spec["base"]), **{name: value for name, value in spec.items() if name != "base"}}


def run(row: dict[str, Any]) -> Any:
    """The row's operation; returns what it gave (raises what it raised)."""
    client = Client(**resolved(client_options(row["client"])))
    op, given = row["op"], resolved(row.get("input", {}))
    if op == "build":
        return client
    if op == "sign":
        options = {"timestamp": TABLE["timestamp"], **given}
        return client.sign(options.pop("method", None), **options)
    if op == "sign_call":
        return client.sign_call(given["method"], given["fields"], timestamp=TABLE["timestamp"])
    if op == "verify_response":
        return client.verify_response(given["method"], given["body"]), client.begin_verify_response(given["method"], given["body"])
    if op == "parse_response":
        return client.parse_response(given["method"], given["body"])
    if op == "verify_notification":
        versions = {"version": given["version"]} if "version" in given else {}
        return client.verify_notification(given["notification"], **versions)
    if op == "check_order":
        return client.verify_notification(given["notification"]).check_order(**given["order"])
    if op == "sign_v3":
        options = {"timestamp": TABLE["timestamp"], **given}
        return client.sign_v3(options.pop("http_method", None), options.pop("path", None), **options)
    if op == "verify_v3_response":
        answer = given["answer"]
        return client.verify_v3_response(answer["status"], answer["headers"], answer["body"])
    if op == "verify_return":
        versions = {"version": given["version"]} if "version" in given else {}
        return client.verify_return(given["query"], **versions)
    if op == "add_certificate":
        now = datetime.fromtimestamp(given["now"] / 1000, timezone.utc)
        if "verdicts" not in given:
            return client.add_alipay_certificate(given["pem"], now)
        return client.begin_add_alipay_certificate(given["pem"], now).finish(given["verdicts"])
    raise AssertionError(f"unknown op {op}")


def check_ok(op: str, outcome: Any, checks: dict[str, Any]) -> None:
    if op == "verify_response":
        outcome, pending = outcome
    for name, expected in checks.items():
        if isinstance(outcome, SignedRequest) and name in {"url_prefix", "url_contains", "sign_content", "sign_content_contains", "sign_content_lacks", "body_contains", "content_type", "page_link_contains", "page_form_contains", "page_form_lacks", "order_string_contains"}:
            body = outcome.body.decode("ascii")
            checks_of: dict[str, Callable[[], bool]] = {
                "url_prefix": lambda: outcome.url.startswith(expected),
                "url_contains": lambda: all(text in outcome.url for text in expected),
                "sign_content": lambda: outcome.sign_content == expected,
                "sign_content_contains": lambda: all(text in outcome.sign_content for text in expected),
                "sign_content_lacks": lambda: not any(text in outcome.sign_content for text in expected),
                "body_contains": lambda: all(text in body for text in expected),
                "content_type": lambda: outcome.content_type == expected,
                "page_link_contains": lambda: all(text in outcome.page_link for text in expected),
                "page_form_contains": lambda: all(text in outcome.page_form for text in expected),
                "page_form_lacks": lambda: not any(text in outcome.page_form for text in expected),
                "order_string_contains": lambda: all(text in outcome.order_string for text in expected),
            }
            assert checks_of[name](), f"{name} {expected!r}: url {outcome.url!r}, sign content {outcome.sign_content!r}, body {body!r}"
        elif isinstance(outcome, Response) and name in {"node_key", "code"}:
            assert getattr(outcome, name) == expected, name
        elif isinstance(outcome, Response) and name == "messages":
            assert len(pending.messages) == expected
        elif isinstance(outcome, Notification) and name == "fields":
            assert {key: outcome.fields.get(key) for key in expected} == expected
        elif isinstance(outcome, SignedV3Request):
            v3_checks: dict[str, Callable[[], bool]] = {
                "sign_content": lambda: outcome.sign_content == expected,
                "url_prefix": lambda: outcome.url.startswith(expected),
                "sign_content_contains": lambda: all(text in outcome.sign_content for text in expected),
                "headers": lambda: all(outcome.headers.get(k) == v for k, v in expected.items()),
                "headers_present": lambda: all(k in outcome.headers for k in expected),
            }
            assert v3_checks[name](), f"{name} {expected!r}: sign content {outcome.sign_content!r}, headers {outcome.headers!r}"
        elif isinstance(outcome, V3Response):
            actual = outcome.data if name == "value" else getattr(outcome, name)
            assert actual == expected, name
        elif op == "add_certificate" and name == "sn":
            assert outcome == expected, name
        elif op == "parse_response":
            assert getattr(outcome, name) == expected, name
        else:
            raise AssertionError(f"check {name} does not apply to {type(outcome).__name__}")


@pytest.mark.parametrize("row", ROWS, ids=[row["id"] for row in ROWS])
def test_parity_row(row: dict[str, Any]) -> None:
    expect = row["expect"]
    if "error" in expect:
        with pytest.raises(AlipayError) as caught:
            run(row)
        details = {name: getattr(caught.value, name) for name in expect["error"]}
        assert details == expect["error"], str(caught.value)
    else:
        check_ok(row["op"], run(row), expect["ok"])


def test_every_row_is_run_here_but_those_for_other_hosts() -> None:
    others = [row["id"] for row in TABLE["cases"] if row not in ROWS]
    assert len(ROWS) + len(others) == len(TABLE["cases"]) and len(ROWS) > 70
    assert all("python" not in row.get("hosts", []) for row in TABLE["cases"] if row["id"] in others)


def python_object(dotted: str) -> Any:
    found: Any = alipay_openapi
    for part in dotted.split("."):
        found = getattr(found, part)
    return found


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op["python"] for op in OPERATIONS])
def test_operation_exists_under_its_python_name(operation: dict[str, str]) -> None:
    assert python_object(operation["python"]) is not None, operation["what"]


@pytest.mark.parametrize(("name", "method"), APIS, ids=[name for name, _ in APIS])
def test_every_typed_api_has_its_call_and_parse_methods(name: str, method: str) -> None:
    assert callable(python_object(f"Client.{name}")) and callable(python_object(f"Client.parse_{name}"))
    assert method in (python_object(f"Client.{name}").__doc__ or "")
