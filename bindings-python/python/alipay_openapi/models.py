"""Typed results of the typed APIs, read from the core's result (a JSON object) by their
annotations: amounts are exact ``Decimal`` yuan, date-times are aware ``datetime`` in Beijing
time (UTC+8), lists are tuples.

Each result keeps the members the API page does not list in ``extra`` (as JSON values, with
non-integer numbers as ``Decimal``), so nothing the gateway sent is dropped. The result of the API
named ``voucher_send`` is ``VoucherSendResult``, and so on.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional, Union

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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def redeemed(self) -> bool:
        """Whether the code was redeemed: the answer carries a ``voucher_id`` (the page's rule)."""
        return self.voucher_id is not None


@dataclass(frozen=True)
class TicketCodeSyncResult:
    """Result of ``koubei.trade.ticket.ticketcode.sync`` (口碑凭证码同步)."""

    request_id: str
    order_no: str
    biz_code: Optional[str]
    idempotent_replay: bool
    """``biz_code`` is ``BIZ_ALREADY_SUCCESS``: this ``request_id`` had already been synced."""
    extra: dict[str, Any] = field(default_factory=dict)


BEIJING = timezone(timedelta(hours=8))
_DATE_TIME = "%Y-%m-%d %H:%M:%S"


def result_class(api_name: str) -> type[Any]:
    """The result dataclass of the API named ``api_name`` (``voucher_send``: ``VoucherSendResult``)."""
    found: type[Any] = globals()["".join(part.title() for part in api_name.split("_")) + "Result"]
    return found


def _json_loads(text: str) -> Any:
    """JSON text as Python values, with every non-integer number as an exact ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def _from_result(api_name: str, text: str) -> Any:
    """The core's result of ``api_name`` (JSON text) as its dataclass; called by the native module."""
    return _build(result_class(api_name), _json_loads(text))


_FIELDS: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """The fields of a result dataclass but ``extra``, with their annotations (read once)."""
    if cls not in _FIELDS:
        hints = typing.get_type_hints(cls)
        _FIELDS[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.name != "extra")
    return _FIELDS[cls]


def _build(cls: type[Any], members: dict[str, Any]) -> Any:
    values = {name: _convert(hint, members.pop(name, None)) for name, hint in _fields(cls)}
    return cls(**values, extra=members)


def _convert(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Union:  # Optional[X]
        return _convert(next(arg for arg in args if arg is not type(None)), value)
    if origin is tuple:
        return tuple(_convert(args[0], item) for item in value)
    if hint is Decimal:
        return Decimal(value)
    if hint is datetime:
        return datetime.strptime(value, _DATE_TIME).replace(tzinfo=BEIJING)
    if dataclasses.is_dataclass(hint):
        return _build(typing.cast(type, hint), value)
    return value
