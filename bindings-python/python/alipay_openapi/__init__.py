"""Signing and verification for the Alipay Open Platform gateway (OpenAPI v2 and v3).

A thin Python layer over a Rust core: build signed requests that any HTTP client can send,
verify responses over their exact bytes, and verify asynchronous notifications.
"""

from __future__ import annotations

from ._native import (
    APIS,
    PRODUCTION_GATEWAY,
    SANDBOX_GATEWAY,
    Notification,
    PendingCertificateChain,
    PendingVerification,
    PreparedRequest,
    PreparedV3Request,
    Response,
    SignedRequest,
    SignatureCheck,
    SignedV3Request,
    V3Response,
    cert_sn,
    root_cert_sn,
)
from .client import Client
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
    InternalError,
    SignatureError,
    UnknownCertSnError,
    UnsignedGatewayError,
    ValidationError,
)

__all__ = [
    "APIS",
    "PRODUCTION_GATEWAY",
    "SANDBOX_GATEWAY",
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
    "cert_sn",
    "root_cert_sn",
    "VoucherSendResult",
    "VoucherQueryResult",
    "BillDetail",
    "VoucherStockUseResult",
    "TicketCodeSyncResult",
    "AlipayError",
    "ValidationError",
    "SignatureError",
    "UnknownCertSnError",
    "GatewayError",
    "UnsignedGatewayError",
    "InternalError",
]
