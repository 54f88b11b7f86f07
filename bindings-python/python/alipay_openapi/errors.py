"""The exception tree: every error raised by alipay_openapi is an :class:`AlipayError`.

Each exception carries ``code``, the core library's stable identifier (the same string in Rust,
JavaScript and Python), so programs can branch on it without parsing messages.
"""

from __future__ import annotations

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


class AlipayError(Exception):
    """Base class of every error raised by alipay_openapi."""

    code: str
    """The core's stable error code, e.g. ``invalid_field`` or ``signature_mismatch``."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling (used by multiprocessing).
        return (_restore, (type(self), str(self), self.__dict__))


class ValidationError(AlipayError, ValueError):
    """An input broke a rule: a bad key, certificate, AES key, field, charset or sign type. Nothing
    was sent or trusted."""

    field: Optional[str]
    """The parameter or field at fault (e.g. ``biz_content.amount``), when there is one."""

    def __init__(self, message: str, *, code: str, field: Optional[str] = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class SignatureError(AlipayError):
    """Signing failed, or a response or notification could not be verified as coming from Alipay.

    The message must not be trusted: it is malformed, unsigned, or its signature does not match.
    """


class UnknownCertSnError(SignatureError):
    """Certificate mode: the response was signed with an Alipay certificate the client does not know
    (``code`` ``unknown_cert_sn``), as after Alipay rotates its certificate.

    Download it with ``alipay.open.app.alipaycert.download`` (``{"alipay_cert_sn": ...}``), pass
    the answer to :meth:`Client.add_downloaded_certificate`, then verify the response again.
    """

    alipay_cert_sn: str
    """The SN the response named."""

    def __init__(self, message: str, *, code: str, alipay_cert_sn: str) -> None:
        super().__init__(message, code=code)
        self.alipay_cert_sn = alipay_cert_sn


class GatewayError(AlipayError):
    """The gateway answered with an error (its ``code`` is not ``10000``).

    ``code`` is ``gateway_error`` (a verified answer) or ``unsigned_gateway_error``; the
    gateway's own code is ``gateway_code``.
    """

    gateway_code: str
    """The gateway's code, e.g. ``40004``."""
    msg: str
    """The gateway's message, e.g. ``Business Failed``."""
    sub_code: Optional[str]
    """The business code, e.g. ``isv.invalid-signature``."""
    sub_msg: Optional[str]
    """The business message."""
    retryable: bool
    """Whether sending the same request again (same ``out_biz_no``) may succeed."""
    verified: bool
    """Whether the answer carried a valid Alipay signature."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        gateway_code: str,
        msg: str,
        sub_code: Optional[str],
        sub_msg: Optional[str],
        retryable: bool,
        verified: bool,
    ) -> None:
        super().__init__(message, code=code)
        self.gateway_code = gateway_code
        self.msg = msg
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        self.retryable = retryable
        self.verified = verified


class UnsignedGatewayError(GatewayError):
    """A gateway error that carried no signature (the gateway could not identify the app).

    Its fields are unverified: show or log them, never act on them as data.
    """


class InternalError(AlipayError):
    """A bug inside the library (``code`` ``internal_panic``, a Rust panic caught at the boundary):
    the call failed, and every client stays usable. Please report it."""


def _restore(cls: type[AlipayError], message: str, state: dict[str, Any]) -> AlipayError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error
