"""The exception tree: every error raised by alipay_openapi is an :class:`AlipayError`.

Every exception carries the core's error details as attributes of the same names, in every class:
``code`` (the core's stable identifier, the same string in Rust, JavaScript and Python),
``message``, ``field``, ``rule``, ``charset``, ``alipay_cert_sn``, ``gateway_code``,
``gateway_msg``, ``sub_code``, ``sub_msg``, ``verified``, ``retryable``, ``description`` and
``action``; a detail that does not apply is ``None``. The class is picked from ``code``.
"""

from __future__ import annotations

import json
from typing import Any, Optional

__all__ = [
    "AlipayError",
    "ValidationError",
    "SignatureError",
    "UnknownCertSnError",
    "GatewayError",
    "UnsignedGatewayError",
    "InternalError",
]

DETAILS = (
    "code",
    "message",
    "field",
    "rule",
    "charset",
    "alipay_cert_sn",
    "gateway_code",
    "gateway_msg",
    "sub_code",
    "sub_msg",
    "verified",
    "retryable",
    "description",
    "action",
    "http_status",
    "trace_id",
)
"""The names of the core's ``ErrorDetails``, in its order."""


class AlipayError(Exception):
    """Base class of every error raised by alipay_openapi."""

    code: str
    """The core's stable error code, e.g. ``invalid_field`` or ``signature_mismatch``."""
    message: str
    """The message: names the field or input and the rule, never key material."""
    field: Optional[str]
    """The option, argument or field at fault (e.g. ``private_key``, ``amount``, ``biz_content.memo``)."""
    rule: Optional[str]
    """The rule ``field`` broke."""
    charset: Optional[str]
    """``unencodable_text`` and ``undecodable_bytes``: the charset (``Unicode`` for a lone surrogate)."""
    alipay_cert_sn: Optional[str]
    """``unknown_cert_sn``: the SN to download."""
    gateway_code: Optional[str]
    """Gateway answers: the gateway's code, e.g. ``40004``."""
    gateway_msg: Optional[str]
    """Gateway answers: the gateway's message, e.g. ``Business Failed``."""
    sub_code: Optional[str]
    """Gateway answers: the business code, e.g. ``isv.invalid-signature``."""
    sub_msg: Optional[str]
    """Gateway answers: the business message."""
    verified: Optional[bool]
    """Gateway answers: whether the answer carried a valid Alipay signature."""
    retryable: Optional[bool]
    """Gateway answers: whether sending the same request again (same ``out_biz_no``) may succeed."""
    http_status: Optional[int]
    """OpenAPI v3 error answers: the HTTP status."""
    trace_id: Optional[str]
    """OpenAPI v3 error answers: ``alipay-trace-id``, for Alipay's support."""
    description: Optional[str]
    """Gateway answers: what the code means, from the core's error catalog."""
    action: Optional[str]
    """Gateway answers: what to do, from the core's error catalog."""

    def __init__(self, message: str, *, code: str, **details: Any) -> None:
        super().__init__(message)
        unknown = set(details) - set(DETAILS)
        if unknown:
            raise TypeError(f"unknown error details: {sorted(unknown)}")
        for name in DETAILS:
            setattr(self, name, details.get(name))
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling (used by multiprocessing).
        return (_restore, (type(self), str(self), self.__dict__))


class ValidationError(AlipayError, ValueError):
    """An input broke a rule: a bad option, key, certificate, AES key, field, charset or sign type.
    Nothing was sent or trusted. ``field`` names it when there is one."""


class SignatureError(AlipayError):
    """Signing failed, or a response or notification could not be verified as coming from Alipay
    (or it verified but is for another app: ``app_id_mismatch``; or it was longer than the client's
    ``max_body_bytes`` and was refused unread: ``body_too_large``).

    The message must not be trusted: it is malformed, unsigned, its signature does not match, or it
    was meant for another merchant.
    """


class UnknownCertSnError(SignatureError):
    """Certificate mode: the response was signed with an Alipay certificate the client does not know
    (``code`` ``unknown_cert_sn``), as after Alipay rotates its certificate.

    Download it with ``alipay.open.app.alipaycert.download`` (``{"alipay_cert_sn": ...}``), pass
    the answer to :meth:`Client.add_downloaded_certificate`, then verify the response again.
    """

    alipay_cert_sn: str


class GatewayError(AlipayError):
    """The gateway answered with an error (its ``code`` is not ``10000``).

    ``code`` is ``gateway_error`` (a verified answer) or ``unsigned_gateway_error``; the
    gateway's own code is ``gateway_code``.
    """

    gateway_code: str
    gateway_msg: str
    verified: bool


class UnsignedGatewayError(GatewayError):
    """A gateway error that carried no signature (the gateway could not identify the app).

    Its fields are unverified: show or log them, never act on them as data.
    """


class InternalError(AlipayError):
    """A bug inside the library (``code`` ``internal_panic``, a Rust panic caught at the boundary):
    the call failed, and every client stays usable. Please report it."""


_VALIDATION = {
    "invalid_field",
    "invalid_key",
    "unsupported_key_size",
    "unencodable_text",
    "unsupported_charset",
    "unsupported_sign_type",
}
"""Codes that are always about what the caller gave."""

_ABOUT_AN_INPUT_WHEN_NAMED = {"invalid_certificate", "aes_error"}
"""Codes that are about what the caller gave when they name an option or argument (a certificate
or AES key given), and about the gateway's answer otherwise (a downloaded certificate, a
ciphertext)."""

_BY_CODE: dict[str, type[AlipayError]] = {
    "unknown_cert_sn": UnknownCertSnError,
    "gateway_error": GatewayError,
    "unsigned_gateway_error": UnsignedGatewayError,
    "v3_gateway_error": UnsignedGatewayError,
    "internal_panic": InternalError,
}


def _class_for(code: str, field: Optional[str]) -> type[AlipayError]:
    if code in _VALIDATION or (code in _ABOUT_AN_INPUT_WHEN_NAMED and field is not None):
        return ValidationError
    return _BY_CODE.get(code, SignatureError)


def _from_details(text: str) -> AlipayError:
    """The exception for the core's ``ErrorDetails`` (JSON text), made by the native module."""
    details: dict[str, Any] = json.loads(text)
    message = details.pop("message")
    return _class_for(details["code"], details.get("field"))(message, **details)


def _restore(cls: type[AlipayError], message: str, state: dict[str, Any]) -> AlipayError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
