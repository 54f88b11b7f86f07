"""Certificate mode and AES content encryption (docs/PROTOCOL.md §5-§6) from Python: the SN functions against known
answers, the AES vector, the constructor's arguments, key selection by `alipay_cert_sn`, and the four
APIs end to end over urllib against the local gateway in certificate mode with AES, including a
certificate rotation and a wrong AES key."""

from __future__ import annotations

import base64
import json
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional
from urllib.parse import parse_qs

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from alipay_openapi import (
    AlipayError,
    Client,
    GatewayError,
    SignatureError,
    SignedRequest,
    UnknownCertSnError,
    ValidationError,
    cert_sn,
    root_cert_sn,
)
from conftest import APP_ID, VECTORS, key, signed_body
from local_gateway import local_gateway

CERTS = VECTORS / "certs"
GENERATED = CERTS / "generated"
EXAMPLES = VECTORS / "protocol-examples"
AES_KEY = (EXAMPLES / "aes_key.txt").read_text(encoding="ascii").strip()
OTHER_AES_KEY = base64.b64encode(bytes([7] * 16)).decode("ascii")
SN = {
    "app": "53ebe4458af21bbb7593bec0c9257983",
    "root": "bad7519667cd8131a2532b29dbf163c6_b34b8a5a634056e493038f96e776f111",
    "alipay": "07e15c749b8f2f3bc15a28ed42842a0d",
    "next": "8f0288df4e6850941ea8f7656f472b54",
}
QUERY = "alipay.marketing.voucher.query"
DOWNLOAD = "alipay.open.app.alipaycert.download"
NODE = b'{"code":"10000","msg":"Success","voucher_id":"v1"}'


def generated(name: str) -> str:
    return (GENERATED / name).read_text(encoding="utf-8")


def cert_client(**overrides: Any) -> Client:
    settings: dict[str, Any] = {
        "app_id": APP_ID,
        "private_key": key("app_2048.private.pkcs1.pem"),
        "app_cert": generated("app_cert.pem"),
        "alipay_cert": generated("alipay_cert.pem"),
        "alipay_root_cert": generated("root_bundle.pem"),
    }
    settings.update(overrides)
    return Client(**settings)


@pytest.mark.parametrize(
    ("function", "path", "expected"),
    [
        (cert_sn, CERTS / "appPublicCert.crt", "9c51a0ddeb34866e5a331e613f57bf0f"),
        (cert_sn, CERTS / "alipayPublicCert.crt", "05d88faef76d723019c5c14d3ecd014a"),
        (root_cert_sn, CERTS / "alipayRootCert.crt", "687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6"),
        (cert_sn, GENERATED / "alipay_cert.pem", SN["alipay"]),
        (cert_sn, GENERATED / "alipay_cert_new.pem", SN["next"]),
        (cert_sn, GENERATED / "app_cert.pem", SN["app"]),
        (root_cert_sn, GENERATED / "root_bundle.pem", SN["root"]),
        (cert_sn, GENERATED / "special_issuer.pem", "590c76c16ce65aaa73cccf26ea13e52e"),
        (cert_sn, GENERATED / "bmp_issuer.pem", "875ec5e0b28c4bbec48f30e103ad5390"),
        (cert_sn, GENERATED / "t61_issuer.pem", "d72354a2c64fb9d92fbaddf29d9ea201"),
    ],
    ids=lambda value: value.name if hasattr(value, "name") else None,
)
def test_sn_functions_give_the_known_answers(function: Any, path: Any, expected: str) -> None:
    assert function(path.read_text(encoding="utf-8")) == expected
    assert function(path.read_bytes()) == expected


def test_sn_functions_refuse_what_is_not_a_certificate() -> None:
    cases: list[tuple[Any, Any]] = [
        (cert_sn, "not a certificate"),
        (root_cert_sn, "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----"),
        (cert_sn, b"\x30\x82\xff\xfe"),
    ]
    for function, text in cases:
        with pytest.raises(ValidationError) as caught:
            function(text)
        assert (caught.value.code, caught.value.field) == ("invalid_certificate", "pem")
    with pytest.raises(TypeError, match="pem"):
        cert_sn(42)  # type: ignore[arg-type]


def test_the_aes_vector_verifies_and_decrypts() -> None:
    responses = json.loads((EXAMPLES / "responses.json").read_text(encoding="utf-8"))
    settings: dict[str, Any] = {
        "app_id": APP_ID,
        "private_key": (EXAMPLES / "app_private_pkcs1.pem").read_text(),
        "alipay_public_key": (EXAMPLES / "alipay_public.pem").read_text(),
    }
    method = "alipay.marketing.voucher.send"
    verified = Client(**settings, aes_key=AES_KEY).verify_response(method, responses["encrypted"])
    assert verified.node_text == responses["_aes_plain"]
    assert verified.data["voucher_id"] == "v1" and verified.is_success
    with pytest.raises(SignatureError) as no_key:
        Client(**settings).verify_response(method, responses["encrypted"])
    assert no_key.value.code == "aes_error"
    with pytest.raises(SignatureError, match="padding") as wrong_key:
        Client(**settings, aes_key=OTHER_AES_KEY).verify_response(method, responses["encrypted"])
    assert wrong_key.value.code == "aes_error"
    # The ciphertext is signed: tampering is caught before decryption.
    ciphertext = responses["_aes_ciphertext"]
    tampered = responses["encrypted"].replace(ciphertext, ciphertext.replace("oVog", "oVoh"))
    with pytest.raises(SignatureError) as caught:
        Client(**settings, aes_key=AES_KEY).verify_response(method, tampered)
    assert caught.value.code == "signature_mismatch"


def test_with_an_aes_key_biz_content_is_encrypted_then_signed() -> None:
    signed = cert_client(aes_key=AES_KEY).sign(QUERY, '{"voucher_id":"券1"}')
    assert signed.params["encrypt_type"] == "AES"
    assert f"biz_content={signed.params['biz_content']}&" in signed.sign_content
    decryptor = Cipher(algorithms.AES(base64.b64decode(AES_KEY)), modes.CBC(bytes(16))).decryptor()
    padded = decryptor.update(base64.b64decode(signed.params["biz_content"])) + decryptor.finalize()
    assert padded[: -padded[-1]].decode("utf-8") == '{"voucher_id":"券1"}'


def test_certificate_mode_requests_carry_both_sns() -> None:
    client = cert_client()
    signed = client.sign(QUERY, "{}")
    assert (signed.params["app_cert_sn"], signed.params["alipay_root_cert_sn"]) == (SN["app"], SN["root"])
    assert f"app_cert_sn={SN['app']}&" in signed.sign_content
    assert client.alipay_cert_sns == [SN["alipay"]]
    assert "certificate_mode=True" in repr(client) and "aes=False" in repr(client)
    public = Client(app_id=APP_ID, private_key=key("app_2048.private.pkcs1.pem"), alipay_public_key=key("alipay_2048.public.spki.pem"))
    assert public.alipay_cert_sns == [] and "certificate_mode=False" in repr(public)
    # bytes work as well as str
    assert cert_client(app_cert=(GENERATED / "app_cert.pem").read_bytes()).sign(QUERY, "{}").params["app_cert_sn"] == SN["app"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"alipay_public_key": key("alipay_2048.public.spki.pem")}, "invalid_field", "alipay_public_key"),
        ({"app_cert": None}, "invalid_field", "app_cert"),
        ({"alipay_cert": None}, "invalid_field", "alipay_cert"),
        ({"alipay_root_cert": None}, "invalid_field", "alipay_root_cert"),
        ({"alipay_cert": "garbage"}, "invalid_certificate", "alipay_cert"),
        ({"app_cert": "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----"}, "invalid_certificate", "app_cert"),
        ({"alipay_root_cert": generated("app_cert.pem").replace("MII", "%%%", 1)}, "invalid_certificate", "alipay_root_cert"),
        ({"alipay_cert": b"\x30\x82\x01\x00\xff"}, "invalid_certificate", "alipay_cert"),
        ({"aes_key": "not base64!"}, "aes_error", "aes_key"),
        ({"aes_key": base64.b64encode(bytes(15)).decode()}, "aes_error", "aes_key"),
    ],
)
def test_certificate_and_aes_arguments_are_validated(overrides: dict[str, Any], code: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cert_client(**overrides)
    assert (caught.value.code, caught.value.field) == (code, field), str(caught.value)
    assert field in str(caught.value) or code != "invalid_field"


def test_without_certificates_or_alipay_key_the_client_only_signs() -> None:
    signer = cert_client(app_cert=None, alipay_cert=None, alipay_root_cert=None)
    assert "app_cert_sn" not in signer.sign(QUERY, "{}").params
    with pytest.raises(ValidationError) as caught:
        signer.verify_response(QUERY, signed_body(QUERY, NODE))
    assert caught.value.code == "invalid_key" and "no Alipay public key" in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "option"),
    [({"aes_key": 16}, "aes_key"), ({"aes_key": AES_KEY.encode()}, "aes_key"), ({"app_cert": 7}, "app_cert")],
)
def test_wrong_types_of_certificate_options_are_the_cores_invalid_field(overrides: dict[str, Any], option: str) -> None:
    with pytest.raises(ValidationError) as caught:
        cert_client(**overrides)
    assert (caught.value.code, caught.value.field) == ("invalid_field", option)


def test_added_certificates_are_checked_against_the_root_bundle() -> None:
    client = cert_client()
    assert client.add_alipay_certificate(generated("alipay_cert_new.pem")) == SN["next"]
    assert client.alipay_cert_sns == sorted([SN["alipay"], SN["next"]])
    for name in [
        "alipay_cert_expired.pem",
        "alipay_cert_forged.pem",
        "alipay_cert_wrong_root.pem",
        "alipay_cert_via_non_ca.pem",
        "alipay_cert_not_yet_valid.pem",
    ]:
        with pytest.raises(ValidationError) as caught:
            client.add_alipay_certificate(generated(name))
        assert (caught.value.code, caught.value.field) == ("invalid_certificate", "pem"), name
    assert client.alipay_cert_sns == sorted([SN["alipay"], SN["next"]])
    # `now` comes from the host: before the new certificate's validity it is refused; within, accepted.
    with pytest.raises(ValidationError, match="not valid before"):
        cert_client().add_alipay_certificate(generated("alipay_cert_new.pem"), datetime(2000, 1, 1, tzinfo=timezone.utc))
    at = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    assert cert_client().add_alipay_certificate(generated("alipay_cert_new.pem"), at) == SN["next"]
    with pytest.raises(ValidationError) as naive:
        client.add_alipay_certificate(generated("alipay_cert_new.pem"), datetime(2026, 1, 1))
    assert naive.value.field == "now"
    with pytest.raises(TypeError, match="now"):
        client.add_alipay_certificate(generated("alipay_cert_new.pem"), "soon")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="pem"):
        client.add_alipay_certificate(None)  # type: ignore[arg-type]
    plain = Client(app_id=APP_ID, private_key=key("app_2048.private.pkcs1.pem"), alipay_public_key=key("alipay_2048.public.spki.pem"))
    with pytest.raises(AlipayError) as not_cert_mode:
        plain.add_alipay_certificate(generated("alipay_cert_new.pem"))
    assert not_cert_mode.value.code == "invalid_certificate"
    with pytest.raises(SignatureError) as download:
        plain.add_downloaded_certificate(b"{}")
    assert download.value.code == "invalid_certificate"


def verdict(client: Client, body: bytes) -> str:
    try:
        client.verify_response(QUERY, body)
    except AlipayError as error:
        return error.code
    return "ok"


def test_the_key_is_picked_by_alipay_cert_sn() -> None:
    alipay, other = "alipay_2048.private.pkcs8.pem", "other_2048.private.pkcs8.pem"  # keys of alipay_cert / _new
    client = cert_client()
    assert verdict(client, signed_body(QUERY, NODE, alipay, SN["alipay"])) == "ok"
    assert verdict(client, signed_body(QUERY, NODE, alipay)) == "ok", "no SN: the configured certificate"
    assert verdict(client, signed_body(QUERY, NODE, other, SN["alipay"])) == "signature_mismatch"
    with pytest.raises(UnknownCertSnError) as caught:
        client.verify_response(QUERY, signed_body(QUERY, NODE, other, SN["next"]))
    assert (caught.value.code, caught.value.alipay_cert_sn) == ("unknown_cert_sn", SN["next"])
    assert isinstance(caught.value, SignatureError)
    client.add_alipay_certificate(generated("alipay_cert_new.pem"))
    assert verdict(client, signed_body(QUERY, NODE, other, SN["next"])) == "ok", "the added key"
    assert verdict(client, signed_body(QUERY, NODE, alipay, SN["next"])) == "signature_mismatch"
    assert verdict(client, signed_body(QUERY, NODE, other)) == "signature_mismatch", "without SN only the configured key"


@pytest.fixture(scope="module")
def cert_gateway() -> Iterator[str]:
    with local_gateway("--cert-mode", "--aes-key", AES_KEY) as url:
        yield url


def post(signed: SignedRequest, fault: Optional[str] = None) -> bytes:
    headers = signed.headers
    if fault:
        headers["x-gateway-fault"] = fault
    request = urllib.request.Request(signed.url, data=signed.body, headers=headers, method=signed.method)
    with urllib.request.urlopen(request, timeout=10) as reply:
        body: bytes = reply.read()
        return body


def test_end_to_end_in_certificate_mode_with_aes_rotation_and_a_wrong_key(cert_gateway: str) -> None:
    client = cert_client(gateway=cert_gateway, aes_key=AES_KEY)
    run = uuid.uuid4().hex[:12]

    def encrypted(signed: SignedRequest) -> SignedRequest:
        assert signed.params["encrypt_type"] == "AES" and not signed.params["biz_content"].startswith("{")
        return signed

    sent = client.parse_voucher_send(post(encrypted(client.voucher_send(
        template_id="20240513000730011111000CODES", user_id="2088102000000000", out_biz_no=f"certaes{run}1"))))
    assert len(sent.voucher_id) == 28
    voucher = client.parse_voucher_query(post(encrypted(client.voucher_query(voucher_id=sent.voucher_id))))
    assert (voucher.voucher_id, voucher.total_amount) == (sent.voucher_id, Decimal("5.00"))
    used = client.parse_voucher_stock_use(post(encrypted(client.voucher_stock_use(entity_no="EXTCODE00001", out_biz_no=f"certaes{run}2"))))
    assert used.voucher_id == sent.voucher_id and used.redeemed
    synced = client.parse_ticket_code_sync(post(encrypted(client.ticket_code_sync(
        request_id=f"certaes{run}3", ticket_code="16569843362", code_type="EXTERNAL_CODE", quantity="4",
        order_no="20180404111040030100130500594477"))))
    assert synced.order_no == "20180404111040030100130500594477" and synced.idempotent_replay is False

    # Rotation: from this answer on the gateway signs with its next certificate.
    rotated = post(client.voucher_query(voucher_id=sent.voucher_id), fault="rotate-cert")
    with pytest.raises(UnknownCertSnError) as unknown:
        client.parse_voucher_query(rotated)
    assert unknown.value.alipay_cert_sn == SN["next"]
    download = client.sign(DOWNLOAD, {"alipay_cert_sn": unknown.value.alipay_cert_sn})
    assert client.add_downloaded_certificate(post(download)) == SN["next"]
    assert client.alipay_cert_sns == sorted([SN["alipay"], SN["next"]])
    assert client.parse_voucher_query(rotated).voucher_id == sent.voucher_id, "the answer that failed now verifies"
    assert client.parse_voucher_query(post(client.voucher_query(voucher_id=sent.voucher_id))).status == "USED"

    # A download answer for an SN the gateway does not hold is a verified gateway error.
    with pytest.raises(GatewayError) as missing:
        client.add_downloaded_certificate(post(client.sign(DOWNLOAD, {"alipay_cert_sn": "0" * 32})))
    assert missing.value.sub_code == "INVALID_PARAMETER"

    # A wrong AES key: the gateway cannot decrypt the request (a verified gateway error), and the
    # client cannot decrypt an answer encrypted with the right key (aes_error, never garbage).
    wrong = cert_client(gateway=cert_gateway, aes_key=OTHER_AES_KEY)
    wrong.add_alipay_certificate(generated("alipay_cert_new.pem"))
    with pytest.raises(GatewayError) as refused:
        wrong.parse_voucher_query(post(wrong.voucher_query(voucher_id=sent.voucher_id)))
    assert refused.value.code == "gateway_error" and (refused.value.sub_code or "").startswith("isv.decryption-error")
    with pytest.raises(SignatureError) as garbled:
        wrong.parse_voucher_query(post(client.voucher_query(voucher_id=sent.voucher_id)))
    assert garbled.value.code == "aes_error"
    assert "biz_content" in parse_qs(download.body.decode("ascii"))
