from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal, Optional, Union, final

from .models import TicketCodeSyncResult, VoucherQueryResult, VoucherSendResult, VoucherStockUseResult

__all__ = [
    "Client",
    "SignedRequest",
    "Response",
    "Notification",
    "PRODUCTION_GATEWAY",
    "SANDBOX_GATEWAY",
    "cert_sn",
    "root_cert_sn",
    "_test_panic",
]

PRODUCTION_GATEWAY: Final[str]
SANDBOX_GATEWAY: Final[str]

_Key = Union[str, bytes]
_Pem = Union[str, bytes]
_Body = Union[bytes, bytearray, str]
_Amount = Union[Decimal, str, int]

@final
class Client:
    """A merchant app's handle on the gateway: configuration and both keys, parsed once.

    Public-key mode takes ``alipay_public_key``; certificate mode (公钥证书模式) takes
    ``app_cert``, ``alipay_cert`` and ``alipay_root_cert`` (PEM) instead. ``aes_key`` (base64)
    turns on content encryption. Immutable (but for the certificates added in certificate mode)
    and safe to share between threads; RSA work releases the GIL.
    """

    def __new__(
        cls,
        *,
        app_id: str,
        private_key: _Key,
        alipay_public_key: Optional[_Key] = None,
        app_cert: Optional[_Pem] = None,
        alipay_cert: Optional[_Pem] = None,
        alipay_root_cert: Optional[_Pem] = None,
        aes_key: Optional[str] = None,
        sign_type: Literal["RSA2", "RSA"] = "RSA2",
        charset: str = "utf-8",
        gateway: str = ...,
        app_auth_token: Optional[str] = None,
        format: Optional[str] = ...,
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
    def add_alipay_certificate(self, pem: _Pem, now: Optional[datetime] = None) -> str:
        """Checks a certificate chain against the root bundle at ``now`` and adds its key; returns its SN."""
    def add_downloaded_certificate(self, body: _Body, now: Optional[datetime] = None) -> str:
        """Verifies an ``alipay.open.app.alipaycert.download`` answer and adds its certificate; returns its SN."""
    def request(
        self,
        method: str,
        biz_content: Union[str, Mapping[str, Any], None] = None,
        *,
        notify_url: Optional[str] = None,
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: str = "1.0",
        timestamp: Optional[datetime] = None,
    ) -> SignedRequest: ...
    def verify_response(self, method: str, body: _Body, *, allow_gateway_error: bool = False) -> Response: ...
    def verify_notification(
        self,
        notification: Union[bytes, str, Mapping[str, str]],
        *,
        charset: Optional[str] = None,
        v2: bool = False,
    ) -> Notification: ...
    def voucher_send(
        self,
        *,
        template_id: str,
        out_biz_no: str,
        user_id: Optional[str] = None,
        login_id: Optional[str] = None,
        taobao_nick: Optional[str] = None,
        amount: Optional[_Amount] = None,
        memo: Optional[str] = None,
        notify_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        timestamp: Optional[datetime] = None,
    ) -> SignedRequest:
        """``alipay.marketing.voucher.send`` (发券)."""
    def parse_voucher_send(self, body: _Body) -> VoucherSendResult: ...
    def voucher_query(
        self,
        *,
        voucher_id: str,
        notify_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        timestamp: Optional[datetime] = None,
    ) -> SignedRequest:
        """``alipay.marketing.voucher.query`` (券查询)."""
    def parse_voucher_query(self, body: _Body) -> VoucherQueryResult: ...
    def voucher_stock_use(
        self,
        *,
        entity_no: str,
        out_biz_no: str,
        notify_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        timestamp: Optional[datetime] = None,
    ) -> SignedRequest:
        """``alipay.marketing.voucher.stock.use`` (外部商户券码券核销)."""
    def parse_voucher_stock_use(self, body: _Body) -> VoucherStockUseResult: ...
    def ticket_code_sync(
        self,
        *,
        request_id: str,
        ticket_code: str,
        quantity: Union[str, int],
        order_no: str,
        code_type: Optional[Literal["INTERNAL_CODE", "EXTERNAL_CODE"]] = None,
        gmt_biz: Optional[datetime] = None,
        sync_shop_id: Optional[str] = None,
        notify_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        timestamp: Optional[datetime] = None,
    ) -> SignedRequest:
        """``koubei.trade.ticket.ticketcode.sync`` (口碑凭证码同步)."""
    def parse_ticket_code_sync(self, body: _Body) -> TicketCodeSyncResult: ...

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
    def body(self) -> bytes: ...
    @property
    def signature(self) -> str: ...
    @property
    def sign_content(self) -> str: ...
    @property
    def params(self) -> dict[str, str]: ...

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

def cert_sn(pem: _Pem) -> str:
    """The SN of the first certificate in ``pem`` (e.g. ``app_cert_sn``)."""

def root_cert_sn(pem: _Pem) -> str:
    """``alipay_root_cert_sn`` of a root bundle."""

def _test_panic(gil_released: bool = False) -> None:
    """Test only: forces a Rust panic inside the binding; it raises ``InternalError``."""
