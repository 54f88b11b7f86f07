from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Generic, Literal, Optional, TypeVar, Union, final

from typing_extensions import disjoint_base

__all__ = [
    "APIS",
    "REQUEST_OPTIONS",
    "Client",
    "SignedRequest",
    "PreparedRequest",
    "PendingVerification",
    "PendingCertificateChain",
    "SignatureCheck",
    "Response",
    "Notification",
    "SignedV3Request",
    "PreparedV3Request",
    "V3Response",
    "PRODUCTION_GATEWAY",
    "SANDBOX_GATEWAY",
    "cert_sn",
    "root_cert_sn",
    "_test_panic",
]

PRODUCTION_GATEWAY: Final[str]
SANDBOX_GATEWAY: Final[str]
APIS: Final[tuple[tuple[str, str], ...]]
"""The core's typed APIs: (name, gateway method), e.g. ``("voucher_send", "alipay.marketing.voucher.send")``."""
REQUEST_OPTIONS: Final[tuple[str, ...]]
"""The names of the core's request options."""

_Bytes = Union[bytes, bytearray, memoryview]
_Key = Union[str, _Bytes]
_Pem = Union[str, _Bytes]
_Body = Union[_Bytes, str]
_Timestamp = Union[datetime, int, str, None]
_Json = Any
_Pairs = Union[Sequence[tuple[str, str]], Mapping[str, str]]
_Headers = Union[Mapping[str, str], Iterable[tuple[str, str]]]
_T = TypeVar("_T")

@disjoint_base
class Client:
    """A merchant app's handle on the gateway, built by the core from its options.

    Public-key mode takes ``alipay_public_key``; certificate mode (公钥证书模式) takes
    ``app_cert``, ``alipay_cert`` and ``alipay_root_cert`` (PEM) instead. ``aes_key`` (base64)
    turns on content encryption. ``max_body_bytes`` (default 4 MiB) bounds the response and
    notification bodies that are read: a longer one is refused unread (``body_too_large``). Either
    key may be left out (a client that only signs, or only verifies). Immutable (but for the certificates added in certificate mode) and safe to share
    between threads; RSA work releases the GIL.
    """

    def __new__(
        cls,
        *,
        app_id: str,
        private_key: Optional[_Key] = None,
        alipay_public_key: Optional[_Key] = None,
        app_cert: Optional[_Pem] = None,
        alipay_cert: Optional[_Pem] = None,
        alipay_root_cert: Optional[_Pem] = None,
        aes_key: Optional[str] = None,
        sign_type: Optional[Literal["RSA2", "RSA"]] = None,
        charset: Optional[str] = None,
        gateway: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        format: Optional[str] = ...,
        max_body_bytes: Optional[int] = None,
    ) -> Client: ...
    @property
    def app_id(self) -> str: ...
    @property
    def sign_type(self) -> str: ...
    @property
    def charset(self) -> str: ...
    @property
    def gateway(self) -> str: ...
    @property
    def alipay_cert_sns(self) -> list[str]:
        """Certificate mode: the SNs of the Alipay certificates known, sorted (else empty)."""
    def sign(
        self,
        method: str,
        biz_content: Union[str, Mapping[str, _Json], None] = None,
        *,
        notify_url: Optional[str] = None,
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
        files: Optional[Sequence[Mapping[str, Union[str, bytes]]]] = None,
        multipart_boundary: Optional[str] = None,
        max_file_bytes: Optional[int] = None,
    ) -> SignedRequest:
        """Builds and signs a request for any gateway method. A mapping ``biz_content`` for a typed
        API goes through its model (fields checked); a ``str`` is sent byte for byte. With ``files``
        (each ``{field, file_name, content_type, content}``, ``content`` as bytes, at most
        ``max_file_bytes``, 10 MiB by default) the body is a ``multipart/form-data`` upload: the
        text parameters are signed as always, the files never."""
    def sign_call(
        self,
        method: str,
        fields: Mapping[str, _Json],
        *,
        notify_url: Optional[str] = None,
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
    ) -> SignedRequest:
        """Signs a typed call: ``fields`` are the ``biz_content`` of ``method``, checked by its model."""
    def prepare(
        self,
        method: str,
        biz_content: Union[str, Mapping[str, _Json], None] = None,
        *,
        notify_url: Optional[str] = None,
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
        files: Optional[Sequence[Mapping[str, Union[str, bytes]]]] = None,
        multipart_boundary: Optional[str] = None,
        max_file_bytes: Optional[int] = None,
    ) -> PreparedRequest:
        """``sign`` for a host's signer (a KMS, an HSM): sign ``sign_content_bytes``, then attach it."""
    def prepare_call(
        self,
        method: str,
        fields: Mapping[str, _Json],
        *,
        notify_url: Optional[str] = None,
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
    ) -> PreparedRequest:
        """``sign_call`` for a host's signer."""
    def verify_response(self, method: str, body: _Body, *, allow_gateway_error: bool = False) -> Response: ...
    def begin_verify_response(
        self, method: str, body: _Body, *, allow_gateway_error: bool = False
    ) -> PendingVerification[Response]:
        """``verify_response`` in two stages: everything but the RSA check, which is the host's."""
    def parse_response(self, method: str, body: _Body) -> Any:
        """Verifies and reads an answer to a typed ``method``: its result dataclass (``alipay_openapi.models``)."""
    def verify_notification(
        self,
        notification: Union[_Body, Mapping[str, str]],
        *,
        version: Literal["v1", "v2"] = "v1",
        charset: Optional[str] = None,
    ) -> Notification: ...
    def begin_verify_notification(
        self,
        notification: Union[_Body, Mapping[str, str]],
        *,
        version: Literal["v1", "v2"] = "v1",
        charset: Optional[str] = None,
    ) -> PendingVerification[Notification]: ...
    def sign_v3(
        self,
        http_method: str,
        path: str,
        *,
        path_params: Optional[_Pairs] = None,
        query: Optional[_Pairs] = None,
        body: Union[str, Mapping[str, _Json], Sequence[_Json], None] = None,
        app_auth_token: Optional[str] = None,
        request_id: Optional[str] = None,
        nonce: Optional[str] = None,
        timestamp: Union[datetime, int, None] = None,
        auth_info: Optional[_Pairs] = None,
        files: Optional[Sequence[Mapping[str, Union[str, bytes]]]] = None,
        multipart_boundary: Optional[str] = None,
    ) -> SignedV3Request:
        """OpenAPI v3: builds and signs a call (RSA2, UTF-8). ``query`` pairs keep their order;
        ``nonce`` and ``request_id`` are 32 random hex digits and ``timestamp`` now unless given
        (keep ``request_id`` on a retry). Each of ``files`` is ``{field, file_name, content_type,
        content}``; they need a ``multipart_boundary``."""
    def prepare_v3(
        self,
        http_method: str,
        path: str,
        *,
        path_params: Optional[_Pairs] = None,
        query: Optional[_Pairs] = None,
        body: Union[str, Mapping[str, _Json], Sequence[_Json], None] = None,
        app_auth_token: Optional[str] = None,
        request_id: Optional[str] = None,
        nonce: Optional[str] = None,
        timestamp: Union[datetime, int, None] = None,
        auth_info: Optional[_Pairs] = None,
        files: Optional[Sequence[Mapping[str, Union[str, bytes]]]] = None,
        multipart_boundary: Optional[str] = None,
    ) -> PreparedV3Request:
        """``sign_v3`` for a host's signer: sign ``sign_content_bytes``, then attach it."""
    def verify_v3_response(self, status: int, headers: _Headers, body: _Body) -> V3Response:
        """OpenAPI v3: verifies an answer over its exact body. A 2xx answer must be signed; 4xx and
        5xx answers raise ``UnsignedGatewayError`` (``v3_gateway_error``, with ``http_status``,
        ``gateway_code`` and ``trace_id``)."""
    def begin_verify_v3_response(self, status: int, headers: _Headers, body: _Body) -> PendingVerification[V3Response]:
        """``verify_v3_response`` in two stages."""
    def verify_return(
        self,
        query: Union[_Body, Mapping[str, str]],
        *,
        version: Literal["v1", "v2"] = "v1",
        charset: Optional[str] = None,
    ) -> Notification:
        """Verifies the query of a return to ``return_url`` as notifications are verified: display
        it, act on the notification. Prefer the raw query (``request.query_string`` in Flask,
        ``request.META["QUERY_STRING"]`` in Django): a framework's mapping has already kept one of
        two duplicated fields, which the raw query refuses."""
    def begin_verify_return(
        self,
        query: Union[_Body, Mapping[str, str]],
        *,
        version: Literal["v1", "v2"] = "v1",
        charset: Optional[str] = None,
    ) -> PendingVerification[Notification]: ...
    def verify_mini_program(self, payload: _Body, *, allow_gateway_error: bool = False) -> Response:
        """Verifies a mini program's payload (``my.getPhoneNumber``) over its ``response`` and
        decrypts it with the AES key; ``node_key`` is ``response``."""
    def begin_verify_mini_program(
        self, payload: _Body, *, allow_gateway_error: bool = False
    ) -> PendingVerification[Response]: ...
    def add_alipay_certificate(self, pem: _Pem, now: Optional[datetime] = None) -> str:
        """Checks a certificate chain against the root bundle at ``now`` and adds its key; returns its SN."""
    def add_downloaded_certificate(self, body: _Body, now: Optional[datetime] = None) -> str:
        """Verifies an ``alipay.open.app.alipaycert.download`` answer and adds its certificate; returns its SN."""
    def begin_add_alipay_certificate(self, pem: _Pem, now: Optional[datetime] = None) -> PendingCertificateChain[str]:
        """``add_alipay_certificate`` in two stages: the chain's signatures are the host's."""
    def begin_add_downloaded_certificate(
        self, body: _Body, now: Optional[datetime] = None
    ) -> PendingCertificateChain[PendingVerification[str]]:
        """``add_downloaded_certificate`` in stages: the chain, then the answer's signature."""

@final
class SignedRequest:
    """A signed request, ready to POST as is."""

    @property
    def url(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def content_type(self) -> str:
        """``application/x-www-form-urlencoded;charset=…``, or with ``files``
        ``multipart/form-data; boundary=…``."""
    @property
    def body(self) -> bytes:
        """The form body, or with ``files`` the ``multipart/form-data`` upload."""
    @property
    def signature(self) -> str: ...
    @property
    def sign_content(self) -> str: ...
    @property
    def params(self) -> dict[str, str]: ...
    @property
    def page_link(self) -> str:
        """Page/WAP pay: the gateway URL with every parameter and ``sign`` in the query."""
    @property
    def page_form(self) -> str:
        """Page/WAP pay: an auto-submitting HTML form, every value escaped."""
    @property
    def order_string(self) -> str:
        """App pay: every parameter and ``sign``, form-encoded, without the gateway."""

@final
class PreparedRequest:
    """A request with every parameter fixed, for a host's signer."""

    @property
    def sign_type(self) -> str: ...
    @property
    def sign_content(self) -> str: ...
    @property
    def sign_content_bytes(self) -> bytes:
        """The bytes to sign (the sign content in the request charset)."""
    def attach_signature(self, signature: _Bytes) -> SignedRequest:
        """The signed request, with the raw signature bytes attached."""

@final
class SignatureCheck:
    """One RSA check of a certificate chain: does ``signature`` verify over ``messages[0]`` (the
    certificate's signed part) under the issuer's key ``spki`` with the hash ``sign_type``?"""

    @property
    def sign_type(self) -> str: ...
    @property
    def messages(self) -> tuple[bytes, ...]: ...
    @property
    def signature(self) -> bytes: ...
    @property
    def spki(self) -> bytes: ...

@final
class PendingCertificateChain(Generic[_T]):
    """A certificate chain waiting for the host's verdict on each of ``checks``: ``finish`` takes one
    bool per check, in order. Finishes once."""

    @property
    def checks(self) -> tuple[SignatureCheck, ...]: ...
    def finish(self, verified: Sequence[bool]) -> _T: ...

@final
class PendingVerification(Generic[_T]):
    """A verification waiting for the host's RSA verdict: try ``messages`` in order against
    ``signature`` under the key ``spki`` (SubjectPublicKeyInfo DER) with ``sign_type``, then
    ``finish`` with the index of the first that verified (``None``: none did). Finishes once."""

    @property
    def sign_type(self) -> str: ...
    @property
    def signature(self) -> bytes: ...
    @property
    def messages(self) -> tuple[bytes, ...]: ...
    @property
    def spki(self) -> bytes: ...
    @property
    def alipay_cert_sn(self) -> Optional[str]: ...
    def finish(self, verified: Optional[int]) -> _T: ...

@final
class Response:
    """A response whose signature was verified over the exact bytes of its node."""

    @property
    def node_key(self) -> str: ...
    @property
    def node_text(self) -> str: ...
    @property
    def data(self) -> dict[str, Any]: ...
    @property
    def code(self) -> str: ...
    @property
    def msg(self) -> str: ...
    @property
    def sub_code(self) -> Optional[str]: ...
    @property
    def sub_msg(self) -> Optional[str]: ...
    @property
    def alipay_cert_sn(self) -> Optional[str]: ...
    @property
    def is_success(self) -> bool: ...

@final
class Notification:
    """A verified asynchronous notification: its fields, decoded once."""

    @property
    def fields(self) -> dict[str, str]: ...
    def get(self, key: str, default: Optional[str] = None) -> Optional[str]: ...
    def __getitem__(self, key: str, /) -> str: ...
    def __contains__(self, key: str, /) -> bool: ...
    def check_order(self, *, out_trade_no: str, total_amount_fen: int, seller_id: Optional[str] = None) -> None:
        """Holds the notification against your order (the amount in integer fen) before you act on it:
        raises ``SignatureError`` with code ``order_mismatch`` naming the field that differs."""

@final
class SignedV3Request:
    """A signed OpenAPI v3 request: send ``method`` to ``url`` with ``headers`` and ``body``."""
    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def path_with_query(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def body(self) -> bytes: ...
    @property
    def signature(self) -> str: ...
    @property
    def sign_content(self) -> str: ...

@final
class PreparedV3Request:
    """An OpenAPI v3 call with everything fixed, for a host's signer."""
    @property
    def sign_type(self) -> str: ...
    @property
    def sign_content(self) -> str: ...
    @property
    def sign_content_bytes(self) -> bytes:
        """The bytes to sign with SHA256withRSA (UTF-8)."""
    def attach_signature(self, signature: _Bytes) -> SignedV3Request: ...

@final
class V3Response:
    """A 2xx OpenAPI v3 answer whose signature verified."""
    @property
    def status(self) -> int: ...
    @property
    def body(self) -> str:
        """The business object as JSON text."""
    @property
    def data(self) -> Any:
        """The business object parsed (``Decimal`` for non-integers); ``None`` for an empty body."""
    @property
    def timestamp(self) -> int:
        """``alipay-timestamp`` in milliseconds, covered by the signature."""
    @property
    def nonce(self) -> str: ...
    @property
    def alipay_sn(self) -> Optional[str]: ...
    @property
    def trace_id(self) -> Optional[str]: ...
    @property
    def was_encrypted(self) -> bool: ...

def cert_sn(pem: _Pem) -> str:
    """The SN of the first certificate in ``pem`` (e.g. ``app_cert_sn``)."""

def root_cert_sn(pem: _Pem) -> str:
    """``alipay_root_cert_sn`` of a root bundle."""

def _test_panic(gil_released: bool = False) -> None:
    """Test only: forces a Rust panic inside the binding; it raises ``InternalError``."""
