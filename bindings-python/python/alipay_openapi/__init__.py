"""Signing and verification for the Alipay Open Platform gateway (OpenAPI v2).

A thin Python layer over a Rust core: build signed requests that any HTTP client can send,
verify responses over their exact bytes, and verify asynchronous notifications.
"""

from __future__ import annotations

from ._native import (
    PRODUCTION_GATEWAY,
    SANDBOX_GATEWAY,
    Client,
    Notification,
    Response,
    SignedRequest,
)
from .models import (
    BillDetail,
    TicketCodeSyncResult,
    VoucherQueryResult,
    VoucherSendResult,
    VoucherStockUseResult,
)
from .errors import (
    AlipayError,
    GatewayError,
    SignatureError,
    UnsignedGatewayError,
    ValidationError,
)

__all__ = [
    "PRODUCTION_GATEWAY",
    "SANDBOX_GATEWAY",
    "Client",
    "SignedRequest",
    "Response",
    "Notification",
    "VoucherSendResult",
    "VoucherQueryResult",
    "BillDetail",
    "VoucherStockUseResult",
    "TicketCodeSyncResult",
    "AlipayError",
    "ValidationError",
    "SignatureError",
    "GatewayError",
    "UnsignedGatewayError",
]
