from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Literal, Optional, Union

from . import _native
from .models import TicketCodeSyncResult, VoucherQueryResult, VoucherSendResult, VoucherStockUseResult

__all__ = ["Client"]

CALL_OPTIONS: tuple[str, ...]

_Body = Union[bytes, bytearray, memoryview, str]
_Amount = Union[Decimal, str, int]
_Timestamp = Union[datetime, int, str, None]

class Client(_native.Client):
    """A merchant app's handle on the gateway, with one ``<name>`` / ``parse_<name>`` pair per typed
    API of ``APIS`` (tests/test_api.py checks that this stub lists exactly those)."""

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
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
    ) -> _native.SignedRequest:
        """``alipay.marketing.voucher.send`` (发券)."""
    def parse_voucher_send(self, body: _Body) -> VoucherSendResult: ...
    def voucher_query(
        self,
        *,
        voucher_id: str,
        notify_url: Optional[str] = None,
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
    ) -> _native.SignedRequest:
        """``alipay.marketing.voucher.query`` (券查询)."""
    def parse_voucher_query(self, body: _Body) -> VoucherQueryResult: ...
    def voucher_stock_use(
        self,
        *,
        entity_no: str,
        out_biz_no: str,
        notify_url: Optional[str] = None,
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
    ) -> _native.SignedRequest:
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
        return_url: Optional[str] = None,
        app_auth_token: Optional[str] = None,
        params: Optional[Mapping[str, str]] = None,
        version: Optional[str] = None,
        timestamp: _Timestamp = None,
    ) -> _native.SignedRequest:
        """``koubei.trade.ticket.ticketcode.sync`` (口碑凭证码同步)."""
    def parse_ticket_code_sync(self, body: _Body) -> TicketCodeSyncResult: ...
