"""Typed results of the four APIs. Built by the native module from the core's parsed results:
amounts are exact ``Decimal`` yuan, date-times are aware ``datetime`` in Beijing time (UTC+8).

Each result keeps the members the API page does not list in ``extra`` (as JSON values, with
non-integer numbers as ``Decimal``), so nothing the gateway sent is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Optional

__all__ = [
    "VoucherSendResult",
    "VoucherQueryResult",
    "BillDetail",
    "VoucherStockUseResult",
    "TicketCodeSyncResult",
]


@dataclass(frozen=True)
class VoucherSendResult:
    """Result of ``alipay.marketing.voucher.send`` (发券)."""

    voucher_id: str
    """券ID: the voucher issued; query it with ``voucher_query``."""
    user_id: Optional[str]
    """支付宝用户ID: the owner (absent for apps that identify users by ``open_id``)."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BillDetail:
    """One use or refund of a voucher (VoucherBillDetail)."""

    trade_no: Optional[str]
    """支付宝交易号."""
    amount: Decimal
    """券核销/退款金额: yuan used or refunded."""
    status: str
    """交易状态: ``I`` (processing) or ``S`` (succeeded), or another value as sent."""
    partner_id: Optional[str]
    partner_name: Optional[str]
    biz_type: Optional[str]
    """账单类型: ``V_USE`` or ``V_REFUND``, or another value as sent (older answers leave it out)."""
    gmt_create: datetime
    """交易时间 (UTC+8)."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VoucherQueryResult:
    """Result of ``alipay.marketing.voucher.query`` (券查询).

    Only ``voucher_id`` and ``status`` are always present: real answers also come in an older
    shape (``voucher_name``, ``amount``, no ``gmt_create``), so other fields are ``None`` when absent.
    """

    voucher_id: str
    template_id: Optional[str]
    name: Optional[str]
    """券名称: the name the user sees (``name``, or the older ``voucher_name``)."""
    user_id: Optional[str]
    status: str
    """券状态, e.g. ``ENABLED``, ``USED``, ``EXPIRED`` (a value the page does not list is kept as sent)."""
    total_amount: Optional[Decimal]
    """券面额: face value in yuan (``total_amount``, or the older ``amount``)."""
    available_amount: Optional[Decimal]
    """券余额: remaining value in yuan."""
    gmt_active: Optional[datetime]
    gmt_expired: Optional[datetime]
    gmt_create: Optional[datetime]
    extend_info: Optional[str]
    """扩展信息: JSON text."""
    bill_details: tuple[BillDetail, ...]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class VoucherStockUseResult:
    """Result of ``alipay.marketing.voucher.stock.use`` (外部商户券码券核销)."""

    voucher_id: Optional[str]
    """核销序号; absent when the code was not redeemed even though the call succeeded."""
    redeemed: bool
    """Whether the code was redeemed."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketCodeSyncResult:
    """Result of ``koubei.trade.ticket.ticketcode.sync`` (口碑凭证码同步)."""

    request_id: str
    order_no: str
    biz_code: Optional[str]
    idempotent_replay: bool
    """``biz_code`` is ``BIZ_ALREADY_SUCCESS``: this ``request_id`` had already been synced."""
    extra: dict[str, Any] = field(default_factory=dict)
