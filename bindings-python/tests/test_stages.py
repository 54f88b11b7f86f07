"""The host's own RSA on both sides (`prepare` → `attach_signature`; `begin_*` → `finish`), bodies
of every bytes-like type, lone surrogates, and the one shape of every error."""

from __future__ import annotations

import array
import base64
import mmap
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from alipay_openapi import (
    AlipayError,
    Client,
    GatewayError,
    PendingCertificateChain,
    PendingVerification,
    SignatureError,
    ValidationError,
    cert_sn,
)
from alipay_openapi.errors import DETAILS
from conftest import KEYS, VECTORS, key, load_cases, make_client, signed_body

AT = datetime(2024, 5, 13, 17, 49, 20, tzinfo=timezone(timedelta(hours=8)))
SEND = "alipay.marketing.voucher.send"
QUERY = "alipay.marketing.voucher.query"
GENERATED = VECTORS / "certs" / "generated"


def body_of(case_id: str) -> bytes:
    case = next(c for c in load_cases("responses.json") if c["id"] == case_id)
    return base64.b64decode(case["inputs"]["body_b64"])


def host_verdict(pending: PendingVerification[Any]) -> int | None:
    """The host's RSA (PyPI `cryptography`): the index of the first message that verifies."""
    public = serialization.load_der_public_key(pending.spki)
    assert isinstance(public, rsa.RSAPublicKey) and pending.sign_type == "RSA2"
    for index, message in enumerate(pending.messages):
        try:
            public.verify(pending.signature, message, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            continue
        return index
    return None


def test_a_host_signer_gives_the_same_request_as_the_own_key(client: Client) -> None:
    private = serialization.load_pem_private_key((KEYS / "app_2048.private.pkcs1.pem").read_bytes(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    signer_only = make_client(private_key=None)
    prepared = signer_only.prepare(QUERY, '{"voucher_id":"20170616000730020041006ZYE2V"}', timestamp=AT)
    assert prepared.sign_type == "RSA2" and prepared.sign_content_bytes == prepared.sign_content.encode()
    signature = private.sign(prepared.sign_content_bytes, padding.PKCS1v15(), hashes.SHA256())
    hosted = prepared.attach_signature(signature)
    own = client.sign(QUERY, '{"voucher_id":"20170616000730020041006ZYE2V"}', timestamp=AT)
    assert (hosted.url, hosted.body, hosted.signature) == (own.url, own.body, own.signature)
    call = signer_only.prepare_call(SEND, {"template_id": "T1", "user_id": "2088102000000000", "out_biz_no": "o1"}, timestamp=AT)
    assert '"template_id":"T1"' in call.sign_content
    with pytest.raises(SignatureError) as caught:
        prepared.attach_signature(b"")
    assert caught.value.code == "signing_failed"
    with pytest.raises(SignatureError) as unsigned:
        signer_only.sign(QUERY, "{}", timestamp=AT)
    assert unsigned.value.code == "signing_failed"


def test_a_response_verified_by_the_host_finishes_once(client: Client) -> None:
    pending = client.begin_verify_response(SEND, body_of("resp-001"))
    assert pending.alipay_cert_sn is None and len(pending.messages) == 1
    response = pending.finish(host_verdict(pending))
    assert response.is_success and response.node_key == "alipay_marketing_voucher_send_response"
    with pytest.raises(ValidationError) as again:
        pending.finish(0)
    assert (again.value.code, again.value.field) == ("invalid_field", "finish")
    tampered = client.begin_verify_response(SEND, body_of("resp-001").replace(b"2088302001456115", b"2088302001456116"))
    assert host_verdict(tampered) is None
    with pytest.raises(SignatureError) as mismatch:
        tampered.finish(None)
    assert mismatch.value.code == "signature_mismatch"
    out_of_range = client.begin_verify_response(SEND, body_of("resp-001"))
    with pytest.raises(ValidationError) as index:
        out_of_range.finish(5)
    assert index.value.field == "verified"


def test_a_gateway_error_through_the_stages(client: Client) -> None:
    method = "alipay.marketing.voucher.stock.use"
    pending = client.begin_verify_response(method, body_of("resp-005"))
    with pytest.raises(GatewayError) as caught:
        pending.finish(host_verdict(pending))
    assert (caught.value.sub_code, caught.value.verified, caught.value.retryable) == ("VOUCHER_HAS_EXPIRED", True, False)
    kept = client.begin_verify_response(method, body_of("resp-005"), allow_gateway_error=True)
    assert kept.finish(host_verdict(kept)).sub_code == "VOUCHER_HAS_EXPIRED"


def test_a_notification_verified_by_the_host(client: Client) -> None:
    case = next(c for c in load_cases("notifies.json") if c["id"] == "notify-001")
    pending = client.begin_verify_notification(case["inputs"]["body"])
    notification = pending.finish(host_verdict(pending))
    assert notification["trade_status"] == "TRADE_SUCCESS"
    v2 = client.begin_verify_notification(case["inputs"]["body"], version="v2")
    assert host_verdict(v2) is None
    other_app = make_client(app_id="2021000000000002").begin_verify_notification(case["inputs"]["params_decoded"])
    with pytest.raises(SignatureError) as caught:
        other_app.finish(host_verdict(other_app))
    assert caught.value.code == "app_id_mismatch"


def certificate_client() -> Client:
    return Client(
        app_id="2021000000000001",
        private_key=key("app_2048.private.pkcs1.pem"),
        app_cert=(GENERATED / "app_cert.pem").read_text(),
        alipay_cert=(GENERATED / "alipay_cert.pem").read_text(),
        alipay_root_cert=(GENERATED / "root_bundle.pem").read_text(),
    )


def test_a_downloaded_certificate_through_the_stages() -> None:
    client = certificate_client()
    new_pem = (GENERATED / "alipay_cert_new.pem").read_text()
    content = base64.b64encode(new_pem.encode()).decode()
    node = ('{"code":"10000","msg":"Success","alipay_cert_content":"' + content + '"}').encode()
    body = signed_body("alipay.open.app.alipaycert.download", node, "alipay_2048.private.pkcs8.pem", "07e15c749b8f2f3bc15a28ed42842a0d")
    chain = client.begin_add_downloaded_certificate(body)
    pending = chain.finish(chain_verdicts(chain))
    assert pending.alipay_cert_sn == "07e15c749b8f2f3bc15a28ed42842a0d"
    assert "8f0288df4e6850941ea8f7656f472b54" not in client.alipay_cert_sns
    assert pending.finish(host_verdict(pending)) == "8f0288df4e6850941ea8f7656f472b54"
    assert "8f0288df4e6850941ea8f7656f472b54" in client.alipay_cert_sns


def chain_verdicts(chain: PendingCertificateChain[Any]) -> list[bool]:
    """The host's verdict on each check of a chain, by the `cryptography` package."""
    verdicts = []
    for check in chain.checks:
        assert len(check.messages) == 1
        issuer_key = serialization.load_der_public_key(check.spki)
        assert isinstance(issuer_key, rsa.RSAPublicKey)
        digest = hashes.SHA256() if check.sign_type == "RSA2" else hashes.SHA1()
        try:
            issuer_key.verify(check.signature, check.messages[0], padding.PKCS1v15(), digest)
            verdicts.append(True)
        except InvalidSignature:
            verdicts.append(False)
    return verdicts


def test_a_certificate_chain_through_the_stages() -> None:
    new_pem = (GENERATED / "alipay_cert_new.pem").read_text()
    client = certificate_client()
    chain = client.begin_add_alipay_certificate(new_pem)
    verdicts = chain_verdicts(chain)
    assert verdicts == [True, True]
    assert [check.sign_type for check in chain.checks] == ["RSA2", "RSA2"]
    assert chain.finish(verdicts) == "8f0288df4e6850941ea8f7656f472b54"
    assert "8f0288df4e6850941ea8f7656f472b54" in client.alipay_cert_sns
    with pytest.raises(ValidationError) as finished:
        chain.finish(verdicts)
    assert finished.value.field == "finish"

    with pytest.raises(AlipayError) as refused:
        certificate_client().begin_add_alipay_certificate(new_pem).finish([True, False])
    assert refused.value.code == "invalid_certificate"
    assert "does not verify with the key of the root" in str(refused.value)
    for wrong in ([True], [1, 1], "yes", None, b"\x01\x01"):
        with pytest.raises(ValidationError) as bad:
            certificate_client().begin_add_alipay_certificate(new_pem).finish(wrong)  # type: ignore[arg-type]
        assert (bad.value.code, bad.value.field) == ("invalid_field", "verified"), wrong
    forged = certificate_client().begin_add_alipay_certificate((GENERATED / "alipay_cert_forged.pem").read_text())
    forged_verdicts = chain_verdicts(forged)
    assert False in forged_verdicts
    with pytest.raises(AlipayError) as forged_error:
        forged.finish(forged_verdicts)
    assert forged_error.value.code == "invalid_certificate"
    sha1 = certificate_client().begin_add_alipay_certificate((GENERATED / "alipay_cert_sha1.pem").read_text())
    assert sha1.checks[0].sign_type == "RSA"
    assert sha1.finish(chain_verdicts(sha1)) == cert_sn((GENERATED / "alipay_cert_sha1.pem").read_text())


def every_bytes_like(data: bytes) -> list[Any]:
    mapped = mmap.mmap(-1, len(data))
    mapped.write(data)
    return [data, bytearray(data), memoryview(data), array.array("B", data), mapped]


def test_bodies_of_every_bytes_like_type_verify(client: Client) -> None:
    for body in every_bytes_like(body_of("resp-001")):
        assert client.verify_response(SEND, body).is_success, type(body).__name__
        assert client.parse_voucher_send(body).voucher_id == "20160906000730020020002U8CBS"
    case = next(c for c in load_cases("notifies.json") if c["id"] == "notify-001")
    for form in every_bytes_like(case["inputs"]["body"].encode()):
        assert client.verify_notification(form)["out_trade_no"] == "20240513174920001"
    assert make_client(private_key=bytearray((KEYS / "app_2048.private.pkcs1.pem").read_bytes())).app_id


LONE = "a\ud800b"
SURROGATES: list[tuple[str, Callable[[Client], object], str]] = [
    ("an option", lambda c: c.sign(QUERY, "{}", notify_url=LONE), "notify_url"),
    ("biz_content text", lambda c: c.sign(QUERY, '{"a":"' + LONE + '"}'), "biz_content"),
    ("biz_content object", lambda c: c.sign("alipay.trade.query", {"goods": [{"name": LONE}]}), "biz_content.goods[0].name"),
    ("a param", lambda c: c.sign(QUERY, "{}", params={"extra": LONE}), "params.extra"),
    ("a typed field", lambda c: c.voucher_send(template_id="T1", user_id="2088102000000000", out_biz_no="o1", memo=LONE), "memo"),
    ("a client option", lambda c: make_client(gateway="https://" + LONE), "gateway"),
    ("a key", lambda c: make_client(private_key=LONE), "private_key"),
    ("a text body", lambda c: c.verify_response(QUERY, LONE), "body"),
]


@pytest.mark.parametrize(("name", "call", "field"), SURROGATES, ids=[case[0] for case in SURROGATES])
def test_lone_surrogates_are_the_cores_unencodable_text(client: Client, name: str, call: Callable[[Client], object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call(client)
    assert (caught.value.code, caught.value.field, caught.value.charset) == ("unencodable_text", field, "Unicode"), name


def test_every_error_has_every_detail(client: Client) -> None:
    errors: list[AlipayError] = []
    calls: list[Callable[[], object]] = [
        lambda: make_client(app_id=""),
        lambda: client.verify_response(SEND, b""),
        lambda: client.verify_response("alipay.marketing.voucher.stock.use", body_of("resp-005")),
    ]
    for call in calls:
        with pytest.raises(AlipayError) as caught:
            call()
        errors.append(caught.value)
    for error in errors:
        assert all(hasattr(error, name) for name in DETAILS) and error.message == str(error)
    invalid, malformed, gateway = errors
    assert (invalid.field, invalid.rule, invalid.gateway_code) == ("app_id", "is required", None)
    assert (malformed.code, malformed.field, malformed.retryable) == ("malformed_response", None, None)
    assert (gateway.gateway_code, gateway.gateway_msg, gateway.verified, gateway.retryable) == ("40004", "Business Failed", True, False)
    assert gateway.description and gateway.action
