"""Hostile inputs from Python (docs/HARDENING.md): each gets a typed exception with the core's stable code (a
wrong Python type gets `TypeError` naming the argument), never a crash; time is linear in the body
size; no repr, message, traceback or pickle shows key material; a Rust panic inside the binding
becomes `InternalError` (`internal_panic`) and everything keeps working. bindings-python/HARDENING.md
lists every case with its test."""

from __future__ import annotations

import base64
import pickle
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from alipay_openapi import (
    AlipayError,
    Client,
    InternalError,
    SignatureError,
    ValidationError,
    _native,
)
from conftest import APP_ID, VECTORS, key, make_client, signed_body

METHOD = "alipay.marketing.voucher.query"
NODE = b'{"code":"10000","msg":"Success"}'
EXTRA = VECTORS / "extra-keys"
AES_KEY = (VECTORS / "protocol-examples" / "aes_key.txt").read_text(encoding="ascii").strip()
APP_AUTH_TOKEN = "202405BBf3c9c0e5a7d24b8e9f0a1b2c3d4e5X59"
GENERATED = VECTORS / "certs" / "generated"
CLIENT = make_client()
AT = datetime(2024, 5, 13, tzinfo=timezone.utc)


def extra(name: str) -> str:
    return (EXTRA / name).read_text(encoding="ascii")


def raised(call: Callable[[], object]) -> BaseException:
    """The exception `call` raises (a call that returns fails the test)."""
    try:
        call()
    except BaseException as error:  # noqa: BLE001  (PanicException is a BaseException: it must show up here)
        return error
    pytest.fail("expected an exception")


def code_of(call: Callable[[], object]) -> str:
    error = raised(call)
    assert isinstance(error, AlipayError), repr(error)
    assert len(str(error)) > 10
    return error.code


def with_member(node: bytes, member: bytes) -> bytes:
    return b'{"alipay_marketing_voucher_query_response":' + node + b"," + member + b"}"


GOOD = signed_body(METHOD, NODE)

BODIES: list[tuple[str, bytes, str, str]] = [
    # (name, body, client charset, expected code)
    ("empty", b"", "utf-8", "malformed_response"),
    ("NUL bytes", b"\0\0\0", "utf-8", "malformed_response"),
    ("NUL inside a string", GOOD.replace(b"Success", b"Suc\0cess"), "utf-8", "malformed_response"),
    ("a control byte in a string", GOOD.replace(b"Success", b"Suc\x01cess"), "utf-8", "malformed_response"),
    ("array body", b"[1,2]", "utf-8", "malformed_response"),
    ("sign not base64", with_member(NODE, b'"sign":"***not base64***"'), "utf-8", "signature_encoding"),
    ("sign a number", with_member(NODE, b'"sign":12'), "utf-8", "malformed_response"),
    ("sign empty", with_member(NODE, b'"sign":""'), "utf-8", "missing_signature"),
    ("signature of the wrong length", with_member(NODE, b'"sign":"AAAA"'), "utf-8", "signature_mismatch"),
    ("node a number", b'{"alipay_marketing_voucher_query_response":1,"sign":"AAAA"}', "utf-8", "malformed_response"),
    ("duplicate sign", with_member(NODE, b'"sign":"AAAA","sign":"AAAA"'), "utf-8", "duplicate_member"),
    ("a node and error_response", with_member(NODE, b'"error_response":{},"sign":"AAAA"'), "utf-8", "duplicate_member"),
    ("unsigned success", b'{"alipay_marketing_voucher_query_response":' + NODE + b"}", "utf-8", "missing_signature"),
    ("trailing garbage", GOOD + b"}", "utf-8", "malformed_response"),
    (
        "invalid UTF-8 in a node the gateway signed",
        signed_body(METHOD, b'{"code":"10000","msg":"\xff\xfe"}'),
        "utf-8",
        "undecodable_bytes",
    ),
    (
        "invalid GBK (0x81 0x20), GBK client",
        b'{"alipay_marketing_voucher_query_response":{"msg":"\x81\x20"},"sign":"AAAA"}',
        "GBK",
        "undecodable_bytes",
    ),
    (
        "deeply nested node (200,000 [)",
        with_member(b'{"a":' + b"[" * 200_000 + b"1" + b"]" * 200_000 + b"}", b'"sign":"AAAA"'),
        "utf-8",
        "malformed_response",
    ),
    (
        "20,000 top-level members",
        b"{" + b"".join(b'"m%d":%d,' % (i, i) for i in range(20_000))
        + b'"alipay_marketing_voucher_query_response":{"code":"10000"},"sign":"AAAA"}',
        "utf-8",
        "signature_mismatch",
    ),
]


@pytest.mark.parametrize(("name", "body", "charset", "expected"), BODIES, ids=[case[0] for case in BODIES])
def test_hostile_bodies_get_the_core_codes(name: str, body: bytes, charset: str, expected: str) -> None:
    client = make_client(charset=charset)
    error = raised(lambda: client.verify_response(METHOD, body))
    assert isinstance(error, SignatureError), f"{name}: {error!r}"
    assert error.code == expected, f"{name}: {error}"


def test_non_string_json_in_a_verified_node_is_kept_as_sent() -> None:
    response = CLIENT.verify_response(METHOD, signed_body(METHOD, b'{"code":10000,"msg":null,"sub_code":{"a":1},"n":[1,2.5]}'))
    assert (response.code, response.msg, response.sub_code) == ("10000", "", None)
    assert response.data == {"code": 10000, "msg": None, "sub_code": {"a": 1}, "n": [1, Decimal("2.5")]}


NOTIFICATIONS: list[tuple[Any, str]] = [
    (b"a=1&a=2&sign=AAAA", "malformed_notification"),
    (b"a=%zz", "malformed_notification"),
    (b"a=1&charset=latin1&sign=AAAA", "unsupported_charset"),
    (b"a=%FF&sign=AAAA", "undecodable_bytes"),
    (b"a=1", "missing_signature"),
    (b"a=1&sign=not*base64", "signature_encoding"),
    (b"a=1&sign_type=MD5&sign=AAAA", "unsupported_sign_type"),
    (b"a=1&sign=AAAA", "signature_mismatch"),
    (b"a=1\0&sign=AAAA", "signature_mismatch"),
    ({"a": 1, "sign": "AAAA"}, "invalid_field"),  # decoded fields that are not all text: a caller's type mistake
]


@pytest.mark.parametrize(("body", "expected"), NOTIFICATIONS)
def test_hostile_notifications_get_the_core_codes(body: Any, expected: str) -> None:
    assert code_of(lambda: CLIENT.verify_notification(body)) == expected


def test_a_10_mb_body_is_refused_in_time_linear_in_its_size() -> None:
    def body(size: int) -> bytes:
        return with_member(b'{"code":"10000","msg":"Success","pad":"' + b"x" * size + b'"}', b'"sign":"AAAA"')

    # The default limit (4 MiB) refuses the 10 MB body unread; raised, the body is scanned.
    assert code_of(lambda: CLIENT.verify_response(METHOD, body(10 << 20))) == "body_too_large"
    raised_limit = make_client(max_body_bytes=16 << 20)

    def best_of_three(payload: bytes) -> float:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            assert code_of(lambda: raised_limit.verify_response(METHOD, payload)) == "signature_mismatch"
            times.append(time.perf_counter() - started)
        return min(times)

    small, large = max(best_of_three(body(2 << 20)), 0.0002), best_of_three(body(10 << 20))
    # Five times the bytes: linear work takes about 5x; quadratic would take 25x.
    assert large < small * 12, f"2 MB: {small * 1000:.1f} ms, 10 MB: {large * 1000:.1f} ms"
    assert large < 5, f"10 MB took {large:.1f} s"


def huge_public_key() -> str:
    """Base64 DER of an RSAPublicKey with a 16384-bit modulus: refused by size before any arithmetic."""

    def tlv(tag: int, content: bytes) -> bytes:
        n = len(content)
        length = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 0xFF])
        return bytes([tag]) + length + content

    modulus = b"\xc3" * 2047 + b"\xc3"
    return base64.b64encode(tlv(0x30, tlv(0x02, b"\0" + modulus) + tlv(0x02, b"\x01\x00\x01"))).decode("ascii")


KEY_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (name, client settings, expected code, the argument at fault)
    ("512-bit private key", {"private_key": extra("rsa_512.private.pkcs1.pem")}, "unsupported_key_size", "private_key"),
    ("1024-bit private key", {"private_key": extra("rsa_1024.private.pkcs1.pem")}, "unsupported_key_size", "private_key"),
    ("512-bit Alipay key", {"alipay_public_key": extra("rsa_512.public.spki.pem")}, "unsupported_key_size", "alipay_public_key"),
    ("1024-bit Alipay key", {"alipay_public_key": extra("rsa_1024.public.spki.pem")}, "unsupported_key_size", "alipay_public_key"),
    ("16384-bit Alipay key", {"alipay_public_key": huge_public_key()}, "unsupported_key_size", "alipay_public_key"),
    ("public key as the private key", {"private_key": key("app_2048.public.spki.pem")}, "invalid_key", "private_key"),
    ("private key as the Alipay key", {"alipay_public_key": key("app_2048.private.pkcs1.pem")}, "invalid_key", "alipay_public_key"),
    ("bare base64 private key as the Alipay key", {"alipay_public_key": key("app_2048.private.pkcs8.b64")}, "invalid_key", "alipay_public_key"),
    ("EC key", {"private_key": extra("ec_p256.private.pkcs8.pem")}, "invalid_key", "private_key"),
    ("encrypted PKCS#8 key", {"private_key": extra("app_2048.encrypted.pkcs8.pem")}, "invalid_key", "private_key"),
    ("DER bytes that are not a key", {"private_key": b"\x30\x03\x02\x01\xff"}, "invalid_key", "private_key"),
]


@pytest.mark.parametrize(("name", "settings", "expected", "argument"), KEY_CASES, ids=[case[0] for case in KEY_CASES])
def test_hostile_keys_are_refused(name: str, settings: dict[str, Any], expected: str, argument: str) -> None:
    started = time.perf_counter()
    error = raised(lambda: make_client(**settings))
    assert isinstance(error, ValidationError), f"{name}: {error!r}"
    assert (error.code, error.field) == (expected, argument), f"{name}: {error}"
    if "bit" in name:
        assert ("16384" if "16384" in name else "2048") in str(error)
        assert time.perf_counter() - started < 0.5, "refused before any arithmetic"


def test_keys_with_windows_line_endings_sign_and_verify_the_same() -> None:
    def crlf(text: str) -> str:
        return text.replace("\r\n", "\n").replace("\n", "\r\n")

    private, public = key("app_2048.private.pkcs1.pem"), key("alipay_2048.public.spki.pem")
    assert "\r\n" in crlf(private)
    windows = make_client(private_key=crlf(private), alipay_public_key=crlf(public))
    assert windows.sign(METHOD, "{}", timestamp=AT).signature == CLIENT.sign(METHOD, "{}", timestamp=AT).signature
    assert windows.verify_response(METHOD, GOOD).is_success


INPUT_CASES: list[tuple[str, Callable[[], object], str]] = [
    # (name, call, the field named): non-string JSON where strings are expected, in inputs
    ("a float amount", lambda: CLIENT.voucher_send(template_id="20140601000730010040000000EB", user_id="2088302001456115", out_biz_no="a1", amount=9.99), "amount"),  # type: ignore[arg-type]
    ("a number id", lambda: CLIENT.voucher_send(template_id="20140601000730010040000000EB", user_id=2088302001456115, out_biz_no="a1"), "user_id"),  # type: ignore[arg-type]
    ("a list id", lambda: CLIENT.voucher_query(voucher_id=["x"]), "voucher_id"),  # type: ignore[arg-type]
    ("an unknown field", lambda: CLIENT.voucher_query(voucher_id="x" * 28, nonsense=1), "nonsense"),  # type: ignore[call-arg]
    ("an integer beyond 64 bits in biz_content", lambda: CLIENT.sign("alipay.trade.query", {"total_amount": 2**70}), "biz_content.total_amount"),
]


@pytest.mark.parametrize(("name", "call", "field"), INPUT_CASES, ids=[case[0] for case in INPUT_CASES])
def test_non_string_inputs_are_invalid_field(name: str, call: Callable[[], object], field: str) -> None:
    error = raised(call)
    assert isinstance(error, ValidationError), f"{name}: {error!r}"
    assert (error.code, error.field) == ("invalid_field", field), f"{name}: {error}"


def cert_client() -> Client:
    return Client(
        app_id=APP_ID,
        private_key=key("app_2048.private.pkcs1.pem"),
        app_cert=(GENERATED / "app_cert.pem").read_text(),
        alipay_cert=(GENERATED / "alipay_cert.pem").read_text(),
        alipay_root_cert=(GENERATED / "root_bundle.pem").read_text(),
        aes_key=AES_KEY,
    )


OPTION_CASES: list[tuple[str, Callable[[], object], str]] = [
    # (name, call, the option named): options go to the core as they are, which names the one at fault
    ("app_id a number", lambda: make_client(app_id=2021), "app_id"),
    ("private_key a dict", lambda: make_client(private_key={"pem": "x"}), "private_key"),
    ("alipay_public_key a number", lambda: make_client(alipay_public_key=42), "alipay_public_key"),
    ("sign_type a number", lambda: make_client(sign_type=2), "sign_type"),
    ("an unknown keyword", lambda: make_client(privatekey="x"), "privatekey"),
    ("aes_key bytes", lambda: make_client(aes_key=AES_KEY.encode()), "aes_key"),
    ("method a number", lambda: CLIENT.sign(42), "method"),  # type: ignore[arg-type]
    ("biz_content a number", lambda: CLIENT.sign(METHOD, 42), "biz_content"),  # type: ignore[arg-type]
    ("timestamp a float", lambda: CLIENT.sign(METHOD, "{}", timestamp=1.5), "timestamp"),  # type: ignore[arg-type]
    ("params a list", lambda: CLIENT.sign(METHOD, "{}", params=["a"]), "params"),  # type: ignore[arg-type]
    ("a parameter value a number", lambda: CLIENT.sign(METHOD, "{}", params={"k": 1}), "params.k"),  # type: ignore[dict-item]
    ("an unknown request option", lambda: CLIENT.sign(METHOD, "{}", notifyurl="x"), "notifyurl"),  # type: ignore[call-arg]
    ("notification charset a number", lambda: CLIENT.verify_notification("a=1", charset=5), "charset"),  # type: ignore[arg-type]
    ("an unknown notification option", lambda: CLIENT.verify_notification("a=1", v2=True), "v2"),  # type: ignore[call-arg]
]


@pytest.mark.parametrize(("name", "call", "option"), OPTION_CASES, ids=[case[0] for case in OPTION_CASES])
def test_options_of_the_wrong_type_are_the_cores_invalid_field(name: str, call: Callable[[], object], option: str) -> None:
    error = raised(call)
    assert isinstance(error, ValidationError), f"{name}: {error!r}"
    assert (error.code, error.field) == ("invalid_field", option), f"{name}: {error}"


TYPE_CASES: list[tuple[str, Callable[[], object], str]] = [
    # (name, call, the argument named in the message or its note): arguments that are not options
    ("positional arguments", lambda: Client(APP_ID), "positional"),  # type: ignore[call-arg]
    ("verify method a number", lambda: CLIENT.verify_response(42, GOOD), "method"),  # type: ignore[arg-type]
    ("body None", lambda: CLIENT.verify_response(METHOD, None), "body"),  # type: ignore[arg-type]
    ("body a dict", lambda: CLIENT.verify_response(METHOD, {"sign": "x"}), "body"),  # type: ignore[arg-type]
    ("typed body a list", lambda: CLIENT.parse_voucher_query([GOOD]), "body"),  # type: ignore[arg-type]
    ("notification a number", lambda: CLIENT.verify_notification(42), "notification"),  # type: ignore[arg-type]
    ("certificate pem None", lambda: cert_client().add_alipay_certificate(None), "pem"),  # type: ignore[arg-type]
    ("download body a number", lambda: cert_client().add_downloaded_certificate(42), "body"),  # type: ignore[arg-type]
    ("now a string", lambda: cert_client().add_downloaded_certificate(b"{}", "now"), "now"),  # type: ignore[arg-type]
    ("cert_sn of a number", lambda: _native.cert_sn(42), "pem"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("name", "call", "argument"), TYPE_CASES, ids=[case[0] for case in TYPE_CASES])
def test_wrong_python_types_are_type_errors_naming_the_argument(name: str, call: Callable[[], object], argument: str) -> None:
    error = raised(call)
    assert type(error) is TypeError, f"{name}: {error!r}"
    described = " ".join([str(error), *getattr(error, "__notes__", [])])
    assert argument in described, f"{name}: {described}"


def test_a_rust_panic_becomes_internal_error_and_everything_keeps_working() -> None:
    certified = cert_client()
    added = certified.add_alipay_certificate((GENERATED / "alipay_cert_new.pem").read_text())
    before = CLIENT.sign(METHOD, "{}", timestamp=AT).signature
    for gil_released in [False, True, False, True]:
        error = raised(lambda: _native._test_panic(gil_released))
        assert type(error) is InternalError and isinstance(error, Exception), repr(error)
        assert error.code == "internal_panic" and "panic forced by _test_panic" in str(error)
        assert CLIENT.sign(METHOD, "{}", timestamp=AT).signature == before, "an existing client works afterwards"
        assert CLIENT.verify_response(METHOD, GOOD).is_success
        assert added in certified.alipay_cert_sns, "certificates added before the panic are kept"
        assert certified.sign(METHOD, "{}").params["encrypt_type"] == "AES"
        assert make_client().sign(METHOD, "{}", timestamp=AT).signature == before, "a new client works afterwards"
    # A user's `except Exception` / `except AlipayError` sees it.
    try:
        _native._test_panic()
    except AlipayError as caught:
        assert caught.code == "internal_panic"
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is InternalError and copy.code == "internal_panic"


def every_error() -> list[BaseException]:
    """Every exception of the suite above, produced afresh, plus broken-key errors."""
    produced: list[BaseException] = []
    for _name, body, charset, _code in BODIES:
        client = make_client(charset=charset)
        produced.append(raised(lambda: client.verify_response(METHOD, body)))
    for notification, _code in NOTIFICATIONS:
        produced.append(raised(lambda: CLIENT.verify_notification(notification)))
    for _name, settings, _code, _argument in KEY_CASES:
        produced.append(raised(lambda: make_client(**settings)))
    for cases in [INPUT_CASES, OPTION_CASES, TYPE_CASES]:
        for _name, call, _field in cases:
            produced.append(raised(call))
    for name in ["app_2048.private.pkcs1.pem", "app_2048.private.pkcs8.pem"]:
        text = key(name)
        for broken in [text[: len(text) // 2], text[10:], text.replace("M", "*"), text.replace("A", "\0")]:
            for argument in ["private_key", "alipay_public_key"]:
                produced.append(raised(lambda: make_client(**{argument: broken})))
    for name in ["rsa_512.private.pkcs1.pem", "rsa_1024.private.pkcs1.pem"]:
        produced.append(raised(lambda: make_client(alipay_public_key=extra(name))))
    produced.append(raised(lambda: make_client(aes_key=AES_KEY[:20] + "!!")))
    produced.append(raised(lambda: make_client(aes_key=AES_KEY[:-4])))
    produced.append(raised(lambda: make_client(aes_key=AES_KEY, app_auth_token=APP_AUTH_TOKEN, max_body_bytes=0)))
    with_token = make_client(aes_key=AES_KEY, app_auth_token=APP_AUTH_TOKEN, max_body_bytes=10)
    produced.append(raised(lambda: with_token.verify_response(METHOD, GOOD)))
    produced.append(raised(lambda: with_token.verify_notification(f"app_auth_token={APP_AUTH_TOKEN}")))
    produced.append(raised(lambda: _native._test_panic()))
    return produced


def test_no_key_material_in_any_repr_message_traceback_or_pickle() -> None:
    secrets = [
        key("app_2048.private.pkcs1.pem"),
        key("app_2048.private.pkcs8.b64"),
        extra("rsa_512.private.pkcs1.pem"),
        extra("rsa_1024.private.pkcs1.pem"),
        AES_KEY,
        APP_AUTH_TOKEN,
    ]
    outputs: list[str] = []
    with_token = make_client(aes_key=AES_KEY, app_auth_token=APP_AUTH_TOKEN, max_body_bytes=100_000)
    clients = [CLIENT, make_client(aes_key=AES_KEY), cert_client(), with_token]
    for client in clients:
        outputs += [repr(client), str(client), " ".join(dir(client))]
        for signed in (client.sign(METHOD, "{}"), client.sign(METHOD, "{}", app_auth_token=APP_AUTH_TOKEN)):
            outputs += [repr(signed), str(signed)]
        prepared = client.prepare(METHOD, "{}", app_auth_token=APP_AUTH_TOKEN)
        outputs += [repr(prepared), str(prepared)]
        response = client.begin_verify_response(METHOD, GOOD)
        outputs += [repr(response), str(response), repr(response.finish(0))]
        notification = client.begin_verify_notification(f"app_id={APP_ID}&auth_token={APP_AUTH_TOKEN}&sign=YWJj")
        outputs += [repr(notification), str(notification)]
    outputs.append(repr(CLIENT.verify_response(METHOD, GOOD)))
    produced = every_error()
    assert len(produced) > 80, len(produced)
    for error in produced:
        outputs += [repr(error), str(error), repr(vars(error)) if hasattr(error, "__dict__") else ""]
        outputs.append("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        if isinstance(error, AlipayError):
            outputs.append(pickle.dumps(error).decode("latin-1"))
    everything = "\n".join(outputs)
    for text in secrets:
        material = "".join(line for line in text.splitlines() if not line.startswith("-----")).replace(" ", "")
        pieces = [material[i : i + 12] for i in range(0, len(material) - 11, 12)]
        assert pieces
        for piece in pieces:
            assert piece not in everything, f"key material `{piece}` leaked"


def test_the_module_still_works_after_the_whole_suite() -> None:
    signed = CLIENT.sign(METHOD, "{}")
    assert len(signed.signature) > 300
    assert CLIENT.verify_response(METHOD, GOOD).code == "10000"
